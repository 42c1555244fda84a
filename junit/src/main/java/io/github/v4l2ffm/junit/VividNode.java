package io.github.v4l2ffm.junit;

import io.github.v4l2ffm.Capabilities;
import io.github.v4l2ffm.Capability;

/** The kinds of device node a vivid instance can create: the bits of its {@code node_types} parameter. */
public enum VividNode {
    /** Video capture ({@code /dev/video*}), bit 0. */
    VIDEO_CAPTURE(0x1),
    /** Raw and sliced VBI capture ({@code /dev/vbi*}), bits 2 and 3. */
    VBI_CAPTURE(0xc),
    /** Radio receiver ({@code /dev/radio*}), bit 4. */
    RADIO_RECEIVER(0x10),
    /** Software defined radio receiver ({@code /dev/swradio*}), bit 5. */
    SDR_CAPTURE(0x20),
    /** Video output ({@code /dev/video*}), bit 8. */
    VIDEO_OUTPUT(0x100),
    /** Raw and sliced VBI output ({@code /dev/vbi*}), bits 10 and 11. */
    VBI_OUTPUT(0xc00),
    /** Radio transmitter ({@code /dev/radio*}), bit 12. */
    RADIO_TRANSMITTER(0x1000),
    /** Metadata capture ({@code /dev/video*}), bit 17. */
    METADATA_CAPTURE(0x20000),
    /** Metadata output ({@code /dev/video*}), bit 18. */
    METADATA_OUTPUT(0x40000),
    /** Touch capture ({@code /dev/v4l-touch*}), bit 19. */
    TOUCH_CAPTURE(0x80000);

    private final int bits;

    VividNode(int bits) {
        this.bits = bits;
    }

    /** The {@code node_types} bits of this kind of node. */
    public int bits() {
        return bits;
    }

    /** Whether a node with these capabilities is a node of this kind. */
    boolean matches(Capabilities c) {
        return switch (this) {
            case VIDEO_CAPTURE -> (c.has(Capability.VIDEO_CAPTURE) || c.has(Capability.VIDEO_CAPTURE_MPLANE))
                    && !c.has(Capability.TOUCH);
            case VIDEO_OUTPUT -> c.has(Capability.VIDEO_OUTPUT) || c.has(Capability.VIDEO_OUTPUT_MPLANE);
            case VBI_CAPTURE -> c.has(Capability.VBI_CAPTURE) || c.has(Capability.SLICED_VBI_CAPTURE);
            case VBI_OUTPUT -> c.has(Capability.VBI_OUTPUT) || c.has(Capability.SLICED_VBI_OUTPUT);
            case RADIO_RECEIVER -> c.has(Capability.RADIO) && c.has(Capability.TUNER);
            case RADIO_TRANSMITTER -> c.has(Capability.RADIO) && c.has(Capability.MODULATOR);
            case SDR_CAPTURE -> c.has(Capability.SDR_CAPTURE);
            case METADATA_CAPTURE -> c.has(Capability.META_CAPTURE);
            case METADATA_OUTPUT -> c.has(Capability.META_OUTPUT);
            case TOUCH_CAPTURE -> c.has(Capability.TOUCH);
        };
    }
}
