package io.github.v4l2ffm.image;

import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.VideoFormat;

/**
 * Where a format keeps its samples: the kind of row to decode, and per component plane, which
 * memory plane holds it, where it starts and its stride. Derived once per format.
 */
record Layout(Kind kind, int width, int height, int memoryPlanes,
              int[] plane, long[] offset, int[] stride, int[] rows, long[] needed) {

    enum Kind {
        /** Packed 4:2:2, 4 bytes per 2 pixels; the shifts of Y0, U, Y1, V in the little-endian int. */
        YUYV(0, 8, 16, 24), UYVY(8, 0, 24, 16), YVYU(0, 24, 16, 8), VYUY(8, 16, 24, 0),
        /** Semi-planar: Y plane, then a plane of CbCr (or CrCb) pairs. */
        NV12, NV21, NV16, NV61,
        /** Planar: Y, Cb, Cr planes (the order in memory is in the layout). */
        PLANAR420, PLANAR422,
        RGB24, BGR24, RGB565, XRGB32, XBGR32, RGBX32, BGRX32, GREY, Y16,
        JPEG;

        final int y0, u, y1, v;

        Kind() {
            this(0, 0, 0, 0);
        }

        Kind(int y0, int u, int y1, int v) {
            this.y0 = y0;
            this.u = u;
            this.y1 = y1;
            this.v = v;
        }

        boolean isYuv() {
            return ordinal() <= PLANAR422.ordinal();
        }

        boolean isLuma() {
            return this == GREY || this == Y16;
        }
    }

    /** Whether frames of this pixel format can be converted. */
    static boolean supports(PixelFormat f) {
        return kindOf(f) != null;
    }

    static Kind kindOf(PixelFormat f) {
        return switch (f.fourcc()) {
            case "YUYV" -> Kind.YUYV;
            case "UYVY" -> Kind.UYVY;
            case "YVYU" -> Kind.YVYU;
            case "VYUY" -> Kind.VYUY;
            case "NV12", "NM12" -> Kind.NV12;
            case "NV21", "NM21" -> Kind.NV21;
            case "NV16", "NM16" -> Kind.NV16;
            case "NV61", "NM61" -> Kind.NV61;
            case "YU12", "YV12", "YM12", "YM21" -> Kind.PLANAR420;
            case "422P", "YM16", "YM61" -> Kind.PLANAR422;
            case "RGB3" -> Kind.RGB24;
            case "BGR3" -> Kind.BGR24;
            case "RGBP" -> Kind.RGB565;
            case "BX24", "BA24" -> Kind.XRGB32;   // memory: X/A, R, G, B
            case "XR24", "AR24" -> Kind.XBGR32;   // memory: B, G, R, X/A
            case "XB24", "AB24" -> Kind.RGBX32;   // memory: R, G, B, X/A
            case "RX24", "RA24" -> Kind.BGRX32;   // memory: X/A, B, G, R
            case "GREY" -> Kind.GREY;
            case "Y16 " -> Kind.Y16;
            case "MJPG", "JPEG" -> Kind.JPEG;
            default -> null;
        };
    }

    /**
     * The layout of {@code format}. Strides missing from the format (0) are derived as V4L2
     * defines them: rows without padding, chroma strides from the luma stride (the same for
     * semi-planar formats, half of it for planar ones).
     */
    static Layout of(VideoFormat format) {
        PixelFormat pf = format.pixelFormat();
        Kind kind = kindOf(pf);
        if (kind == null) {
            throw new IllegalArgumentException("pixel format " + pf + " cannot be converted; supported: "
                    + "YUYV UYVY YVYU VYUY NV12 NV21 NV16 NV61 NM12 NM21 NM16 NM61 YU12 YV12 YM12 YM21 422P YM16 YM61 "
                    + "RGB3 BGR3 RGBP BX24 BA24 XR24 AR24 XB24 AB24 RX24 RA24 GREY Y16 MJPG JPEG");
        }
        int w = format.width(), h = format.height();
        if (w <= 0 || h <= 0) throw new IllegalArgumentException("format has no size: " + format);
        String cc = pf.fourcc();
        int memoryPlanes = pf.memoryPlanes();
        int s0 = stride(format, 0, w * bytesPerPixel(kind));
        int cw = (w + 1) / 2;
        int ch = kind == Kind.NV12 || kind == Kind.NV21 || kind == Kind.PLANAR420 ? (h + 1) / 2 : h;
        if (kind == Kind.JPEG) {
            return new Layout(kind, w, h, 1, new int[]{0}, new long[]{0}, new int[]{0}, new int[]{0}, new long[]{1});
        }
        boolean semi = kind == Kind.NV12 || kind == Kind.NV21 || kind == Kind.NV16 || kind == Kind.NV61;
        boolean planar = kind == Kind.PLANAR420 || kind == Kind.PLANAR422;
        if (!semi && !planar) {
            long need = (long) s0 * (h - 1) + (long) w * bytesPerPixel(kind);
            return new Layout(kind, w, h, 1, new int[]{0}, new long[]{0}, new int[]{s0}, new int[]{h}, new long[]{need});
        }
        // component planes: 0 = Y, 1 = Cb (or CbCr pairs), 2 = Cr
        boolean crFirst = cc.equals("YV12") || cc.equals("YM21") || cc.equals("YM61");
        int[] plane = new int[3];
        long[] offset = new long[3];
        int[] stride = new int[3];
        int[] rows = {h, ch, ch};
        stride[0] = s0;
        if (memoryPlanes == 1) {
            if (semi) {
                stride[1] = s0;
                offset[1] = (long) s0 * h;
            } else {
                stride[1] = stride[2] = s0 / 2;
                long first = (long) s0 * h, second = first + (long) (s0 / 2) * ch;
                offset[crFirst ? 2 : 1] = first;
                offset[crFirst ? 1 : 2] = second;
            }
        } else if (semi) {
            plane[1] = 1;
            stride[1] = stride(format, 1, s0);
        } else {
            plane[1] = crFirst ? 2 : 1;
            plane[2] = crFirst ? 1 : 2;
            stride[1] = stride(format, plane[1], s0 / 2);
            stride[2] = stride(format, plane[2], s0 / 2);
        }
        int chromaRowBytes = semi ? 2 * cw : cw;
        if (s0 < w || stride[1] < chromaRowBytes || (planar && stride[2] < chromaRowBytes)) {
            throw new IllegalArgumentException("strides " + stride[0] + "/" + stride[1] + " too short for " + format);
        }
        long[] needed = new long[memoryPlanes];
        int components = semi ? 2 : 3;
        for (int c = 0; c < components; c++) {
            int rowBytes = c == 0 ? w : chromaRowBytes;
            long end = offset[c] + (long) stride[c] * (rows[c] - 1) + rowBytes;
            needed[plane[c]] = Math.max(needed[plane[c]], end);
        }
        return new Layout(kind, w, h, memoryPlanes, plane, offset, stride, rows, needed);
    }

    private static int stride(VideoFormat f, int plane, int fallback) {
        int s = plane < f.planes().size() ? f.planes().get(plane).bytesPerLine() : 0;
        if (s != 0 && s < fallback && plane == 0) {
            throw new IllegalArgumentException("bytes per line " + s + " shorter than a row (" + fallback + ") in " + f);
        }
        return s == 0 ? fallback : s;
    }

    private static int bytesPerPixel(Kind k) {
        return switch (k) {
            case YUYV, UYVY, YVYU, VYUY, RGB565, Y16 -> 2;
            case RGB24, BGR24 -> 3;
            case XRGB32, XBGR32, RGBX32, BGRX32 -> 4;
            default -> 1;
        };
    }
}
