package io.github.v4l2ffm.image;

import io.github.v4l2ffm.BufferType;
import io.github.v4l2ffm.FieldOrder;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.PlaneFormat;
import io.github.v4l2ffm.VideoFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The converter against ffmpeg's swscale on ffmpeg's own test picture, in every format, encoding
 * and range; the Vector API path against the scalar one; and the failure paths. The device suite
 * does the same on frames vivid captured.
 */
class FrameConverterTest {
    static final int W = 100, H = 34;

    @BeforeAll
    static void ffmpegIsInstalled() {
        assertTrue(SwscalePeer.available(), "ffmpeg is needed (vivid-tests/lab/lab.sh install-deps installs it)");
    }

    static VideoFormat format(String fourcc, int w, int h, int bytesPerLine, int colorspace, int enc, int quant) {
        PixelFormat pf = PixelFormat.of(fourcc);
        BufferType t = pf.memoryPlanes() > 1 ? BufferType.VIDEO_CAPTURE_MPLANE : BufferType.VIDEO_CAPTURE;
        return new VideoFormat(t, w, h, pf, FieldOrder.NONE, List.of(new PlaneFormat(bytesPerLine, 0)), colorspace, enc, quant, 0, 0);
    }

    static int[] convert(VideoFormat f, byte[]... planes) {
        MemorySegment[] segs = Arrays.stream(planes).map(MemorySegment::ofArray).toArray(MemorySegment[]::new);
        int[] argb = new int[f.width() * f.height()];
        try (FrameConverter c = FrameConverter.of(f)) {
            c.toArgb(segs, argb);
        }
        return argb;
    }

    static void assertAgrees(int[] argb, byte[] rgb24, int tolerance, String what) {
        int[] d = SwscalePeer.maxDifference(argb, rgb24);
        assertTrue(d[0] <= tolerance, what + ": differs from swscale by " + d[0] + " levels at pixel " + d[1]
                + " (" + Integer.toHexString(argb[d[1] < 0 ? 0 : d[1]]) + ")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"YUYV", "UYVY", "YVYU", "NV12", "NV21", "YU12", "422P",
            "RGB3", "BGR3", "RGBP", "BX24", "XR24", "XB24", "RX24", "BA24", "AR24"})
    void agreesWithSwscaleOnItsTestPicture(String fourcc) {
        String pix = SwscalePeer.pixFmt(fourcc);
        byte[] frame = SwscalePeer.testFrame(pix, W, H);
        VideoFormat f = format(fourcc, W, H, 0, 0, 0, 0);   // defaults: BT.601; limited for Y'CbCr, full for RGB
        boolean full = Quantization.of(f) == Quantization.FULL;
        assertEquals(fourcc.startsWith("R") || fourcc.startsWith("B") || fourcc.startsWith("X") || fourcc.startsWith("A"), full);
        byte[] ref = SwscalePeer.toRgb24(frame, pix, W, H, "bt601", full);
        assertAgrees(convert(f, frame), ref, 1, fourcc);
    }

    /**
     * Luma formats: swscale copies grey to RGB whatever the range it is told, so the reference is
     * swscale's conversion of the same luma in a YUYV frame with neutral chroma.
     */
    @ParameterizedTest
    @CsvSource({"GREY,gray,2", "GREY,gray,1", "'Y16 ',gray16le,2", "'Y16 ',gray16le,1"})
    void lumaFormatsAgreeWithSwscaleOnNeutralYuyv(String fourcc, String pix, int quant) {
        byte[] frame = SwscalePeer.testFrame(pix, W, H);
        boolean sixteen = fourcc.startsWith("Y16");
        byte[] yuyv = new byte[W * H * 2];
        for (int i = 0; i < W * H; i++) {
            yuyv[2 * i] = sixteen ? frame[2 * i + 1] : frame[i];
            yuyv[2 * i + 1] = (byte) 128;
        }
        byte[] ref = SwscalePeer.toRgb24(yuyv, "yuyv422", W, H, "bt601", quant == 1);
        assertAgrees(convert(format(fourcc, W, H, 0, 0, 0, quant), frame), ref, 1, fourcc + (quant == 1 ? " full" : " limited"));
    }

    @ParameterizedTest
    @CsvSource({"YUYV,1,bt601", "YUYV,2,bt709", "YUYV,6,bt2020", "YUYV,8,smpte240m",
            "NV12,1,bt601", "NV12,2,bt709", "NV12,6,bt2020", "YU12,2,bt709", "422P,6,bt2020", "UYVY,2,bt709"})
    void everyEncodingAndRange(String fourcc, int enc, String matrix) {
        String pix = SwscalePeer.pixFmt(fourcc);
        byte[] frame = SwscalePeer.testFrame(pix, W, H);
        for (int quant : new int[] {1, 2}) {
            VideoFormat f = format(fourcc, W, H, 0, 0, enc, quant);
            byte[] ref = SwscalePeer.toRgb24(frame, pix, W, H, matrix, quant == 1);
            assertAgrees(convert(f, frame), ref, 1, fourcc + " " + matrix + (quant == 1 ? " full" : " limited"));
        }
    }

    @Test
    void defaultEncodingFollowsTheColorspace() {
        assertEquals(YCbCrEncoding.BT709, YCbCrEncoding.of(format("YUYV", W, H, 0, 3, 0, 0)));      // REC709
        assertEquals(YCbCrEncoding.BT2020, YCbCrEncoding.of(format("YUYV", W, H, 0, 10, 0, 0)));    // BT2020
        assertEquals(YCbCrEncoding.BT601, YCbCrEncoding.of(format("YUYV", W, H, 0, 8, 0, 0)));      // SRGB
        assertEquals(Quantization.FULL, Quantization.of(format("YUYV", W, H, 0, 7, 0, 0)));         // JPEG colorspace
        assertEquals(Quantization.LIMITED, Quantization.of(format("NV12", W, H, 0, 8, 0, 0)));
        assertEquals(Quantization.FULL, Quantization.of(format("RGB3", W, H, 0, 8, 0, 0)));
    }

    /** The formats ffmpeg has no name for, made from one it has by moving samples: the same picture must come out. */
    @Test
    void reorderedFormatsGiveTheSamePicture() {
        byte[] uyvy = SwscalePeer.testFrame("uyvy422", W, H);
        byte[] ref = SwscalePeer.toRgb24(uyvy, "uyvy422", W, H, "bt601", false);
        byte[] vyuy = uyvy.clone();
        for (int i = 0; i < vyuy.length; i += 4) {
            vyuy[i] = uyvy[i + 2];
            vyuy[i + 2] = uyvy[i];
        }
        assertAgrees(convert(format("VYUY", W, H, 0, 0, 0, 0), vyuy), ref, 1, "VYUY");

        byte[] p422 = SwscalePeer.testFrame("yuv422p", W, H);   // swscale neither reads nor writes NV16 here: interleave 4:2:2 planes
        ref = SwscalePeer.toRgb24(p422, "yuv422p", W, H, "bt601", false);
        byte[] nv16 = Arrays.copyOf(p422, W * H * 2);
        for (int i = 0; i < W / 2 * H; i++) {
            nv16[W * H + 2 * i] = p422[W * H + i];
            nv16[W * H + 2 * i + 1] = p422[W * H + W / 2 * H + i];
        }
        assertAgrees(convert(format("NV16", W, H, 0, 0, 0, 0), nv16), ref, 1, "NV16");
        if (SwscalePeer.reads("nv16")) {   // ffmpeg 6 and later; 5.1 (Debian 12) has no NV16 input
            assertAgrees(convert(format("NV16", W, H, 0, 0, 0, 0), nv16), SwscalePeer.toRgb24(nv16, "nv16", W, H, "bt601", false),
                    1, "NV16 as swscale reads it");
        }
        byte[] nv61 = nv16.clone();
        for (int i = W * H; i < nv61.length; i += 2) {
            nv61[i] = nv16[i + 1];
            nv61[i + 1] = nv16[i];
        }
        assertAgrees(convert(format("NV61", W, H, 0, 0, 0, 0), nv61), ref, 1, "NV61");
        byte[] y16 = Arrays.copyOf(nv16, W * H), c16 = Arrays.copyOfRange(nv16, W * H, nv16.length);
        assertAgrees(convert(format("NM16", W, H, 0, 0, 0, 0), y16, c16), ref, 1, "NM16");

        byte[] i420 = SwscalePeer.testFrame("yuv420p", W, H);
        ref = SwscalePeer.toRgb24(i420, "yuv420p", W, H, "bt601", false);
        int ySize = W * H, cSize = (W / 2) * (H / 2);
        byte[] yv12 = i420.clone();
        System.arraycopy(i420, ySize, yv12, ySize + cSize, cSize);
        System.arraycopy(i420, ySize + cSize, yv12, ySize, cSize);
        assertAgrees(convert(format("YV12", W, H, 0, 0, 0, 0), yv12), ref, 1, "YV12");
        assertAgrees(convert(format("YM12", W, H, 0, 0, 0, 0), Arrays.copyOf(i420, ySize),
                Arrays.copyOfRange(i420, ySize, ySize + cSize), Arrays.copyOfRange(i420, ySize + cSize, ySize + 2 * cSize)), ref, 1, "YM12");

        byte[] nv12 = SwscalePeer.testFrame("nv12", W, H);
        ref = SwscalePeer.toRgb24(nv12, "nv12", W, H, "bt601", false);
        assertAgrees(convert(format("NM12", W, H, 0, 0, 0, 0), Arrays.copyOf(nv12, ySize), Arrays.copyOfRange(nv12, ySize, nv12.length)),
                ref, 1, "NM12");
    }

    /** Rows padded to a longer stride, as drivers align them: the padding is skipped, not read as pixels. */
    @ParameterizedTest
    @ValueSource(strings = {"YUYV", "NV12", "YU12", "RGB3"})
    void paddedStrides(String fourcc) {
        String pix = SwscalePeer.pixFmt(fourcc);
        byte[] frame = SwscalePeer.testFrame(pix, W, H);
        byte[] ref = SwscalePeer.toRgb24(frame, pix, W, H, "bt601", fourcc.equals("RGB3"));
        int bpp = switch (fourcc) { case "YUYV" -> 2; case "RGB3" -> 3; default -> 1; };
        int stride = W * bpp + 28;   // YU12: chroma stride = 64 = (100 + 28) / 2
        int chromaRows = fourcc.equals("YUYV") || fourcc.equals("RGB3") ? 0 : H / 2;
        int chromaPlanes = fourcc.equals("YU12") ? 2 : fourcc.equals("NV12") ? 1 : 0;
        int cStride = fourcc.equals("YU12") ? stride / 2 : stride;
        int cRow = fourcc.equals("YU12") ? W / 2 : W;
        byte[] padded = new byte[stride * H + chromaPlanes * cStride * chromaRows];
        Arrays.fill(padded, (byte) 0x5A);
        for (int y = 0; y < H; y++) System.arraycopy(frame, y * W * bpp, padded, y * stride, W * bpp);
        for (int p = 0; p < chromaPlanes; p++) {
            for (int y = 0; y < chromaRows; y++) {
                System.arraycopy(frame, W * H + p * cRow * chromaRows + y * cRow, padded, stride * H + p * cStride * chromaRows + y * cStride, cRow);
            }
        }
        assertAgrees(convert(format(fourcc, W, H, stride, 0, 0, 0), padded), ref, 1, fourcc + " stride " + stride);
    }

    /** The Vector API path and the scalar path give the same values, bit for bit, on random samples and odd widths. */
    @ParameterizedTest
    @ValueSource(strings = {"YUYV", "UYVY", "YVYU", "VYUY", "NV12", "NV21", "NV16", "NV61", "YU12", "YV12", "422P"})
    void vectorPathEqualsScalarPath(String fourcc) {
        assertTrue(FrameConverter.vectorized(), "the tests run with --add-modules jdk.incubator.vector");
        Random r = new Random(fourcc.hashCode());
        for (int w : new int[] {1920, 100, 66, 38, 6}) {
            int h = 6;
            VideoFormat f = format(fourcc, w, h, 0, 0, 0, 0);
            byte[] data = new byte[w * h * 2];
            r.nextBytes(data);
            MemorySegment[] in = {MemorySegment.ofArray(data)};
            for (YCbCrEncoding e : YCbCrEncoding.values()) {
                for (Quantization q : Quantization.values()) {
                    int[] a = new int[w * h], b = new int[w * h];
                    try (FrameConverter v = FrameConverter.of(f, e, q); FrameConverter s = FrameConverter.scalar(f, e, q)) {
                        v.toArgb(in, a);
                        s.toArgb(in, b);
                    }
                    assertArrayEquals(b, a, fourcc + " " + w + " " + e + " " + q);
                }
            }
        }
    }

    @Test
    void byteAndImageOutputsCarryTheSamePixels() {
        byte[] frame = SwscalePeer.testFrame("yuyv422", W, H);
        MemorySegment[] in = {MemorySegment.ofArray(frame)};
        try (FrameConverter c = FrameConverter.of(format("YUYV", W, H, 0, 0, 0, 0))) {
            int[] argb = new int[W * H];
            c.toArgb(in, argb);
            byte[] rgb = new byte[W * H * 3], bgr = new byte[W * H * 3];
            c.toRgb(in, rgb);
            c.toBgr(in, bgr);
            BufferedImage intRgb = c.newImage(BufferedImage.TYPE_INT_RGB), bgrImg = c.newImage(BufferedImage.TYPE_3BYTE_BGR),
                    grey = c.newImage(BufferedImage.TYPE_BYTE_GRAY);
            c.toImage(in, intRgb);
            c.toImage(in, bgrImg);
            c.toImage(in, grey);
            int[] ints = ((DataBufferInt) intRgb.getRaster().getDataBuffer()).getData();
            byte[] bgrBytes = ((DataBufferByte) bgrImg.getRaster().getDataBuffer()).getData();
            byte[] greyBytes = ((DataBufferByte) grey.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < W * H; i++) {
                int v = argb[i], R = v >> 16 & 0xFF, G = v >> 8 & 0xFF, B = v & 0xFF;
                assertEquals(0xFF, v >>> 24);
                assertEquals(v, ints[i]);
                assertEquals(R, rgb[3 * i] & 0xFF);
                assertEquals(B, rgb[3 * i + 2] & 0xFF);
                assertEquals(B, bgr[3 * i] & 0xFF);
                assertEquals(R, bgr[3 * i + 2] & 0xFF);
                assertEquals(v & 0xFFFFFF, bgrImg.getRGB(i % W, i / W) & 0xFFFFFF);
                assertEquals(bgr[3 * i + 1], bgrBytes[3 * i + 1]);
                assertEquals((77 * R + 150 * G + 29 * B + 128) >> 8, greyBytes[i] & 0xFF);
            }
        }
    }

    @Test
    void truncatedFramesAndWrongDestinationsAreRefused() {
        try (FrameConverter c = FrameConverter.of(format("NV12", W, H, 0, 0, 0, 0))) {
            MemorySegment[] shortFrame = {MemorySegment.ofArray(new byte[W * H])};   // no chroma
            var e = assertThrows(CorruptFrameException.class, () -> c.toArgb(shortFrame, new int[W * H]));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            MemorySegment[] whole = {MemorySegment.ofArray(new byte[W * H * 3 / 2])};
            assertThrows(IllegalArgumentException.class, () -> c.toArgb(whole, new int[W * H - 1]));
            assertThrows(IllegalArgumentException.class, () -> c.toRgb(whole, new byte[W * H]));
            assertThrows(IllegalArgumentException.class, () -> c.toImage(whole, new BufferedImage(W, H, BufferedImage.TYPE_USHORT_565_RGB)));
            assertThrows(IllegalArgumentException.class, () -> c.toImage(whole, new BufferedImage(W + 2, H, BufferedImage.TYPE_INT_RGB)));
            BufferedImage big = new BufferedImage(W + 2, H, BufferedImage.TYPE_INT_RGB);
            assertThrows(IllegalArgumentException.class, () -> c.toImage(whole, big.getSubimage(2, 0, W, H)));
        }
        assertThrows(IllegalArgumentException.class, () -> FrameConverter.of(format("H264", W, H, 0, 0, 0, 0)));
        assertThrows(IllegalArgumentException.class, () -> FrameConverter.of(format("YUYV", W, H, W, 0, 0, 0)));   // stride < row
    }
}
