package io.github.v4l2ffm;

/**
 * One entry of {@code VIDIOC_ENUM_FMT}: a pixel format a queue offers.
 *
 * @param index the entry's index
 * @param type the queue
 * @param pixelFormat the format
 * @param description the driver's name for it, such as {@code "YUYV 4:2:2"}
 * @param flags {@code V4L2_FMT_FLAG_*}: compressed, emulated, continuous bytestream...
 * @param mbusCode the media bus code (0 unless the driver reports one)
 */
public record FormatDescription(int index, BufferType type, PixelFormat pixelFormat, String description,
                                int flags, int mbusCode) {
    /** {@code V4L2_FMT_FLAG_COMPRESSED}. */
    public static final int FLAG_COMPRESSED = 0x0001;
    /** {@code V4L2_FMT_FLAG_EMULATED}. */
    public static final int FLAG_EMULATED = 0x0002;

    /** Whether the driver marks this format compressed. */
    public boolean isCompressed() {
        return (flags & FLAG_COMPRESSED) != 0;
    }
}
