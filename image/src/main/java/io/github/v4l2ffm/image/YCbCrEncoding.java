package io.github.v4l2ffm.image;

import io.github.v4l2ffm.VideoFormat;

/**
 * The matrix that turns Y'CbCr into R'G'B' ({@code enum v4l2_ycbcr_encoding}), by its luma
 * coefficients Kr and Kb.
 */
public enum YCbCrEncoding {
    /** ITU-R BT.601 (SDTV, JPEG, and what most webcams send): Kr 0.299, Kb 0.114. */
    BT601(0.299, 0.114),
    /** ITU-R BT.709 (HDTV): Kr 0.2126, Kb 0.0722. */
    BT709(0.2126, 0.0722),
    /** ITU-R BT.2020, non-constant luminance (UHDTV): Kr 0.2627, Kb 0.0593. */
    BT2020(0.2627, 0.0593),
    /** SMPTE 240M (early HDTV): Kr 0.212, Kb 0.087. */
    SMPTE240M(0.212, 0.087);

    private final double kr;
    private final double kb;

    YCbCrEncoding(double kr, double kb) {
        this.kr = kr;
        this.kb = kb;
    }

    /** The red luma coefficient. */
    public double kr() {
        return kr;
    }

    /** The blue luma coefficient. */
    public double kb() {
        return kb;
    }

    /**
     * The encoding a format says it uses, with the kernel's rule for {@code V4L2_YCBCR_ENC_DEFAULT}
     * ({@code V4L2_MAP_YCBCR_ENC_DEFAULT}): BT.709 for the REC709 and DCI-P3 colorspaces, BT.2020
     * for BT2020, SMPTE 240M for SMPTE240M, else BT.601. XV601 and XV709 are read as BT.601 and
     * BT.709, BT.2020 constant luminance as BT.2020.
     *
     * @param format a format as the driver returned it
     * @return the encoding to convert its frames with
     */
    public static YCbCrEncoding of(VideoFormat format) {
        return switch (format.ycbcrEncoding()) {
            case 1, 3, 5 -> BT601;           // 601, XV601, SYCC
            case 2, 4 -> BT709;              // 709, XV709
            case 6, 7 -> BT2020;             // BT2020, BT2020_CONST_LUM
            case 8 -> SMPTE240M;
            default -> switch (format.colorspace()) {
                case 3, 12 -> BT709;         // REC709, DCI_P3
                case 10 -> BT2020;
                case 2 -> SMPTE240M;
                default -> BT601;
            };
        };
    }
}
