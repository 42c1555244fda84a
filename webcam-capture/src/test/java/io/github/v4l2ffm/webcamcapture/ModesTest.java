package io.github.v4l2ffm.webcamcapture;

import io.github.v4l2ffm.BufferType;
import io.github.v4l2ffm.FormatDescription;
import io.github.v4l2ffm.FrameSize;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.VideoFormat;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which sizes are offered, and in which pixel format, from what drivers report. */
class ModesTest {
    private static FormatDescription fmt(int i, String fourcc, boolean compressed) {
        return new FormatDescription(i, BufferType.VIDEO_CAPTURE, PixelFormat.of(fourcc), fourcc,
                compressed ? FormatDescription.FLAG_COMPRESSED : 0, 0);
    }

    private static FrameSize.Discrete d(int w, int h) {
        return new FrameSize.Discrete(w, h);
    }

    @Test
    void uncompressedSizesComeUncompressedAndTheRestAsMjpeg() {
        // a typical webcam (and the software camera): MJPEG listed first, YUYV only up to 320x240
        List<FormatDescription> formats = List.of(fmt(0, "MJPG", true), fmt(1, "YUYV", false), fmt(2, "H264", true));
        Map<PixelFormat, List<FrameSize>> sizes = new LinkedHashMap<>();
        sizes.put(PixelFormat.MJPEG, List.of(d(320, 240), d(640, 480), d(1920, 1080)));
        sizes.put(PixelFormat.YUYV, List.of(d(160, 120), d(320, 240)));
        Modes m = Modes.of(formats, sizes, null);
        assertEquals(List.of(new Modes.Mode(160, 120, PixelFormat.YUYV), new Modes.Mode(320, 240, PixelFormat.YUYV),
                new Modes.Mode(640, 480, PixelFormat.MJPEG), new Modes.Mode(1920, 1080, PixelFormat.MJPEG)), m.list());
        assertEquals(PixelFormat.YUYV, m.formatFor(320, 240));
        assertEquals(PixelFormat.MJPEG, m.formatFor(1920, 1080));
        assertEquals(PixelFormat.YUYV, m.formatFor(333, 222), "an unknown size: the first uncompressed format, the driver adjusts");
    }

    @Test
    void theDriversOrderDecidesAmongUncompressedFormatsAndUnconvertibleOnesAreLeftOut() {
        List<FormatDescription> formats = List.of(fmt(0, "SBGG", false), fmt(1, "NV12", false), fmt(2, "YUYV", false));
        Map<PixelFormat, List<FrameSize>> sizes = new LinkedHashMap<>();
        sizes.put(PixelFormat.of("NV12"), List.of(d(640, 480)));
        sizes.put(PixelFormat.YUYV, List.of(d(640, 480), d(1280, 720)));
        Modes m = Modes.of(formats, sizes, null);
        assertEquals(List.of(new Modes.Mode(640, 480, PixelFormat.of("NV12")), new Modes.Mode(1280, 720, PixelFormat.YUYV)), m.list());
    }

    @Test
    void rangesOfferTheStandardSizesInThemAndTheirLargest() {
        List<FormatDescription> formats = List.of(fmt(0, "RGB3", false));
        var range = new FrameSize.Stepwise(16, 1000, 2, 16, 700, 2, false);
        Modes m = Modes.of(formats, Map.of(PixelFormat.of("RGB3"), List.of(range)), null);
        List<String> sizes = m.list().stream().map(x -> x.width() + "x" + x.height()).toList();
        assertEquals("176x144", sizes.getFirst());
        assertEquals("1000x700", sizes.getLast());
        assertTrue(sizes.contains("640x480") && sizes.contains("800x600") && !sizes.contains("1024x768"), sizes.toString());
        assertEquals(PixelFormat.of("RGB3"), m.formatFor(500, 300), "a custom size inside the range");
    }

    @Test
    void aFormatWithoutListedSizesOffersTheCurrentOne() {
        VideoFormat current = VideoFormat.of(BufferType.VIDEO_CAPTURE, 720, 576, PixelFormat.of("UYVY"));
        Modes m = Modes.of(List.of(fmt(0, "UYVY", false)), Map.of(PixelFormat.of("UYVY"), List.of()), current);
        assertEquals(List.of(new Modes.Mode(720, 576, PixelFormat.of("UYVY"))), m.list());
        assertTrue(Modes.of(List.of(fmt(0, "H264", true)), Map.of(), null).isEmpty());
    }
}
