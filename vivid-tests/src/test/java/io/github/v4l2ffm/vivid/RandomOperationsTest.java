package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.BufferAllocator;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.Cid;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.DmaBuf;
import io.github.v4l2ffm.Events;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Event;
import io.github.v4l2ffm.V4l2Exception;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Planes;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Long random sequences of API calls on a real device, from one to three threads at once, with
 * vivid's error injections mixed in: only documented exception types may come out (a
 * {@link V4l2Exception}, an {@link IllegalStateException}, an {@link IllegalArgumentException} or
 * an {@link IndexOutOfBoundsException}), nothing hangs, the JVM lives, and descriptors and mappings
 * are back to where they were at the end.
 *
 * <p>The seeds and operation count are printed. {@code -Dv4l2.random.ops=N} (default 12000, split
 * over the runs) and {@code -Dv4l2.random.seeds=a,b,c} replay or extend a run (or the environment
 * variables {@code V4L2_RANDOM_OPS} and {@code V4L2_RANDOM_SEEDS}, which the lab VM passes on);
 * the run with seed {@code s} uses {@code 1 + s % 3} threads.
 */
@WithV4l2Drivers(vivid = {@Vivid, @Vivid(planes = Planes.MULTI)})
class RandomOperationsTest {
    private static final int OPS = Integer.getInteger("v4l2.random.ops",
            Integer.parseInt(System.getenv().getOrDefault("V4L2_RANDOM_OPS", "12000")));
    private static final long[] SEEDS = java.util.Arrays.stream(System.getProperty("v4l2.random.seeds",
                    System.getenv().getOrDefault("V4L2_RANDOM_SEEDS", "20261125,7,42")).split(","))
            .mapToLong(s -> Long.parseLong(s.trim())).toArray();
    /** A run that has not finished after this long is a hang. */
    private static final long RUN_LIMIT_MILLIS = 240_000;

    /** What the threads of one run share: races between them are the point. */
    private static final class World {
        final DeviceInfo info;
        volatile V4l2Device dev;
        volatile BufferSet set;
        volatile Streaming stream;
        volatile Events.Subscription subscription;
        /** Replaced with getAndSet, so that two threads replacing one at once lose none unclosed. */
        final AtomicReferenceArray<BufferAllocator> allocators = new AtomicReferenceArray<>(3);
        final List<DmaBuf> exported = Collections.synchronizedList(new ArrayList<>());
        final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
        final List<Throwable> unexpected = Collections.synchronizedList(new ArrayList<>());

        World(DeviceInfo info) {
            this.info = info;
            for (int i = 0; i < 3; i++) allocators.set(i, Backing.values()[i + 1].allocatorOrUserptr());
        }

        synchronized V4l2Device device() {
            V4l2Device d = dev;
            if (d == null || !d.isOpen()) dev = d = info.open();
            return d;
        }
    }

    @Test
    void randomSequencesOnlyThrowDocumentedExceptions(@Driver("vivid") DeviceInfo single,
                                                      @Driver(value = "vivid", instance = 1) DeviceInfo multi) throws Exception {
        List<String> fdsBefore = LabDevices.openFdTargets();
        long fds = fdsBefore.size(), maps = LabDevices.mappings();
        long total = 0;
        for (int run = 0; run < SEEDS.length; run++) {
            long seed = SEEDS[run];
            int threads = 1 + (int) Math.floorMod(seed, 3L);
            int ops = OPS / SEEDS.length;
            DeviceInfo info = run % 2 == 0 ? single : multi;
            long start = System.nanoTime();
            World w = new World(info);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Random rng = new Random(seed * 31 + t);
                int share = ops / threads;
                Thread th = Thread.ofPlatform().name("random-ops-" + seed + "-" + t).start(() -> {
                    for (int i = 0; i < share; i++) step(w, rng);
                });
                workers.add(th);
            }
            for (Thread th : workers) {
                th.join(Math.max(1, RUN_LIMIT_MILLIS - (System.nanoTime() - start) / 1_000_000));
                if (th.isAlive()) {
                    StringBuilder dump = new StringBuilder();
                    for (Thread x : workers) {
                        dump.append(x.getName()).append(":\n");
                        for (StackTraceElement e : x.getStackTrace()) dump.append("    at ").append(e).append('\n');
                    }
                    fail("seed " + seed + ": a thread did not finish within " + RUN_LIMIT_MILLIS + " ms (a hang):\n" + dump);
                }
            }
            cleanUp(w);
            VividErrors.disarm(info);
            VividControls.pictureDefaults(info);
            total += (long) (ops / threads) * threads;
            System.out.printf("random operations: seed %d, %d threads, %d operations on %s in %.1f s; outcomes %s%n",
                    seed, threads, (ops / threads) * threads, info.path(), (System.nanoTime() - start) / 1e9, new TreeMap<>(w.outcomes));
            if (!w.unexpected.isEmpty()) {
                Throwable first = w.unexpected.getFirst();
                fail("seed " + seed + ": " + w.unexpected.size() + " undocumented exceptions, the first: " + first, first);
            }
            List<String> fdsAfter = LabDevices.openFdTargets();
            assertEquals(fds, fdsAfter.size(), "seed " + seed + ": file descriptors leaked: before " + fdsBefore + ", after " + fdsAfter);
            assertEquals(maps, LabDevices.mappings(), "seed " + seed + ": mappings leaked");
        }
        System.out.printf("random operations: %d in all, seeds %s%n", total, java.util.Arrays.toString(SEEDS));
        assertTrue(total >= 10_000 || OPS < 10_000, "at least 10,000 operations: " + total);
        // and both devices still stream
        VividErrors.disarm(single);
        VividErrors.disarm(multi);
        VividControls.pictureDefaults(single);
        VividControls.pictureDefaults(multi);
    }

    private static void step(World w, Random rng) {
        int op = rng.nextInt(22);
        String name = "op" + op;
        try {
            name = run(w, rng, op);
            w.outcomes.computeIfAbsent(name + ": ok", k -> new AtomicLong()).incrementAndGet();
        } catch (V4l2Exception e) {
            if (e.reason() == V4l2Exception.Reason.DEVICE_GONE) w.unexpected.add(new AssertionError("gone without an unplug", e));
            w.outcomes.computeIfAbsent("V4l2Exception " + e.operation() + " " + e.errnoName(), k -> new AtomicLong()).incrementAndGet();
        } catch (IllegalStateException | IllegalArgumentException | IndexOutOfBoundsException e) {
            w.outcomes.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicLong()).incrementAndGet();
        } catch (Throwable t) {
            w.unexpected.add(new AssertionError("operation " + op + " threw " + t, t));
        }
    }

    /** One random operation; returns its name. */
    private static String run(World w, Random rng, int op) {
        switch (op) {
            case 0 -> {
                w.device();
                return "open";
            }
            case 1 -> {
                if (rng.nextInt(4) == 0) { // rarely: everything else fails until the next open
                    V4l2Device d = w.dev;
                    if (d != null) d.close();
                }
                return "close device";
            }
            case 2 -> {
                int[][] sizes = {{320, 180}, {640, 360}, {320, 180}};
                int[] s = sizes[rng.nextInt(sizes.length)];
                w.device().captureQueue().setFormat(s[0], s[1], rng.nextBoolean() ? PixelFormat.YUYV : PixelFormat.RGB24);
                return "setFormat";
            }
            case 3, 4 -> {
                int k = rng.nextInt(4);
                int count = 1 + rng.nextInt(6);
                w.set = k == 0 ? w.device().captureQueue().allocate(count) : w.device().captureQueue().allocate(count, w.allocators.get(k - 1));
                return "allocate";
            }
            case 5, 6 -> {
                BufferSet s = w.set;
                if (s == null) return "start (no set)";
                w.stream = s.start();
                return "start";
            }
            case 7, 8, 9 -> {
                Streaming s = w.stream;
                if (s == null) return "dequeue (no stream)";
                V4l2Buffer b = s.dequeue(rng.nextInt(40));
                if (b != null && rng.nextInt(5) != 0) s.queue(b);
                return b == null ? "dequeue: timeout" : "dequeue";
            }
            case 10 -> {
                Streaming s = w.stream;
                BufferSet set = w.set;
                if (s == null || set == null) return "queue (no stream)";
                s.queue(set.buffer(rng.nextInt(set.count() + 1)));
                return "queue";
            }
            case 11 -> {
                Streaming s = w.stream;
                if (s == null) return "await (no stream)";
                return "await " + s.await(rng.nextInt(30));
            }
            case 12 -> {
                Streaming s = w.stream;
                if (s != null) {
                    if (rng.nextBoolean()) s.stop();
                    else s.close();
                }
                return "stop or close stream";
            }
            case 13 -> {
                BufferSet s = w.set;
                if (s != null && rng.nextInt(3) == 0) s.close();
                return "close set";
            }
            case 14 -> {
                BufferSet s = w.set;
                if (s == null) return "export (no set)";
                DmaBuf d = s.export(rng.nextInt(s.count()), 0);
                if (rng.nextBoolean()) d.close();
                else w.exported.add(d);
                return "export";
            }
            case 15 -> {
                BufferSet s = w.set;
                if (s == null) return "read (no set)";
                V4l2Buffer b = s.buffer(rng.nextInt(s.count()));
                b.segment(0).get(ValueLayout.JAVA_BYTE, rng.nextInt((int) Math.min(b.length(0), 1 << 16)));
                return "read a buffer";
            }
            case 16 -> {
                long v = rng.nextInt(5) == 0 ? (1L << 32) + rng.nextInt(10) : rng.nextInt(300) - 20;
                w.device().controls().set(Cid.BRIGHTNESS, v);
                return "set brightness";
            }
            case 17 -> {
                V4l2Device d = w.device();
                Events.Subscription sub = w.subscription;
                if (sub == null || rng.nextBoolean()) {
                    w.subscription = d.events().subscribe(V4l2Event.Type.CTRL, Cid.BRIGHTNESS);
                    if (sub != null) sub.close();
                } else {
                    d.events().await(rng.nextInt(10));
                }
                return "events";
            }
            case 18 -> {
                String[] injections = {VividErrors.BUF_PREPARE_ERROR, VividErrors.START_STREAMING_ERROR,
                        VividErrors.FATAL_STREAMING_ERROR, VividErrors.REQBUFS_ERROR, VividErrors.BUF_FLAG_ERROR};
                VividErrors.press(w.device(), injections[rng.nextInt(injections.length)]);
                return "inject";
            }
            case 19 -> {
                BufferSet s = w.set;
                if (s == null) return "addBuffers (no set)";
                s.addBuffers(1 + rng.nextInt(2));
                return "addBuffers";
            }
            case 20 -> {
                if (rng.nextInt(8) == 0) {
                    int k = rng.nextInt(3);
                    BufferAllocator old = w.allocators.getAndSet(k, Backing.values()[k + 1].allocatorOrUserptr());
                    old.close(); // while sets may still hold its blocks
                }
                return "replace an allocator";
            }
            default -> {
                Streaming s = w.stream;
                if (s == null) return "freeBuffer (no stream)";
                V4l2Buffer b = s.freeBuffer(rng.nextInt(20));
                if (b != null && !b.isQueued()) s.queue(b);
                return "freeBuffer";
            }
        }
    }

    private static void cleanUp(World w) {
        Streaming s = w.stream;
        if (s != null) s.close();
        BufferSet set = w.set;
        if (set != null) set.close();
        Events.Subscription sub = w.subscription;
        if (sub != null) sub.close();
        V4l2Device d = w.dev;
        if (d != null) d.close();
        for (int i = 0; i < w.allocators.length(); i++) w.allocators.get(i).close();
        synchronized (w.exported) {
            w.exported.forEach(DmaBuf::close);
        }
    }
}
