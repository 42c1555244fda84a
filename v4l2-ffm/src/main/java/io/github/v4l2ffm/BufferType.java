package io.github.v4l2ffm;

/**
 * A V4L2 buffer type ({@code enum v4l2_buf_type}): which queue of a device a format or buffer
 * belongs to. CAPTURE queues produce data, OUTPUT queues consume it.
 */
public enum BufferType {
    VIDEO_CAPTURE(1),
    VIDEO_OUTPUT(2),
    VIDEO_OVERLAY(3),
    VBI_CAPTURE(4),
    VBI_OUTPUT(5),
    SLICED_VBI_CAPTURE(6),
    SLICED_VBI_OUTPUT(7),
    VIDEO_OUTPUT_OVERLAY(8),
    VIDEO_CAPTURE_MPLANE(9),
    VIDEO_OUTPUT_MPLANE(10),
    SDR_CAPTURE(11),
    SDR_OUTPUT(12),
    META_CAPTURE(13),
    META_OUTPUT(14);

    private final int value;

    BufferType(int value) {
        this.value = value;
    }

    /** The kernel's value. */
    public int value() {
        return value;
    }

    /** Whether buffers of this type use the multi-planar API. */
    public boolean isMultiplanar() {
        return this == VIDEO_CAPTURE_MPLANE || this == VIDEO_OUTPUT_MPLANE;
    }

    /** Whether buffers of this type carry metadata ({@code v4l2_meta_format}) rather than images. */
    public boolean isMeta() {
        return this == META_CAPTURE || this == META_OUTPUT;
    }

    /** Whether this is an output type (the application fills buffers, the device consumes them). */
    public boolean isOutput() {
        return switch (this) {
            case VIDEO_OUTPUT, VBI_OUTPUT, SLICED_VBI_OUTPUT, VIDEO_OUTPUT_OVERLAY, VIDEO_OUTPUT_MPLANE,
                 SDR_OUTPUT, META_OUTPUT -> true;
            default -> false;
        };
    }

    /** The type for the kernel value {@code value}. */
    public static BufferType of(int value) {
        for (BufferType t : values()) {
            if (t.value == value) return t;
        }
        throw new IllegalArgumentException("unknown buffer type " + value);
    }
}
