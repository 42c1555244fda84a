package io.github.v4l2ffm.benchmarks;

import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.CaptureLoop;
import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Devices;

import java.lang.management.ManagementFactory;
import java.util.concurrent.Semaphore;

/**
 * Heap bytes the capturing thread allocates per frame, round after round, read from the JVM's
 * per-thread allocation counter: unlike JMH's {@code gc.alloc.rate.norm}, it leaves out the
 * harness's own allocations. The first rounds run in the interpreter and C1; once C2 has
 * compiled the loop the figure is the library's steady state.
 *
 * <p>With {@code loop} as fourth argument the frames are taken by a {@link CaptureLoop} instead,
 * and the figure is the loop thread's: what the loop and its handler allocate per frame.
 *
 * <pre>benchmarks/run-main.sh AllocationPerFrame [rounds] [framesPerRound] [multiplanar] [loop]</pre>
 */
public final class AllocationPerFrame {
    private AllocationPerFrame() {}

    public static void main(String[] args) throws InterruptedException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int frames = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        boolean multiplanar = args.length > 2 && Boolean.parseBoolean(args[2]);
        boolean loop = args.length > 3 && args[3].equals("loop");
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        try (V4l2Device dev = V4l2Devices.find(c -> c.driver().equals("vivid") && c.isVideoCapture() && c.isMultiplanar() == multiplanar)
                .orElseThrow(() -> new IllegalStateException("vivid is not loaded")).open()) {
            BufferQueue q = dev.captureQueue();
            q.setFormat(320, 180, PixelFormat.YUYV);
            dev.setFrameInterval(q.type(), new Fraction(1, 60));
            try (BufferSet set = q.allocate(4); Streaming s = set.start()) {
                if (loop) {
                    viaLoop(s, rounds, frames, multiplanar, mx);
                    return;
                }
                long last = -1;
                for (int round = 0; round < rounds; round++) {
                    long before = mx.getThreadAllocatedBytes(tid);
                    long sum = 0;
                    for (int i = 0; i < frames; i++) {
                        V4l2Buffer b = s.dequeue(5_000);
                        if (b == null) throw new IllegalStateException("no frame within 5 s");
                        sum += b.segment(0).get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) + b.sequence();
                        s.queue(b);
                    }
                    last = mx.getThreadAllocatedBytes(tid) - before;
                    System.out.printf("round %2d: %8.2f bytes per frame (%s)%n", round, (double) last / frames, sum != 0 ? "ok" : "");
                }
                System.out.printf("%s: last round %.2f bytes per frame over %d frames%n",
                        multiplanar ? "multi-planar" : "single-planar", (double) last / frames, frames);
            }
        }
    }

    /** The same rounds with the frames taken by a capture loop: the loop thread's allocations per frame. */
    private static void viaLoop(Streaming s, int rounds, int frames, boolean multiplanar, com.sun.management.ThreadMXBean mx)
            throws InterruptedException {
        Semaphore done = new Semaphore(0);
        long[] sum = new long[1];
        int[] seen = new int[1];
        try (CaptureLoop loop = CaptureLoop.start("allocation-loop")) {
            long tid = loop.thread().threadId();
            loop.add(s, (source, b) -> {
                sum[0] += b.segment(0).get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) + b.sequence();
                if (++seen[0] == frames) {
                    seen[0] = 0;
                    done.release();
                }
            });
            long last = -1;
            for (int round = 0; round < rounds; round++) {
                long before = mx.getThreadAllocatedBytes(tid);
                done.acquire();
                last = mx.getThreadAllocatedBytes(tid) - before;
                System.out.printf("loop round %2d: %8.2f bytes per frame%n", round, (double) last / frames);
            }
            System.out.printf("%s, capture loop: last round %.2f bytes per frame over %d frames (%d)%n",
                    multiplanar ? "multi-planar" : "single-planar", (double) last / frames, frames, sum[0] & 1);
        }
    }
}
