package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.image.FrameConverter;
import io.github.v4l2ffm.image.Quantization;
import io.github.v4l2ffm.image.SwscalePeer;
import io.github.v4l2ffm.image.YCbCrEncoding;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Planes;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The image module on frames vivid captured, in every format vivid offers that the module
 * converts, each checked against ffmpeg's swscale on the same frame (nearest chroma, exact
 * rounding: see {@link SwscalePeer}): vivid's grey noise (every luma value, changing from pixel
 * to pixel) and its colour squares (saturated colours, sharp chroma edges). Then every Y'CbCr
 * encoding and range vivid can be told to produce.
 */
@WithV4l2Drivers(vivid = {@Vivid, @Vivid(planes = Planes.MULTI)})
class ImageConversionTest {
    static final int W = 320, H = 180, TOLERANCE = 2;

    Path device;

    @BeforeAll
    static void ffmpegIsThere() {
        assertTrue(SwscalePeer.available(), "ffmpeg on the host's root (vivid-tests/lab/lab.sh install-deps installs it)");
    }

    @AfterEach
    void restorePattern() throws Exception {
        if (device != null) {
            VividControls.pattern(device, "75% Colorbar");
            VividControls.set(device, "y_cbcr_encoding", 0, "quantization", 0);
        }
    }

    @Test
    void vividOffersTheListedFormats(@Driver("vivid") DeviceInfo single, @Driver(value = "vivid", instance = 1) DeviceInfo multi) {
        Set<String> converted = new TreeSet<>();
        for (DeviceInfo d : List.of(single, multi)) {
            try (V4l2Device dev = d.open()) {
                BufferQueue q = dev.captureQueue();
                dev.formats(q.type()).forEach(f -> {
                    if (FrameConverter.supports(f.pixelFormat())) converted.add(f.pixelFormat().fourcc());
                });
            }
        }
        // the formats the parameterized tests below go through: none missing from vivid
        for (String f : List.of("YUYV", "UYVY", "YVYU", "VYUY", "422P", "YU12", "YV12", "NV12", "NV21", "NV16", "NV61",
                "GREY", "Y16 ", "RGBP", "RGB3", "BGR3", "BX24", "XR24", "BA24", "AR24", "XB24", "RX24", "AB24", "RA24",
                "NM12", "NM21", "NM16", "NM61", "YM12", "YM21", "YM16", "YM61")) {
            assertTrue(converted.contains(f), f + " among " + converted);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"YUYV", "UYVY", "YVYU", "VYUY", "422P", "YU12", "YV12", "NV12", "NV21", "NV16", "NV61",
            "GREY", "Y16 ", "RGBP", "RGB3", "BGR3", "BX24", "XR24", "BA24", "AR24", "XB24", "RX24", "AB24", "RA24"})
    void singlePlanarFramesAgreeWithSwscale(String fourcc, @Driver("vivid") DeviceInfo info) throws Exception {
        check(info, fourcc, -1, -1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"NM12", "NM21", "NM16", "NM61", "YM12", "YM21", "YM16", "YM61"})
    void multiPlanarFramesAgreeWithSwscale(String fourcc, @Driver(value = "vivid", instance = 1) DeviceInfo info) throws Exception {
        check(info, fourcc, -1, -1);
    }

    /** vivid told to produce each encoding and range; the converter reads them from the format. */
    @ParameterizedTest(name = "{0} encoding {1} quantization {2}")
    @CsvSource({"YUYV,1,1", "YUYV,1,2", "YUYV,2,1", "YUYV,2,2", "YUYV,6,1", "YUYV,6,2", "YUYV,8,2",
            "NV12,2,2", "NV12,6,1", "YU12,2,1", "UYVY,6,2", "GREY,0,1"})
    void everyEncodingAndRangeVividProduces(String fourcc, int encoding, int quantization, @Driver("vivid") DeviceInfo info) throws Exception {
        check(info, fourcc, encoding, quantization);
    }

    /** Grey noise (every luma value, pixel by pixel), then colour squares (saturated colours, sharp chroma edges). */
    static final List<String> PATTERNS = List.of("Noise", "100% Color Squares");
    static final int[] LEAST_COLOURS = {50, 6};

    private void check(DeviceInfo info, String fourcc, int encoding, int quantization) throws Exception {
        device = info.path();
        VividControls.pictureDefaults(info);
        if (encoding >= 0) {
            VividControls.set(device, "y_cbcr_encoding", encoding, "quantization", quantization);
        }
        try (V4l2Device dev = info.open()) {
            BufferQueue q = dev.captureQueue();
            VideoFormat f = q.setFormat(W, H, PixelFormat.of(fourcc));
            assertEquals(fourcc, f.pixelFormat().fourcc());
            if (encoding > 0) assertEquals(encoding, f.ycbcrEncoding(), "vivid reports the encoding it was told");
            if (quantization > 0) assertEquals(quantization, f.quantization(), "vivid reports the range it was told");
            int[][] ours = new int[PATTERNS.size()][W * H];
            java.io.ByteArrayOutputStream refs = new java.io.ByteArrayOutputStream();
            String pixFmt = null;
            try (BufferSet set = q.allocate(2); Streaming s = set.start(); FrameConverter conv = FrameConverter.of(f)) {
                for (int p = 0; p < PATTERNS.size(); p++) {
                    VividControls.pattern(device, PATTERNS.get(p));
                    V4l2Buffer b = null;
                    for (int i = 0; i < 3; i++) {   // the pattern applies from the next generated frame
                        if (b != null) s.queue(b);
                        b = s.dequeue(10_000);
                        assertNotNull(b, "a frame within 10 s");
                    }
                    conv.toArgb(b, ours[p]);
                    Reference ref = reference(f, b);
                    pixFmt = ref.pixFmt;
                    refs.write(ref.data);
                    s.queue(b);
                }
                String matrix = switch (conv.encoding()) {
                    case BT601 -> "bt601";
                    case BT709 -> "bt709";
                    case BT2020 -> "bt2020";
                    case SMPTE240M -> "smpte240m";
                };
                boolean full = conv.quantization() == Quantization.FULL;
                // both frames through one ffmpeg run: a raw video of two frames
                byte[] rgb = SwscalePeer.toRgb24(refs.toByteArray(), pixFmt, W, H, matrix, full);
                assertEquals(PATTERNS.size() * W * H * 3, rgb.length, "swscale converted every frame");
                for (int p = 0; p < PATTERNS.size(); p++) {
                    byte[] theirs = java.util.Arrays.copyOfRange(rgb, p * W * H * 3, (p + 1) * W * H * 3);
                    int[] d = SwscalePeer.maxDifference(ours[p], theirs);
                    assertTrue(d[0] <= TOLERANCE, PATTERNS.get(p) + ", " + fourcc + " " + conv.encoding() + (full ? " full" : " limited")
                            + ": differs from swscale by " + d[0] + " at (" + (d[1] % W) + "," + (d[1] / W) + ")");
                    distinctColours(ours[p], fourcc + " " + PATTERNS.get(p), LEAST_COLOURS[p]);
                }
            }
        }
    }

    /** A converter that wrote one colour everywhere, or nothing, fails here. */
    private static void distinctColours(int[] argb, String what, int least) {
        Set<Integer> colours = new java.util.HashSet<>();
        for (int v : argb) colours.add(v);
        assertTrue(colours.size() >= least, what + ": only " + colours.size() + " colours");
    }

    record Reference(String pixFmt, byte[] data) {}

    /**
     * The frame in a layout ffmpeg reads, rows without padding: moved, never converted. Formats
     * ffmpeg has no name for are reordered into one it has (VYUY into UYVY, Cr-first planes into
     * Cb-first, 4:2:2 semi-planar into planar); luma-only frames become YUYV with neutral chroma,
     * because swscale copies grey to RGB whatever the range it is told.
     */
    static Reference reference(VideoFormat f, V4l2Buffer b) {
        String cc = f.pixelFormat().fourcc();
        int memPlanes = f.pixelFormat().memoryPlanes();
        List<byte[]> planes = new ArrayList<>();
        for (int p = 0; p < memPlanes; p++) {
            MemorySegment s = b.segment(p).asSlice(b.dataOffset(p), b.bytesUsed(p) - b.dataOffset(p));
            planes.add(s.toArray(JAVA_BYTE));
        }
        int s0 = f.planes().get(0).bytesPerLine();
        int cw = W / 2, ch420 = H / 2;
        switch (cc) {
            case "YUYV", "UYVY", "YVYU", "VYUY" -> {
                byte[] d = rows(planes.get(0), 0, s0, W * 2, H);
                if (cc.equals("VYUY")) {
                    for (int i = 0; i < d.length; i += 4) {
                        byte v = d[i];
                        d[i] = d[i + 2];
                        d[i + 2] = v;
                    }
                    return new Reference("uyvy422", d);
                }
                return new Reference(SwscalePeer.pixFmt(cc), d);
            }
            case "GREY", "Y16 " -> {
                boolean sixteen = cc.startsWith("Y16");
                byte[] y = rows(planes.get(0), 0, s0, W * (sixteen ? 2 : 1), H);
                byte[] d = new byte[W * H * 2];
                for (int i = 0; i < W * H; i++) {
                    d[2 * i] = sixteen ? y[2 * i + 1] : y[i];
                    d[2 * i + 1] = (byte) 128;
                }
                return new Reference("yuyv422", d);
            }
            case "NV12", "NV21", "NM12", "NM21", "NV16", "NV61", "NM16", "NM61" -> {
                boolean is420 = cc.contains("12") || cc.contains("21");
                boolean crFirst = cc.contains("21") || cc.contains("61");
                int ch = is420 ? ch420 : H;
                byte[] y = rows(planes.get(0), 0, s0, W, H);
                byte[] c = memPlanes == 1 ? rows(planes.get(0), (long) s0 * H, s0, W, ch)
                        : rows(planes.get(1), 0, f.planes().get(1).bytesPerLine(), W, ch);
                // to planar 4:2:0 or 4:2:2, Cb first
                byte[] d = new byte[W * H + 2 * cw * ch];
                System.arraycopy(y, 0, d, 0, W * H);
                for (int i = 0; i < cw * ch; i++) {
                    d[W * H + i] = c[2 * i + (crFirst ? 1 : 0)];
                    d[W * H + cw * ch + i] = c[2 * i + (crFirst ? 0 : 1)];
                }
                return new Reference(is420 ? "yuv420p" : "yuv422p", d);
            }
            case "YU12", "YV12", "422P", "YM12", "YM21", "YM16", "YM61" -> {
                boolean is420 = cc.contains("12") || cc.contains("21");
                boolean crFirst = cc.equals("YV12") || cc.equals("YM21") || cc.equals("YM61");
                int ch = is420 ? ch420 : H;
                byte[] y, c1, c2;
                if (memPlanes == 1) {
                    y = rows(planes.get(0), 0, s0, W, H);
                    c1 = rows(planes.get(0), (long) s0 * H, s0 / 2, cw, ch);
                    c2 = rows(planes.get(0), (long) s0 * H + (long) (s0 / 2) * ch, s0 / 2, cw, ch);
                } else {
                    y = rows(planes.get(0), 0, s0, W, H);
                    c1 = rows(planes.get(1), 0, f.planes().get(1).bytesPerLine(), cw, ch);
                    c2 = rows(planes.get(2), 0, f.planes().get(2).bytesPerLine(), cw, ch);
                }
                byte[] d = new byte[W * H + 2 * cw * ch];
                System.arraycopy(y, 0, d, 0, W * H);
                System.arraycopy(crFirst ? c2 : c1, 0, d, W * H, cw * ch);
                System.arraycopy(crFirst ? c1 : c2, 0, d, W * H + cw * ch, cw * ch);
                return new Reference(is420 ? "yuv420p" : "yuv422p", d);
            }
            default -> {   // packed RGB
                int bpp = switch (cc) { case "RGBP" -> 2; case "RGB3", "BGR3" -> 3; default -> 4; };
                return new Reference(SwscalePeer.pixFmt(cc), rows(planes.get(0), 0, s0, W * bpp, H));
            }
        }
    }

    private static byte[] rows(byte[] src, long offset, int stride, int rowBytes, int rows) {
        byte[] d = new byte[rowBytes * rows];
        for (int r = 0; r < rows; r++) System.arraycopy(src, (int) (offset + (long) r * stride), d, r * rowBytes, rowBytes);
        return d;
    }
}
