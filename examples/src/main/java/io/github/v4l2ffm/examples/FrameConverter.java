package io.github.v4l2ffm.examples;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Set;

/**
 * Converts captured frames to RGB images, for writing them as PNG.
 *
 * <p>Supported V4L2 pixel formats, by FourCC:
 * <ul>
 *   <li>packed YUV 4:2:2: {@code YUYV}, {@code UYVY}, {@code YVYU}, {@code VYUY};</li>
 *   <li>semi-planar YUV in one memory plane: {@code NV12}, {@code NV21} (4:2:0), {@code NV16}, {@code NV61} (4:2:2);
 *       in two memory planes: {@code NM12}, {@code NM21} (4:2:0);</li>
 *   <li>planar YUV in one memory plane: {@code YU12}, {@code YV12} (4:2:0), {@code 422P} (4:2:2);
 *       in three memory planes: {@code YM12} (4:2:0);</li>
 *   <li>packed RGB: {@code RGB3}, {@code BGR3}, {@code RGBP} (RGB565), {@code AR24}, {@code XR24},
 *       {@code BA24}, {@code BX24}, {@code AB24}, {@code XB24}, {@code RA24}, {@code RX24}
 *       (alpha is ignored), and {@code GREY};</li>
 *   <li>{@code MJPG} and {@code JPEG}, decoded with {@link ImageIO}.</li>
 * </ul>
 *
 * <p>YUV is read as BT.601 limited range (Y 16..235, Cb and Cr 16..240), the default for SDTV and webcam
 * resolutions; RGB and grey are read as full range. Chroma is not interpolated: each pixel takes the chroma
 * sample of its 2x1 (4:2:2) or 2x2 (4:2:0) block.
 */
public final class FrameConverter {
    private FrameConverter() {}

    private static final Set<String> FORMATS = Set.of(
            "YUYV", "UYVY", "YVYU", "VYUY",
            "NV12", "NV21", "NV16", "NV61", "NM12", "NM21",
            "YU12", "YV12", "422P", "YM12",
            "RGB3", "BGR3", "RGBP", "AR24", "XR24", "BA24", "BX24", "AB24", "XB24", "RA24", "RX24", "GREY",
            "MJPG", "JPEG");

    /**
     * Whether {@link #toImage} supports this V4L2 FourCC.
     *
     * @param fourcc the pixel format as its four-character code, e.g. {@code "YUYV"}
     * @return true if frames in this format can be converted
     */
    public static boolean supports(String fourcc) {
        return fourcc != null && FORMATS.contains(fourcc);
    }

    /**
     * Converts one captured frame to an RGB image ({@link BufferedImage#TYPE_INT_RGB}).
     *
     * <p>For single-plane formats with several colour components ({@code NV12}, {@code YU12}...) only the luma
     * stride is given; the chroma stride follows from it as V4L2 defines: the same for semi-planar formats, half
     * of it for planar ones. For multi-plane formats ({@code NM12}, {@code NM21}, {@code YM12}) each memory plane
     * has its own stride; a missing or zero stride is derived in the same way. A missing or zero luma stride means
     * rows without padding. For {@code MJPG} and {@code JPEG} the strides are not used and the image has the size
     * the JPEG data gives.
     *
     * @param fourcc the V4L2 pixel format as its four-character code, e.g. {@code "YUYV"}, {@code "NV12"},
     *               {@code "NM12"}
     * @param width the frame width in pixels
     * @param height the frame height in pixels
     * @param planes the frame's memory planes, one per V4L2 memory plane, each holding at least the bytes used
     * @param bytesPerLine per memory plane, the stride in bytes as V4L2 reports it ({@code bytesperline})
     * @return a new image of {@code width} x {@code height} pixels
     * @throws IllegalArgumentException naming the format if it is not supported, if the frame's planes are
     *         missing or too small for the size and strides, if a stride is shorter than a row, or if JPEG data
     *         cannot be decoded
     */
    public static BufferedImage toImage(String fourcc, int width, int height, MemorySegment[] planes, int[] bytesPerLine) {
        if (!supports(fourcc)) throw new IllegalArgumentException("unsupported pixel format " + fourcc);
        int memoryPlanes = switch (fourcc) {
            case "NM12", "NM21" -> 2;
            case "YM12" -> 3;
            default -> 1;
        };
        if (planes == null || planes.length < memoryPlanes) {
            throw new IllegalArgumentException(fourcc + " frame needs " + memoryPlanes + " memory plane(s), got "
                    + (planes == null ? 0 : planes.length));
        }
        for (int p = 0; p < memoryPlanes; p++) {
            if (planes[p] == null) throw new IllegalArgumentException(fourcc + " frame: memory plane " + p + " is missing");
        }
        if (fourcc.equals("MJPG") || fourcc.equals("JPEG")) return decodeJpeg(fourcc, planes[0]);
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(fourcc + " frame size must be positive, got " + width + "x" + height);
        }

        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] out = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        switch (fourcc) {
            // byte offsets in each 4-byte group of two pixels: first Y (the second is 2 further), Cb, Cr
            case "YUYV" -> packedYuv(fourcc, 0, 1, 3, width, height, planes, bytesPerLine, out);
            case "UYVY" -> packedYuv(fourcc, 1, 0, 2, width, height, planes, bytesPerLine, out);
            case "YVYU" -> packedYuv(fourcc, 0, 3, 1, width, height, planes, bytesPerLine, out);
            case "VYUY" -> packedYuv(fourcc, 1, 2, 0, width, height, planes, bytesPerLine, out);
            case "NV12", "NM12" -> semiPlanar(fourcc, 2, false, width, height, planes, bytesPerLine, out);
            case "NV21", "NM21" -> semiPlanar(fourcc, 2, true, width, height, planes, bytesPerLine, out);
            case "NV16" -> semiPlanar(fourcc, 1, false, width, height, planes, bytesPerLine, out);
            case "NV61" -> semiPlanar(fourcc, 1, true, width, height, planes, bytesPerLine, out);
            case "YU12", "YM12" -> planar(fourcc, 2, false, width, height, planes, bytesPerLine, out);
            case "YV12" -> planar(fourcc, 2, true, width, height, planes, bytesPerLine, out);
            case "422P" -> planar(fourcc, 1, false, width, height, planes, bytesPerLine, out);
            case "RGBP" -> rgb565(fourcc, width, height, planes, bytesPerLine, out);
            // bytes per pixel, then the byte offsets of R, G and B
            case "RGB3" -> packedRgb(fourcc, 3, 0, 1, 2, width, height, planes, bytesPerLine, out);
            case "BGR3" -> packedRgb(fourcc, 3, 2, 1, 0, width, height, planes, bytesPerLine, out);
            case "AR24", "XR24" -> packedRgb(fourcc, 4, 2, 1, 0, width, height, planes, bytesPerLine, out); // B G R A
            case "BA24", "BX24" -> packedRgb(fourcc, 4, 1, 2, 3, width, height, planes, bytesPerLine, out); // A R G B
            case "AB24", "XB24" -> packedRgb(fourcc, 4, 0, 1, 2, width, height, planes, bytesPerLine, out); // R G B A
            case "RA24", "RX24" -> packedRgb(fourcc, 4, 3, 2, 1, width, height, planes, bytesPerLine, out); // A B G R
            case "GREY" -> packedRgb(fourcc, 1, 0, 0, 0, width, height, planes, bytesPerLine, out);
            default -> throw new IllegalStateException(fourcc);
        }
        return img;
    }

    // ---- packed YUV 4:2:2

    private static void packedYuv(String fourcc, int yOff, int uOff, int vOff, int width, int height,
                                  MemorySegment[] planes, int[] bytesPerLine, int[] out) {
        int rowBytes = (width + 1) / 2 * 4;
        int stride = stride(fourcc, "memory plane 0", bytesPerLine, 0, rowBytes, rowBytes);
        need(fourcc, 0, planes[0], 0, stride, height, rowBytes);
        byte[] row = new byte[rowBytes];
        for (int y = 0; y < height; y++) {
            MemorySegment.copy(planes[0], ValueLayout.JAVA_BYTE, (long) y * stride, row, 0, rowBytes);
            int o = y * width;
            for (int x = 0; x < width; x += 2) {
                int i = x * 2;
                int cb = row[i + uOff] & 0xff, cr = row[i + vOff] & 0xff;
                out[o + x] = ycbcr(row[i + yOff] & 0xff, cb, cr);
                if (x + 1 < width) out[o + x + 1] = ycbcr(row[i + yOff + 2] & 0xff, cb, cr);
            }
        }
    }

    // ---- semi-planar YUV: a Y plane, then a plane of interleaved Cb Cr (or Cr Cb) pairs

    private static void semiPlanar(String fourcc, int vsub, boolean crFirst, int width, int height,
                                   MemorySegment[] planes, int[] bytesPerLine, int[] out) {
        int chromaRowBytes = (width + 1) / 2 * 2, chromaRows = (height + vsub - 1) / vsub;
        int lumaStride = stride(fourcc, "memory plane 0", bytesPerLine, 0, width, width);
        int derived = lumaStride + (lumaStride & 1);   // same as luma, whole Cb Cr pairs
        MemorySegment luma = planes[0], chroma;
        long chromaStart;
        int chromaStride;
        if (fourcc.startsWith("NV")) {
            chroma = planes[0];
            chromaStart = (long) lumaStride * height;
            chromaStride = stride(fourcc, "chroma", null, 0, derived, chromaRowBytes);
            need(fourcc, 0, chroma, chromaStart, chromaStride, chromaRows, chromaRowBytes);
        } else {
            chroma = planes[1];
            chromaStart = 0;
            chromaStride = stride(fourcc, "memory plane 1", bytesPerLine, 1, derived, chromaRowBytes);
            need(fourcc, 1, chroma, 0, chromaStride, chromaRows, chromaRowBytes);
        }
        need(fourcc, 0, luma, 0, lumaStride, height, width);

        int cbOff = crFirst ? 1 : 0, crOff = crFirst ? 0 : 1;
        byte[] yRow = new byte[width], cRow = new byte[chromaRowBytes];
        for (int y = 0; y < height; y++) {
            MemorySegment.copy(luma, ValueLayout.JAVA_BYTE, (long) y * lumaStride, yRow, 0, width);
            if (y % vsub == 0) {
                MemorySegment.copy(chroma, ValueLayout.JAVA_BYTE, chromaStart + (long) (y / vsub) * chromaStride,
                        cRow, 0, chromaRowBytes);
            }
            int o = y * width;
            for (int x = 0; x < width; x += 2) {
                int cb = cRow[x + cbOff] & 0xff, cr = cRow[x + crOff] & 0xff;
                out[o + x] = ycbcr(yRow[x] & 0xff, cb, cr);
                if (x + 1 < width) out[o + x + 1] = ycbcr(yRow[x + 1] & 0xff, cb, cr);
            }
        }
    }

    // ---- planar YUV: a Y plane, a Cb plane and a Cr plane (YV12: Cr before Cb)

    private static void planar(String fourcc, int vsub, boolean crFirst, int width, int height,
                               MemorySegment[] planes, int[] bytesPerLine, int[] out) {
        int chromaWidth = (width + 1) / 2, chromaRows = (height + vsub - 1) / vsub;
        int lumaStride = stride(fourcc, "memory plane 0", bytesPerLine, 0, width, width);
        int derived = (lumaStride + 1) / 2;            // half the luma stride
        MemorySegment luma = planes[0], cbPlane, crPlane;
        long cbStart, crStart;
        int cbStride, crStride;
        if (fourcc.equals("YM12")) {
            cbPlane = planes[1];
            crPlane = planes[2];
            cbStart = crStart = 0;
            cbStride = stride(fourcc, "memory plane 1", bytesPerLine, 1, derived, chromaWidth);
            crStride = stride(fourcc, "memory plane 2", bytesPerLine, 2, derived, chromaWidth);
            need(fourcc, 1, cbPlane, 0, cbStride, chromaRows, chromaWidth);
            need(fourcc, 2, crPlane, 0, crStride, chromaRows, chromaWidth);
        } else {
            cbPlane = crPlane = planes[0];
            cbStride = crStride = stride(fourcc, "chroma", null, 0, derived, chromaWidth);
            long first = (long) lumaStride * height, second = first + (long) cbStride * chromaRows;
            cbStart = crFirst ? second : first;
            crStart = crFirst ? first : second;
            need(fourcc, 0, planes[0], second, cbStride, chromaRows, chromaWidth);
        }
        need(fourcc, 0, luma, 0, lumaStride, height, width);

        byte[] yRow = new byte[width], cbRow = new byte[chromaWidth], crRow = new byte[chromaWidth];
        for (int y = 0; y < height; y++) {
            MemorySegment.copy(luma, ValueLayout.JAVA_BYTE, (long) y * lumaStride, yRow, 0, width);
            if (y % vsub == 0) {
                int cy = y / vsub;
                MemorySegment.copy(cbPlane, ValueLayout.JAVA_BYTE, cbStart + (long) cy * cbStride, cbRow, 0, chromaWidth);
                MemorySegment.copy(crPlane, ValueLayout.JAVA_BYTE, crStart + (long) cy * crStride, crRow, 0, chromaWidth);
            }
            int o = y * width;
            for (int x = 0; x < width; x += 2) {
                int cb = cbRow[x >> 1] & 0xff, cr = crRow[x >> 1] & 0xff;
                out[o + x] = ycbcr(yRow[x] & 0xff, cb, cr);
                if (x + 1 < width) out[o + x + 1] = ycbcr(yRow[x + 1] & 0xff, cb, cr);
            }
        }
    }

    // ---- packed RGB and grey

    private static void packedRgb(String fourcc, int bpp, int rOff, int gOff, int bOff, int width, int height,
                                  MemorySegment[] planes, int[] bytesPerLine, int[] out) {
        int rowBytes = width * bpp;
        int stride = stride(fourcc, "memory plane 0", bytesPerLine, 0, rowBytes, rowBytes);
        need(fourcc, 0, planes[0], 0, stride, height, rowBytes);
        byte[] row = new byte[rowBytes];
        for (int y = 0; y < height; y++) {
            MemorySegment.copy(planes[0], ValueLayout.JAVA_BYTE, (long) y * stride, row, 0, rowBytes);
            int o = y * width;
            for (int x = 0, i = 0; x < width; x++, i += bpp) {
                out[o + x] = (row[i + rOff] & 0xff) << 16 | (row[i + gOff] & 0xff) << 8 | (row[i + bOff] & 0xff);
            }
        }
    }

    /** RGB565, little-endian: {@code ggg bbbbb} then {@code rrrrr ggg}. */
    private static void rgb565(String fourcc, int width, int height, MemorySegment[] planes, int[] bytesPerLine, int[] out) {
        int rowBytes = width * 2;
        int stride = stride(fourcc, "memory plane 0", bytesPerLine, 0, rowBytes, rowBytes);
        need(fourcc, 0, planes[0], 0, stride, height, rowBytes);
        byte[] row = new byte[rowBytes];
        for (int y = 0; y < height; y++) {
            MemorySegment.copy(planes[0], ValueLayout.JAVA_BYTE, (long) y * stride, row, 0, rowBytes);
            int o = y * width;
            for (int x = 0; x < width; x++) {
                int p = (row[2 * x] & 0xff) | (row[2 * x + 1] & 0xff) << 8;
                int r = p >> 11 & 0x1f, g = p >> 5 & 0x3f, b = p & 0x1f;
                out[o + x] = (r << 3 | r >> 2) << 16 | (g << 2 | g >> 4) << 8 | (b << 3 | b >> 2);
            }
        }
    }

    // ---- helpers

    /**
     * The stride to use for one plane: {@code bytesPerLine[index]} when given and positive, else {@code derived};
     * it must hold a row of {@code rowBytes}.
     */
    private static int stride(String fourcc, String plane, int[] bytesPerLine, int index, int derived, int rowBytes) {
        int s = bytesPerLine != null && index < bytesPerLine.length && bytesPerLine[index] > 0 ? bytesPerLine[index] : derived;
        if (s < rowBytes) {
            throw new IllegalArgumentException(fourcc + " frame: " + plane + " stride " + s
                    + " is shorter than a row of " + rowBytes + " bytes");
        }
        return s;
    }

    /** Checks that {@code s} holds {@code rows} rows of {@code rowBytes}, {@code stride} apart, from {@code start}. */
    private static void need(String fourcc, int plane, MemorySegment s, long start, int stride, int rows, int rowBytes) {
        long bytes = start + (long) stride * (rows - 1) + rowBytes;
        if (s.byteSize() < bytes) {
            throw new IllegalArgumentException(fourcc + " frame: memory plane " + plane + " has " + s.byteSize()
                    + " bytes, needs " + bytes);
        }
    }

    /**
     * BT.601 limited range Y'CbCr to full range R'G'B', in 8.8 fixed point:
     * R = 1.164 (Y-16) + 1.596 (Cr-128), G = 1.164 (Y-16) - 0.391 (Cb-128) - 0.813 (Cr-128),
     * B = 1.164 (Y-16) + 2.018 (Cb-128).
     */
    private static int ycbcr(int y, int cb, int cr) {
        int c = 298 * (y - 16) + 128, d = cb - 128, e = cr - 128;
        int r = clamp((c + 409 * e) >> 8);
        int g = clamp((c - 100 * d - 208 * e) >> 8);
        int b = clamp((c + 516 * d) >> 8);
        return r << 16 | g << 8 | b;
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    // ---- Motion-JPEG

    private static BufferedImage decodeJpeg(String fourcc, MemorySegment data) {
        if (data.byteSize() > Integer.MAX_VALUE - STANDARD_DHT.length) {
            throw new IllegalArgumentException(fourcc + " frame of " + data.byteSize() + " bytes is too large");
        }
        byte[] jpeg = withHuffmanTables(fourcc, data.toArray(ValueLayout.JAVA_BYTE));
        BufferedImage decoded;
        try {
            decoded = ImageIO.read(new ByteArrayInputStream(jpeg));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(fourcc + " frame cannot be decoded: " + e.getMessage(), e);
        }
        if (decoded == null) throw new IllegalArgumentException(fourcc + " frame cannot be decoded");
        if (decoded.getType() == BufferedImage.TYPE_INT_RGB) return decoded;
        BufferedImage img = new BufferedImage(decoded.getWidth(), decoded.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.drawImage(decoded, 0, 0, null);
        } finally {
            g.dispose();
        }
        return img;
    }

    /**
     * Motion-JPEG frames from cameras often leave out the Huffman tables (no DHT segment) and rely on the
     * standard ones of ITU T.81 Annex K.3. Returns {@code jpeg} itself if it has a DHT segment before its first
     * scan, else a copy with the standard tables inserted after SOI (and after a JFIF APP0 segment right after
     * SOI, which must stay first).
     */
    static byte[] withHuffmanTables(String fourcc, byte[] jpeg) {
        int n = jpeg.length;
        if (n < 4 || (jpeg[0] & 0xff) != 0xff || (jpeg[1] & 0xff) != 0xd8) {
            throw new IllegalArgumentException(fourcc + " frame is not JPEG data (no SOI marker)");
        }
        int insertAt = 2;
        int i = 2;
        while (i + 1 < n && (jpeg[i] & 0xff) == 0xff) {
            int marker = jpeg[i + 1] & 0xff;
            if (marker == 0xff) {                                   // fill byte
                i++;
                continue;
            }
            if (marker == 0xc4) return jpeg;                        // DHT
            if (marker == 0xda || marker == 0xd9) break;            // SOS, EOI
            if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {  // no length
                i += 2;
                continue;
            }
            if (i + 3 >= n) break;
            int next = i + 2 + ((jpeg[i + 2] & 0xff) << 8 | (jpeg[i + 3] & 0xff));
            if (marker == 0xe0 && i == 2) insertAt = Math.min(next, n);
            i = next;
        }
        byte[] out = new byte[n + STANDARD_DHT.length];
        System.arraycopy(jpeg, 0, out, 0, insertAt);
        System.arraycopy(STANDARD_DHT, 0, out, insertAt, STANDARD_DHT.length);
        System.arraycopy(jpeg, insertAt, out, insertAt + STANDARD_DHT.length, n - insertAt);
        return out;
    }

    /** The DC and AC code counts (16 each) and symbols of ITU T.81 tables K.3 to K.6. */
    private static final int[] DC_LUMA_COUNTS = {0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0};
    private static final int[] DC_CHROMA_COUNTS = {0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0};
    private static final int[] DC_SYMBOLS = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    private static final int[] AC_LUMA_COUNTS = {0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d};
    private static final int[] AC_CHROMA_COUNTS = {0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77};

    private static final int[] AC_LUMA_SYMBOLS = {
        0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
        0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
        0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
        0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
        0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
        0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
        0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
        0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
        0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
        0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
        0xf9, 0xfa};

    private static final int[] AC_CHROMA_SYMBOLS = {
        0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
        0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0,
        0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26,
        0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
        0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
        0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
        0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
        0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
        0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
        0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
        0xf9, 0xfa};

    /** One DHT segment holding the four standard tables; built after the tables above. */
    private static final byte[] STANDARD_DHT = standardDht();

    private static byte[] standardDht() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        table(body, 0x00, DC_LUMA_COUNTS, DC_SYMBOLS);
        table(body, 0x01, DC_CHROMA_COUNTS, DC_SYMBOLS);
        table(body, 0x10, AC_LUMA_COUNTS, AC_LUMA_SYMBOLS);
        table(body, 0x11, AC_CHROMA_COUNTS, AC_CHROMA_SYMBOLS);
        int length = body.size() + 2;
        ByteArrayOutputStream segment = new ByteArrayOutputStream();
        segment.write(0xff);
        segment.write(0xc4);
        segment.write(length >> 8);
        segment.write(length & 0xff);
        segment.writeBytes(body.toByteArray());
        return segment.toByteArray();
    }

    /** Writes one table: class (0 DC, 1 AC) and id, the 16 code counts, the symbols. */
    private static void table(ByteArrayOutputStream o, int classAndId, int[] counts, int[] symbols) {
        int total = 0;
        for (int c : counts) total += c;
        if (total != symbols.length) throw new AssertionError("Huffman table " + classAndId);
        o.write(classAndId);
        for (int c : counts) o.write(c);
        for (int s : symbols) o.write(s);
    }
}
