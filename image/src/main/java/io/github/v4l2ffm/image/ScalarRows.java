package io.github.v4l2ffm.image;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/** Row converters to ARGB without the Vector API: one call per row, no per-pixel dispatch. */
final class ScalarRows {
    private ScalarRows() {}

    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    /** Packed 4:2:2 from pixel pair {@code fromPair} on; {@code k} gives the byte positions. */
    static void packed422(MemorySegment s, long row, int fromPair, int w, Layout.Kind k, Coefficients c, int[] dst, int d) {
        int pairs = w / 2;
        for (int p = fromPair; p < pairs; p++) {
            int v = s.get(INT_LE, row + 4L * p);
            int cb = (v >>> k.u & 0xFF) - 128, cr = (v >>> k.v & 0xFF) - 128;
            dst[d + 2 * p] = c.argb(v >>> k.y0 & 0xFF, cb, cr);
            dst[d + 2 * p + 1] = c.argb(v >>> k.y1 & 0xFF, cb, cr);
        }
        if ((w & 1) != 0) {
            long o = row + 4L * pairs;
            int y = s.get(JAVA_BYTE, o + k.y0 / 8) & 0xFF;
            int cb = (s.get(JAVA_BYTE, o + k.u / 8) & 0xFF) - 128, cr = (s.get(JAVA_BYTE, o + k.v / 8) & 0xFF) - 128;
            dst[d + w - 1] = c.argb(y, cb, cr);
        }
    }

    /** A luma row with interleaved chroma pairs (NV12/NV21/NV16/NV61) from pixel {@code from} (even) on. */
    static void semiPlanar(MemorySegment ys, long yRow, MemorySegment cs, long cRow, boolean crFirst, int from, int w,
                           Coefficients c, int[] dst, int d) {
        for (int x = from; x < w; x += 2) {
            long co = cRow + x;
            int a = (cs.get(JAVA_BYTE, co) & 0xFF) - 128, b = (cs.get(JAVA_BYTE, co + 1) & 0xFF) - 128;
            int cb = crFirst ? b : a, cr = crFirst ? a : b;
            dst[d + x] = c.argb(ys.get(JAVA_BYTE, yRow + x) & 0xFF, cb, cr);
            if (x + 1 < w) dst[d + x + 1] = c.argb(ys.get(JAVA_BYTE, yRow + x + 1) & 0xFF, cb, cr);
        }
    }

    /** Three planes; chroma halved horizontally. */
    static void planar(MemorySegment ys, long yRow, MemorySegment us, long uRow, MemorySegment vs, long vRow, int from, int w,
                       Coefficients c, int[] dst, int d) {
        for (int x = from; x < w; x += 2) {
            int cb = (us.get(JAVA_BYTE, uRow + x / 2) & 0xFF) - 128, cr = (vs.get(JAVA_BYTE, vRow + x / 2) & 0xFF) - 128;
            dst[d + x] = c.argb(ys.get(JAVA_BYTE, yRow + x) & 0xFF, cb, cr);
            if (x + 1 < w) dst[d + x + 1] = c.argb(ys.get(JAVA_BYTE, yRow + x + 1) & 0xFF, cb, cr);
        }
    }

    /**
     * Whole rows of packed 4:2:2 and semi-planar frames without the Vector API, four times faster
     * than the per-pixel loops above: the row is copied into int arrays, and each pixel of a pair
     * (or of four) is converted by its own loop over the copy, which C2 turns into vector
     * instructions itself (one loop computing both pixels of a pair, or two outputs, it leaves
     * scalar); the results are then interleaved. The same integers as {@link Coefficients#argb}.
     * Holds the row buffers: one per converter.
     */
    static final class Wide {
        private final int[] in, chroma, p0, p1, p2, p3;

        Wide(int width) {
            int n = width / 2 + 1;
            in = new int[n];
            chroma = new int[n];
            p0 = new int[n];
            p1 = new int[n];
            p2 = new int[n];
            p3 = new int[n];
        }

        void packed422(MemorySegment s, long row, int w, Layout.Kind k, Coefficients c, int[] dst, int d) {
            int pairs = w / 2;
            MemorySegment.copy(s, INT_LE, row, in, 0, pairs);
            pixels(in, k.y0, in, k.u, k.v, p0, pairs, c);
            pixels(in, k.y1, in, k.u, k.v, p1, pairs, c);
            for (int p = 0; p < pairs; p++) {
                dst[d + 2 * p] = p0[p];
                dst[d + 2 * p + 1] = p1[p];
            }
            if ((w & 1) != 0) ScalarRows.packed422(s, row, pairs, w, k, c, dst, d);
        }

        void semiPlanar(MemorySegment ys, long yRow, MemorySegment cs, long cRow, boolean crFirst, int w,
                        Coefficients c, int[] dst, int d) {
            int quads = w / 4, u = crFirst ? 8 : 0, v = crFirst ? 0 : 8;
            MemorySegment.copy(ys, INT_LE, yRow, in, 0, quads);
            MemorySegment.copy(cs, INT_LE, cRow, chroma, 0, quads);
            pixels(in, 0, chroma, u, v, p0, quads, c);
            pixels(in, 8, chroma, u, v, p1, quads, c);
            pixels(in, 16, chroma, 16 + u, 16 + v, p2, quads, c);
            pixels(in, 24, chroma, 16 + u, 16 + v, p3, quads, c);
            for (int q = 0; q < quads; q++) {
                dst[d + 4 * q] = p0[q];
                dst[d + 4 * q + 1] = p1[q];
                dst[d + 4 * q + 2] = p2[q];
                dst[d + 4 * q + 3] = p3[q];
            }
            ScalarRows.semiPlanar(ys, yRow, cs, cRow, crFirst, 4 * quads, w, c, dst, d);
        }

        /** {@code out[i]}: the pixel with luma {@code luma[i] >>> y}, Cb {@code chroma[i] >>> u}, Cr {@code chroma[i] >>> v}. */
        private static void pixels(int[] luma, int y, int[] chroma, int u, int v, int[] out, int n, Coefficients c) {
            int ym = c.yMul(), rv = c.rv(), gu = c.gu(), gv = c.gv(), bu = c.bu();
            int rc = c.rConst(), gc = c.gConst(), bc = c.bConst();
            for (int i = 0; i < n; i++) {
                int t = (luma[i] >>> y & 0xFF) * ym, z = chroma[i];
                int cb = z >>> u & 0xFF, cr = z >>> v & 0xFF;
                out[i] = clamp(t + cb * bu + bc >> 16) | clamp(t + cb * gu + cr * gv + gc >> 16) << 8
                        | clamp(t + cr * rv + rc >> 16) << 16 | 0xFF000000;
            }
        }

        private static int clamp(int v) {
            return Math.min(Math.max(v, 0), 255);
        }
    }

    static void rgb(MemorySegment s, long row, Layout.Kind k, int w, int[] dst, int d) {
        switch (k) {
            case RGB24, BGR24 -> {
                int ri = k == Layout.Kind.RGB24 ? 0 : 2, bi = 2 - ri;
                for (int x = 0; x < w; x++) {
                    long o = row + 3L * x;
                    dst[d + x] = 0xFF000000 | (s.get(JAVA_BYTE, o + ri) & 0xFF) << 16
                            | (s.get(JAVA_BYTE, o + 1) & 0xFF) << 8 | s.get(JAVA_BYTE, o + bi) & 0xFF;
                }
            }
            case RGB565 -> {
                for (int x = 0; x < w; x++) {
                    int v = s.get(SHORT_LE, row + 2L * x) & 0xFFFF;
                    int r = v >>> 11, g = v >>> 5 & 0x3F, b = v & 0x1F;
                    // bit replication: 0..31 -> 0..255 and 0..63 -> 0..255 as ffmpeg and libyuv do
                    dst[d + x] = 0xFF000000 | (r << 3 | r >>> 2) << 16 | (g << 2 | g >>> 4) << 8 | (b << 3 | b >>> 2);
                }
            }
            case XRGB32 -> {   // memory X R G B: the little-endian int is B G R X
                for (int x = 0; x < w; x++) dst[d + x] = 0xFF000000 | Integer.reverseBytes(s.get(INT_LE, row + 4L * x));
            }
            case XBGR32 -> {   // memory B G R X: the little-endian int is X R G B
                for (int x = 0; x < w; x++) dst[d + x] = 0xFF000000 | s.get(INT_LE, row + 4L * x);
            }
            case RGBX32 -> {   // memory R G B X: the little-endian int is X B G R
                for (int x = 0; x < w; x++) {
                    int v = s.get(INT_LE, row + 4L * x);
                    dst[d + x] = 0xFF000000 | (v & 0xFF) << 16 | v & 0xFF00 | v >>> 16 & 0xFF;
                }
            }
            case BGRX32 -> {   // memory X B G R: the little-endian int is R G B X
                for (int x = 0; x < w; x++) dst[d + x] = 0xFF000000 | s.get(INT_LE, row + 4L * x) >>> 8;
            }
            default -> throw new AssertionError(k);
        }
    }

    static void luma(MemorySegment s, long row, boolean sixteen, int w, Coefficients c, int[] dst, int d) {
        for (int x = 0; x < w; x++) {
            int y = sixteen ? (s.get(SHORT_LE, row + 2L * x) & 0xFFFF) >>> 8 : s.get(JAVA_BYTE, row + x) & 0xFF;
            int v = c.luma(y);
            dst[d + x] = 0xFF000000 | v << 16 | v << 8 | v;
        }
    }
}
