package io.github.v4l2ffm.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import javax.imageio.plugins.jpeg.JPEGHuffmanTable;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.function.IntBinaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Frames built in memory as V4L2 lays them out, with known colours, converted and checked pixel by pixel.
 * YUV colours are 100% white, black, red, green and blue in BT.601 limited range.
 */
class FrameConverterTest {
    static final String[] NAMES = {"white", "black", "red", "green", "blue"};
    /** {Y, Cb, Cr} of each colour. */
    static final int[][] YUV = {{235, 128, 128}, {16, 128, 128}, {81, 90, 240}, {145, 54, 34}, {41, 240, 110}};
    /** The RGB each stands for. */
    static final int[][] RGB = {{255, 255, 255}, {0, 0, 0}, {255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
    /** What padding bytes hold: a read of padding shows as a wrong colour. */
    static final byte JUNK = (byte) 0xee;

    static final String YUV_FORMATS = "YUYV UYVY YVYU VYUY NV12 NV21 NV16 NV61 NM12 NM21 YU12 YV12 422P YM12";

    record Frame(MemorySegment[] planes, int[] bytesPerLine) {}

    // ---- frame builders, written from the V4L2 format descriptions

    /**
     * A YUV frame whose pixel (x, y) has colour {@code colour(x, y)}, an index in {@link #YUV}; the colour must be
     * the same within each 2x2 block. {@code pad} bytes of junk follow each luma row (and half as many or more
     * each chroma row).
     */
    static Frame yuvFrame(String fourcc, int w, int h, int pad, IntBinaryOperator colour) {
        int cw = (w + 1) / 2;
        switch (fourcc) {
            case "YUYV", "UYVY", "YVYU", "VYUY" -> {
                // the FourCC spells the byte order of each two-pixel group
                int stride = cw * 4 + pad;
                byte[] b = junk(stride * h);
                for (int y = 0; y < h; y++) {
                    for (int cx = 0; cx < cw; cx++) {
                        int luma = 0;
                        for (int k = 0; k < 4; k++) {
                            char c = fourcc.charAt(k);
                            int x = Math.min(2 * cx + (c == 'Y' ? luma++ : 0), w - 1);
                            int[] v = YUV[colour.applyAsInt(x, y)];
                            b[y * stride + cx * 4 + k] = (byte) (c == 'Y' ? v[0] : c == 'U' ? v[1] : v[2]);
                        }
                    }
                }
                return new Frame(new MemorySegment[]{MemorySegment.ofArray(b)}, new int[]{stride});
            }
            case "NV12", "NV21", "NV16", "NV61", "NM12", "NM21" -> {
                int vsub = fourcc.equals("NV16") || fourcc.equals("NV61") ? 1 : 2;
                boolean crFirst = fourcc.equals("NV21") || fourcc.equals("NV61") || fourcc.equals("NM21");
                boolean twoPlanes = fourcc.startsWith("NM");
                int ls = w + pad;
                // one plane: the chroma stride is the luma stride (odd ones rounded up to whole Cb Cr pairs)
                int cs = twoPlanes ? cw * 2 + pad + 6 : ls + (ls & 1);
                int ch = (h + vsub - 1) / vsub;
                byte[] luma = lumaPlane(w, h, ls, colour);
                byte[] chroma = junk(cs * ch);
                for (int cy = 0; cy < ch; cy++) {
                    for (int cx = 0; cx < cw; cx++) {
                        int[] v = YUV[colour.applyAsInt(2 * cx, cy * vsub)];
                        chroma[cy * cs + 2 * cx] = (byte) (crFirst ? v[2] : v[1]);
                        chroma[cy * cs + 2 * cx + 1] = (byte) (crFirst ? v[1] : v[2]);
                    }
                }
                return twoPlanes
                        ? new Frame(new MemorySegment[]{MemorySegment.ofArray(luma), MemorySegment.ofArray(chroma)}, new int[]{ls, cs})
                        : new Frame(new MemorySegment[]{MemorySegment.ofArray(concat(luma, chroma))}, new int[]{ls});
            }
            case "YU12", "YV12", "422P", "YM12" -> {
                int vsub = fourcc.equals("422P") ? 1 : 2;
                boolean threePlanes = fourcc.equals("YM12");
                int ls = w + pad;
                // one plane: the chroma stride is half the luma stride
                int cbs = threePlanes ? cw + pad / 2 + 3 : (ls + 1) / 2, crs = threePlanes ? cw + 5 : cbs;
                int ch = (h + vsub - 1) / vsub;
                byte[] luma = lumaPlane(w, h, ls, colour);
                byte[] cb = junk(cbs * ch), cr = junk(crs * ch);
                for (int cy = 0; cy < ch; cy++) {
                    for (int cx = 0; cx < cw; cx++) {
                        int[] v = YUV[colour.applyAsInt(2 * cx, cy * vsub)];
                        cb[cy * cbs + cx] = (byte) v[1];
                        cr[cy * crs + cx] = (byte) v[2];
                    }
                }
                if (threePlanes) {
                    return new Frame(new MemorySegment[]{MemorySegment.ofArray(luma), MemorySegment.ofArray(cb),
                            MemorySegment.ofArray(cr)}, new int[]{ls, cbs, crs});
                }
                byte[] all = fourcc.equals("YV12") ? concat(luma, concat(cr, cb)) : concat(luma, concat(cb, cr));
                return new Frame(new MemorySegment[]{MemorySegment.ofArray(all)}, new int[]{ls});
            }
            default -> throw new AssertionError(fourcc);
        }
    }

    static byte[] lumaPlane(int w, int h, int stride, IntBinaryOperator colour) {
        byte[] b = junk(stride * h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) b[y * stride + x] = (byte) YUV[colour.applyAsInt(x, y)][0];
        }
        return b;
    }

    /** Byte order in memory of the 8-bit-per-component RGB formats ('A': alpha or padding). */
    static String rgbOrder(String fourcc) {
        return switch (fourcc) {
            case "RGB3" -> "RGB";
            case "BGR3" -> "BGR";
            case "AR24", "XR24" -> "BGRA";  // V4L2_PIX_FMT_ABGR32, XBGR32
            case "BA24", "BX24" -> "ARGB";  // V4L2_PIX_FMT_ARGB32, XRGB32
            case "AB24", "XB24" -> "RGBA";  // V4L2_PIX_FMT_RGBA32, RGBX32
            case "RA24", "RX24" -> "ABGR";  // V4L2_PIX_FMT_BGRA32, BGRX32
            default -> throw new AssertionError(fourcc);
        };
    }

    static Frame rgbFrame(String fourcc, int w, int h, int pad, IntBinaryOperator rgb) {
        String order = rgbOrder(fourcc);
        int bpp = order.length(), stride = w * bpp + pad;
        byte[] b = junk(stride * h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = rgb.applyAsInt(x, y);
                for (int k = 0; k < bpp; k++) {
                    b[y * stride + x * bpp + k] = (byte) switch (order.charAt(k)) {
                        case 'R' -> p >> 16;
                        case 'G' -> p >> 8;
                        case 'B' -> p;
                        default -> 0x5a;     // alpha: ignored
                    };
                }
            }
        }
        return new Frame(new MemorySegment[]{MemorySegment.ofArray(b)}, new int[]{stride});
    }

    static byte[] junk(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, JUNK);
        return b;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static BufferedImage convert(String fourcc, int w, int h, Frame f) {
        return FrameConverter.toImage(fourcc, w, h, f.planes(), f.bytesPerLine());
    }

    // ---- checks

    /** Checks every pixel against {@code expected(x, y)} (0xRRGGBB), each channel within {@code tolerance}. */
    static void assertPixels(BufferedImage img, int w, int h, IntBinaryOperator expected, int tolerance, String what) {
        assertEquals(BufferedImage.TYPE_INT_RGB, img.getType(), what);
        assertEquals(w, img.getWidth(), what + " width");
        assertEquals(h, img.getHeight(), what + " height");
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int got = img.getRGB(x, y) & 0xffffff, want = expected.applyAsInt(x, y);
                for (int shift = 16; shift >= 0; shift -= 8) {
                    if (Math.abs((got >> shift & 0xff) - (want >> shift & 0xff)) > tolerance) {
                        fail(String.format("%s: pixel (%d,%d) is #%06x, expected #%06x (±%d)", what, x, y, got, want, tolerance));
                    }
                }
            }
        }
    }

    static int rgbOf(int index) {
        return RGB[index][0] << 16 | RGB[index][1] << 8 | RGB[index][2];
    }

    // ---- YUV

    @Test
    void supportsTheListedFormatsOnly() {
        for (String f : (YUV_FORMATS + " RGB3 BGR3 RGBP AR24 XR24 BA24 BX24 AB24 XB24 RA24 RX24 GREY MJPG JPEG").split(" ")) {
            assertTrue(FrameConverter.supports(f), f);
        }
        for (String f : new String[]{"ZZZZ", "yuyv", "YUY", "H264", "", null}) {
            assertFalse(FrameConverter.supports(f), String.valueOf(f));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"YUYV", "UYVY", "YVYU", "VYUY", "NV12", "NV21", "NV16", "NV61", "NM12", "NM21",
            "YU12", "YV12", "422P", "YM12"})
    void solidColours4x2(String fourcc) {
        for (int k = 0; k < YUV.length; k++) {
            int index = k;
            BufferedImage img = convert(fourcc, 4, 2, yuvFrame(fourcc, 4, 2, 0, (x, y) -> index));
            assertPixels(img, 4, 2, (x, y) -> rgbOf(index), 3, fourcc + " " + NAMES[k]);
        }
    }

    /** Eight 2x2 blocks of the five colours, each row padded: checks chroma addressing and strides. */
    @ParameterizedTest
    @ValueSource(strings = {"YUYV", "UYVY", "YVYU", "VYUY", "NV12", "NV21", "NV16", "NV61", "NM12", "NM21",
            "YU12", "YV12", "422P", "YM12"})
    void colourBlocksWithPaddedRows(String fourcc) {
        IntBinaryOperator blocks = (x, y) -> (x / 2 + 4 * (y / 2)) % YUV.length;
        for (int pad : new int[]{0, 8, 24}) {
            BufferedImage img = convert(fourcc, 8, 4, yuvFrame(fourcc, 8, 4, pad, blocks));
            assertPixels(img, 8, 4, (x, y) -> rgbOf(blocks.applyAsInt(x, y)), 3, fourcc + " padding " + pad);
        }
    }

    /** Odd sizes: the last column and row take the chroma of their partial block. */
    @ParameterizedTest
    @ValueSource(strings = {"YUYV", "UYVY", "NV12", "NV21", "NV16", "NM12", "YU12", "YV12", "422P", "YM12"})
    void oddSizes(String fourcc) {
        IntBinaryOperator blocks = (x, y) -> (x / 2 + 3 * (y / 2) + 1) % YUV.length;
        BufferedImage img = convert(fourcc, 5, 3, yuvFrame(fourcc, 5, 3, 0, blocks));
        assertPixels(img, 5, 3, (x, y) -> rgbOf(blocks.applyAsInt(x, y)), 3, fourcc + " 5x3");
    }

    @Test
    void lumaVariesWithinAChromaBlock() {
        // a grey ramp: Cb = Cr = 128, Y from 16 to 235 in steps, full range out
        int w = 8, h = 2;
        byte[] nv12 = new byte[w * h + w * h / 2];
        for (int x = 0; x < w; x++) {
            nv12[x] = (byte) (16 + x * 30);
            nv12[w + x] = (byte) (235 - x * 30);
        }
        Arrays.fill(nv12, w * h, nv12.length, (byte) 128);
        BufferedImage img = FrameConverter.toImage("NV12", w, h, new MemorySegment[]{MemorySegment.ofArray(nv12)}, new int[]{w});
        assertPixels(img, w, h, (x, y) -> {
            int yv = y == 0 ? 16 + x * 30 : 235 - x * 30;
            int g = (int) Math.round((yv - 16) * 255 / 219.0);
            return g << 16 | g << 8 | g;
        }, 1, "NV12 grey ramp");
    }

    @Test
    void nativeMemoryAndZeroStride() {
        Frame f = yuvFrame("YUYV", 6, 4, 0, (x, y) -> (x / 2 + y) % YUV.length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(f.planes()[0].byteSize());
            s.copyFrom(f.planes()[0]);
            // a zero stride means rows without padding
            BufferedImage img = FrameConverter.toImage("YUYV", 6, 4, new MemorySegment[]{s}, new int[]{0});
            assertPixels(img, 6, 4, (x, y) -> rgbOf((x / 2 + y) % YUV.length), 3, "YUYV in native memory");
        }
    }

    @Test
    void multiPlaneStridesDerivedWhenMissing() {
        Frame f = yuvFrame("YM12", 8, 4, 0, (x, y) -> (x / 2 + y / 2) % YUV.length);
        // bytesPerLine gives only the luma stride; the chroma planes are half as wide, without padding here
        var cb = MemorySegment.ofArray(tightPlane(f, 1, 4, 2));
        var cr = MemorySegment.ofArray(tightPlane(f, 2, 4, 2));
        BufferedImage img = FrameConverter.toImage("YM12", 8, 4, new MemorySegment[]{f.planes()[0], cb, cr}, new int[]{8});
        assertPixels(img, 8, 4, (x, y) -> rgbOf((x / 2 + y / 2) % YUV.length), 3, "YM12 derived strides");
    }

    /** The rows of one plane of {@code f} without their padding. */
    static byte[] tightPlane(Frame f, int plane, int rowBytes, int rows) {
        byte[] out = new byte[rowBytes * rows];
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(f.planes()[plane], ValueLayout.JAVA_BYTE, (long) r * f.bytesPerLine()[plane], out, r * rowBytes, rowBytes);
        }
        return out;
    }

    // ---- RGB and grey

    @ParameterizedTest
    @ValueSource(strings = {"RGB3", "BGR3", "AR24", "XR24", "BA24", "BX24", "AB24", "XB24", "RA24", "RX24"})
    void packedRgbByteOrder(String fourcc) {
        // distinct channel values everywhere, so a swapped or shifted channel shows
        IntBinaryOperator colour = (x, y) -> (10 + 40 * x) << 16 | (200 - 30 * y) << 8 | (250 - 20 * x - 7 * y);
        for (int pad : new int[]{0, 12}) {
            BufferedImage img = convert(fourcc, 5, 3, rgbFrame(fourcc, 5, 3, pad, colour));
            assertPixels(img, 5, 3, colour, 0, fourcc + " padding " + pad);
        }
        for (int k = 0; k < RGB.length; k++) {
            int index = k;
            BufferedImage img = convert(fourcc, 4, 2, rgbFrame(fourcc, 4, 2, 0, (x, y) -> rgbOf(index)));
            assertPixels(img, 4, 2, (x, y) -> rgbOf(index), 0, fourcc + " " + NAMES[k]);
        }
    }

    @Test
    void rgb565LittleEndian() {
        // white, red, green, blue, and r=16 g=32 b=8, which widen to 132, 130, 66
        int[] values = {0xffff, 0xf800, 0x07e0, 0x001f, 16 << 11 | 32 << 5 | 8};
        int[] expected = {0xffffff, 0xff0000, 0x00ff00, 0x0000ff, 132 << 16 | 130 << 8 | 66};
        int w = values.length, h = 2, stride = w * 2 + 6;
        byte[] b = junk(stride * h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                b[y * stride + 2 * x] = (byte) values[x];
                b[y * stride + 2 * x + 1] = (byte) (values[x] >> 8);
            }
        }
        BufferedImage img = FrameConverter.toImage("RGBP", w, h, new MemorySegment[]{MemorySegment.ofArray(b)}, new int[]{stride});
        assertPixels(img, w, h, (x, y) -> expected[x], 0, "RGBP");
    }

    @Test
    void grey() {
        int w = 6, h = 3, stride = 10;
        byte[] b = junk(stride * h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) b[y * stride + x] = (byte) (x * 50 + y);
        }
        BufferedImage img = FrameConverter.toImage("GREY", w, h, new MemorySegment[]{MemorySegment.ofArray(b)}, new int[]{stride});
        assertPixels(img, w, h, (x, y) -> (x * 50 + y) * 0x010101, 0, "GREY");
    }

    // ---- Motion-JPEG

    static byte[] jpeg(Color colour, int w, int h) throws Exception {
        BufferedImage src = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = src.createGraphics();
        g.setColor(colour);
        g.fillRect(0, 0, w, h);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(src, "jpg", out));
        return out.toByteArray();
    }

    /** {@code jpeg} without the segments of the given markers before its scan. */
    static byte[] strip(byte[] jpeg, int... markers) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(jpeg, 0, 2);
        int i = 2;
        while ((jpeg[i + 1] & 0xff) != 0xda) {
            int length = (jpeg[i + 2] & 0xff) << 8 | (jpeg[i + 3] & 0xff), marker = jpeg[i + 1] & 0xff;
            if (Arrays.stream(markers).noneMatch(m -> m == marker)) o.write(jpeg, i, length + 2);
            i += length + 2;
        }
        o.write(jpeg, i, jpeg.length - i);
        return o.toByteArray();
    }

    /** The markers of the segments before the scan. */
    static int[] markers(byte[] jpeg) {
        var list = new java.util.ArrayList<Integer>();
        int i = 2;
        while (true) {
            int marker = jpeg[i + 1] & 0xff;
            list.add(marker);
            if (marker == 0xda) break;
            i += 2 + ((jpeg[i + 2] & 0xff) << 8 | (jpeg[i + 3] & 0xff));
        }
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void motionJpegWithoutHuffmanTables() throws Exception {
        byte[] full = jpeg(new Color(30, 160, 220), 32, 16);
        byte[] stripped = strip(full, 0xc4);
        assertTrue(stripped.length < full.length);
        assertFalse(Arrays.stream(markers(stripped)).anyMatch(m -> m == 0xc4), "DHT removed");
        for (String fourcc : new String[]{"MJPG", "JPEG"}) {
            BufferedImage img = FrameConverter.toImage(fourcc, 32, 16, new MemorySegment[]{MemorySegment.ofArray(stripped)}, new int[]{0});
            assertPixels(img, 32, 16, (x, y) -> 30 << 16 | 160 << 8 | 220, 8, fourcc + " without DHT");
        }
        // camera frames often have no JFIF header either, and unused bytes after the end of the image
        byte[] bare = Arrays.copyOf(strip(full, 0xc4, 0xe0), stripped.length + 100);
        BufferedImage img = FrameConverter.toImage("MJPG", 32, 16, new MemorySegment[]{MemorySegment.ofArray(bare)}, new int[]{0});
        assertPixels(img, 32, 16, (x, y) -> 30 << 16 | 160 << 8 | 220, 8, "MJPG without DHT and APP0");
    }

    @Test
    void motionJpegWithHuffmanTablesIsUnchanged() throws Exception {
        byte[] full = jpeg(Color.RED, 16, 8);
        assertSame(full, FrameConverter.withHuffmanTables("MJPG", full));
        BufferedImage img = FrameConverter.toImage("MJPG", 16, 8, new MemorySegment[]{MemorySegment.ofArray(full)}, new int[]{0});
        assertPixels(img, 16, 8, (x, y) -> 0xff0000, 8, "MJPG with DHT");
    }

    @Test
    void insertedTablesAreTheStandardOnes() throws Exception {
        byte[] stripped = strip(jpeg(Color.BLUE, 16, 8), 0xc4);
        byte[] fixed = FrameConverter.withHuffmanTables("MJPG", stripped);
        int[] markers = markers(fixed);
        assertEquals(0xe0, markers[0], "JFIF APP0 stays first");
        assertEquals(0xc4, markers[1], "DHT after it");

        int i = 4 + ((fixed[4] & 0xff) << 8 | (fixed[5] & 0xff));   // SOI, APP0 segment: now at DHT
        assertEquals(0xc4, fixed[i + 1] & 0xff);
        int end = i + 2 + ((fixed[i + 2] & 0xff) << 8 | (fixed[i + 3] & 0xff));
        JPEGHuffmanTable[] std = {JPEGHuffmanTable.StdDCLuminance, JPEGHuffmanTable.StdDCChrominance,
                JPEGHuffmanTable.StdACLuminance, JPEGHuffmanTable.StdACChrominance};
        int[] classAndId = {0x00, 0x01, 0x10, 0x11};
        int p = i + 4;
        for (int t = 0; t < std.length; t++) {
            assertEquals(classAndId[t], fixed[p++] & 0xff);
            short[] lengths = new short[16];
            int total = 0;
            for (int k = 0; k < 16; k++) total += lengths[k] = (short) (fixed[p++] & 0xff);
            short[] values = new short[total];
            for (int k = 0; k < total; k++) values[k] = (short) (fixed[p++] & 0xff);
            assertArrayEquals(std[t].getLengths(), lengths, "table " + t + " code counts");
            assertArrayEquals(std[t].getValues(), values, "table " + t + " symbols");
        }
        assertEquals(end, p, "segment length");
        // the rest is the original after its APP0 segment
        int app0End = 4 + ((stripped[4] & 0xff) << 8 | (stripped[5] & 0xff));
        assertArrayEquals(Arrays.copyOfRange(stripped, app0End, stripped.length), Arrays.copyOfRange(fixed, end, fixed.length));
    }

    // ---- bad input

    static void assertRejected(String fourcc, int w, int h, MemorySegment[] planes, int[] strides, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FrameConverter.toImage(fourcc, w, h, planes, strides), why);
        assertTrue(e.getMessage().contains(String.valueOf(fourcc)), why + ": " + e.getMessage());
    }

    @Test
    void rejectsUnsupportedFormats() {
        MemorySegment s = MemorySegment.ofArray(new byte[1024]);
        assertRejected("ZZZZ", 4, 2, new MemorySegment[]{s}, new int[]{8}, "unknown FourCC");
        assertRejected("H264", 4, 2, new MemorySegment[]{s}, new int[]{8}, "compressed video");
        assertRejected(null, 4, 2, new MemorySegment[]{s}, new int[]{8}, "no FourCC");
    }

    @Test
    void rejectsPlanesTooSmall() {
        MemorySegment tiny = MemorySegment.ofArray(new byte[10]);
        assertRejected("YUYV", 6, 4, new MemorySegment[]{tiny}, new int[]{12}, "YUYV too small");
        assertRejected("RGB3", 6, 4, new MemorySegment[]{tiny}, new int[]{18}, "RGB3 too small");
        assertRejected("GREY", 6, 4, new MemorySegment[]{tiny}, new int[]{6}, "GREY too small");

        // one byte short of the last row
        Frame f = yuvFrame("YUYV", 8, 4, 8, (x, y) -> 0);
        MemorySegment cut = f.planes()[0].asSlice(0, 24L * 3 + 15);
        assertRejected("YUYV", 8, 4, new MemorySegment[]{cut}, f.bytesPerLine(), "YUYV last row short");

        // luma only: no room for the chroma after it
        assertRejected("NV12", 8, 4, new MemorySegment[]{MemorySegment.ofArray(new byte[32])}, new int[]{8}, "NV12 without chroma");
        assertRejected("YU12", 8, 4, new MemorySegment[]{MemorySegment.ofArray(new byte[40])}, new int[]{8}, "YU12 without Cr");

        // multi-plane formats: missing or small planes
        Frame ym = yuvFrame("YM12", 8, 4, 0, (x, y) -> 0);
        assertRejected("YM12", 8, 4, Arrays.copyOf(ym.planes(), 2), ym.bytesPerLine(), "YM12 with two planes");
        MemorySegment[] smallCr = ym.planes().clone();
        smallCr[2] = smallCr[2].asSlice(0, 4);
        assertRejected("YM12", 8, 4, smallCr, ym.bytesPerLine(), "YM12 Cr plane too small");
        Frame nm = yuvFrame("NM12", 8, 4, 0, (x, y) -> 0);
        assertRejected("NM12", 8, 4, new MemorySegment[]{nm.planes()[0]}, nm.bytesPerLine(), "NM12 with one plane");
        assertRejected("NM12", 8, 4, new MemorySegment[]{nm.planes()[0], null}, nm.bytesPerLine(), "NM12 without chroma");
        assertRejected("NM12", 8, 4, null, nm.bytesPerLine(), "no planes");
    }

    @Test
    void rejectsBadSizesAndStrides() {
        MemorySegment s = MemorySegment.ofArray(new byte[4096]);
        assertRejected("YUYV", 8, 4, new MemorySegment[]{s}, new int[]{10}, "stride shorter than a row");
        assertRejected("XR24", 8, 4, new MemorySegment[]{s}, new int[]{31}, "stride shorter than a row");
        assertRejected("NM12", 8, 4, new MemorySegment[]{s, s}, new int[]{8, 6}, "chroma stride shorter than a row");
        assertRejected("YUYV", 0, 4, new MemorySegment[]{s}, new int[]{16}, "zero width");
        assertRejected("NV12", 8, -2, new MemorySegment[]{s}, new int[]{8}, "negative height");
    }

    @Test
    void rejectsDataThatIsNotJpeg() {
        assertRejected("MJPG", 8, 4, new MemorySegment[]{MemorySegment.ofArray(new byte[64])}, new int[]{0}, "no SOI");
        byte[] truncated = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xdb, 0, 67, 0, 1, 2};
        assertRejected("JPEG", 8, 4, new MemorySegment[]{MemorySegment.ofArray(truncated)}, new int[]{0}, "truncated");
    }
}
