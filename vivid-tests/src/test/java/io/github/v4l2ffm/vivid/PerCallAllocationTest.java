package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.Capabilities;
import io.github.v4l2ffm.Cid;
import io.github.v4l2ffm.Controls;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Planes;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-call APIs (capabilities, format, control values) allocate nothing on the calling
 * thread once warmed up, and still give the kernel's current answer: a format set is seen by the
 * next {@code format()}, a control set by the next {@code get}, and the capabilities are what
 * {@code v4l2-ctl --info} prints. Several threads calling at once all get the right answers.
 * Tagged {@code optimizing-jit}: "nothing" is what C2's escape analysis makes of the calls, so
 * the lab runs this class in a JVM with the default compilers, apart from the rest of the suite.
 */
@Tag("optimizing-jit")
@WithV4l2Drivers(vivid = {@Vivid, @Vivid(planes = Planes.MULTI)})
class PerCallAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** Calls per measured round. */
    private static final int ROUND = 1_000;
    /**
     * How long the calls may take to get compiled: in a fresh JVM on the lab's emulated CPU, 60
     * rounds were not enough for C2 to compile a call's path.
     */
    private static final long WARM_UP_NANOS = 30_000_000_000L;
    /** The bound: bytes allocated per call, averaged over a round. */
    private static final double BOUND = 8;

    /**
     * Bytes per call of {@code call} in the first round that stays under {@link #BOUND}, or of the
     * last round if none does within {@link #WARM_UP_NANOS}. {@code call} returns something to sum,
     * so that nothing is left out.
     */
    private static double bytesPerCall(LongSupplier call) {
        double perCall = Double.MAX_VALUE;
        long sink = 0;
        long start = System.nanoTime();
        while (perCall >= BOUND && System.nanoTime() - start < WARM_UP_NANOS) {
            long a = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < ROUND; i++) sink += call.getAsLong();
            long b = THREADS.getCurrentThreadAllocatedBytes();
            perCall = (double) (b - a) / ROUND;
        }
        assertNotEquals(Long.MIN_VALUE, sink);
        return perCall;
    }

    @Test
    void capabilitiesAllocateNothingAndMatchV4l2Ctl(@Driver("vivid") V4l2Device dev) throws Exception {
        Capabilities first = dev.queryCapabilities();
        double perCall = bytesPerCall(() -> dev.queryCapabilities().deviceCapsBits());
        assertTrue(perCall < BOUND, "queryCapabilities(): " + perCall + " B/call after warm-up");
        Capabilities c = dev.queryCapabilities();
        assertSame(first, c, "an unchanged answer is the same object");
        assertEquals(dev.capabilities(), c);

        Map<String, String> info = new LinkedHashMap<>();
        for (String line : V4l2Ctl.run(false, "--info", "-d", dev.path().toString()).split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.startsWith("\t") && !line.startsWith("\t\t")) info.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
        assertEquals(info.get("Driver name"), c.driver());
        assertEquals(info.get("Card type"), c.card());
        assertEquals(info.get("Bus info"), c.busInfo());
        assertEquals(info.get("Driver version"), c.versionString());
        assertEquals(info.get("Capabilities"), String.format("0x%08x", c.capabilitiesBits()));
        assertEquals(info.get("Device Caps"), String.format("0x%08x", c.deviceCapsBits()));
    }

    @Test
    void formatAllocatesNothingAndSeesEveryChange(@Driver("vivid") V4l2Device single, @Driver(value = "vivid", instance = 1) V4l2Device multi) {
        for (V4l2Device dev : List.of(single, multi)) {
            BufferQueue q = dev.captureQueue();
            VideoFormat original = q.format();
            try {
                VideoFormat a = q.setFormat(640, 480, PixelFormat.YUYV);
                assertSame(q.format(), q.format(), "an unchanged format is the same object");
                double perCall = bytesPerCall(() -> q.format().width());
                assertTrue(perCall < BOUND, q + ": format(): " + perCall + " B/call after warm-up");
                assertEquals(a, q.format());

                VideoFormat b = q.setFormat(320, 240, PixelFormat.YUYV);
                assertEquals(320, b.width());
                assertEquals(b, q.format(), "the next format() sees the change");
                VideoFormat c = q.setFormat(640, 360, PixelFormat.RGB24);
                VideoFormat seen = q.format();
                assertEquals(c, seen);
                assertEquals(640, seen.width());
                assertEquals(360, seen.height());
                assertEquals(PixelFormat.RGB24, seen.pixelFormat());
                assertEquals(640 * 3, seen.bytesPerLine());
                // what the driver would choose, without changing anything: the current format stays
                VideoFormat tried = dev.tryFormat(VideoFormat.of(q.type(), 320, 180, PixelFormat.YUYV));
                assertEquals(320, tried.width());
                assertEquals(seen, q.format());
                assertEquals(a, q.setFormat(640, 480, PixelFormat.YUYV));
                assertEquals(a, q.format(), "back to the first format");
            } finally {
                q.setFormat(original);
            }
        }
    }

    @Test
    void controlValuesAllocateNothingAndSeeEverySet(@Driver("vivid") V4l2Device dev) {
        Controls c = dev.controls();
        long original = c.get(Cid.BRIGHTNESS);
        try {
            assertEquals(200, c.set(Cid.BRIGHTNESS, 200).actual());
            double get = bytesPerCall(() -> c.get(Cid.BRIGHTNESS));
            assertTrue(get < BOUND, "get: " + get + " B/call after warm-up");
            assertEquals(200, c.get(Cid.BRIGHTNESS));

            double set = bytesPerCall(() -> c.set(Cid.BRIGHTNESS, 150).actual());
            assertTrue(set < BOUND, "set of an unchanged value: " + set + " B/call after warm-up");
            assertSame(c.set(Cid.BRIGHTNESS, 150), c.set(Cid.BRIGHTNESS, 150), "the same answer is the same SetResult");

            for (long v : new long[] {0, 17, 255, 128}) {
                Controls.SetResult r = c.set(Cid.BRIGHTNESS, v);
                assertEquals(v, r.actual());
                assertEquals(v, c.get(Cid.BRIGHTNESS), "get sees the set");
            }
            Controls.SetResult clamped = c.set(Cid.BRIGHTNESS, 300);
            assertEquals(255, clamped.actual(), "the kernel's clamped value");
            assertTrue(clamped.adjusted());
            assertEquals(255, c.get(Cid.BRIGHTNESS));
            // two values in turn: each answer is right (a new SetResult each, whose fields say so)
            for (int i = 0; i < 100; i++) {
                long v = 100 + (i & 1);
                Controls.SetResult r = c.set(Cid.BRIGHTNESS, v);
                assertEquals(v, r.requested());
                assertEquals(v, r.actual());
                assertEquals(v, c.get(Cid.BRIGHTNESS));
            }
        } finally {
            c.set(Cid.BRIGHTNESS, original);
        }
    }

    @Test
    void manyThreadsGetTheRightAnswers(@Driver("vivid") V4l2Device dev) throws Exception {
        BufferQueue q = dev.captureQueue();
        VideoFormat original = q.format();
        Controls c = dev.controls();
        long brightness = c.get(Cid.BRIGHTNESS), contrast = c.get(Cid.CONTRAST);
        try {
            VideoFormat f = q.setFormat(640, 480, PixelFormat.YUYV);
            Capabilities caps = dev.queryCapabilities();
            int threads = 4;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int me = t;
                    done.add(pool.submit((Callable<Void>) () -> {
                        for (int i = 0; i < 300; i++) {
                            assertEquals(caps, dev.queryCapabilities());
                            assertEquals(f, q.format());
                            // each thread owns one control: what it set is what it reads
                            int id = me % 2 == 0 ? Cid.BRIGHTNESS : Cid.CONTRAST;
                            if (me < 2) {
                                long v = (i * 7 + me) % 200;
                                assertEquals(v, c.set(id, v).actual());
                                assertEquals(v, c.get(id));
                            } else {
                                long v = c.get(id);
                                assertTrue(v >= 0 && v <= 255, "a control value in range: " + v);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> d : done) d.get();
            } finally {
                pool.shutdownNow();
            }
        } finally {
            c.set(Cid.BRIGHTNESS, brightness);
            c.set(Cid.CONTRAST, contrast);
            q.setFormat(original);
        }
    }
}
