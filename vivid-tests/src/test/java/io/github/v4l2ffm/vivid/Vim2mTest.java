package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.Cid;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Vim2m;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * vim2m as a mem-to-mem session: one file, an OUTPUT queue fed with known RGB24 frames, a
 * CAPTURE queue returning them converted (and flipped); every byte is compared with a reference
 * conversion written here from vim2m's documented arithmetic.
 */
@WithV4l2Drivers(vim2m = @Vim2m)
class Vim2mTest {
    static final int W = 320, H = 240;

    static Stream<Arguments> cases() {
        return Stream.of("RGB3", "BGR3", "RGBP", "YUYV").flatMap(f -> Stream.of(
                Arguments.of(f, false, false), Arguments.of(f, true, false), Arguments.of(f, false, true), Arguments.of(f, true, true)));
    }

    /**
     * {@code format()} answers each queue's own format whichever queue was asked before: the
     * library reuses one argument for every {@code VIDIOC_G_FMT} of a device without clearing it
     * (the kernel clears the answer itself), so an answer must not keep bytes of the last one.
     */
    @Test
    void formatAnswersKeepToTheirQueue(@Driver("vim2m") V4l2Device m2m) {
        VideoFormat in = m2m.outputQueue().setFormat(640, 480, PixelFormat.RGB24);
        VideoFormat out = m2m.captureQueue().setFormat(W, H, PixelFormat.YUYV);
        assertNotEquals(in, out);
        assertEquals("RGB3", in.pixelFormat().fourcc());
        assertEquals("YUYV", out.pixelFormat().fourcc());
        for (int i = 0; i < 3; i++) {
            assertEquals(in, m2m.outputQueue().format(), "the OUTPUT queue's format, asked after the CAPTURE queue's");
            assertEquals(out, m2m.captureQueue().format(), "the CAPTURE queue's format, asked after the OUTPUT queue's");
        }
        VideoFormat tried = m2m.tryFormat(out.withSize(64, 48).withPixelFormat(PixelFormat.RGB24));
        assertEquals("RGB3", tried.pixelFormat().fourcc());
        assertEquals(out, m2m.captureQueue().format(), "TRY_FMT changes nothing, nor does its answer show in G_FMT's");
    }

    @ParameterizedTest(name = "RGB3 -> {0}, hflip={1}, vflip={2}")
    @MethodSource("cases")
    void convertsPixelForPixel(String to, boolean hflip, boolean vflip, @Driver("vim2m") V4l2Device m2m) {
        byte[] input = new byte[W * H * 3];
        for (int i = 0; i < input.length; i++) input[i] = (byte) (i * 7 + (i / (W * 3)) * 13);
        m2m.controls().set(m2m.controls().find("transaction_time_msec").orElseThrow().id(), 1);
        m2m.controls().set(Cid.HFLIP, hflip ? 1 : 0);
        m2m.controls().set(Cid.VFLIP, vflip ? 1 : 0);
        VideoFormat in = m2m.outputQueue().setFormat(W, H, PixelFormat.RGB24);
        VideoFormat out = m2m.captureQueue().setFormat(W, H, PixelFormat.of(to));
        assertEquals(W * H * 3, in.sizeImage());
        assertEquals(to, out.pixelFormat().fourcc());
        try (BufferSet src = m2m.outputQueue().allocate(1); BufferSet dst = m2m.captureQueue().allocate(1);
             Streaming os = src.start(); Streaming cs = dst.start()) {
            V4l2Buffer b = src.buffer(0);
            MemorySegment.copy(input, 0, b.segment(0), ValueLayout.JAVA_BYTE, 0, input.length);
            b.setBytesUsed(0, input.length);
            os.queue(b);
            V4l2Buffer result = cs.dequeue(10_000);
            assertNotNull(result, "vim2m returned nothing");
            assertEquals(out.sizeImage(), result.bytesUsed(0));
            byte[] expected = reference(input, to, hflip, vflip);
            byte[] actual = result.segment(0).asSlice(0, expected.length).toArray(ValueLayout.JAVA_BYTE);
            for (int i = 0; i < expected.length; i++) {
                if (expected[i] != actual[i]) {
                    int bpp = expected.length / (W * H);
                    fail(to + ": byte " + i + " (pixel " + (i / bpp) % W + "," + i / bpp / W + ") is " + (actual[i] & 0xff)
                            + ", the reference says " + (expected[i] & 0xff));
                }
            }
            assertNotNull(os.dequeue(10_000), "the source buffer came back");
        }
    }

    /** vim2m's conversion: output pixel (x, y) comes from input (flipped) pixel, converted per format. */
    static byte[] reference(byte[] rgb, String to, boolean hflip, boolean vflip) {
        int bpp = switch (to) { case "RGBP", "YUYV" -> 2; default -> 3; };
        byte[] out = new byte[W * H * bpp];
        for (int y = 0; y < H; y++) {
            int sy = vflip ? H - 1 - y : y;
            for (int x = 0; x < W; x += 2) {
                int[][] p = new int[2][];
                for (int k = 0; k < 2; k++) {
                    int sx = hflip ? W - 1 - (x + k) : x + k;
                    int o = (sy * W + sx) * 3;
                    p[k] = new int[]{rgb[o] & 0xff, rgb[o + 1] & 0xff, rgb[o + 2] & 0xff};
                }
                int o = (y * W + x) * bpp;
                switch (to) {
                    case "RGB3" -> { for (int k = 0; k < 2; k++) for (int c = 0; c < 3; c++) out[o + 3 * k + c] = (byte) p[k][c]; }
                    case "BGR3" -> { for (int k = 0; k < 2; k++) for (int c = 0; c < 3; c++) out[o + 3 * k + c] = (byte) p[k][2 - c]; }
                    case "RGBP" -> {
                        // vim2m 6.12 writes the pair's first pixel twice in RGB565 (its loop does not
                        // advance to the second pixel): the reference does the same
                        for (int k = 0; k < 2; k++) {
                            int pix = ((p[0][0] << 8) & 0xf800) | ((p[0][1] << 3) & 0x07e0) | (p[0][2] >> 3);
                            out[o + 2 * k] = (byte) pix;
                            out[o + 2 * k + 1] = (byte) (pix >> 8);
                        }
                    }
                    default -> { // YUYV: U and V from the first pixel of the pair
                        int r = p[0][0], g = p[0][1], b = p[0][2];
                        out[o] = (byte) ((8453 * r + 16594 * g + 3223 * b + 524288) >> 15);
                        out[o + 1] = (byte) ((-4878 * r - 9578 * g + 14456 * b + 4210688) >> 15);
                        out[o + 2] = (byte) ((8453 * p[1][0] + 16594 * p[1][1] + 3223 * p[1][2] + 524288) >> 15);
                        out[o + 3] = (byte) ((14456 * r - 12105 * g - 2351 * b + 4210688) >> 15);
                    }
                }
            }
        }
        return out;
    }
}
