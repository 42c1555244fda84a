package io.github.v4l2ffm.benchmarks;

import io.github.v4l2ffm.BufferAllocator;
import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.Cid;
import io.github.v4l2ffm.DmaHeapAllocator;
import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.UserptrAllocator;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.V4l2Device;

import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * The library's side of {@code benchmarks/side-by-side.sh}: the same capture as the minimal C
 * loop ({@code benchmarks/native/capture-loop.c}), measured the same way, in one JVM.
 *
 * <pre>
 * SideBySide steady SINGLE_NODE MULTI_NODE FRAMES [dmabuf]   every memory type, both planarities, both paths
 * SideBySide warmup DEVICE [MAX]                            the warm-up alone, in a fresh JVM
 * SideBySide ioctl DEVICE CALLS                             ns and heap bytes per call
 * SideBySide soak SINGLE_NODE MULTI_NODE SECONDS [dmabuf]    a long run through every case: heap bytes and GCs
 * SideBySide stream DEVICE                                  MMAP capture until killed (a whole program, as the peers run)
 * SideBySide floor SINGLE_NODE FRAMES [ROUNDS]               the C loop, the same loop on bare FFM downcalls (and with DQBUF and QBUF
 *                                                           linked critical), the library (MMAP), in turn
 * SideBySide case single|multi NODE MEMORY dequeue|await FRAMES   one case in a JVM of its own, the C loop just before it
 * SideBySide split SINGLE_NODE WARM N                       queue, and a dequeue that finds a buffer ready, timed alone: the
 *                                                           library's and the bare FFM loop's (instructions, under --icount)
 * </pre>
 *
 * <p>{@code case} is what an application that captures one kind of stream sees: its JIT profiles
 * hold that memory type, planarity and path only, where {@code steady}'s one JVM, which goes
 * through every case in turn, compiles the per-frame methods for all of them at once (a call
 * site that has seen several segment classes or memory types costs more at every frame).
 *
 * <p>{@code steady} warms up once (MMAP, dequeue then await) until, twice in a row, a round of
 * 300 frames allocates under 300 bytes and the JIT's compiler threads used under 50 ms of CPU
 * during it (or 20,000 frames have passed), then measures each case
 * over FRAMES frames, after 300 frames to settle its new buffers and a second of frames with the
 * compiler threads idle: process CPU and capturing-thread CPU per frame, heap bytes
 * the capturing thread allocated per frame, and garbage collections. {@code warmup} reports the
 * first 300 frames and how many frames the capturing thread took to reach its steady cost. One line of
 * {@code key value} pairs each, as the C loop prints them.
 */
public final class SideBySide {
    private SideBySide() {}

    public static void main(String[] args) {
        switch (args[0]) {
            case "ioctl" -> {
                try (V4l2Device dev = V4l2Device.open(Path.of(args[1]))) {
                    ioctls(dev, Long.parseLong(args[2]));
                }
            }
            case "warmup" -> {
                try (V4l2Device dev = V4l2Device.open(Path.of(args[1]))) {
                    warmup(dev, args.length > 2 ? Long.parseLong(args[2]) : 9_000);
                }
            }
            case "steady" -> {
                long n = Long.parseLong(args[3]);
                boolean dmabuf = args.length > 4 && args[4].equals("dmabuf");
                try (V4l2Device single = V4l2Device.open(Path.of(args[1])); V4l2Device multi = V4l2Device.open(Path.of(args[2]))) {
                    untilSteady(single, multi);
                    for (V4l2Device dev : new V4l2Device[] {single, multi}) {
                        for (String mem : dmabuf ? new String[] {"mmap", "userptr", "dmabuf"} : new String[] {"mmap", "userptr"}) {
                            String devName = dev == single ? "single" : "multi";
                            if (C_LOOP != null) { // just before the library's case: the machine's speed drifts over a boot
                                System.out.println("c " + devName + " " + mem + " dequeue " + cLoop(dev, n, mem));
                                if (dev == single && mem.equals("mmap")) {
                                    System.out.println("c single mmap+eventfd dequeue " + cLoop(dev, n, mem + "+eventfd"));
                                }
                            }
                            if (dev == single && mem.equals("mmap")) System.out.println("ffm single mmap dequeue " + plainFfm(dev.path(), n, false));
                            for (boolean await : new boolean[] {false, true}) {
                                System.out.println("library " + (dev == single ? "single " : "multi ") + mem + (await ? " await " : " dequeue ")
                                        + capture(dev, n, mem, await));
                            }
                        }
                    }
                }
            }
            case "case" -> {
                String planarity = args[1], mem = args[3];
                boolean await = args[4].equals("await");
                long n = Long.parseLong(args[5]);
                try (V4l2Device dev = V4l2Device.open(Path.of(args[2]))) {
                    // the C loop first: starting its process loads classes, and classes loaded after the
                    // warm-up can send C2's code of the frame path back to the interpreter
                    String c = C_LOOP != null ? cLoop(dev, n, mem) : null;
                    try (Stream s = new Stream(dev, mem)) { // warmed up and measured on the same stream
                        long[] seq = {-1, 0};
                        Frames f = k -> frames(s.streaming, k, await, seq);
                        // at least 9,000 frames: allocating nothing says C2 has the QBUF's path, not that it
                        // has every method of the frame's (await reached C2 after 7,425 calls in one JVM)
                        long warm = untilQuiet(f, 9_000, 20_000);
                        warm += untilJitIdle(f, 1_800);
                        String lib = measured(f, n, () -> seq[1]);
                        if (c != null) System.out.println("c " + planarity + " " + mem + " dequeue " + c);
                        System.out.println("library-case " + planarity + " " + mem + (await ? " await " : " dequeue ") + lib + " warm_frames " + warm);
                    }
                }
            }
            case "floor" -> {
                long n = Long.parseLong(args[2]), rounds = args.length > 3 ? Long.parseLong(args[3]) : 3;
                try (V4l2Device single = V4l2Device.open(Path.of(args[1]))) {
                    untilSteady(single);
                    for (long r = 1; r <= rounds; r++) {
                        if (C_LOOP != null) System.out.println("c single mmap dequeue " + cLoop(single, n, "mmap"));
                        if (C_LOOP != null) System.out.println("c single mmap+epoll dequeue " + cLoop(single, n, "mmap+epoll"));
                        System.out.println("ffm single mmap dequeue " + plainFfm(single.path(), n, false));
                        System.out.println("ffm-epoll single mmap dequeue " + plainFfm(single.path(), n, false, true));
                        System.out.println("ffm-critical single mmap dequeue " + plainFfm(single.path(), n, true));
                        for (boolean await : new boolean[] {false, true}) {
                            System.out.println("library single mmap" + (await ? " await " : " dequeue ") + capture(single, n, "mmap", await));
                        }
                    }
                }
            }
            case "split" -> { // the frame path's two halves, library and bare FFM: meaningful under --icount only
                long warm = Long.parseLong(args[2]), n = Long.parseLong(args[3]);
                try (V4l2Device dev = V4l2Device.open(Path.of(args[1]))) {
                    split(dev, warm, n);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            case "stream" -> { // until killed: the library as a whole program, for side-by-side.sh --peers
                try (V4l2Device dev = V4l2Device.open(Path.of(args[1])); Stream s = new Stream(dev, "mmap")) {
                    long[] seq = {-1, 0};
                    while (true) frames(s.streaming, 60, false, seq);
                }
            }
            case "soak" -> {
                long seconds = Long.parseLong(args[3]);
                boolean dmabuf = args.length > 4 && args[4].equals("dmabuf");
                try (V4l2Device single = V4l2Device.open(Path.of(args[1])); V4l2Device multi = V4l2Device.open(Path.of(args[2]))) {
                    untilSteady(single, multi);
                    soak(new V4l2Device[] {single, multi}, dmabuf ? new String[] {"mmap", "userptr", "dmabuf"} : new String[] {"mmap", "userptr"}, seconds);
                }
            }
            default -> throw new IllegalArgumentException("steady, warmup, ioctl, soak, stream, floor or case: " + args[0]);
        }
    }

    /**
     * Captures (MMAP, dequeue then await, on each device in turn) until, twice in a row, a round of
     * 300 frames on each allocates nothing and the compiler threads used under 50 ms of CPU.
     */
    private static long untilSteady(V4l2Device... devs) {
        return untilSteady(20_000, devs);
    }

    /** {@link #untilSteady(V4l2Device...)}, giving up after {@code max} frames (0: none). */
    private static long untilSteady(long max, V4l2Device... devs) {
        long frames = 0;
        for (int quiet = 0; quiet < 2 && frames < max; ) {
            boolean allQuiet = true;
            for (V4l2Device dev : devs) {
                try (Stream s = new Stream(dev, "mmap")) {
                    long[] seq = {-1, 0};
                    for (boolean await : new boolean[] {false, true}) {
                        allQuiet &= quietRound(k -> frames(s.streaming, k, await, seq));
                        frames += ROUND;
                    }
                }
            }
            quiet = allQuiet ? quiet + 1 : 0;
        }
        return frames;
    }

    /**
     * Rounds of 300 frames from {@code f} until, twice in a row, a round is quiet
     * ({@link #quietRound}) and at least {@code min} frames have passed, up to {@code max} frames:
     * as {@link #untilSteady} warms up, on one stream and path. The frames taken.
     */
    private static long untilQuiet(Frames f, long min, long max) {
        long frames = 0;
        for (int quiet = 0; (quiet < 2 || frames < min) && frames < max; frames += ROUND) {
            quiet = quietRound(f) ? quiet + 1 : 0;
        }
        return frames;
    }

    /**
     * Takes a round of {@value #ROUND} frames from {@code f}; whether it allocated under 300 bytes
     * and the compiler threads used under 50 ms of CPU during it. The bytes: the Sample record
     * itself, less than one byte a frame, is the counter's own noise; allocating nothing also says
     * the optimizing JIT has the QBUF's path (before it, its errno capture allocates 40 bytes a
     * call in C1's code). The compiler threads' CPU, not "no compilation ended": the measuring's
     * own code (reading /proc) keeps the JIT compiling now and then for minutes.
     */
    private static boolean quietRound(Frames f) {
        long j = jitCpuMillis(); // outside the samples: it allocates
        Sample a = Sample.now();
        f.take(ROUND);
        Sample b = Sample.now();
        return b.allocated - a.allocated < 300 && jitCpuMillis() - j < 50;
    }

    /**
     * Captures rounds of 60 frames (one second) until one passes with the compiler threads idle
     * (under 10 ms of their CPU), up to {@code max} frames; the frames taken.
     */
    private static long untilJitIdle(Frames f, long max) {
        long frames = 0;
        while (frames < max) {
            long j = jitCpuMillis();
            f.take(60);
            frames += 60;
            if (jitCpuMillis() - j < 10) break;
        }
        return frames;
    }

    /** Takes frames from a stream: the library's or {@link PlainFfmLoop}'s. */
    private interface Frames {
        void take(long n);
    }

    /** Measurements taken in a row at most, while the compiler threads work during the frames. */
    private static final int ATTEMPTS = 3;

    /**
     * {@code n} frames from {@code f}, measured: process and capturing-thread CPU, heap bytes and
     * GCs per frame, the rate, the gaps in the sequence ({@code gaps}: the count so far), and the
     * JIT's compilation time and compiler threads' CPU during them. While the compiler threads
     * used 50 ms of CPU or more during the frames (a compilation that began once they looked
     * idle), measured again once they are idle again ({@link #untilJitIdle}), up to
     * {@value #ATTEMPTS} times in all; the last measurement is reported, with its
     * {@code attempts} and {@code jit_busy} (1: the compiler threads were still at work during
     * it). One line of key value pairs.
     */
    private static String measured(Frames f, long n, java.util.function.LongSupplier gaps) {
        for (int attempt = 1; ; attempt++) {
            long gaps0 = gaps.getAsLong(), j = jitCpuMillis();
            Sample c = Sample.now();
            f.take(n);
            Sample d = Sample.now();
            long jitCpu = jitCpuMillis() - j;
            boolean busy = jitCpu >= 50;
            if (busy && attempt < ATTEMPTS) {
                untilJitIdle(f, 1_800);
                continue;
            }
            return String.format("frames %d process_us_per_frame %.1f thread_us_per_frame %.2f bytes_per_frame %.2f gcs %d fps %.1f gaps %d"
                            + " jit_ms_during %d jit_cpu_ms_during %d attempts %d jit_busy %d", n, (d.process - c.process) / 1e3 / n,
                    (d.thread - c.thread) / 1e3 / n, (double) (d.allocated - c.allocated) / n, d.gcs - c.gcs, n * 1e9 / (d.nanos - c.nanos),
                    gaps.getAsLong() - gaps0, d.jitMillis - c.jitMillis, jitCpu, attempt, busy ? 1 : 0);
        }
    }

    /** Frames in a round of {@link #warmup}. */
    private static final int ROUND = 300;

    /**
     * The warm-up of a fresh JVM on one stream (MMAP, dequeue): the first 300 frames' process and
     * capturing-thread CPU and heap bytes, and the frames the camera sent that it missed
     * ({@code first300_gaps}: a JIT that takes the one CPU can starve the capture); then, with
     * {@code max} above 300, rounds of 300 frames
     * up to {@code max} frames, and how many frames it took the capturing thread to reach its
     * steady cost: the frames before the first round from which no round's thread CPU is more
     * than 15% above the median of the last 5 rounds (its steady figure, printed too; each round
     * taken as the median of the three around it), allocating under a byte a frame or at most an
     * eighth more than the most of those last rounds ({@code -1} if never). Judged on the capturing thread's own
     * figures: the JIT's total compilation time never stops growing here, since the measuring
     * itself (reading /proc) has code of its own that the JIT reaches late. The compiler threads'
     * CPU after the first 300 frames is printed beside it ({@code jit_cpu_ms_after_first300}), and
     * the frames missed in all ({@code gaps}).
     */
    private static void warmup(V4l2Device dev, long max) {
        long[] seq = {-1, 0};
        int rounds = (int) Math.max(0, max / ROUND - 1);
        long[] thread = new long[rounds], bytes = new long[rounds];
        Sample a, b;
        long jit0 = 0, gaps300;
        try (Stream s = new Stream(dev, "mmap")) {
            a = Sample.now();
            frames(s.streaming, ROUND, false, seq);
            b = Sample.now();
            gaps300 = seq[1];
            if (rounds > 0) jit0 = jitCpuMillis();
            for (int r = 0; r < rounds; r++) {
                long t0 = THREADS.getCurrentThreadCpuTime(), a0 = THREADS.getCurrentThreadAllocatedBytes();
                frames(s.streaming, ROUND, false, seq);
                bytes[r] = THREADS.getCurrentThreadAllocatedBytes() - a0;
                thread[r] = THREADS.getCurrentThreadCpuTime() - t0;
            }
        }
        StringBuilder out = new StringBuilder(String.format("first300_process_us_per_frame %.1f first300_thread_us_per_frame %.1f first300_bytes_per_frame %.1f first300_gaps %d",
                (b.process - a.process) / 1e3 / ROUND, (b.thread - a.thread) / 1e3 / ROUND, (double) (b.allocated - a.allocated) / ROUND, gaps300));
        if (rounds >= 5) {
            long jit = jitCpuMillis() - jit0;
            long[] last = java.util.Arrays.copyOfRange(thread, rounds - 5, rounds);
            java.util.Arrays.sort(last);
            long steady = last[2];
            int from = rounds; // the first round of the steady stretch at the end, each round taken as the median of it and its neighbours (one disturbed round is the machine's)
            long lastBytes = 0;
            for (int r = rounds - 5; r < rounds; r++) lastBytes = Math.max(lastBytes, bytes[r]);
            long bytesLimit = Math.max(ROUND, lastBytes + lastBytes / 8); // under a byte a frame, or no more than the steady rounds (C1 alone allocates per call)
            while (from > 0 && median3(thread, from - 1) <= steady * 1.15 && bytes[from - 1] <= bytesLimit) from--;
            out.append(String.format(" steady_thread_us_per_frame %.1f steady_bytes_per_frame %.1f steady_after_frames %d jit_cpu_ms_after_first300 %d frames %d",
                    steady / 1e3 / ROUND, (double) lastBytes / ROUND, from == rounds ? -1 : ROUND * (from + 1), jit, ROUND * (rounds + 1)));
            StringBuilder perRound = new StringBuilder();
            for (int r = 0; r < rounds; r++) perRound.append(r == 0 ? "" : ",").append(String.format("%.0f", thread[r] / 1e3 / ROUND));
            StringBuilder perRoundBytes = new StringBuilder();
            for (int r = 0; r < rounds; r++) perRoundBytes.append(r == 0 ? "" : ",").append(String.format("%.1f", (double) bytes[r] / ROUND));
            out.append(" rounds_thread_us ").append(perRound).append(" rounds_bytes_per_frame ").append(perRoundBytes).append(" gaps ").append(seq[1]);
        }
        System.out.println(out);
    }

    /** The median of the three rounds around {@code v[i]} (at either end, the three nearest): one disturbed round, the last included, is the machine's. */
    private static long median3(long[] v, int i) {
        if (v.length < 3) return v[i];
        int lo = Math.max(0, Math.min(i - 1, v.length - 3));
        long a = v[lo], b = v[lo + 1], c = v[lo + 2];
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    /**
     * {@code split}: how many instructions (under {@code --icount}, where the guest's clock counts
     * them) {@link Streaming#queue} takes, and a {@link Streaming#dequeue} that finds a buffer
     * ready (the thread slept 40 ms, two frames and more, before it), each timed alone with
     * {@link System#nanoTime()}, the cost of two clock readings taken off; then the same halves of
     * the bare FFM loop with the library's wait ({@link PlainFfmLoop}, epoll). After {@code warm}
     * frames of each (C2 has their code), the median of {@code n}. The library's own code a frame
     * is the difference; leaving one piece of it out of a build and measuring again says what that
     * piece costs, without a whole frame's noise.
     */
    private static void split(V4l2Device dev, long warm, long n) throws InterruptedException {
        long[] pair = new long[(int) n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            pair[i] = System.nanoTime() - t0;
        }
        long clock = median(pair);
        long[] q = new long[(int) n], d = new long[(int) n];
        try (Stream s = new Stream(dev, "mmap")) {
            Streaming st = s.streaming;
            for (long i = 0; i < warm; i++) st.queue(st.dequeue(5_000));
            V4l2Buffer b = st.dequeue(5_000);
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                st.queue(b);
                q[i] = System.nanoTime() - t0 - clock;
                Thread.sleep(40);
                long t1 = System.nanoTime();
                b = st.dequeue(5_000);
                d[i] = System.nanoTime() - t1 - clock;
            }
            st.queue(b);
        }
        System.out.println("split library single mmap queue " + median(q) + " dequeue_ready " + median(d) + " clock_pair " + clock);
        try (PlainFfmLoop loop = new PlainFfmLoop(dev.path(), false, true)) {
            for (long i = 0; i < warm; i++) {
                loop.waitAndDequeue();
                loop.requeue();
            }
            loop.waitAndDequeue();
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                loop.requeue();
                q[i] = System.nanoTime() - t0 - clock;
                Thread.sleep(40);
                long t1 = System.nanoTime();
                loop.waitAndDequeue();
                d[i] = System.nanoTime() - t1 - clock;
            }
            loop.requeue();
        } catch (RuntimeException | Error | InterruptedException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        System.out.println("split ffm-epoll single mmap queue " + median(q) + " dequeue_ready " + median(d) + " clock_pair " + clock);
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** A started stream at 640x480 YUYV, 60 fps, 4 buffers of one memory type. */
    private static final class Stream implements AutoCloseable {
        final BufferAllocator allocator;
        final BufferSet set;
        final Streaming streaming;

        Stream(V4l2Device dev, String memory) {
            BufferQueue q = dev.captureQueue();
            q.setFormat(640, 480, PixelFormat.YUYV);
            dev.setFrameInterval(q.type(), new Fraction(1, 60));
            allocator = switch (memory) {
                case "userptr" -> new UserptrAllocator();
                case "dmabuf" -> DmaHeapAllocator.system();
                default -> null;
            };
            set = allocator == null ? q.allocate(4) : q.allocate(4, allocator);
            streaming = set.start();
        }

        @Override
        public void close() {
            streaming.close();
            set.close();
            if (allocator != null) allocator.close();
        }
    }

    static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
    static final java.util.List<GarbageCollectorMXBean> GCS = ManagementFactory.getGarbageCollectorMXBeans();

    /** Counters at one moment. */
    record Sample(long process, long thread, long allocated, long gcs, long jitMillis, long nanos) {
        /** Reads the allocation counter first and allocates only after the others: a round's figure is the frames' own. */
        static Sample now() {
            long allocated = THREADS.getCurrentThreadAllocatedBytes();
            long process = OS.getProcessCpuTime(), thread = THREADS.getCurrentThreadCpuTime(), jit = JIT.getTotalCompilationTime();
            long nanos = System.nanoTime();
            long gcs = 0;
            for (GarbageCollectorMXBean g : GCS) gcs += Math.max(0, g.getCollectionCount());
            return new Sample(process, thread, allocated, gcs, jit, nanos);
        }
    }

    /** One case: 300 frames to settle, then {@code n} measured. */
    private static String capture(V4l2Device dev, long n, String memory, boolean await) {
        try (Stream s = new Stream(dev, memory)) {
            long[] seq = {-1, 0};
            Frames f = k -> frames(s.streaming, k, await, seq);
            f.take(300);
            // a new buffer set can send the JIT back to work (a path not taken before): measure once it is idle
            long settle = 300 + untilJitIdle(f, 1_800);
            return measured(f, n, () -> seq[1]) + " settle_frames " + settle;
        }
    }

    private static final boolean[] plainFfmWarm = new boolean[3]; // without, with critical, with the library's wait (epoll)

    /**
     * The C loop's capture in Java with bare FFM downcalls ({@link PlainFfmLoop}) in this JVM, on
     * a handle of its own (the library's is idle between cases): 300 frames (7,200 the first
     * time), a second of frames with the compiler threads idle, then {@code n} measured as
     * {@link #capture} measures. {@code critical}: DQBUF and QBUF without the thread-state
     * transitions ({@link PlainFfmLoop}).
     */
    private static String plainFfm(Path device, long n, boolean critical) {
        return plainFfm(device, n, critical, false);
    }

    /** {@link #plainFfm(Path, long, boolean)}; {@code epoll}: waiting as the library's stream does (see {@link PlainFfmLoop}). */
    private static String plainFfm(Path device, long n, boolean critical, boolean epoll) {
        int kind = epoll ? 2 : critical ? 1 : 0;
        try (PlainFfmLoop loop = new PlainFfmLoop(device, critical, epoll)) {
            // the first time in this JVM, as many frames as the library had before its cases: its
            // per-frame methods are compiled by the optimizing JIT after some 5,000 calls
            loop.frames(plainFfmWarm[kind] ? 300 : 7_200);
            plainFfmWarm[kind] = true;
            untilJitIdle(loop::frames, 1_800);
            return measured(loop::frames, n, loop::gaps);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t); // opening the stream failed
        }
    }

    /**
     * The minimal C loop ({@code benchmarks/native/capture-loop.c}, built by side-by-side.sh),
     * from the system property {@code side-by-side.c-loop}: run by {@code steady} just before each
     * of the library's cases, so each ratio compares runs a few seconds apart (the C loop's own
     * figure has drifted by a third over one boot of the lab).
     */
    private static final String C_LOOP = System.getProperty("side-by-side.c-loop");

    /** The C loop's line of figures for {@code n} frames of {@code dev} with {@code memory}. */
    private static String cLoop(V4l2Device dev, long n, String memory) {
        try {
            Process p = new ProcessBuilder(C_LOOP, dev.path().toString(), Long.toString(n), memory)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() != 0) throw new IllegalStateException("the C loop failed on " + dev.path() + " " + memory);
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * CPU milliseconds the JIT's compiler threads have used so far (user + system, from
     * {@code /proc/self/task/*&#47;stat} of the threads named {@code C1 CompilerThread*} and
     * {@code C2 CompilerThread*}, which the thread MXBean does not list). The total compilation
     * time grows only when a compilation ends; under TCG one C2 compilation can run for seconds,
     * so "nothing compiled during the round" alone can hide one still running.
     */
    static long jitCpuMillis() {
        long ticks = 0;
        try (java.nio.file.DirectoryStream<Path> tasks = java.nio.file.Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path t : tasks) {
                String stat;
                try {
                    stat = java.nio.file.Files.readString(t.resolve("stat"));
                } catch (java.io.IOException gone) {
                    continue; // the thread ended meanwhile
                }
                int open = stat.indexOf('('), close = stat.lastIndexOf(')');
                String comm = stat.substring(open + 1, close);
                if (!comm.startsWith("C1 CompilerThre") && !comm.startsWith("C2 CompilerThre")) continue;
                // after "(comm) ": state is field 3; utime and stime are fields 14 and 15
                String[] f = stat.substring(close + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return ticks * 1000 / CLOCK_TICKS;
    }

    /** USER_HZ, the unit of /proc's CPU times: 100 on Linux for every architecture this runs on. */
    private static final long CLOCK_TICKS = 100;

    /**
     * After the warm-up, {@code seconds} of capture split evenly over every case (device, memory
     * type, path), each on a new stream: heap bytes the capturing thread allocated while taking
     * frames (stream set-up, between the cases, is not counted) and garbage collections over the
     * whole run, set-ups included.
     */
    private static void soak(V4l2Device[] devs, String[] mems, long seconds) {
        int cases = devs.length * mems.length * 2;
        long perCase = seconds * 1_000_000_000L / cases;
        long gcs0 = Sample.now().gcs, start = System.nanoTime(), allFrames = 0, allBytes = 0, allGaps = 0;
        StringBuilder lines = new StringBuilder();
        for (V4l2Device dev : devs) {
            for (String mem : mems) {
                for (boolean await : new boolean[] {false, true}) {
                    long frames = 0, bytes = 0, blocks = 0, mostInABlock = 0, firstAt = -1;
                    long[] seq = {-1, 0};
                    try (Stream s = new Stream(dev, mem)) {
                        long end = System.nanoTime() + perCase;
                        while (System.nanoTime() < end) {
                            long a = THREADS.getCurrentThreadAllocatedBytes();
                            frames(s.streaming, 60, await, seq);
                            long b = THREADS.getCurrentThreadAllocatedBytes() - a;
                            if (b > 0) {
                                // how it came: a few blocks of 60 frames (something done once), or most of them (per frame)
                                blocks++;
                                mostInABlock = Math.max(mostInABlock, b);
                                if (firstAt < 0) firstAt = frames;
                            }
                            bytes += b;
                            frames += 60;
                        }
                    }
                    allFrames += frames;
                    allBytes += bytes;
                    allGaps += seq[1];
                    lines.append(String.format("soak-case %s %s %s frames %d bytes %d gaps %d blocks_of_60_with_bytes %d most_in_a_block %d first_at_frame %d%n",
                            dev == devs[0] ? "single" : "multi", mem, await ? "await" : "dequeue", frames, bytes, seq[1], blocks, mostInABlock, firstAt));
                }
            }
        }
        System.out.print(lines);
        System.out.printf("soak seconds %.0f frames %d bytes %d bytes_per_frame %.3f gcs %d gaps %d%n", (System.nanoTime() - start) / 1e9,
                allFrames, allBytes, (double) allBytes / allFrames, Sample.now().gcs - gcs0, allGaps);
    }

    /** Captures {@code n} frames; {@code seq} holds the last sequence number and the gaps seen. */
    private static void frames(Streaming s, long n, boolean await, long[] seq) {
        for (long i = 0; i < n; i++) {
            V4l2Buffer b;
            if (await) {
                if ((s.await(5_000) & Streaming.READY_BUFFER) == 0) throw new IllegalStateException("no frame within 5 s");
                b = s.dequeue(0);
                if (b == null) throw new IllegalStateException("await said ready, dequeue found nothing");
            } else {
                b = s.dequeue(5_000);
                if (b == null) throw new IllegalStateException("no frame within 5 s");
            }
            long q = b.sequence() & 0xFFFFFFFFL;
            if (seq[0] >= 0 && q > seq[0] + 1) seq[1] += q - seq[0] - 1;
            seq[0] = q;
            s.queue(b);
        }
    }

    /** A loop of calls of one kind, in a method of its own: the JIT compiles each loop for its call alone. */
    private interface Calls {
        long run(long n);
    }

    private static final java.util.concurrent.atomic.AtomicLong SINK = new java.util.concurrent.atomic.AtomicLong();
    /** Rounds of calls, measured once the JIT is done with them: at most this many rounds in all. */
    private static final int MAX_ROUNDS = 60;
    /** Rounds measured (the compiler threads idle during each): the fastest of them counts. */
    private static final int MEASURED_ROUNDS = 5;

    /**
     * Rounds of {@code n} calls of each kind in turn until {@value #MEASURED_ROUNDS} rounds have
     * passed with the JIT's compiler threads idle (under 10 ms of their CPU over the round; at most
     * {@value #MAX_ROUNDS} rounds): of those, each kind's fastest round in ns (the least disturbed
     * by whatever else runs on the machine) and the most heap bytes any of them allocated. A round
     * measured while C2 still compiles would time the calls in C1's code, or the compiler's own
     * CPU: under TCG one compilation can run for seconds. Returns the figures in {@code best} and
     * {@code mostBytes}, and how many rounds it took.
     */
    private static int idleRounds(Calls[] calls, long n, long[] best, long[] mostBytes) {
        long tid = Thread.currentThread().threadId();
        java.util.Arrays.fill(best, Long.MAX_VALUE);
        long[] ns = new long[calls.length], bytes = new long[calls.length];
        long sink = 0;
        int measured = 0, round = 0;
        while (measured < MEASURED_ROUNDS && round < MAX_ROUNDS) {
            round++;
            long j = jitCpuMillis(); // outside the timed calls: it allocates
            for (int k = 0; k < calls.length; k++) {
                long a = THREADS.getThreadAllocatedBytes(tid), t = System.nanoTime();
                sink += calls[k].run(n);
                ns[k] = System.nanoTime() - t;
                bytes[k] = THREADS.getThreadAllocatedBytes(tid) - a;
            }
            if (round <= 2 || jitCpuMillis() - j >= 10) continue; // the first rounds profile and compile
            measured++;
            for (int k = 0; k < calls.length; k++) {
                best[k] = Math.min(best[k], ns[k]);
                mostBytes[k] = Math.max(mostBytes[k], bytes[k]);
            }
        }
        if (measured == 0) throw new IllegalStateException("the JIT was never idle for a round of calls in " + MAX_ROUNDS + " rounds");
        SINK.set(sink); // the results stay in use: no loop can be dropped
        return round;
    }

    /**
     * Per call, ns and heap bytes ({@link #idleRounds}), for the library's
     * {@code queryCapabilities()}, {@code format()}, {@code controls().get} and {@code set} (the
     * same value, then two in turn), then the same ioctls as plain downcalls ({@link #raw}).
     */
    private static void ioctls(V4l2Device dev, long n) {
        BufferQueue q = dev.captureQueue();
        io.github.v4l2ffm.Controls c = dev.controls();
        String[] names = {"querycap", "g_fmt", "g_ctrl", "s_ctrl", "s_ctrl_alt"};
        Calls[] calls = {
            k -> { long x = 0; for (long i = 0; i < k; i++) x += dev.queryCapabilities().version(); return x; },
            k -> { long x = 0; for (long i = 0; i < k; i++) x += q.format().width(); return x; },
            k -> { long x = 0; for (long i = 0; i < k; i++) x += c.get(Cid.BRIGHTNESS); return x; },
            // S_CTRL: the same value every time, then two values in turn (as the C loop)
            k -> { long x = 0; for (long i = 0; i < k; i++) x += c.set(Cid.BRIGHTNESS, 128).actual(); return x; },
            k -> { long x = 0; for (long i = 0; i < k; i++) x += c.set(Cid.BRIGHTNESS, 100 + (int) (i & 1)).actual(); return x; },
        };
        long[] best = new long[names.length], mostBytes = new long[names.length];
        int rounds = idleRounds(calls, n, best, mostBytes);
        c.set(Cid.BRIGHTNESS, 128);
        long[] raw = new long[3];
        int rawRounds = raw(dev.path(), q.type().value(), n, raw);
        StringBuilder out = new StringBuilder();
        for (int k = 0; k < names.length; k++) out.append(String.format("%s_ns %.1f ", names[k], (double) best[k] / n));
        for (int k = 0; k < names.length; k++) out.append(String.format("%s_bytes %.1f ", names[k], (double) mostBytes[k] / n));
        String[] rawNames = {"raw_querycap", "raw_g_fmt", "raw_g_ext_ctrls"};
        for (int k = 0; k < rawNames.length; k++) out.append(String.format("%s_ns %.1f ", rawNames[k], (double) raw[k] / n));
        System.out.println(out.append("rounds ").append(rounds).append(" raw_rounds ").append(rawRounds));
    }

    /** {@code sum}, the results of a round of plain ioctls, if every one succeeded (0). */
    private static long succeeded(long sum) {
        if (sum != 0) throw new IllegalStateException("a plain ioctl failed: " + sum);
        return sum;
    }

    /**
     * The same ioctls as plain downcalls on a second handle, one argument segment each, no
     * library layer around them (the descriptor's use count, the errno capture and the EINTR
     * loop are still there): what the FFM call itself costs next to C. ns per call in
     * {@code best} ({@link #idleRounds}); returns the rounds it took.
     */
    private static int raw(Path path, int bufType, long n, long[] best) {
        io.github.v4l2ffm.internal.DeviceFd fd = io.github.v4l2ffm.internal.DeviceFd.open(path);
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment cap = arena.allocate(io.github.v4l2ffm.bindings.v4l2_capability.layout());
            java.lang.foreign.MemorySegment fmt = arena.allocate(io.github.v4l2ffm.bindings.v4l2_format.layout());
            java.lang.foreign.MemorySegment ctrls = arena.allocate(io.github.v4l2ffm.bindings.v4l2_ext_controls.layout());
            java.lang.foreign.MemorySegment ctrl = arena.allocate(io.github.v4l2ffm.bindings.v4l2_ext_control.layout());
            io.github.v4l2ffm.bindings.v4l2_format.type(fmt, bufType);
            io.github.v4l2ffm.bindings.v4l2_ext_controls.which(ctrls, io.github.v4l2ffm.bindings.Videodev2.V4L2_CTRL_WHICH_CUR_VAL());
            io.github.v4l2ffm.bindings.v4l2_ext_controls.count(ctrls, 1);
            io.github.v4l2ffm.bindings.v4l2_ext_controls.controls(ctrls, ctrl);
            io.github.v4l2ffm.bindings.v4l2_ext_control.id(ctrl, Cid.BRIGHTNESS);
            long querycap = io.github.v4l2ffm.bindings.Videodev2.VIDIOC_QUERYCAP(), gFmt = io.github.v4l2ffm.bindings.Videodev2.VIDIOC_G_FMT(),
                    gExt = io.github.v4l2ffm.bindings.Videodev2.VIDIOC_G_EXT_CTRLS();
            Calls[] calls = {
                k -> { long x = 0; for (long i = 0; i < k; i++) x += fd.tryIoctl(querycap, cap); return succeeded(x); },
                k -> { long x = 0; for (long i = 0; i < k; i++) x += fd.tryIoctl(gFmt, fmt); return succeeded(x); },
                k -> { long x = 0; for (long i = 0; i < k; i++) x += fd.tryIoctl(gExt, ctrls); return succeeded(x); },
            };
            return idleRounds(calls, n, best, new long[calls.length]);
        } finally {
            fd.close();
        }
    }
}
