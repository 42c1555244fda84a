package io.github.v4l2ffm.vivid;

import com.github.sarxos.webcam.Webcam;
import com.github.sarxos.webcam.WebcamDiscoveryEvent;
import com.github.sarxos.webcam.WebcamDiscoveryListener;
import com.github.sarxos.webcam.WebcamException;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.Cid;
import io.github.v4l2ffm.Controls;
import io.github.v4l2ffm.DeviceBusyException;
import io.github.v4l2ffm.DeviceGoneException;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Planes;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import io.github.v4l2ffm.softcam.FramePattern;
import io.github.v4l2ffm.softcam.SoftwareCamera;
import io.github.v4l2ffm.softcam.WithSoftwareCamera;
import io.github.v4l2ffm.webcamcapture.V4l2Driver;
import io.github.v4l2ffm.webcamcapture.V4l2WebcamDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.awt.Dimension;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * sarxos' webcam-capture on {@link V4l2Driver}, driven only through webcam-capture's own API
 * ({@code Webcam.setDriver}, {@code getWebcams}, {@code setViewSize}, {@code open},
 * {@code getImage}, {@code getImageBytes}, {@code close}, discovery listeners), against vivid
 * (its colour bars at known positions, single- and multi-planar, a busy camera) and against the
 * software USB camera served by uvcvideo (frame numbers in order, the newest frame, MJPEG, unplug
 * while open, hot-plug). Descriptors and mappings are counted back, and no BridJ library is ever
 * mapped although BridJ is on the class path.
 */
@WithV4l2Drivers(vivid = {@Vivid, @Vivid(planes = Planes.MULTI)})
@ExtendWith(NothingLeaks.class)
class WebcamCaptureDriverTest {
    private static final Duration ENUMERATION = Duration.ofSeconds(60);
    /** Short, so that resetDriver() (which waits out a scan) returns quickly. */
    private static final Duration SCAN = Duration.ofMillis(200);

    @AfterEach
    void resetAndCheckNoBridj() throws IOException {
        Webcam.resetDriver(); // stops discovery and disposes its webcams
        assertNotNull(getClass().getClassLoader().getResource("org/bridj/BridJ.class"), "BridJ is on the class path");
        assertFalse(Files.readString(Path.of("/proc/self/maps")).toLowerCase().contains("bridj"), "a BridJ library was loaded");
    }

    private static Webcam webcamAt(Path node) {
        List<Webcam> all = Webcam.getWebcams();
        return all.stream().filter(w -> w.getName().endsWith(" " + node)).findFirst()
                .orElseThrow(() -> new AssertionError("no webcam at " + node + " in " + all));
    }

    private static List<String> sizes(Webcam w) {
        return Arrays.stream(w.getViewSizes()).map(d -> d.width + "x" + d.height).toList();
    }

    // ---- vivid ----

    @Test
    void captureNodesAreListedWithNamesAndTheirSizes(@Driver("vivid") DeviceInfo single,
                                                     @Driver(value = "vivid", instance = 1) DeviceInfo multi) throws Exception {
        Webcam.setDriver(new V4l2Driver(SCAN));
        List<Webcam> all = Webcam.getWebcams();
        System.out.println("webcams: " + all);
        Webcam w = webcamAt(single.path());
        assertEquals(single.capabilities().card() + " " + single.path(), w.getName());
        webcamAt(multi.path());
        for (Webcam each : all) {
            Path node = Path.of(each.getName().substring(each.getName().lastIndexOf(' ') + 1));
            try (V4l2Device d = V4l2Device.open(node)) {
                assertTrue(d.capabilities().isVideoCapture() && !d.capabilities().isMemToMem(), each + " is a capture node");
            }
        }
        // the sizes v4l2-ctl lists for YUYV (vivid's first format), smallest first
        String listing = V4l2Ctl.run("-d", single.path().toString(), "--list-framesizes=YUYV");
        Matcher m = Pattern.compile("Discrete (\\d+)x(\\d+)").matcher(listing);
        java.util.ArrayList<int[]> expected = new java.util.ArrayList<>();
        while (m.find()) expected.add(new int[]{Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
        expected.sort(Comparator.comparingLong((int[] s) -> (long) s[0] * s[1]).thenComparingInt(s -> s[0]));
        assertFalse(expected.isEmpty(), listing);
        assertEquals(expected.stream().map(s -> s[0] + "x" + s[1]).toList(), sizes(w));
        assertEquals(new Dimension(expected.getFirst()[0], expected.getFirst()[1]), w.getViewSize(), "the smallest until set");
        assertEquals(PixelFormat.YUYV, ((V4l2WebcamDevice) w.getDevice()).pixelFormat(new Dimension(640, 480)));
        // a node keeps its device object from one listing to the next (discovery compares the lists)
        assertSame(w.getDevice(), Webcam.getDriver().getDevices().stream().filter(d -> d.getName().equals(w.getName()))
                .findFirst().orElseThrow());
    }

    @Test
    void vividColourBarsArriveAsRgbImagesAndBytes(@Driver("vivid") DeviceInfo info) throws Exception {
        colourBars(info);
    }

    @Test
    void multiPlanarVividToo(@Driver(value = "vivid", instance = 1) DeviceInfo info) throws Exception {
        colourBars(info);
    }

    private static void colourBars(DeviceInfo info) throws Exception {
        VividControls.pictureDefaults(info);
        VividControls.pattern(info.path(), "75% Colorbar");
        Webcam.setDriver(new V4l2Driver(SCAN));
        Webcam w = webcamAt(info.path());
        w.setViewSize(new Dimension(320, 180));
        long fds = LabDevices.openFds(), maps = LabDevices.mappings();
        long t0 = System.nanoTime();
        assertTrue(w.open());
        try {
            assertTrue(w.isOpen());
            System.out.printf("%s: open in %d ms, %s%n", w.getName(), (System.nanoTime() - t0) / 1_000_000,
                    ((V4l2WebcamDevice) w.getDevice()).format());
            assertEquals(new Dimension(320, 180), w.getViewSize());
            BufferedImage img = w.getImage();
            assertNotNull(img);
            assertEquals(320, img.getWidth());
            assertEquals(180, img.getHeight());
            checkBars(w.getName() + " getImage", (x, y) -> img.getRGB(x, y), 320, 180);
            BufferedImage next = w.getImage();
            assertTrue(next != img, "a new image each call");

            int n = 320 * 180 * 3;
            ByteBuffer bytes = w.getImageBytes();
            assertEquals(0, bytes.position());
            assertEquals(n, bytes.remaining());
            checkBars(w.getName() + " getImageBytes()", (x, y) -> rgbAt(bytes, 0, x, y, 320), 320, 180);

            ByteBuffer heap = ByteBuffer.allocate(n);
            w.getImageBytes(heap);
            assertEquals(n, heap.position());
            checkBars(w.getName() + " getImageBytes(heap)", (x, y) -> rgbAt(heap, 0, x, y, 320), 320, 180);
            ByteBuffer direct = ByteBuffer.allocateDirect(n + 10).position(5);
            w.getImageBytes(direct);
            assertEquals(5 + n, direct.position());
            checkBars(w.getName() + " getImageBytes(direct)", (x, y) -> rgbAt(direct, 5, x, y, 320), 320, 180);
            assertThrows(IllegalArgumentException.class, () -> w.getImageBytes(ByteBuffer.allocate(n - 1)));

            long t1 = System.nanoTime();
            for (int i = 0; i < 10; i++) assertNotNull(w.getImage());
            System.out.printf("%s: 10 images in %d ms; camera at %.1f fps%n", w.getName(), (System.nanoTime() - t1) / 1_000_000, w.getFPS());
            assertTrue(w.getFPS() > 0, "fps " + w.getFPS());

            // two threads take images while a third closes: both end with null, neither hangs nor fails
            ExecutorService ex = Executors.newFixedThreadPool(2);
            try {
                List<Future<Integer>> takers = List.of(ex.submit(() -> takeUntilClosed(w)), ex.submit(() -> takeUntilClosed(w)));
                Thread.sleep(1500);
                long t2 = System.nanoTime();
                assertTrue(w.close());
                for (Future<Integer> f : takers) assertTrue(f.get(10, TimeUnit.SECONDS) >= 0);
                System.out.printf("%s: closed under two taking threads, both done %d ms later, %d and %d images%n", w.getName(),
                        (System.nanoTime() - t2) / 1_000_000, takers.get(0).get(), takers.get(1).get());
            } finally {
                ex.shutdownNow();
            }
        } finally {
            w.close();
        }
        assertFalse(w.isOpen());
        assertNull(w.getImage(), "a closed webcam gives no image");
        assertEquals(fds, LabDevices.openFds(), "descriptors back after close");
        assertEquals(maps, LabDevices.mappings(), "mappings back after close");
        // and it opens again, at another size
        w.setViewSize(new Dimension(640, 480));
        assertTrue(w.open());
        try {
            BufferedImage img = w.getImage();
            assertEquals(640, img.getWidth());
            checkBars(w.getName() + " 640x480", (x, y) -> img.getRGB(x, y), 640, 480);
        } finally {
            w.close();
        }
    }

    /** Takes images until the webcam is closed; how many it took. */
    private static int takeUntilClosed(Webcam w) {
        int n = 0;
        while (w.getImage() != null) n++;
        return n;
    }

    private interface Pixels {
        int rgb(int x, int y);
    }

    private static int rgbAt(ByteBuffer b, int base, int x, int y, int width) {
        int i = base + (y * width + x) * 3;
        return (b.get(i) & 0xff) << 16 | (b.get(i + 1) & 0xff) << 8 | (b.get(i + 2) & 0xff);
    }

    /**
     * vivid's 75% colour bars, left to right: white, yellow, cyan, green, magenta, red, blue,
     * black; each channel is high (above 140) or low (below 60) at the middle of its bar.
     */
    private static void checkBars(String what, Pixels p, int w, int h) {
        String[] names = {"white", "yellow", "cyan", "green", "magenta", "red", "blue", "black"};
        int[][] high = {{1, 1, 1}, {1, 1, 0}, {0, 1, 1}, {0, 1, 0}, {1, 0, 1}, {1, 0, 0}, {0, 0, 1}, {0, 0, 0}};
        for (int bar = 0; bar < 8; bar++) {
            int x = (2 * bar + 1) * w / 16;
            for (int y : new int[]{h / 4, h / 2, 3 * h / 4}) {
                int v = p.rgb(x, y);
                int[] c = {v >> 16 & 0xff, v >> 8 & 0xff, v & 0xff};
                for (int k = 0; k < 3; k++) {
                    boolean ok = high[bar][k] == 1 ? c[k] > 140 : c[k] < 60;
                    if (!ok) {
                        fail(what + ": the " + names[bar] + " bar at (" + x + "," + y + ") is RGB " + c[0] + "," + c[1] + "," + c[2]);
                    }
                }
            }
        }
    }

    @Test
    void aBusyCameraFailsOpenWithWebcamExceptionAndNothingStaysOpen(@Driver("vivid") DeviceInfo info) {
        Webcam.setDriver(new V4l2Driver(SCAN));
        Webcam w = webcamAt(info.path());
        w.setViewSize(new Dimension(320, 180));
        try (V4l2Device other = info.open()) {
            other.captureQueue().setFormat(320, 180, PixelFormat.YUYV);
            try (BufferSet owned = other.captureQueue().allocate(2)) {
                long fds = LabDevices.openFds(), maps = LabDevices.mappings();
                WebcamException e = assertThrows(WebcamException.class, w::open);
                System.out.println("busy: " + e.getMessage());
                assertInstanceOf(DeviceBusyException.class, e.getCause());
                assertFalse(w.isOpen());
                assertFalse(w.getDevice().isOpen());
                assertEquals(fds, LabDevices.openFds());
                assertEquals(maps, LabDevices.mappings());
            }
        }
        // once the other application let go
        assertTrue(w.open());
        try {
            assertNotNull(w.getImage());
        } finally {
            w.close();
        }
    }

    // ---- the software USB camera (uvcvideo) ----

    @Test
    @WithSoftwareCamera
    void softwareCameraFramesComeInOrderNewestFirstInYuyvAndMjpeg(SoftwareCamera cam) throws Exception {
        Path node = cam.awaitNode(ENUMERATION);
        Webcam.setDriver(new V4l2Driver(SCAN));
        Webcam w = webcamAt(node);
        assertTrue(w.getName().startsWith("v4l2-ffm software camera"), w.getName());
        // YUYV 160x120 and 320x240, MJPEG 320x240 and 640x480: 320x240 comes uncompressed, 640x480 as MJPEG
        assertEquals(List.of("160x120", "320x240", "640x480"), sizes(w));
        V4l2WebcamDevice dev = (V4l2WebcamDevice) w.getDevice();
        assertEquals(PixelFormat.YUYV, dev.pixelFormat(new Dimension(320, 240)));
        assertEquals(PixelFormat.MJPEG, dev.pixelFormat(new Dimension(640, 480)));
        for (Dimension size : List.of(new Dimension(160, 120), new Dimension(640, 480))) {
            w.setViewSize(size);
            long fds = LabDevices.openFds(), maps = LabDevices.mappings();
            assertTrue(w.open());
            try {
                int previous = -1;
                long t0 = System.nanoTime();
                for (int i = 0; i < 10; i++) {
                    BufferedImage img = w.getImage();
                    assertEquals(size, new Dimension(img.getWidth(), img.getHeight()));
                    int number = FramePattern.numberFromImage(img);
                    assertTrue(number > previous, "frame " + number + " after " + previous);
                    previous = number;
                }
                System.out.printf("%s %dx%d %s: 10 frames up to #%d in %d ms, %.1f fps%n", w.getName(), size.width, size.height,
                        dev.format().pixelFormat(), previous, (System.nanoTime() - t0) / 1_000_000, w.getFPS());
                // nobody asked for 1.5 s: every buffer holds an old frame; the image is a new one all the same
                Thread.sleep(1500);
                int sent = cam.framesSent();
                int number = FramePattern.numberFromImage(w.getImage());
                System.out.printf("after a pause: frame #%d, the camera had sent %d%n", number, sent);
                assertTrue(number >= sent - 1, "frame #" + number + " is old: the camera had sent " + sent + " frames");
                ByteBuffer bytes = w.getImageBytes();
                assertEquals(size.width * size.height * 3, bytes.remaining());
            } finally {
                w.close();
            }
            assertEquals(fds, LabDevices.openFds());
            assertEquals(maps, LabDevices.mappings());
        }
        // a truncated frame is skipped; a camera that stops sending ends the wait after the timeout, open still
        w.setViewSize(new Dimension(160, 120));
        assertTrue(w.open());
        try {
            int before = FramePattern.numberFromImage(w.getImage());
            cam.truncateNextFrame();
            for (int i = 0; i < 5; i++) {
                int number = FramePattern.numberFromImage(w.getImage());
                assertTrue(number > before, "frame " + number + " after " + before);
                before = number;
            }
            dev.setTimeout(1000);
            cam.pause();
            Thread.sleep(300);
            try {
                w.getImage(); // what was in flight
            } catch (WebcamException nothingInFlight) {
                // the pause came between two frames
            }
            long t0 = System.nanoTime();
            WebcamException e = assertThrows(WebcamException.class, () -> {
                for (int i = 0; i < 5; i++) w.getImage();
            });
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("paused camera: %s after %d ms%n", e.getMessage(), ms);
            assertTrue(ms < 5000, ms + " ms");
            assertTrue(w.isOpen());
            cam.resume();
            assertTrue(FramePattern.numberFromImage(w.getImage()) > before);
        } finally {
            dev.setTimeout(5000);
            w.close();
        }

        // webcam-capture's asynchronous mode: its updater thread polls the device at the camera's rate
        w.setViewSize(new Dimension(160, 120));
        assertTrue(w.open(true));
        try {
            BufferedImage first = null;
            for (int i = 0; i < 100 && first == null; i++) {
                first = w.getImage();
                if (first == null) Thread.sleep(50);
            }
            assertNotNull(first, "the updater delivered an image");
            Thread.sleep(500);
            BufferedImage later = w.getImage();
            assertTrue(FramePattern.numberFromImage(later) > FramePattern.numberFromImage(first));
        } finally {
            w.close();
        }
    }

    @Test
    @WithSoftwareCamera
    void unplugWhileOpenEndsTheWaitWithWebcamExceptionAndDiscoverySeesItGoAndComeBack(SoftwareCamera cam) throws Exception {
        Path node = cam.awaitNode(ENUMERATION);
        Webcam.setDriver(new V4l2Driver(Duration.ofMillis(500)));
        // discovery off for the first part: its scan would dispose the webcam as the camera goes
        Webcam.getDiscoveryService().setEnabled(false);
        Webcam w = webcamAt(node);
        w.setViewSize(new Dimension(160, 120));
        long fds = LabDevices.openFds(), maps = LabDevices.mappings();
        assertTrue(w.open());
        assertNotNull(w.getImage());
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            Future<?> loop = ex.submit(() -> {
                while (w.getImage() != null) {
                    // take frames until the camera goes
                }
                return null;
            });
            Thread.sleep(300);
            long t0 = System.nanoTime();
            cam.unplug();
            ExecutionException e = assertThrows(ExecutionException.class, () -> loop.get(15, TimeUnit.SECONDS),
                    "getImage() ended without an exception (or hung)");
            System.out.printf("unplug: getImage() threw %d ms after the detach: %s%n", (System.nanoTime() - t0) / 1_000_000, e.getCause());
            WebcamException we = assertInstanceOf(WebcamException.class, e.getCause());
            assertInstanceOf(DeviceGoneException.class, we.getCause());
        } finally {
            ex.shutdownNow();
        }
        assertFalse(w.getDevice().isOpen(), "the device let go of everything");
        assertEquals(fds, LabDevices.openFds(), "descriptors released at the unplug");
        assertEquals(maps, LabDevices.mappings(), "mappings released at the unplug");
        assertNull(w.getImage(), "later calls: no image, no exception");
        assertNull(w.getImageBytes());
        assertTrue(w.close());

        // discovery on: it reports this webcam gone, then the camera back at its new node
        CountDownLatch gone = new CountDownLatch(1), found = new CountDownLatch(1);
        AtomicReference<Webcam> goneCam = new AtomicReference<>(), foundCam = new AtomicReference<>();
        WebcamDiscoveryListener listener = new WebcamDiscoveryListener() {
            @Override
            public void webcamFound(WebcamDiscoveryEvent event) {
                if (event.getWebcam().getName().startsWith("v4l2-ffm software camera")) {
                    foundCam.set(event.getWebcam());
                    found.countDown();
                }
            }

            @Override
            public void webcamGone(WebcamDiscoveryEvent event) {
                goneCam.set(event.getWebcam());
                gone.countDown();
            }
        };
        Webcam.addDiscoveryListener(listener);
        try {
            Webcam.getDiscoveryService().setEnabled(true);
            Webcam.getDiscoveryService().start();
            long t1 = System.nanoTime();
            assertTrue(gone.await(15, TimeUnit.SECONDS), "discovery reported the camera gone");
            assertSame(w, goneCam.get());
            System.out.printf("discovery: gone reported after %d ms%n", (System.nanoTime() - t1) / 1_000_000);
            assertThrows(WebcamException.class, () -> w.getDevice().open(), "a disposed device does not open");
            cam.replug();
            Path again = cam.awaitNode(ENUMERATION);
            long t2 = System.nanoTime();
            assertTrue(found.await(30, TimeUnit.SECONDS), "discovery reported the camera back");
            System.out.printf("discovery: back at %s, reported %d ms after its node appeared%n", again, (System.nanoTime() - t2) / 1_000_000);
            Webcam back = foundCam.get();
            assertTrue(back.getName().endsWith(" " + again), back.getName());
            back.setViewSize(new Dimension(160, 120));
            assertTrue(back.open());
            try {
                assertNotNull(back.getImage());
            } finally {
                back.close();
            }
        } finally {
            Webcam.removeDiscoveryListener(listener);
        }
    }
}
