package io.github.v4l2ffm.benchmarks;

import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Devices;

import java.lang.management.ManagementFactory;

/**
 * Heap bytes the capturing thread allocates per frame, round after round, read from the JVM's
 * per-thread allocation counter: unlike JMH's {@code gc.alloc.rate.norm}, it leaves out the
 * harness's own allocations. The first rounds run in the interpreter and C1; once C2 has
 * compiled the loop the figure is the library's steady state.
 *
 * <pre>benchmarks/run-main.sh AllocationPerFrame [rounds] [framesPerRound] [multiplanar]</pre>
 */
public final class AllocationPerFrame {
    private AllocationPerFrame() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int frames = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        boolean multiplanar = args.length > 2 && Boolean.parseBoolean(args[2]);
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        try (V4l2Device dev = V4l2Devices.find(c -> c.driver().equals("vivid") && c.isVideoCapture() && c.isMultiplanar() == multiplanar)
                .orElseThrow(() -> new IllegalStateException("vivid is not loaded")).open()) {
            BufferQueue q = dev.captureQueue();
            q.setFormat(320, 180, PixelFormat.YUYV);
            dev.setFrameInterval(q.type(), new Fraction(1, 60));
            try (BufferSet set = q.allocate(4); Streaming s = set.start()) {
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
}
