package io.github.v4l2ffm.image;

/**
 * Y'CbCr to R'G'B' in 16.16 fixed point, for one encoding and range. With c = Cb - 128 and
 * d = Cr - 128: R = (yTerm + rv d) >> 16, G = (yTerm + gu c + gv d) >> 16, B = (yTerm + bu c) >> 16,
 * where yTerm = (Y - yOffset) yMul + 1/2 (rounding), each clamped to 0..255. The scalar and the
 * vector paths compute exactly this, so they agree bit for bit.
 */
record Coefficients(int yOffset, int yMul, int rv, int gu, int gv, int bu) {
    static final int HALF = 1 << 15;

    static Coefficients of(YCbCrEncoding enc, Quantization q) {
        double ys = q == Quantization.LIMITED ? 255.0 / 219.0 : 1.0;
        double cs = q == Quantization.LIMITED ? 255.0 / 224.0 : 1.0;
        double kr = enc.kr(), kb = enc.kb(), kg = 1 - kr - kb;
        return new Coefficients(q == Quantization.LIMITED ? 16 : 0, fix(ys),
                fix(2 * (1 - kr) * cs),
                fix(-2 * kb * (1 - kb) / kg * cs),
                fix(-2 * kr * (1 - kr) / kg * cs),
                fix(2 * (1 - kb) * cs));
    }

    private static int fix(double v) {
        return (int) Math.round(v * 65536);
    }

    /**
     * The constant terms of R with the samples themselves, not their offsets, multiplied:
     * R = (Y yMul + Cr rv + rConst) >> 16, the same integer as with the offsets (likewise
     * {@link #gConst}, {@link #bConst}).
     */
    int rConst() {
        return HALF - yOffset * yMul - 128 * rv;
    }

    int gConst() {
        return HALF - yOffset * yMul - 128 * (gu + gv);
    }

    int bConst() {
        return HALF - yOffset * yMul - 128 * bu;
    }

    /** The 0..255 value of a luma sample alone (grey formats). */
    int luma(int y) {
        return clamp(((y - yOffset) * yMul + HALF) >> 16);
    }

    int argb(int y, int c, int d) {
        int t = (y - yOffset) * yMul + HALF;
        int r = clamp((t + rv * d) >> 16);
        int g = clamp((t + gu * c + gv * d) >> 16);
        int b = clamp((t + bu * c) >> 16);
        return 0xFF000000 | r << 16 | g << 8 | b;
    }

    static int clamp(int v) {
        return v < 0 ? 0 : v > 255 ? 255 : v;
    }
}
