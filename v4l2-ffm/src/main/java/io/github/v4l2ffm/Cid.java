package io.github.v4l2ffm;

import static io.github.v4l2ffm.bindings.Videodev2.*;

/**
 * The IDs of common standard controls ({@code V4L2_CID_*}), for {@link Controls}. Any other ID,
 * standard or private to a driver, works as well.
 */
public final class Cid {
    private Cid() {}

    public static final int BRIGHTNESS = V4L2_CID_BRIGHTNESS();
    public static final int CONTRAST = V4L2_CID_CONTRAST();
    public static final int SATURATION = V4L2_CID_SATURATION();
    public static final int HUE = V4L2_CID_HUE();
    public static final int GAMMA = V4L2_CID_GAMMA();
    public static final int SHARPNESS = V4L2_CID_SHARPNESS();
    public static final int BACKLIGHT_COMPENSATION = V4L2_CID_BACKLIGHT_COMPENSATION();
    public static final int GAIN = V4L2_CID_GAIN();
    public static final int AUTOGAIN = V4L2_CID_AUTOGAIN();
    public static final int HFLIP = V4L2_CID_HFLIP();
    public static final int VFLIP = V4L2_CID_VFLIP();
    public static final int POWER_LINE_FREQUENCY = V4L2_CID_POWER_LINE_FREQUENCY();
    public static final int AUTO_WHITE_BALANCE = V4L2_CID_AUTO_WHITE_BALANCE();
    public static final int WHITE_BALANCE_TEMPERATURE = V4L2_CID_WHITE_BALANCE_TEMPERATURE();
    public static final int EXPOSURE_AUTO = V4L2_CID_EXPOSURE_AUTO();
    public static final int EXPOSURE_ABSOLUTE = V4L2_CID_EXPOSURE_ABSOLUTE();
    public static final int EXPOSURE_AUTO_PRIORITY = V4L2_CID_EXPOSURE_AUTO_PRIORITY();
    public static final int FOCUS_AUTO = V4L2_CID_FOCUS_AUTO();
    public static final int FOCUS_ABSOLUTE = V4L2_CID_FOCUS_ABSOLUTE();
    public static final int ZOOM_ABSOLUTE = V4L2_CID_ZOOM_ABSOLUTE();
    public static final int PAN_ABSOLUTE = V4L2_CID_PAN_ABSOLUTE();
    public static final int TILT_ABSOLUTE = V4L2_CID_TILT_ABSOLUTE();
    public static final int TEST_PATTERN = V4L2_CID_TEST_PATTERN();
    public static final int MIN_BUFFERS_FOR_CAPTURE = V4L2_CID_MIN_BUFFERS_FOR_CAPTURE();
    public static final int MIN_BUFFERS_FOR_OUTPUT = V4L2_CID_MIN_BUFFERS_FOR_OUTPUT();
    public static final int MPEG_VIDEO_BITRATE = V4L2_CID_MPEG_VIDEO_BITRATE();
    public static final int MPEG_VIDEO_GOP_SIZE = V4L2_CID_MPEG_VIDEO_GOP_SIZE();
    public static final int FWHT_I_FRAME_QP = V4L2_CID_FWHT_I_FRAME_QP();
    public static final int FWHT_P_FRAME_QP = V4L2_CID_FWHT_P_FRAME_QP();
}
