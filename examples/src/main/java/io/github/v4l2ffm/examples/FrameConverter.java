package io.github.v4l2ffm.examples;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Set;

/**
 * Converts captured frames to RGB images, for writing them as PNG: packed and planar YUV
 * (BT.601, limited range), packed RGB, grey, and Motion-JPEG.
 */
public final class FrameConverter {
    private FrameConverter() {}

    private static final Set<String> FORMATS = Set.of(
            "YUYV", "UYVY", "YVYU", "VYUY", "NV12", "NV21", "NV16", "NV61", "NM12", "NM21",
            "YU12", "YV12", "422P", "YM12", "RGB3", "BGR3", "RGBP", "AR24", "XR24", "BA24", "BX24",
            "AB24", "XB24", "RA24", "RX24", "GREY", "MJPG", "JPEG");

    /** Whether {@link #toImage} supports this V4L2 FourCC (e.g. {@code "YUYV"}). */
    public static boolean supports(String fourcc) {
        return FORMATS.contains(fourcc);
    }

    /**
     * Converts one frame to an RGB image.
     *
     * @param fourcc the V4L2 pixel format, e.g. {@code "YUYV"}, {@code "NV12"}, {@code "NM12"}
     * @param width the image width
     * @param height the image height
     * @param planes the frame's memory planes (one for single-buffer formats)
     * @param bytesPerLine the stride of each memory plane, as V4L2 reports it
     * @throws IllegalArgumentException for an unsupported format or planes too small for the image
     */
    public static BufferedImage toImage(String fourcc, int width, int height, MemorySegment[] planes, int[] bytesPerLine) {
        if (!supports(fourcc)) throw new IllegalArgumentException("no conversion for pixel format " + fourcc);
        if (fourcc.equals("MJPG") || fourcc.equals("JPEG")) return decodeJpeg(planes[0], width, height);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] out = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        int stride = bytesPerLine[0];
        switch (fourcc) {
            case "YUYV", "UYVY", "YVYU", "VYUY" -> {
                need(fourcc, planes[0], (long) stride * (height - 1) + width * 2L);
                int yo = fourcc.startsWith("Y") ? 0 : 1;      // Y first or second
                int uo = switch (fourcc) { case "YUYV" -> 1; case "UYVY" -> 0; case "YVYU" -> 3; default -> 2; };
                int vo = switch (fourcc) { case "YUYV" -> 3; case "UYVY" -> 2; case "YVYU" -> 1; default -> 0; };
                byte[] row = new byte[width * 2 + 4];
                for (int y = 0; y < height; y++) {
                    copyRow(planes[0], (long) y * stride, row, width * 2);
                    for (int x = 0; x < width; x++) {
                        int pair = (x & ~1) * 2;
                        out[y * width + x] = yuv(row[pair + yo + (x & 1) * 2] & 0xff, row[pair + uo] & 0xff, row[pair + vo] & 0xff);
                    }
                }
            }
            case "NV12", "NV21", "NV16", "NV61", "NM12", "NM21" -> {
                boolean vertical = fourcc.equals("NV12") || fourcc.equals("NV21") || fourcc.startsWith("NM");
                boolean vu = fourcc.equals("NV21") || fourcc.equals("NV61") || fourcc.equals("NM21");
                int chromaHeight = vertical ? (height + 1) / 2 : height;
                MemorySegment luma = planes[0], chroma;
                int chromaStride;
                if (fourcc.startsWith("NM")) {
                    chroma = planes[1];
                    chromaStride = bytesPerLine.length > 1 && bytesPerLine[1] > 0 ? bytesPerLine[1] : stride;
                } else {
                    need(fourcc, planes[0], (long) stride * height + (long) stride * chromaHeight);
                    chroma = planes[0].asSlice((long) stride * height);
                    chromaStride = stride;
                }
                need(fourcc, luma, (long) stride * (height - 1) + width);
                need(fourcc, chroma, (long) chromaStride * (chromaHeight - 1) + ((width + 1) & ~1));
                for (int y = 0; y < height; y++) {
                    long c = (long) (vertical ? y / 2 : y) * chromaStride;
                    for (int x = 0; x < width; x++) {
                        int u = u8(chroma, c + (x & ~1) + (vu ? 1 : 0)), v = u8(chroma, c + (x & ~1) + (vu ? 0 : 1));
                        out[y * width + x] = yuv(u8(luma, (long) y * stride + x), u, v);
                    }
                }
            }
            case "YU12", "YV12", "422P", "YM12" -> {
                boolean vertical = !fourcc.equals("422P");
                int cw = (width + 1) / 2, ch = vertical ? (height + 1) / 2 : height;
                MemorySegment yp = planes[0], up, vp;
                int cs;
                if (fourcc.equals("YM12")) {
                    up = planes[1];
                    vp = planes[2];
                    cs = bytesPerLine.length > 1 && bytesPerLine[1] > 0 ? bytesPerLine[1] : stride / 2;
                } else {
                    cs = stride / 2;
                    long ySize = (long) stride * height, cSize = (long) cs * ch;
                    need(fourcc, planes[0], ySize + 2 * cSize);
                    MemorySegment first = planes[0].asSlice(ySize, cSize), second = planes[0].asSlice(ySize + cSize, cSize);
                    up = fourcc.equals("YV12") ? second : first;
                    vp = fourcc.equals("YV12") ? first : second;
                }
                need(fourcc, yp, (long) stride * (height - 1) + width);
                need(fourcc, up, (long) cs * (ch - 1) + cw);
                need(fourcc, vp, (long) cs * (ch - 1) + cw);
                for (int y = 0; y < height; y++) {
                    long c = (long) (vertical ? y / 2 : y) * cs;
                    for (int x = 0; x < width; x++) {
                        out[y * width + x] = yuv(u8(yp, (long) y * stride + x), u8(up, c + x / 2), u8(vp, c + x / 2));
                    }
                }
            }
            default -> { // packed RGB and grey
                int bpp = switch (fourcc) { case "RGB3", "BGR3" -> 3; case "RGBP" -> 2; case "GREY" -> 1; default -> 4; };
                need(fourcc, planes[0], (long) stride * (height - 1) + (long) width * bpp);
                byte[] row = new byte[width * bpp];
                for (int y = 0; y < height; y++) {
                    copyRow(planes[0], (long) y * stride, row, row.length);
                    for (int x = 0; x < width; x++) {
                        int i = x * bpp;
                        out[y * width + x] = switch (fourcc) {
                            case "RGB3" -> rgb(row[i], row[i + 1], row[i + 2]);
                            case "BGR3" -> rgb(row[i + 2], row[i + 1], row[i]);
                            case "RGBP" -> {
                                int p = (row[i] & 0xff) | (row[i + 1] & 0xff) << 8;
                                int r = p >> 11 & 0x1f, g = p >> 5 & 0x3f, b = p & 0x1f;
                                yield (r << 3 | r >> 2) << 16 | (g << 2 | g >> 4) << 8 | (b << 3 | b >> 2);
                            }
                            case "GREY" -> rgb(row[i], row[i], row[i]);
                            case "AR24", "XR24" -> rgb(row[i + 2], row[i + 1], row[i]);     // B G R A
                            case "BA24", "BX24" -> rgb(row[i + 1], row[i + 2], row[i + 3]); // A R G B
                            case "AB24", "XB24" -> rgb(row[i], row[i + 1], row[i + 2]);     // R G B A
                            default -> rgb(row[i + 3], row[i + 2], row[i + 1]);             // RA24, RX24: A B G R
                        };
                    }
                }
            }
        }
        return img;
    }

    private static void copyRow(MemorySegment s, long offset, byte[] row, int length) {
        MemorySegment.copy(s, ValueLayout.JAVA_BYTE, offset, row, 0, length);
    }

    private static int u8(MemorySegment s, long offset) {
        return s.get(ValueLayout.JAVA_BYTE, offset) & 0xff;
    }

    private static void need(String fourcc, MemorySegment s, long bytes) {
        if (s.byteSize() < bytes) {
            throw new IllegalArgumentException(fourcc + " frame needs " + bytes + " bytes in a plane of " + s.byteSize());
        }
    }

    private static int rgb(byte r, byte g, byte b) {
        return (r & 0xff) << 16 | (g & 0xff) << 8 | (b & 0xff);
    }

    /** BT.601 limited range YCbCr to RGB. */
    static int yuv(int y, int u, int v) {
        int c = 298 * (y - 16), d = u - 128, e = v - 128;
        int r = clamp((c + 409 * e + 128) >> 8);
        int g = clamp((c - 100 * d - 208 * e + 128) >> 8);
        int b = clamp((c + 516 * d + 128) >> 8);
        return r << 16 | g << 8 | b;
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    private static BufferedImage decodeJpeg(MemorySegment data, int width, int height) {
        byte[] jpeg = withHuffmanTables(data.toArray(ValueLayout.JAVA_BYTE));
        try {
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(jpeg));
            if (decoded == null) throw new IllegalArgumentException("not a JPEG frame");
            BufferedImage img = new BufferedImage(decoded.getWidth(), decoded.getHeight(), BufferedImage.TYPE_INT_RGB);
            img.getGraphics().drawImage(decoded, 0, 0, null);
            return img;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode a " + width + "x" + height + " JPEG frame", e);
        }
    }

    /**
     * Motion-JPEG frames from cameras often leave out the Huffman tables (DHT) and rely on the
     * standard ones (ITU T.81 Annex K.3): insert them after SOI when there is no DHT segment.
     */
    static byte[] withHuffmanTables(byte[] jpeg) {
        if (jpeg.length < 4 || (jpeg[0] & 0xff) != 0xff || (jpeg[1] & 0xff) != 0xd8) {
            throw new IllegalArgumentException("not a JPEG frame (no SOI marker)");
        }
        int i = 2;
        while (i + 4 <= jpeg.length && (jpeg[i] & 0xff) == 0xff) {
            int marker = jpeg[i + 1] & 0xff;
            if (marker == 0xc4) return jpeg;  // has DHT
            if (marker == 0xda) break;        // start of scan: no DHT before it
            i += 2 + ((jpeg[i + 2] & 0xff) << 8 | (jpeg[i + 3] & 0xff));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + STANDARD_DHT.length);
        out.write(jpeg, 0, 2);
        out.write(STANDARD_DHT, 0, STANDARD_DHT.length);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    private static byte[] dht() {
        int[][] tables = {
            // class/id, 16 code counts, symbols: luminance DC, chrominance DC, luminance AC, chrominance AC
            {0x00, 0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
            {0x01, 0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
            concat(new int[]{0x10, 0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d}, AC_LUMA),
            concat(new int[]{0x11, 0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77}, AC_CHROMA),
        };
        int length = 2;
        for (int[] t : tables) length += t.length;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(0xff);
        o.write(0xc4);
        o.write(length >> 8);
        o.write(length & 0xff);
        for (int[] t : tables) for (int b : t) o.write(b);
        return o.toByteArray();
    }

    private static int[] concat(int[] a, int[] b) {
        int[] r = new int[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static final int[] AC_LUMA = {
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

    private static final int[] AC_CHROMA = {
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

    /** Built last: it reads the tables above. */
    private static final byte[] STANDARD_DHT = dht();
}
