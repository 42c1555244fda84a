package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.Camera;
import io.github.v4l2ffm.UsbIdentity;
import io.github.v4l2ffm.UvcMetadata;
import io.github.v4l2ffm.Cid;
import io.github.v4l2ffm.DeviceGoneException;
import io.github.v4l2ffm.FormatDescription;
import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.FrameInterval;
import io.github.v4l2ffm.FrameSize;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Exception;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.softcam.CameraSpec;
import io.github.v4l2ffm.softcam.ControlRequest;
import io.github.v4l2ffm.softcam.FramePattern;
import io.github.v4l2ffm.softcam.SoftwareCamera;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library on the kernel's own uvcvideo driver, serving a software UVC camera plugged in over
 * USB/IP: formats, frames (YUYV and MJPEG, every frame's number checked), controls arriving at the
 * camera as UVC requests, a stalled control, a truncated frame, two cameras, unplug while
 * streaming.
 */
@ExtendWith(NothingLeaks.class)
class UsbCameraTest {
    private static final Duration ENUMERATION = Duration.ofSeconds(60);
    @BeforeAll
    static void modules() {
        SoftwareCamera.loadModules();
    }

    private static int serial;

    private static SoftwareCamera plug() {
        return SoftwareCamera.plug(CameraSpec.webcam("softcam-" + ProcessHandle.current().pid() + "-" + serial++));
    }

    @Test
    void uvcvideoServesTheCameraWithItsFormatsSizesAndIntervals() throws Exception {
        try (SoftwareCamera cam = plug()) {
            Path node = cam.awaitNode(ENUMERATION);
            try (V4l2Device dev = V4l2Device.open(node)) {
                assertEquals("uvcvideo", dev.capabilities().driver());
                assertTrue(dev.capabilities().card().startsWith("v4l2-ffm software camera"), dev.capabilities().card());
                List<FormatDescription> formats = dev.formats(dev.captureQueue().type());
                assertEquals(List.of(PixelFormat.YUYV, PixelFormat.MJPEG), formats.stream().map(FormatDescription::pixelFormat).toList());
                assertTrue(formats.get(1).isCompressed());
                assertEquals(List.of(new FrameSize.Discrete(160, 120), new FrameSize.Discrete(320, 240)), dev.frameSizes(PixelFormat.YUYV));
                assertEquals(List.of(new FrameSize.Discrete(320, 240), new FrameSize.Discrete(640, 480)), dev.frameSizes(PixelFormat.MJPEG));
                assertEquals(List.of(new FrameInterval.Discrete(new Fraction(1, 30)), new FrameInterval.Discrete(new Fraction(1, 15))),
                        dev.frameIntervals(PixelFormat.YUYV, 160, 120));
                // and v4l2-ctl sees the same
                String listing = V4l2Ctl.run("-d", node.toString(), "--list-formats-ext");
                assertTrue(listing.contains("'YUYV'") && listing.contains("'MJPG'") && listing.contains("Size: Discrete 640x480")
                        && listing.contains("0.067s (15.000 fps)"), listing);
            }
        }
    }

    @Test
    void theControlsMatchV4l2Ctl() throws Exception {
        try (SoftwareCamera cam = plug()) {
            Path node = cam.awaitNode(ENUMERATION);
            io.github.v4l2ffm.DeviceInfo info;
            try (V4l2Device dev = V4l2Device.open(node)) {
                info = new io.github.v4l2ffm.DeviceInfo(node, dev.capabilities());
            }
            int compared = ControlsMatchV4l2CtlTest.compare(info);
            assertTrue(compared >= 9, "uvcvideo maps the camera's 9 UVC controls: " + compared + " compared");
        }
    }

    @Test
    void aDroppedFrameIsAGapOfOneAndAPausedCameraTimesOut() {
        try (SoftwareCamera cam = plug(); V4l2Device dev = V4l2Device.open(cam.awaitNode(ENUMERATION))) {
            VideoFormat f = dev.captureQueue().setFormat(160, 120, PixelFormat.YUYV);
            try (BufferSet set = dev.captureQueue().allocate(4); Streaming s = set.start()) {
                List<Integer> numbers = new ArrayList<>(), sequences = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    if (i == 4) cam.dropNextFrame();
                    V4l2Buffer b = s.dequeue(10_000);
                    assertNotNull(b);
                    numbers.add(FramePattern.numberFromYuyv(b.segment(0), f.bytesPerLine()));
                    sequences.add(b.sequence());
                    s.queue(b);
                }
                int neverSent = 0;
                for (int i = 1; i < numbers.size(); i++) {
                    // a number the camera never sent is a gap uvcvideo cannot see; one it had no buffer for, it counts
                    int unseen = (numbers.get(i) - numbers.get(i - 1)) - (sequences.get(i) - sequences.get(i - 1));
                    assertTrue(unseen == 0 || unseen == 1, "numbers " + numbers + ", sequence " + sequences);
                    neverSent += unseen;
                }
                assertEquals(1, neverSent, "exactly one frame was never sent: numbers " + numbers + ", sequence " + sequences);
                cam.pause();
                for (int i = 0; i < 4; i++) { // what was under way drains, then nothing comes
                    V4l2Buffer b = s.dequeue(700);
                    if (b == null) break;
                    s.queue(b);
                }
                assertEquals(null, s.dequeue(700), "a paused camera sends nothing: the wait times out");
                cam.resume();
                V4l2Buffer b = s.dequeue(10_000);
                assertNotNull(b, "frames come again after resume");
                s.queue(b);
            }
        }
    }

    /**
     * Captures {@code count} frames and checks their numbers: each follows the one before, and
     * where a frame is missing (uvcvideo had no free buffer when it came: the guest descheduled
     * the test thread) uvcvideo's sequence numbers show the same gap, as it counts every frame the
     * camera sent. So nothing is lost unreported between the camera and the application. Gaps may
     * be one, or 5% of {@code count} where that is more.
     */
    static List<Integer> capture(V4l2Device dev, PixelFormat pf, int w, int h, int count) {
        VideoFormat f = dev.captureQueue().setFormat(w, h, pf);
        assertEquals(pf, f.pixelFormat());
        assertEquals(w, f.width());
        dev.setFrameInterval(dev.captureQueue().type(), new Fraction(1, 30));
        List<Integer> numbers = new ArrayList<>();
        List<Integer> sequences = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        try (BufferSet set = dev.captureQueue().allocate(8); Streaming s = set.start()) {
            for (int i = 0; i < count; i++) {
                V4l2Buffer b = s.dequeue(10_000);
                assertNotNull(b, "frame " + i);
                assertFalse(b.isError(), "frame " + i + " flagged ERROR");
                int n = pf.equals(PixelFormat.YUYV)
                        ? FramePattern.numberFromYuyv(b.segment(0), f.bytesPerLine())
                        : FramePattern.numberFromImage(FramePattern.decodeMjpeg(b.segment(0).asSlice(0, b.bytesUsed(0)).toArray(ValueLayout.JAVA_BYTE)));
                if (pf.equals(PixelFormat.YUYV)) assertEquals(f.sizeImage(), b.bytesUsed(0));
                numbers.add(n);
                sequences.add(b.sequence());
                sizes.add(b.bytesUsed(0));
                s.queue(b);
            }
        }
        int gaps = 0;
        for (int i = 1; i < numbers.size(); i++) {
            int numberStep = (numbers.get(i) - numbers.get(i - 1)) & 0xffff, sequenceStep = sequences.get(i) - sequences.get(i - 1);
            assertEquals(sequenceStep, numberStep, "frame " + i + ": the camera's numbers " + numbers + " and uvcvideo's sequence "
                    + sequences + " disagree: a frame was lost without a sequence gap, or repeated");
            if (numberStep != 1) gaps++;
        }
        if (gaps > 0) System.out.printf("capture %s %dx%d: %d frames missing, each shown by uvcvideo's sequence%n", pf, w, h, gaps);
        // one hiccup is allowed however short the capture (the first frames go through code not
        // compiled yet, on an emulated CPU that another VM shares): a gap of one frame after
        // the first eight, reported by the sequence, was seen on a loaded machine
        assertTrue(gaps <= Math.max(1, count / 20), "more than one gap, or more than 5% of the frames missing: " + numbers);
        if (pf.equals(PixelFormat.MJPEG)) {
            assertTrue(sizes.stream().distinct().count() > 1, "MJPEG frames vary in size as the camera sent them: " + sizes);
        }
        return numbers;
    }

    @Test
    void hundredYuyvAndHundredMjpegFramesInOrder() {
        try (SoftwareCamera cam = plug(); V4l2Device dev = V4l2Device.open(cam.awaitNode(ENUMERATION))) {
            capture(dev, PixelFormat.YUYV, 160, 120, 100);
            capture(dev, PixelFormat.MJPEG, 320, 240, 100);
        }
    }

    @Test
    void controlsArriveAtTheCameraAsUvcRequests() {
        try (SoftwareCamera cam = plug(); V4l2Device dev = V4l2Device.open(cam.awaitNode(ENUMERATION))) {
            assertEquals(10, dev.controls().set(Cid.BRIGHTNESS, 10).actual());
            assertEquals(70, dev.controls().set(Cid.CONTRAST, 70).actual());
            assertEquals(2, dev.controls().set(Cid.POWER_LINE_FREQUENCY, 2).actual());
            List<ControlRequest> r = cam.controlRequests();
            assertTrue(r.contains(new ControlRequest("brightness", 2, 0x02, 10, true)), r.toString());
            assertTrue(r.contains(new ControlRequest("contrast", 2, 0x03, 70, true)), r.toString());
            assertTrue(r.contains(new ControlRequest("power line frequency", 2, 0x05, 2, true)), r.toString());
            assertEquals(10, cam.controlValue("brightness"));
            assertEquals(-64, dev.controls().info(Cid.BRIGHTNESS).minimum());
            assertEquals(64, dev.controls().info(Cid.BRIGHTNESS).maximum());
        }
    }

    @Test
    void aStalledControlRequestIsAnExceptionNamingTheControl() {
        try (SoftwareCamera cam = plug(); V4l2Device dev = V4l2Device.open(cam.awaitNode(ENUMERATION))) {
            cam.stallControls(4); // "out of range"
            V4l2Exception e = assertThrows(V4l2Exception.class, () -> dev.controls().set(Cid.SATURATION, 50));
            assertTrue(e.getMessage().contains("Saturation"), e.getMessage());
            cam.stallControls(0);
            assertEquals(50, dev.controls().set(Cid.SATURATION, 50).actual(), "the camera answers again");
        }
    }

    @Test
    void aTruncatedFrameComesFlaggedAndTheStreamGoesOn() {
        try (SoftwareCamera cam = plug(); V4l2Device dev = V4l2Device.open(cam.awaitNode(ENUMERATION))) {
            VideoFormat f = dev.captureQueue().setFormat(160, 120, PixelFormat.YUYV);
            try (BufferSet set = dev.captureQueue().allocate(4); Streaming s = set.start()) {
                V4l2Buffer first = s.dequeue(10_000);
                assertNotNull(first);
                s.queue(first);
                cam.truncateNextFrame();
                boolean flagged = false;
                for (int i = 0; i < 10 && !flagged; i++) {
                    V4l2Buffer b = s.dequeue(10_000);
                    assertNotNull(b);
                    flagged = b.isError();
                    if (flagged) assertTrue(b.bytesUsed(0) < f.sizeImage(), "the truncated frame holds " + b.bytesUsed(0));
                    s.queue(b);
                }
                assertTrue(flagged, "the truncated frame came flagged V4L2_BUF_FLAG_ERROR");
                V4l2Buffer next = s.dequeue(10_000);
                assertNotNull(next, "the stream goes on");
                assertFalse(next.isError());
                assertEquals(f.sizeImage(), next.bytesUsed(0));
                s.queue(next);
            }
        }
    }

    @Test
    void theMetadataNodeCarriesTheCamerasPayloadHeaders() {
        try (SoftwareCamera cam = plug()) {
            Path node = cam.awaitNode(ENUMERATION);
            Camera camera = Camera.find(new UsbIdentity.Match(0x1209, 0x0001, cam.spec().serial())).orElseThrow();
            try (V4l2Device video = V4l2Device.open(node); V4l2Device meta = V4l2Device.open(camera.metadataNode().orElseThrow())) {
                assertTrue(meta.capabilities().deviceCaps().contains(io.github.v4l2ffm.Capability.META_CAPTURE), meta.capabilities().toString());
                VideoFormat mf = meta.metadataQueue().format();
                assertEquals(PixelFormat.UVC_METADATA, mf.pixelFormat());
                assertTrue(mf.sizeImage() > 0);
                video.captureQueue().setFormat(160, 120, PixelFormat.YUYV);
                try (BufferSet ms = meta.metadataQueue().allocate(4); Streaming m = ms.start();
                     BufferSet vs = video.captureQueue().allocate(4); Streaming v = vs.start()) {
                    List<UvcMetadata.Block> blocks = new ArrayList<>();
                    for (int i = 0; i < 5; i++) {
                        V4l2Buffer frame = v.dequeue(10_000);
                        assertNotNull(frame);
                        v.queue(frame);
                        V4l2Buffer mb = m.dequeue(10_000);
                        assertNotNull(mb, "metadata for frame " + i);
                        blocks.addAll(UvcMetadata.parse(mb.segment(0), mb.bytesUsed(0)));
                        m.queue(mb);
                    }
                    assertFalse(blocks.isEmpty());
                    for (UvcMetadata.Block b : blocks) {
                        assertEquals(UvcMetadata.PTS | UvcMetadata.SCR, b.headerInfo() & (UvcMetadata.PTS | UvcMetadata.SCR), b.toString());
                        assertTrue(b.pts() >= 0 && b.scrStc() >= 0, b.toString());
                    }
                    for (int i = 1; i < blocks.size(); i++) {
                        assertTrue(blocks.get(i).timestampNanos() >= blocks.get(i - 1).timestampNanos(), "arrival times in order");
                    }
                }
            }
        }
    }

    @Test
    void twoCamerasAtOnce() {
        try (SoftwareCamera a = plug(); SoftwareCamera b = plug()) {
            Path na = a.awaitNode(ENUMERATION), nb = b.awaitNode(ENUMERATION);
            assertFalse(na.equals(nb));
            try (V4l2Device da = V4l2Device.open(na); V4l2Device db = V4l2Device.open(nb)) {
                capture(da, PixelFormat.YUYV, 160, 120, 10);
                capture(db, PixelFormat.YUYV, 160, 120, 10);
            }
        }
    }

    @Test
    void unplugWhileStreamingWakesTheWaiterAndTheNodeDisappears() throws Exception {
        try (SoftwareCamera cam = plug()) {
            Path node = cam.awaitNode(ENUMERATION);
            V4l2Device dev = V4l2Device.open(node);
            try {
                dev.captureQueue().setFormat(160, 120, PixelFormat.YUYV);
                BufferSet set = dev.captureQueue().allocate(4);
                Streaming s = set.start();
                assertNotNull(s.dequeue(10_000));
                CompletableFuture<Void> loop = CompletableFuture.runAsync(() -> {
                    while (true) s.queue(s.dequeue(Streaming.FOREVER));
                }, Threads.NEW_THREAD_EACH);
                Thread.sleep(300);
                long t0 = System.nanoTime();
                cam.unplug();
                ExecutionException e = assertThrows(ExecutionException.class, () -> loop.get(10, TimeUnit.SECONDS));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf("uvcvideo unplug: the waiting dequeue woke %d ms after the detach with %s%n", ms, e.getCause());
                assertInstanceOf(DeviceGoneException.class, e.getCause());
                assertThrows(DeviceGoneException.class, () -> s.dequeue(0));
            } finally {
                dev.close();
            }
            for (int i = 0; i < 100 && Files.exists(node); i++) Thread.sleep(50);
            assertFalse(Files.exists(node), node + " is gone with the camera");
            // replug: the same camera comes back
            cam.replug();
            try (V4l2Device again = V4l2Device.open(cam.awaitNode(ENUMERATION))) {
                capture(again, PixelFormat.YUYV, 160, 120, 5);
            }
        }
    }
}
