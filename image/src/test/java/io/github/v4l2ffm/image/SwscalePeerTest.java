package io.github.v4l2ffm.image;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference itself: libswscale called in this JVM gives the ffmpeg program's bytes, for
 * every layout the tests hand it (but nv16, which ffmpeg cannot write as a test picture; the
 * device tests hand it over as yuv422p), every matrix and both ranges.
 */
class SwscalePeerTest {
    static final int W = 64, H = 36;

    @BeforeAll
    static void bothAreThere() {
        assertTrue(SwscalePeer.available(), "ffmpeg on the PATH (vivid-tests/lab/lab.sh install-deps installs it)");
        assertTrue(SwscalePeer.inProcess(), "libswscale and libavutil load in this JVM (Debian's ffmpeg depends on them)");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"yuyv422", "uyvy422", "yvyu422", "nv12", "nv21", "yuv420p", "yuv422p", "rgb24", "bgr24",
            "rgb565le", "0rgb", "bgr0", "rgb0", "0bgr", "gray", "gray16le"})
    void inThisJvmAsTheFfmpegProgram(String pixFmt) {
        byte[] frame = SwscalePeer.testFrame(pixFmt, W, H);
        for (String matrix : new String[] {"bt601", "bt709", "bt2020", "smpte240m"}) {
            for (boolean full : new boolean[] {false, true}) {
                byte[] ours = SwscalePeer.toRgb24(frame, pixFmt, W, H, matrix, full);
                byte[] program = SwscalePeer.toRgb24ByFfmpeg(frame, pixFmt, W, H, matrix, full);
                assertEquals(W * H * 3, ours.length);
                assertArrayEquals(program, ours, pixFmt + " " + matrix + (full ? " full" : " limited"));
            }
        }
        // a raw video of two frames, the second the first's bytes reversed
        byte[] two = java.util.Arrays.copyOf(frame, 2 * frame.length);
        for (int i = 0; i < frame.length; i++) two[frame.length + i] = frame[frame.length - 1 - i];
        assertArrayEquals(SwscalePeer.toRgb24ByFfmpeg(two, pixFmt, W, H, "bt709", false), SwscalePeer.toRgb24(two, pixFmt, W, H, "bt709", false),
                pixFmt + ", two frames");
    }

    @Test
    void aWrongSizeIsRefused() {
        byte[] frame = SwscalePeer.testFrame("yuyv422", W, H);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SwscalePeer.toRgb24(java.util.Arrays.copyOf(frame, frame.length - 2), "yuyv422", W, H, "bt601", false));
        assertTrue(e.getMessage().contains("bytes a frame"), e.getMessage());
    }
}
