package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.BufferAllocator;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Planes;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What capturing allocates per frame without the optimizing compiler: the suite's JVM runs with
 * C1 alone ({@code -XX:TieredStopAtLevel=1}), whose code keeps every object it creates. Every
 * memory type, single- and multi-planar, both paths; the frames are checked too (in order, full
 * size).
 *
 * <p>The JDK's errno capture creates a 40-byte object per downcall that only C2's escape
 * analysis removes. The library makes the frame's wait and {@code DQBUF} without it
 * ({@code Libc.poll}, {@code Libc.ioctlRepeatable}: a failure is asked again with capture), so
 * in C1's code (and the interpreter's) a frame costs one such object, the {@code QBUF}'s, which
 * keeps its capture (asking a failed QBUF again could hide a driver's one-off refusal). 120
 * bytes a frame before; 0 once C2 has compiled the path.
 */
@WithV4l2Drivers(vivid = {@Vivid, @Vivid(planes = Planes.MULTI)})
class FrameAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** Frames before measuring: the calls' first runs resolve and link (allocating, once). */
    private static final int WARM_UP = 120;
    /** Frames per measured window; {@link #WINDOWS} windows per path. */
    private static final int WINDOW = 60;
    /**
     * Windows per path: the median window must be under {@link #BOUND}. A one-off allocation (the
     * JVM linking or recompiling something once, a few hundred bytes) may spoil one window; an
     * allocation per frame, or every other frame, spoils them all.
     */
    private static final int WINDOWS = 3;
    /**
     * The bound, in bytes per frame over a window: the QBUF's errno capture (40 bytes), and room
     * for a few DQBUFs a window that found no buffer ready and were asked again with capture.
     */
    private static final double BOUND = 48;

    @ParameterizedTest(name = "{0}, multiplanar={1}")
    @MethodSource("io.github.v4l2ffm.vivid.VividErrors#cases")
    void capturingAllocatesOnlyTheQbufsErrnoCapturePerFrame(Backing backing, boolean multiplanar, @Driver("vivid") DeviceInfo single,
                                           @Driver(value = "vivid", instance = 1) DeviceInfo multi) {
        DeviceInfo info = multiplanar ? multi : single;
        try (BufferAllocator allocator = backing.allocator(); V4l2Device dev = info.open()) {
            VideoFormat f = VividErrors.smallFormat(dev);
            try (BufferSet set = Backing.allocate(dev.captureQueue(), 4, allocator); Streaming s = set.start()) {
                Frames frames = new Frames(f.planes().get(0).sizeImage());
                frames.run(s, WARM_UP / 2, false);
                frames.run(s, WARM_UP / 2, true);
                for (boolean await : new boolean[] {false, true}) {
                    long[] bytes = new long[WINDOWS];
                    for (int w = 0; w < WINDOWS; w++) {
                        long before = THREADS.getCurrentThreadAllocatedBytes();
                        frames.run(s, WINDOW, await);
                        bytes[w] = THREADS.getCurrentThreadAllocatedBytes() - before;
                    }
                    String path = await ? "await" : "dequeue";
                    System.out.printf("frame allocation %s multiplanar=%s %s: %s B in windows of %d frames%n", backing, multiplanar, path,
                            Arrays.toString(bytes), WINDOW);
                    long[] sorted = bytes.clone();
                    Arrays.sort(sorted);
                    double perFrame = (double) sorted[WINDOWS / 2] / WINDOW;
                    assertTrue(perFrame < BOUND, path + ": " + perFrame + " B a frame in the median window, " + Arrays.toString(bytes) + " B in all");
                }
                assertEquals(WARM_UP + 2 * WINDOWS * WINDOW, frames.count);
            }
        }
    }

    /**
     * The capture loop, its checks allocation-free (a message is built only on failure). The
     * order rule is {@link Sequences}'s: vivid on a slow guest may give two buffers one sequence
     * number.
     */
    private static final class Frames {
        final int sizeImage;
        long last = -1, count;
        int lastIndex = -1, repeats;

        Frames(int sizeImage) {
            this.sizeImage = sizeImage;
        }

        void run(Streaming s, int n, boolean await) {
            for (int i = 0; i < n; i++) {
                V4l2Buffer b;
                if (await) {
                    assertEquals(Streaming.READY_BUFFER, s.await(10_000) & Streaming.READY_BUFFER, "no frame within 10 s");
                    b = s.dequeue(0);
                } else {
                    b = s.dequeue(10_000);
                }
                assertNotNull(b, "no frame");
                long q = b.sequence() & 0xFFFFFFFFL;
                if (q == last && (b.index() == lastIndex || ++repeats > 3)) {
                    throw new AssertionError("sequence " + q + " again, buffer " + b.index() + " after " + lastIndex + ", " + repeats + " repeats");
                }
                if (q < last) throw new AssertionError("sequence " + q + " after " + last);
                if (b.bytesUsed(0) != sizeImage) throw new AssertionError("a frame of " + b.bytesUsed(0) + " bytes, not " + sizeImage);
                last = q;
                lastIndex = b.index();
                count++;
                s.queue(b);
            }
        }
    }
}
