package io.github.v4l2ffm.image;

import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.VideoFormat;

/** The range of the coded values ({@code enum v4l2_quantization}). */
public enum Quantization {
    /** Limited ("TV", "studio") range: Y' 16..235, Cb and Cr 16..240. */
    LIMITED,
    /** Full ("PC", "JPEG") range: every value 0..255. */
    FULL;

    /**
     * The range a format says it uses, with the kernel's rule for {@code V4L2_QUANTIZATION_DEFAULT}
     * ({@code V4L2_MAP_QUANTIZATION_DEFAULT}): full for RGB formats and for the JPEG colorspace,
     * limited for the other Y'CbCr and luma formats.
     *
     * @param format a format as the driver returned it
     * @return the range to convert its frames with
     */
    public static Quantization of(VideoFormat format) {
        return switch (format.quantization()) {
            case 1 -> FULL;
            case 2 -> LIMITED;
            default -> isRgb(format.pixelFormat()) || format.colorspace() == 7 ? FULL : LIMITED;
        };
    }

    private static boolean isRgb(PixelFormat f) {
        return switch (f.fourcc()) {
            case "RGB3", "BGR3", "RGBP", "BX24", "XR24", "BA24", "AR24", "AB24", "XB24", "RA24", "RX24" -> true;
            default -> false;
        };
    }
}
