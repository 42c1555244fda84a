package io.github.v4l2ffm.junit;

/** Which V4L2 buffer API a driver instance offers: single-planar or multi-planar. */
public enum Planes {
    /** {@code V4L2_BUF_TYPE_VIDEO_CAPTURE} and {@code _OUTPUT}. */
    SINGLE,
    /** {@code V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE} and {@code _OUTPUT_MPLANE}. */
    MULTI
}
