package io.github.v4l2ffm;

/**
 * A video input of a device ({@code VIDIOC_ENUMINPUT}): a camera sensor, a TV tuner, an HDMI port...
 *
 * @param index the input's number, for {@link V4l2Device#setInput(int)}
 * @param name its name, such as {@code "Webcam 0"} or {@code "Camera 1"}
 * @param type 1 tuner, 2 camera, 3 touch ({@code V4L2_INPUT_TYPE_*})
 * @param status {@code V4L2_IN_ST_*} flags (no power, no signal, no colour...)
 * @param std the analog TV standards it supports
 * @param capabilities {@code V4L2_IN_CAP_*} flags
 */
public record Input(int index, String name, int type, int status, long std, int capabilities) {
    /** {@code V4L2_INPUT_TYPE_CAMERA}. */
    public static final int TYPE_CAMERA = 2;
}
