package io.github.v4l2ffm.benchmarks;

import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.CaptureLoop;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.StreamEndedException;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Devices;
import io.github.v4l2ffm.VideoFormat;

import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Many cameras, two ways: every vivid capture node streams at the same rate, and its frames are
 * taken either by one {@link CaptureLoop} thread ({@code loop}), by one platform thread per camera
 * blocking in {@link Streaming#dequeue} ({@code threads}), or by one virtual thread per camera
 * ({@code virtual}). Each frame gets the same work in every mode: its latency is noted, its
 * sequence checked, its first byte read, and it is queued again.
 *
 * <p>After a warm-up (JIT) it measures for a fixed time: the process's CPU time per frame
 * ({@code OperatingSystemMXBean}: every thread of the JVM, the JIT and GC included), the capture
 * threads' own CPU time and heap allocation per frame ({@code ThreadMXBean}; not for virtual
 * threads), the latency from each buffer's timestamp ({@code CLOCK_MONOTONIC}, as
 * {@link System#nanoTime()}) to the handler's call, frames and gaps in the sequence numbers.
 * vivid's timestamp source is set to "Start of Exposure": the ideal start of the frame's period,
 * when vivid's thread fills and hands over the buffer, so the latency includes that fill.
 * Prints a {@code RESULT} line that {@code many-cameras.sh} collects.
 *
 * <pre>benchmarks/run-main.sh ManyCameras loop|threads|virtual [measureSeconds] [warmupSeconds] [fps] [WxH]</pre>
 */
public final class ManyCameras {
    private ManyCameras() {}

    /** What one camera's frames showed; written by the one thread that takes its frames. */
    static final class Stats {
        final long[] latencies;
        int count;         // latencies noted
        int frames;        // frames while measuring
        long gaps;         // frames missing from the sequence while measuring
        int lastSeq = -1;
        long touched;
        volatile boolean measuring;

        Stats(int capacity) {
            latencies = new long[capacity];
        }

        void frame(V4l2Buffer b) {
            long now = System.nanoTime();
            int seq = b.sequence();
            if (measuring) {
                if (count < latencies.length) latencies[count++] = now - b.timestampNanos();
                frames++;
                if (lastSeq >= 0 && seq > lastSeq + 1) gaps += seq - lastSeq - 1;
            }
            lastSeq = seq;
            touched += b.segment(0).get(ValueLayout.JAVA_BYTE, 0);
        }
    }

    private record Camera(V4l2Device dev, BufferSet set, Streaming stream) {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "loop";
        int measure = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int fps = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        String[] size = (args.length > 4 ? args[4] : "320x180").split("x");
        if (!List.of("loop", "threads", "virtual").contains(mode)) throw new IllegalArgumentException("mode: loop, threads or virtual");

        List<DeviceInfo> nodes = V4l2Devices.list().stream()
                .filter(d -> d.capabilities().driver().equals("vivid") && d.capabilities().isVideoCapture())
                .sorted(Comparator.comparing(d -> d.path().toString())).toList();
        if (nodes.isEmpty()) throw new IllegalStateException("no vivid capture node");
        List<Camera> cams = new ArrayList<>();
        List<Stats> stats = new ArrayList<>();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var threadsMx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try {
            Fraction interval = null;
            VideoFormat format = null;
            for (DeviceInfo n : nodes) {
                V4l2Device dev = n.open();
                BufferQueue q = dev.captureQueue();
                format = q.setFormat(Integer.parseInt(size[0]), Integer.parseInt(size[1]), PixelFormat.YUYV);
                interval = dev.setFrameInterval(q.type(), new Fraction(1, fps));
                // vivid stamps each frame with the ideal time of its period; at "End of Frame" (its
                // default) that is 90% of a period after it hands the buffer over: take the start
                dev.controls().find("Timestamp Source").ifPresent(c -> dev.controls().set(c.id(), 1));
                BufferSet set = q.allocate(4);
                cams.add(new Camera(dev, set, set.start()));
                stats.add(new Stats(measure * fps * 2 + 100));
            }
            System.out.printf(Locale.ROOT, "%s: %d cameras (%s), %s at %s s per frame, %d s warm-up, %d s measured%n",
                    mode, cams.size(), nodes.stream().map(d -> d.path().toString()).toList(), format, interval, warmup, measure);

            List<Thread> captureThreads = new ArrayList<>();
            CaptureLoop loop = null;
            if (mode.equals("loop")) {
                loop = CaptureLoop.start("capture-loop");
                for (int i = 0; i < cams.size(); i++) {
                    Stats st = stats.get(i);
                    loop.add(cams.get(i).stream(), (source, frame) -> st.frame(frame));
                }
                captureThreads.add(loop.thread());
            } else {
                for (int i = 0; i < cams.size(); i++) {
                    Streaming s = cams.get(i).stream();
                    Stats st = stats.get(i);
                    Runnable body = () -> {
                        try {
                            while (true) {
                                V4l2Buffer b = s.dequeue(Streaming.FOREVER);
                                st.frame(b);
                                s.queue(b);
                            }
                        } catch (StreamEndedException e) {
                            // stopped: the run is over
                        }
                    };
                    captureThreads.add(mode.equals("threads") ? Thread.ofPlatform().name("capture-" + i).start(body)
                            : Thread.ofVirtual().name("capture-" + i).start(body));
                }
            }
            long[] ids = captureThreads.stream().mapToLong(Thread::threadId).toArray();

            Thread.sleep(warmup * 1000L);
            long cpu0 = os.getProcessCpuTime();
            long threadCpu0 = mode.equals("virtual") ? 0 : sum(threadsMx.getThreadCpuTime(ids));
            long alloc0 = mode.equals("virtual") ? 0 : sum(threadsMx.getThreadAllocatedBytes(ids));
            long t0 = System.nanoTime();
            for (Stats st : stats) st.measuring = true;
            Thread.sleep(measure * 1000L);
            for (Stats st : stats) st.measuring = false;
            long wall = System.nanoTime() - t0;
            long cpu = os.getProcessCpuTime() - cpu0;
            long threadCpu = mode.equals("virtual") ? -1 : sum(threadsMx.getThreadCpuTime(ids)) - threadCpu0;
            long alloc = mode.equals("virtual") ? -1 : sum(threadsMx.getThreadAllocatedBytes(ids)) - alloc0;

            if (loop != null) {
                loop.close();
            } else {
                for (Camera c : cams) c.stream().stop();
                for (Thread t : captureThreads) t.join();
            }

            long frames = 0, gaps = 0;
            int minFrames = Integer.MAX_VALUE, maxFrames = 0;
            long[] all = new long[stats.stream().mapToInt(s -> s.count).sum()];
            int k = 0;
            for (Stats st : stats) {
                frames += st.frames;
                gaps += st.gaps;
                minFrames = Math.min(minFrames, st.frames);
                maxFrames = Math.max(maxFrames, st.frames);
                System.arraycopy(st.latencies, 0, all, k, st.count);
                k += st.count;
            }
            Arrays.sort(all);
            double perFrameUs = frames == 0 ? Double.NaN : cpu / 1000.0 / frames;
            String result = String.format(Locale.ROOT,
                    "RESULT mode=%s cameras=%d seconds=%.1f frames=%d fps_per_camera=%.1f min_frames=%d max_frames=%d gaps=%d "
                            + "cpu_us_per_frame=%.1f cpu_percent=%.1f capture_thread_cpu_us_per_frame=%s capture_thread_alloc_bytes_per_frame=%s "
                            + "latency_us_p50=%.0f latency_us_p90=%.0f latency_us_p99=%.0f latency_us_max=%.0f latency_us_mean=%.0f",
                    mode, cams.size(), wall / 1e9, frames, frames / (wall / 1e9) / cams.size(), minFrames, maxFrames, gaps,
                    perFrameUs, 100.0 * cpu / wall,
                    threadCpu < 0 ? "na" : String.format(Locale.ROOT, "%.1f", threadCpu / 1000.0 / frames),
                    alloc < 0 ? "na" : String.format(Locale.ROOT, "%.1f", (double) alloc / frames),
                    pct(all, 0.50), pct(all, 0.90), pct(all, 0.99), all.length == 0 ? Double.NaN : all[all.length - 1] / 1000.0,
                    Arrays.stream(all).average().orElse(Double.NaN) / 1000.0);
            System.out.println(result);
            long touched = stats.stream().mapToLong(s -> s.touched).sum();
            if (touched == 42) System.out.println(); // keeps the reads
        } finally {
            for (Camera c : cams) {
                c.dev().controls().find("Timestamp Source").ifPresent(t -> c.dev().controls().set(t.id(), 0));
                c.stream().close();
                c.set().close();
                c.dev().close();
            }
        }
    }

    private static long sum(long[] values) {
        long s = 0;
        for (long v : values) s += v;
        return s;
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        return sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))] / 1000.0;
    }
}
