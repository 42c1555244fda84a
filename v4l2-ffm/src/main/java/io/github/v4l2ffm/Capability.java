package io.github.v4l2ffm;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

import static io.github.v4l2ffm.bindings.Videodev2.*;

/**
 * A capability flag of {@code struct v4l2_capability} ({@code V4L2_CAP_*}).
 *
 * <p>{@link #description()} is the name {@code v4l2-ctl --info} prints for the flag.
 */
public enum Capability {
    VIDEO_CAPTURE(V4L2_CAP_VIDEO_CAPTURE(), "Video Capture"),
    VIDEO_CAPTURE_MPLANE(V4L2_CAP_VIDEO_CAPTURE_MPLANE(), "Video Capture Multiplanar"),
    VIDEO_OUTPUT(V4L2_CAP_VIDEO_OUTPUT(), "Video Output"),
    VIDEO_OUTPUT_MPLANE(V4L2_CAP_VIDEO_OUTPUT_MPLANE(), "Video Output Multiplanar"),
    VIDEO_M2M(V4L2_CAP_VIDEO_M2M(), "Video Memory-to-Memory"),
    VIDEO_M2M_MPLANE(V4L2_CAP_VIDEO_M2M_MPLANE(), "Video Memory-to-Memory Multiplanar"),
    VIDEO_OVERLAY(V4L2_CAP_VIDEO_OVERLAY(), "Video Overlay"),
    VIDEO_OUTPUT_OVERLAY(V4L2_CAP_VIDEO_OUTPUT_OVERLAY(), "Video Output Overlay"),
    VBI_CAPTURE(V4L2_CAP_VBI_CAPTURE(), "VBI Capture"),
    VBI_OUTPUT(V4L2_CAP_VBI_OUTPUT(), "VBI Output"),
    SLICED_VBI_CAPTURE(V4L2_CAP_SLICED_VBI_CAPTURE(), "Sliced VBI Capture"),
    SLICED_VBI_OUTPUT(V4L2_CAP_SLICED_VBI_OUTPUT(), "Sliced VBI Output"),
    RDS_CAPTURE(V4L2_CAP_RDS_CAPTURE(), "RDS Capture"),
    RDS_OUTPUT(V4L2_CAP_RDS_OUTPUT(), "RDS Output"),
    SDR_CAPTURE(V4L2_CAP_SDR_CAPTURE(), "SDR Capture"),
    SDR_OUTPUT(V4L2_CAP_SDR_OUTPUT(), "SDR Output"),
    META_CAPTURE(V4L2_CAP_META_CAPTURE(), "Metadata Capture"),
    META_OUTPUT(V4L2_CAP_META_OUTPUT(), "Metadata Output"),
    TUNER(V4L2_CAP_TUNER(), "Tuner"),
    TOUCH(V4L2_CAP_TOUCH(), "Touch Device"),
    HW_FREQ_SEEK(V4L2_CAP_HW_FREQ_SEEK(), "HW Frequency Seek"),
    MODULATOR(V4L2_CAP_MODULATOR(), "Modulator"),
    AUDIO(V4L2_CAP_AUDIO(), "Audio"),
    RADIO(V4L2_CAP_RADIO(), "Radio"),
    IO_MC(V4L2_CAP_IO_MC(), "I/O MC"),
    READWRITE(V4L2_CAP_READWRITE(), "Read/Write"),
    EDID(V4L2_CAP_EDID(), "EDID"),
    STREAMING(V4L2_CAP_STREAMING(), "Streaming"),
    EXT_PIX_FORMAT(V4L2_CAP_EXT_PIX_FORMAT(), "Extended Pix Format"),
    DEVICE_CAPS(V4L2_CAP_DEVICE_CAPS(), "Device Capabilities");

    private final int bit;
    private final String description;

    Capability(int bit, String description) {
        this.bit = bit;
        this.description = description;
    }

    /** The flag's bit in the kernel's capability word. */
    public int bit() {
        return bit;
    }

    /** The flag's name as {@code v4l2-ctl --info} prints it, such as {@code "Video Capture"}. */
    public String description() {
        return description;
    }

    /** The flags set in {@code bits}; bits this enum does not know are ignored (see the raw word). */
    public static Set<Capability> of(int bits) {
        EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
        for (Capability c : values()) {
            if ((bits & c.bit) != 0) set.add(c);
        }
        return Collections.unmodifiableSet(set);
    }
}
