package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.BufferType;
import io.github.v4l2ffm.Capability;
import io.github.v4l2ffm.DeviceBusyException;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.DmaBuf;
import io.github.v4l2ffm.DmaHeapAllocator;
import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.Memory;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.TimestampType;
import io.github.v4l2ffm.UserptrAllocator;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Exception;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.VirtualCamera;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link VirtualCamera} on v4l2loopback: the lab loads it with two nodes, "v4l2-ffm virtual
 * camera" ({@code exclusive_caps=1}) and "v4l2-ffm loopback" (capture and output at all times),
 * {@code max_buffers=8}. Frames published carry their number in their first bytes (and its
 * complement) and a pattern made from it in every other byte: whoever captures them (v4l2-ctl,
 * ffmpeg, GStreamer, this library) must get whole frames we published, in order; dropping some
 * is allowed, garbage or a frame out of order is not.
 */
@WithV4l2Drivers(vivid = @Vivid)
@ExtendWith(NothingLeaks.class)
class VirtualCameraTest {
    static final int W = 320, H = 180, PEER_FRAMES = 10;
    static final String EXCLUSIVE = "v4l2-ffm virtual camera", ALWAYS = "v4l2-ffm loopback";
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static Path node(String card) {
        List<DeviceInfo> all = VirtualCamera.list();
        assumeTrue(!all.isEmpty(), "no v4l2loopback node (the lab loads it; on a host: modprobe v4l2loopback devices=2 exclusive_caps=1,0 max_buffers=8 card_label=...)");
        return all.stream().filter(d -> d.capabilities().card().equals(card)).map(DeviceInfo::path).findFirst()
                .orElseThrow(() -> new AssertionError("no v4l2loopback node named \"" + card + "\": " + all));
    }

    /** Frame {@code n}: n and ~n in its first 8 bytes, then a pattern of the offset, the row and n. */
    static void draw(MemorySegment frame, int n, int bytesPerLine) {
        frame.set(INT, 0, n);
        frame.set(INT, 4, ~n);
        for (long o = 8; o < frame.byteSize(); o++) frame.set(ValueLayout.JAVA_BYTE, o, value(o, n, bytesPerLine));
    }

    static byte value(long o, int n, int bytesPerLine) {
        return (byte) (o * 7 + (o / bytesPerLine) * 13 + n * 29);
    }

    /** The number of a captured frame, after checking every byte is that frame's; throws if it is none we published. */
    static int check(MemorySegment frame, int bytesPerLine, String what) {
        int n = frame.get(INT, 0);
        assertEquals(~n, frame.get(INT, 4), what + ": the first 8 bytes are no frame number (" + n + ")");
        for (long o = 8; o < frame.byteSize(); o++) {
            if (frame.get(ValueLayout.JAVA_BYTE, o) != value(o, n, bytesPerLine)) {
                throw new AssertionError(what + ": frame " + n + " differs from what was published at byte " + o
                        + " (line " + o / bytesPerLine + ")");
            }
        }
        return n;
    }

    /** Checks frames' numbers rise (drops allowed); returns them. */
    static List<Integer> checkOrder(List<Integer> numbers, String who) {
        for (int i = 1; i < numbers.size(); i++) {
            assertTrue(numbers.get(i) > numbers.get(i - 1), who + " got frames out of order or twice: " + numbers);
        }
        return numbers;
    }

    /** Publishes numbered frames from a thread of its own, about every {@code periodMillis}, until closed. */
    static final class Producer implements AutoCloseable {
        final VirtualCamera cam;
        final Thread thread;
        final AtomicBoolean run = new AtomicBoolean(true);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Map<Integer, Long> timestamps = new java.util.concurrent.ConcurrentHashMap<>();

        Producer(VirtualCamera cam, long periodMillis) {
            this.cam = cam;
            int bpl = cam.format().bytesPerLine();
            thread = Thread.ofPlatform().daemon().name("producer").start(() -> {
                try {
                    while (run.get()) {
                        int n = (int) cam.published();
                        long ts = System.nanoTime();
                        timestamps.put(n, ts);
                        long got = cam.publish(ts, f -> draw(f, n, bpl));
                        assertEquals(n, got);
                        Thread.sleep(periodMillis);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
        }

        @Override
        public void close() throws Exception {
            run.set(false);
            thread.join(10_000);
            if (failure.get() != null) throw new AssertionError("the producer failed", failure.get());
        }
    }

    static List<Integer> framesInFile(Path file, VideoFormat f, String who) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int size = f.sizeImage();
        assertEquals(0, all.length % size, who + " wrote " + all.length + " bytes: not whole " + size + "-byte frames");
        List<Integer> numbers = new ArrayList<>();
        MemorySegment s = MemorySegment.ofArray(all);
        for (int i = 0; i < all.length / size; i++) {
            numbers.add(check(s.asSlice((long) i * size, size), f.bytesPerLine(), who + " frame " + i));
        }
        return numbers;
    }

    static String run(List<String> cmd, long timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (cmd.getFirst().startsWith("gst-")) {
            // only the two plugins the pipeline needs: a fresh registry of every installed plugin takes minutes under TCG
            Path plugins = Files.createDirectories(Path.of("/tmp/vcam-gst-plugins"));
            for (String lib : List.of("libgstvideo4linux2.so", "libgstcoreelements.so")) {
                Path link = plugins.resolve(lib), target = Path.of("/usr/lib/x86_64-linux-gnu/gstreamer-1.0", lib);
                if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, target);
            }
            pb.environment().put("GST_PLUGIN_SYSTEM_PATH_1_0", plugins.toString());
            pb.environment().put("GST_REGISTRY_1_0", "/tmp/vcam-gst-registry.bin");
        }
        Process p = pb.start();
        byte[][] out = new byte[1][];
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = new byte[0];
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            reader.join();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s:\n" + new String(out[0]));
        }
        reader.join();
        String text = new String(out[0]);
        assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + " failed:\n" + text);
        return text;
    }

    /** Runs a peer that captures {@link #PEER_FRAMES} frames of our stream into {@code file}, and checks them. */
    void peerCaptures(String who, List<String> cmd, Path file) throws Exception {
        Path dev = node(EXCLUSIVE);
        Files.deleteIfExists(file);
        List<Integer> numbers;
        try (VirtualCamera cam = VirtualCamera.open(dev, W, H, PixelFormat.YUYV, new Fraction(1, 15));
             Producer producer = new Producer(cam, 100)) {
            long t0 = System.nanoTime();
            String out = run(cmd, 180);
            numbers = framesInFile(file, cam.format(), who);
            System.out.printf("%s: %d frames %s of %d published in %d ms%n", who, numbers.size(), numbers, cam.published(),
                    (System.nanoTime() - t0) / 1_000_000);
            assertEquals(PEER_FRAMES, numbers.size(), who + " frames:\n" + out);
        } finally {
            Files.deleteIfExists(file);
        }
        checkOrder(numbers, who);
    }

    @Test
    void v4l2CtlCapturesOurFrames() throws Exception {
        Path file = Path.of("/tmp/vcam-v4l2ctl.yuyv");
        peerCaptures("v4l2-ctl", List.of("v4l2-ctl", "-d", node(EXCLUSIVE).toString(), "--stream-mmap",
                "--stream-count=" + PEER_FRAMES, "--stream-to=" + file), file);
    }

    @Test
    void ffmpegCapturesOurFrames() throws Exception {
        Path file = Path.of("/tmp/vcam-ffmpeg.yuyv");
        // passthrough: one output frame per captured frame (rawvideo's default would duplicate or drop to a constant rate)
        peerCaptures("ffmpeg", List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "v4l2", "-input_format", "yuyv422",
                "-i", node(EXCLUSIVE).toString(), "-frames:v", "" + PEER_FRAMES, "-vsync", "passthrough", "-f", "rawvideo",
                "-pix_fmt", "yuyv422", "-y", file.toString()), file);
    }

    @Test
    void gstreamerCapturesOurFrames() throws Exception {
        Path file = Path.of("/tmp/vcam-gst.yuyv");
        peerCaptures("gst-launch-1.0 v4l2src", List.of("gst-launch-1.0", "v4l2src", "device=" + node(EXCLUSIVE),
                "num-buffers=" + PEER_FRAMES, "!", "video/x-raw,format=YUY2,width=" + W + ",height=" + H, "!",
                "filesink", "location=" + file), file);
    }

    @Test
    void theLibraryCapturesOurFramesWithTheirTimestamps() throws Exception {
        Path dev = node(EXCLUSIVE);
        try (VirtualCamera cam = VirtualCamera.open(dev, W, H, PixelFormat.YUYV, new Fraction(1, 15))) {
            assertEquals(Memory.MMAP, cam.memory());
            // max_buffers=8, or fewer: a reader of an earlier test that asked for fewer shrank the count for good
            assertTrue(cam.bufferCount() >= 2 && cam.bufferCount() <= 8, "buffers: " + cam.bufferCount());
            assertEquals(new Fraction(1, 15), cam.frameInterval());
            assertEquals(W * 2, cam.format().bytesPerLine());
            assertEquals(W * H * 2, cam.format().sizeImage(), "G_FMT: the frame's size, not the page-aligned buffer's");
            List<Integer> numbers = new ArrayList<>();
            try (Producer producer = new Producer(cam, 100); V4l2Device reader = V4l2Device.open(dev)) {
                assertTrue(reader.capabilities().has(Capability.VIDEO_CAPTURE));
                BufferQueue q = reader.captureQueue();
                assertEquals(BufferType.VIDEO_CAPTURE, q.type());
                VideoFormat f = q.format();
                assertEquals(List.of(W, H, PixelFormat.YUYV), List.of(f.width(), f.height(), f.pixelFormat()));
                // v4l2loopback keeps the interval but does not flag V4L2_CAP_TIMEPERFRAME: G_PARM says "no interval"
                assertEquals(java.util.Optional.empty(), reader.frameInterval(BufferType.VIDEO_CAPTURE));
                // as many buffers as the producer: fewer would make the driver use fewer for everyone
                try (BufferSet set = q.allocate(8); Streaming s = set.start()) {
                    List<Integer> sequences = new ArrayList<>();
                    List<String> stamps = new ArrayList<>();
                    int stampsDiffer = 0;
                    while (numbers.size() < 20) {
                        V4l2Buffer b = s.dequeue(5000);
                        assertNotNull(b, "no frame in 5 s");
                        assertEquals(W * H * 2, b.bytesUsed(0));
                        // the reader's buffer is the producer's memory: copy the frame out before the producer comes round to it
                        MemorySegment copy = MemorySegment.ofArray(b.segment(0).asSlice(0, b.bytesUsed(0)).toArray(ValueLayout.JAVA_BYTE));
                        int n = check(copy, W * 2, "library frame " + numbers.size());
                        numbers.add(n);
                        sequences.add(b.sequence());
                        stamps.add(n + ": published " + producer.timestamps.get(n) / 1000 + " µs, read " + b.timestampNanos() / 1000
                                + " µs " + b.timestampType());
                        // seen on 0.13.2: the first frame a reader gets carries the driver's own time; the others
                        // the producer's, exactly (µs), with COPY ORed onto MONOTONIC (0x6000: no defined type, UNKNOWN)
                        if (numbers.size() > 1 && producer.timestamps.get(n) / 1000 != b.timestampNanos() / 1000) {
                            stampsDiffer++;
                        }
                        s.queue(b);
                    }
                    System.out.println("library: frames " + numbers + ", sequence numbers " + sequences);
                    checkOrder(numbers, "the library");
                    System.out.println("library: timestamps " + stamps);
                    assertEquals(0, stampsDiffer, "frames whose timestamp is not the one published (COPY): " + stamps);

                    // the producer stops: the reader is not told. Frames published before the close may
                    // still be waiting to be read (a loaded machine); after them, nothing comes
                    producer.close();
                    cam.close();
                    assertFalse(cam.isOpen());
                    int published = producer.timestamps.size(), late = 0;
                    while (true) {
                        long t0 = System.nanoTime();
                        V4l2Buffer b = s.dequeue(1500);
                        if (b == null) {
                            assertTrue(System.nanoTime() - t0 >= 1_400_000_000L, "dequeue waited its time");
                            break;
                        }
                        MemorySegment copy = MemorySegment.ofArray(b.segment(0).asSlice(0, b.bytesUsed(0)).toArray(ValueLayout.JAVA_BYTE));
                        int n = check(copy, W * 2, "a frame read after the close");
                        assertTrue(n < published, "frame " + n + " read after the close, of " + published + " published before it");
                        assertTrue(++late < 8, "frames keep coming after the producer closed");
                        s.queue(b);
                    }
                    System.out.println("library: " + late + " frames published before the close were read after it");
                    assertFalse(s.isClosed());
                }
            }
        }
    }

    @Test
    void exclusiveCapsAnnounceCaptureOnlyWhileAProducerStreams() throws Exception {
        Path dev = node(EXCLUSIVE);
        try (V4l2Device before = V4l2Device.open(dev)) {
            assertTrue(before.capabilities().has(Capability.VIDEO_OUTPUT));
            assertFalse(before.capabilities().has(Capability.VIDEO_CAPTURE), "no capture before a producer: " + before.capabilities());
        }
        try (VirtualCamera cam = VirtualCamera.open(dev, W, H, PixelFormat.YUYV, new Fraction(1, 30))) {
            cam.publish(f -> draw(f, 0, W * 2));
            try (V4l2Device during = V4l2Device.open(dev)) {
                assertTrue(during.capabilities().has(Capability.VIDEO_CAPTURE), "capture while streaming: " + during.capabilities());
                assertFalse(during.capabilities().has(Capability.VIDEO_OUTPUT), "no output while streaming: " + during.capabilities());
            }
            // a second producer is refused
            assertThrows(DeviceBusyException.class, () -> VirtualCamera.open(dev, W, H, PixelFormat.YUYV, new Fraction(1, 30)));
        }
        try (V4l2Device after = V4l2Device.open(dev)) {
            assertTrue(after.capabilities().has(Capability.VIDEO_OUTPUT));
            assertFalse(after.capabilities().has(Capability.VIDEO_CAPTURE), "no capture after the producer closed");
        }
        Path always = node(ALWAYS);
        try (V4l2Device d = V4l2Device.open(always)) {
            assertTrue(d.capabilities().has(Capability.VIDEO_OUTPUT) && d.capabilities().has(Capability.VIDEO_CAPTURE),
                    "without exclusive_caps both sides at all times: " + d.capabilities());
        }
    }

    @Test
    void captureWithoutAProducer() {
        // the node without exclusive_caps announces capture before any producer: what a reader sees then
        Path always = node(ALWAYS);
        try (V4l2Device reader = V4l2Device.open(always)) {
            BufferQueue q = reader.captureQueue();
            // REQBUFS grants buffers of no size: mapping the first fails
            V4l2Exception e = assertThrows(V4l2Exception.class, () -> q.allocate(2).close());
            assertEquals("mmap", e.operation());
            assertEquals("EINVAL", e.errnoName());
            System.out.println("capture without a producer: " + e.getMessage());
        }
    }

    @Test
    void refusedFormatsAndNodes() {
        Path dev = node(ALWAYS);
        V4l2Exception e = assertThrows(V4l2Exception.class,
                () -> VirtualCamera.open(dev, W, H, PixelFormat.of("ZZZZ"), new Fraction(1, 30)));
        assertEquals("VIDIOC_S_FMT", e.operation());
        assertEquals(V4l2Exception.Reason.REFUSED, e.reason());
        assertEquals("EINVAL", e.errnoName());
        assertTrue(e.getMessage().contains("does not take the pixel format ZZZZ"), e.getMessage());
        System.out.println("unknown pixel format: " + e.getMessage());
        // sizes are clamped to the driver's limits, and said so
        try (VirtualCamera cam = VirtualCamera.open(dev, 1, 1, PixelFormat.YUYV, new Fraction(1, 30))) {
            assertEquals(List.of(2, 1), List.of(cam.format().width(), cam.format().height()));
        }
        assertThrows(IllegalArgumentException.class, () -> VirtualCamera.open(dev, W, H, PixelFormat.YUYV, new Fraction(0, 30)));
        try (VirtualCamera cam = VirtualCamera.open(dev, W, H, PixelFormat.YUYV, new Fraction(1, 30))) {
            assertThrows(IllegalArgumentException.class, () -> cam.publish(new byte[100]));
            assertThrows(IllegalArgumentException.class, () -> cam.publish(0, f -> {}));
            MemorySegment[] kept = new MemorySegment[1];
            cam.publish(f -> kept[0] = f);
            assertThrows(IllegalStateException.class, () -> kept[0].get(ValueLayout.JAVA_BYTE, 0), "the frame outlived its call");
            assertEquals(1, cam.published());
            cam.close();
            cam.close();
            assertThrows(IllegalStateException.class, () -> cam.publish(new byte[W * H * 2]));
        }
    }

    /**
     * A writer that closes its own camera while drawing: the buffer stays mapped until it returns
     * (drawing on is no crash), then the camera closes, that publish throws and publishes nothing,
     * and descriptors and mappings are back where they were.
     */
    @Test
    void aWriterClosingItsOwnCameraFinishesDrawingThenTheCameraIsClosed() {
        Path dev = node(ALWAYS);
        long fds = LabDevices.openFds(), maps = LabDevices.mappings();
        VirtualCamera cam = VirtualCamera.open(dev, W, H, PixelFormat.YUYV, new Fraction(1, 30));
        cam.publish(f -> f.fill((byte) 0x10));
        IllegalStateException nested = assertThrows(IllegalStateException.class, () -> cam.publish(f -> cam.publish(g -> {})));
        assertTrue(nested.getMessage().contains("inside a FrameWriter"), nested.getMessage());
        assertEquals(1, cam.published(), "neither the nested frame nor its writer's was published");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cam.publish(f -> {
            cam.close();
            assertFalse(cam.isOpen(), "closed as far as the writer can tell");
            f.fill((byte) 0x80); // still mapped: the close waits for the writer to return
        }));
        assertTrue(e.getMessage().contains("closed by its writer"), e.getMessage());
        System.out.println("a writer closing its camera: " + e.getMessage());
        assertFalse(cam.isOpen());
        assertEquals(1, cam.published(), "the frame whose writer closed the camera was not published");
        assertThrows(IllegalStateException.class, () -> cam.publish(new byte[W * H * 2]));
        cam.close();
        assertEquals(fds, LabDevices.openFds(), "descriptors back where they were");
        assertEquals(maps, LabDevices.mappings(), "mappings back where they were");
    }

    @Test
    void vividNodeIsNoVirtualCamera(@Driver("vivid") DeviceInfo vivid) {
        assertThrows(IllegalArgumentException.class, () -> VirtualCamera.open(vivid.path(), W, H, PixelFormat.YUYV, new Fraction(1, 30)));
    }

    @Test
    void theLoopbackTakesOnlyMmap(@Driver("vivid") DeviceInfo vividInfo) throws Exception {
        Path dev = node(ALWAYS);
        try (V4l2Device out = V4l2Device.open(dev); UserptrAllocator userptr = new UserptrAllocator()) {
            BufferQueue q = out.queue(BufferType.VIDEO_OUTPUT);
            q.setFormat(W, H, PixelFormat.YUYV);
            assertEquals(java.util.Set.of(), q.supportedMemory(), "v4l2loopback reports no REQBUFS capabilities (not videobuf2)");
            assertRefused(() -> q.allocate(4, userptr), "USERPTR");
            if (Files.exists(Path.of("/dev/dma_heap/system"))) {
                try (DmaHeapAllocator heap = DmaHeapAllocator.system()) {
                    assertRefused(() -> q.allocate(4, heap), "DMABUF from a heap");
                }
            }
            // dma-bufs exported by vivid (EXPBUF) cannot be imported either
            try (V4l2Device vivid = vividInfo.open()) {
                vivid.captureQueue().setFormat(W, H, PixelFormat.YUYV);
                try (BufferSet vb = vivid.captureQueue().allocate(2)) {
                    List<DmaBuf> exported = new ArrayList<>();
                    try {
                        for (int i = 0; i < vb.count(); i++) exported.add(vb.export(i, 0));
                        assertRefused(() -> q.importDmaBufs(exported), "DMABUF exported by vivid");
                    } finally {
                        for (DmaBuf d : exported) d.close();
                    }
                }
            }
            try (BufferSet mmap = q.allocate(4)) {
                assertEquals(Memory.MMAP, mmap.memory());
                assertEquals(4, mmap.count());
            }
        }
    }

    static void assertRefused(org.junit.jupiter.api.function.Executable call, String what) {
        V4l2Exception e = assertThrows(V4l2Exception.class, call, what);
        assertEquals("VIDIOC_REQBUFS", e.operation(), what);
        assertEquals("EINVAL", e.errnoName(), what);
        assertEquals(V4l2Exception.Reason.REFUSED, e.reason(), what);
        System.out.println(what + ": " + e.getMessage());
    }

    /**
     * The cheapest path from a camera: vivid's MMAP frames published with one copy each (the
     * loopback imports nothing), checked byte for byte on the loopback's capture side; the
     * captured frame's timestamp travels with it and tells which vivid frame a reader got.
     */
    @Test
    void framesFromVividArriveUnchanged(@Driver("vivid") DeviceInfo vividInfo) throws Exception {
        VividControls.pattern(vividInfo.path(), "75% Colorbar"); // vivid writes its frame counter and time on it
        Path dev = node(EXCLUSIVE);
        Map<Long, byte[]> sent = new HashMap<>();
        try (V4l2Device vivid = vividInfo.open()) {
            VideoFormat vf = vivid.captureQueue().setFormat(W, H, PixelFormat.YUYV);
            assertEquals(W * H * 2, vf.sizeImage());
            try (BufferSet vb = vivid.captureQueue().allocate(3); Streaming vs = vb.start();
                 VirtualCamera cam = VirtualCamera.open(dev, W, H, PixelFormat.YUYV, new Fraction(1, 30));
                 V4l2Device reader = V4l2Device.open(dev)) {
                // the first frame makes the capture side usable; then the reader streams
                V4l2Buffer first = vs.dequeue(10_000);
                assertNotNull(first);
                sent.put(first.timestampNanos() / 1000, first.segment(0).asSlice(0, first.bytesUsed(0)).toArray(ValueLayout.JAVA_BYTE));
                cam.publish(first);
                vs.queue(first);
                try (BufferSet rb = reader.captureQueue().allocate(4); Streaming rs = rb.start()) {
                    int matched = 0;
                    for (int i = 0; i < 6; i++) {
                        V4l2Buffer v = vs.dequeue(10_000);
                        assertNotNull(v, "vivid frame");
                        assertEquals(TimestampType.MONOTONIC, v.timestampType());
                        sent.put(v.timestampNanos() / 1000, v.segment(0).asSlice(0, v.bytesUsed(0)).toArray(ValueLayout.JAVA_BYTE));
                        cam.publish(v);
                        vs.queue(v);
                        V4l2Buffer r = rs.dequeue(5000);
                        assertNotNull(r, "loopback frame");
                        byte[] got = r.segment(0).asSlice(0, r.bytesUsed(0)).toArray(ValueLayout.JAVA_BYTE);
                        byte[] original = sent.get(r.timestampNanos() / 1000);
                        if (original != null) {
                            assertArrayEquals(original, got, "the frame differs from the vivid frame with its timestamp");
                            matched++;
                        } else {
                            assertTrue(sent.values().stream().anyMatch(o -> java.util.Arrays.equals(o, got)),
                                    "the reader's frame is none of the vivid frames we published");
                            System.out.println("vivid via loopback: a frame whose content matches but not its timestamp "
                                    + r.timestampNanos() / 1000 + " µs " + r.timestampType() + ", sent " + sent.keySet());
                        }
                        rs.queue(r);
                    }
                    System.out.println("vivid via loopback: " + matched + " of 6 frames matched by timestamp and content");
                }
            }
        }
    }
}
