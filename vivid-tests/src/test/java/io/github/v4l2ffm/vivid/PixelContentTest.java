package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Sets vivid's test pattern to solid colours and checks every pixel of captured frames, in a
 * YUV and two RGB formats.
 */
@WithV4l2Drivers(vivid = @Vivid)
class PixelContentTest {

    static Stream<Arguments> cases() {
        return Stream.of("YUYV", "RGB3", "BX24").flatMap(f -> Stream.of(
                Arguments.of(f, "100% Red", new int[]{255, 0, 0}),
                Arguments.of(f, "100% Green", new int[]{0, 255, 0}),
                Arguments.of(f, "100% Blue", new int[]{0, 0, 255}),
                Arguments.of(f, "100% White", new int[]{255, 255, 255})));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void solidColourFramesHoldThatColour(String fourcc, String pattern, int[] rgb, @Driver("vivid") DeviceInfo info) throws Exception {
        VividErrors.defaultPicture(info); // brightness and contrast as other classes may have left them would change the colours
        VividControls.pattern(info.path(), pattern);
        try (V4l2Device dev = info.open()) {
            BufferQueue q = dev.captureQueue();
            VideoFormat f = q.setFormat(160, 120, PixelFormat.of(fourcc));
            assertEquals(fourcc, f.pixelFormat().fourcc());
            try (BufferSet set = q.allocate(2); Streaming s = set.start()) {
                // the pattern change applies from the next generated frame: check the third
                V4l2Buffer b = null;
                for (int i = 0; i < 3; i++) {
                    if (b != null) s.queue(b);
                    b = s.dequeue(10_000);
                    assertNotNull(b);
                }
                checkSolid(f, b.segment(0), b.bytesUsed(0), rgb, pattern);
            }
        } finally {
            VividControls.pattern(info.path(), "75% Colorbar");
        }
    }

    /** Every pixel of the frame converts to {@code rgb} within a small tolerance. */
    static void checkSolid(VideoFormat f, MemorySegment data, int bytesUsed, int[] rgb, String what) {
        assertEquals(f.sizeImage(), bytesUsed);
        int w = f.width(), h = f.height(), stride = f.bytesPerLine();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] px = pixel(f.pixelFormat().fourcc(), data, y * (long) stride, x);
                for (int c = 0; c < 3; c++) {
                    if (Math.abs(px[c] - rgb[c]) > 6) {
                        fail(what + " in " + f.pixelFormat() + ": pixel (" + x + "," + y + ") is RGB "
                                + px[0] + "," + px[1] + "," + px[2] + ", expected " + rgb[0] + "," + rgb[1] + "," + rgb[2]);
                    }
                }
            }
        }
        assertTrue(w > 0 && h > 0);
    }

    static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xff;
    }

    static int[] pixel(String fourcc, MemorySegment s, long line, int x) {
        return switch (fourcc) {
            case "RGB3" -> new int[]{u8(s, line + 3L * x), u8(s, line + 3L * x + 1), u8(s, line + 3L * x + 2)};
            case "BX24" -> new int[]{u8(s, line + 4L * x + 1), u8(s, line + 4L * x + 2), u8(s, line + 4L * x + 3)}; // X R G B
            case "YUYV" -> {
                long pair = line + 4L * (x / 2);
                int yv = u8(s, pair + (x % 2 == 0 ? 0 : 2)), u = u8(s, pair + 1), v = u8(s, pair + 3);
                yield yuvToRgb(yv, u, v);
            }
            default -> throw new IllegalArgumentException(fourcc);
        };
    }

    /** BT.601 limited range, what vivid's webcam input (sRGB colorspace) produces for YUV formats. */
    static int[] yuvToRgb(int y, int u, int v) {
        double c = 1.164 * (y - 16), d = u - 128, e = v - 128;
        return new int[]{clamp(c + 1.596 * e), clamp(c - 0.392 * d - 0.813 * e), clamp(c + 2.017 * d)};
    }

    static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }
}
