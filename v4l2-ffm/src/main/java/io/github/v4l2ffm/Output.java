package io.github.v4l2ffm;

/**
 * A video output of a device ({@code VIDIOC_ENUMOUTPUT}): an S-Video or HDMI connector, a
 * display, a modulator...
 *
 * @param index the output's number, for {@link V4l2Device#setOutput(int)}
 * @param name its name, such as {@code "HDMI 0"}
 * @param type 1 modulator, 2 analog (a connector), 3 analog VGA overlay ({@code V4L2_OUTPUT_TYPE_*})
 * @param std the analog TV standards it supports (0 for a digital output)
 * @param capabilities {@code V4L2_OUT_CAP_*} flags, such as {@link #CAP_DV_TIMINGS}
 */
public record Output(int index, String name, int type, long std, int capabilities) {
    /** {@code V4L2_OUT_CAP_DV_TIMINGS}: a digital output (HDMI, DVI), timed by DV timings. */
    public static final int CAP_DV_TIMINGS = 0x0002;
    /** {@code V4L2_OUT_CAP_STD}: an analog output, timed by a TV standard. */
    public static final int CAP_STD = 0x0004;
}
