package io.github.v4l2ffm.internal;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Waits on virtual threads ({@link DeviceFd#poll} with a {@link PollSet}) park instead of blocking
 * in poll(2), so that more virtual threads can wait than there are carriers while others run.
 * The descriptors are eventfds, waited on as a device is (with a wake eventfd).
 */
class VirtualWaitTest {
    private static final int CARRIERS = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
            Runtime.getRuntime().availableProcessors());

    private record Waiter(DeviceFd fd, PollSet set, Thread thread, CompletableFuture<Integer> result) {
    }

    private static Waiter waiter(Arena arena, int i, int timeoutMillis) {
        DeviceFd fd = DeviceFd.adoptWaitable(Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK), "eventfd " + i);
        PollSet set = new PollSet(arena, "waiter " + i, false);
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().name("waiter " + i).start(() -> {
            try {
                result.complete(fd.poll(set, Libc.POLLIN, -1, timeoutMillis));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return new Waiter(fd, set, t, result);
    }

    /** How long a fresh virtual thread takes to run to its end, in milliseconds. */
    private static long progressMillis() throws Exception {
        long t0 = System.nanoTime();
        CompletableFuture<Long> done = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            long sum = 0;
            for (int i = 0; i < 1000; i++) sum += Integer.toString(i).hashCode();
            done.complete(sum);
        });
        done.get(30, TimeUnit.SECONDS);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static void awaitState(List<Waiter> waiters, Thread.State state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (waiters.stream().anyMatch(w -> w.thread().getState() != state)) {
            assertTrue(System.nanoTime() < deadline, "waiters not " + state + ": "
                    + waiters.stream().map(w -> w.thread().getState()).toList());
            Thread.sleep(10);
        }
    }

    @Test
    void moreVirtualThreadsWaitThanThereAreCarriersAndOthersStillRun() throws Exception {
        int n = 2 * CARRIERS + 2;
        try (Arena arena = Arena.ofShared()) {
            List<Waiter> waiters = new ArrayList<>();
            for (int i = 0; i < n; i++) waiters.add(waiter(arena, i, -1));
            // parked (unmounted) virtual threads are WAITING; one pinned in poll(2) would be RUNNABLE
            awaitState(waiters, Thread.State.WAITING);
            long progress = progressMillis();
            System.out.printf("%d virtual threads waiting on %d carriers; another virtual thread ran in %d ms%n", n, CARRIERS, progress);
            assertTrue(progress < 2000, "a virtual thread took " + progress + " ms to run while others waited");
            for (Waiter w : waiters) assertTrue(!w.result().isDone(), "a waiter returned before its eventfd was written");

            for (Waiter w : waiters) w.fd().signal(); // adoptWaitable's own descriptor: writing it makes it readable
            for (Waiter w : waiters) {
                int revents = w.result().get(10, TimeUnit.SECONDS);
                assertEquals(Libc.POLLIN, revents & 0xffff, "the eventfd is readable");
            }
            for (Waiter w : waiters) {
                w.set().close();
                w.fd().close();
            }
        }
    }

    /** The control: blocking in poll(2) on virtual threads pins every carrier, and a new virtual thread waits for one. */
    @Test
    void aNativePollOnVirtualThreadsPinsTheirCarriers() throws Exception {
        int n = CARRIERS;
        List<CompletableFuture<Integer>> polls = new ArrayList<>();
        List<Integer> fds = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int fd = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
            fds.add(fd);
            CompletableFuture<Integer> r = new CompletableFuture<>();
            polls.add(r);
            threads.add(Thread.ofVirtual().start(() -> {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment p = a.allocate(Libc.POLLFD);
                    p.set(ValueLayout.JAVA_INT, 0, fd);
                    p.set(ValueLayout.JAVA_SHORT, 4, Libc.POLLIN);
                    r.complete(Libc.poll(p, 1, 1500));
                }
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (threads.stream().anyMatch(t -> t.getState() != Thread.State.RUNNABLE) && System.nanoTime() < deadline) Thread.sleep(5);
        long progress = progressMillis();
        System.out.printf("control: %d virtual threads in poll(2) on %d carriers; another virtual thread ran in %d ms%n", n, CARRIERS, progress);
        for (CompletableFuture<Integer> r : polls) assertEquals(0, r.get(10, TimeUnit.SECONDS));
        fds.forEach(Libc::close);
        assertTrue(progress > 700, "poll(2) on virtual threads did not hold their carriers (" + progress
                + " ms): the test above could not tell a pinned wait from a parked one");
    }

    @Test
    void aVirtualWaitTimesOutAndOutlastsInterrupts() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            Waiter w = waiter(arena, 0, 600);
            awaitState(List.of(w), Thread.State.TIMED_WAITING);
            long t0 = System.nanoTime();
            w.thread().interrupt(); // a native poll ignores interrupts: so does the parked wait
            assertEquals(0, w.result().get(10, TimeUnit.SECONDS), "timed out, nothing ready");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms > 300, "the interrupt ended the wait after " + ms + " ms");
            w.set().close();
            w.fd().close();
        }
    }

    @Test
    void closingTheDescriptorWakesAVirtualWaiter() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            Waiter w = waiter(arena, 0, -1);
            awaitState(List.of(w), Thread.State.WAITING);
            long t0 = System.nanoTime();
            w.fd().close(); // signals the wake eventfd; the number stays valid until the waiter lets go
            int revents = w.result().get(10, TimeUnit.SECONDS);
            assertTrue((revents & DeviceFd.WOKEN) != 0, "woken by close: 0x" + Integer.toHexString(revents));
            System.out.printf("close woke a virtual waiter after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            w.set().close();
        }
    }
}
