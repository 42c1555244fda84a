package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.CaptureLoop;
import io.github.v4l2ffm.Cid;
import io.github.v4l2ffm.DeviceGoneException;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.Events;
import io.github.v4l2ffm.StreamEndedException;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Event;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Planes;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Blocking waits on virtual threads ({@link Streaming#dequeue}, {@link Streaming#await},
 * {@code events().await}) park the virtual thread instead of pinning its carrier in
 * {@code poll(2)}: more virtual threads wait than there are carriers, and another virtual thread
 * still runs at once. The cameras are made to send nothing (vivid drops every buffer) so that the
 * waits last until the test lets frames through.
 */
@WithV4l2Drivers(vivid = {@Vivid, @Vivid(planes = Planes.MULTI), @Vivid, @Vivid})
class VirtualThreadWaitTest {
    private static final int CARRIERS = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
            Runtime.getRuntime().availableProcessors());

    private record Waiter(String what, Thread thread, CompletableFuture<Object> result) {
    }

    private static Waiter waiter(String what, Callable<Object> wait) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().name(what).start(() -> {
            try {
                result.complete(wait.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return new Waiter(what, t, result);
    }

    /** Waits until every waiter is parked; fails if one returns or does not park within 30 s. */
    private static void awaitParked(List<Waiter> waiters) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (waiters.stream().anyMatch(w -> w.thread().getState() != Thread.State.WAITING)) {
            for (Waiter w : waiters) {
                if (w.result().isDone()) fail(w.what() + " ended before the test let anything through: " + w.result().handle((r, e) -> r != null ? r : e).get());
            }
            if (System.nanoTime() > deadline) {
                fail("not all waiters parked: " + waiters.stream().map(w -> w.what() + " " + w.thread().getState()).toList());
            }
            Thread.sleep(20);
        }
    }

    /** How long a fresh virtual thread takes to run to its end, in milliseconds. */
    private static long progressMillis() throws Exception {
        long t0 = System.nanoTime();
        CompletableFuture<Integer> done = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> done.complete(Integer.toString(42).hashCode()));
        done.get(60, TimeUnit.SECONDS);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void moreVirtualThreadsWaitForFramesAndEventsThanThereAreCarriers(
            @Driver("vivid") DeviceInfo a, @Driver(value = "vivid", instance = 1) DeviceInfo b,
            @Driver(value = "vivid", instance = 2) DeviceInfo c, @Driver(value = "vivid", instance = 3) DeviceInfo d) throws Exception {
        CaptureLoop.start(Thread.ofVirtual().factory()).close(); // makes the virtual-thread poller, which stays: counted before
        long fds = LabDevices.openFds(), maps = LabDevices.mappings(), epolls = LabDevices.epolls();
        List<DeviceInfo> infos = List.of(a, b, c, d);
        List<V4l2Device> devs = new ArrayList<>(), watchers = new ArrayList<>();
        List<BufferSet> sets = new ArrayList<>();
        List<Streaming> streams = new ArrayList<>();
        List<Events.Subscription> subs = new ArrayList<>();
        try {
            for (DeviceInfo info : infos) {
                V4l2Device dev = info.open();
                devs.add(dev);
                VividErrors.smallFormat(dev);
                VividErrors.set(dev, VividErrors.DROPPED_PERCENT, 100); // no frame until the test says so
                BufferSet set = dev.captureQueue().allocate(3);
                sets.add(set);
                streams.add(set.start());
            }
            int eventWaiters = CARRIERS + 2;
            for (int i = 0; i < eventWaiters; i++) {
                V4l2Device w = infos.get(i % infos.size()).open();
                watchers.add(w);
                subs.add(w.events().subscribe(V4l2Event.Type.CTRL, Cid.CONTRAST));
            }

            List<Waiter> waiters = new ArrayList<>();
            for (int i = 0; i < streams.size(); i++) {
                Streaming s = streams.get(i);
                if (i == 3) {
                    waiters.add(waiter("await " + i, () -> s.await(Streaming.FOREVER)));
                } else {
                    waiters.add(waiter("dequeue " + i, () -> {
                        V4l2Buffer f = s.dequeue(Streaming.FOREVER);
                        int seq = f.sequence();
                        s.queue(f);
                        return seq;
                    }));
                }
            }
            for (int i = 0; i < watchers.size(); i++) {
                V4l2Device w = watchers.get(i);
                waiters.add(waiter("events " + i, () -> w.events().await(Streaming.FOREVER)));
            }
            // a virtual thread parked in a wait is WAITING; pinned in poll(2) it would be RUNNABLE
            awaitParked(waiters);
            long progress = progressMillis();
            System.out.printf("virtual threads: %d waiting (%d for frames, %d for events) on %d carriers; another ran in %d ms%n",
                    waiters.size(), streams.size(), watchers.size(), CARRIERS, progress);
            assertTrue(waiters.size() > 2 * CARRIERS + 1);
            assertTrue(progress < 2000, "a virtual thread took " + progress + " ms to run while the others waited");

            // now frames and events come: every waiter returns with what it waited for
            long t0 = System.nanoTime();
            for (V4l2Device dev : devs) VividErrors.set(dev, VividErrors.DROPPED_PERCENT, 0);
            for (V4l2Device dev : devs) dev.controls().set(Cid.CONTRAST, 100);
            for (Waiter w : waiters) {
                Object r = w.result().get(30, TimeUnit.SECONDS);
                if (w.what().startsWith("events")) {
                    assertEquals(Cid.CONTRAST, assertInstanceOf(V4l2Event.class, r).id());
                } else if (w.what().startsWith("await")) {
                    assertTrue(((Integer) r & Streaming.READY_BUFFER) != 0, w.what() + " returned " + r);
                } else {
                    assertNotNull(r);
                }
            }
            System.out.printf("virtual threads: every waiter woke within %d ms of frames and events being let through%n",
                    (System.nanoTime() - t0) / 1_000_000);

            // stop and unplug wake parked virtual threads too
            VividErrors.set(devs.get(0), VividErrors.DROPPED_PERCENT, 100);
            VividErrors.set(devs.get(1), VividErrors.DROPPED_PERCENT, 100);
            Streaming s0 = streams.get(0);
            Streaming s1 = streams.get(1);
            // each takes what vivid filled before the drops began, then waits
            Waiter stopped = waiter("dequeue to be stopped", () -> {
                while (true) s0.queue(s0.dequeue(Streaming.FOREVER));
            });
            Waiter unplugged = waiter("dequeue to be unplugged", () -> {
                while (true) s1.queue(s1.dequeue(Streaming.FOREVER));
            });
            awaitParked(List.of(stopped, unplugged));
            s0.stop();
            try (V4l2Device plug = b.open()) {
                VividErrors.press(plug, VividErrors.DISCONNECT);
            }
            try {
                stopped.result().get(10, TimeUnit.SECONDS);
                fail("dequeue returned after stop");
            } catch (java.util.concurrent.ExecutionException e) {
                assertEquals(StreamEndedException.Reason.STOPPED, assertInstanceOf(StreamEndedException.class, e.getCause()).reason());
            }
            try {
                unplugged.result().get(10, TimeUnit.SECONDS);
                fail("dequeue returned after the unplug");
            } catch (java.util.concurrent.ExecutionException e) {
                assertInstanceOf(DeviceGoneException.class, e.getCause());
            }
        } finally {
            subs.forEach(Events.Subscription::close);
            streams.forEach(Streaming::close);
            sets.forEach(BufferSet::close);
            devs.forEach(V4l2Device::close);
            watchers.forEach(V4l2Device::close);
            // vivid keeps its controls across the unplug: give every instance its defaults back
            for (DeviceInfo info : infos) {
                try (V4l2Device dev = info.open()) {
                    VividErrors.set(dev, VividErrors.DROPPED_PERCENT, 0);
                    dev.controls().set(Cid.CONTRAST, 128);
                } catch (RuntimeException e) {
                    System.out.println("could not reset " + info.path() + ": " + e);
                }
            }
        }
        assertEquals(fds, LabDevices.openFds(), "file descriptors leaked");
        assertEquals(maps, LabDevices.mappings(), "mappings leaked");
        assertEquals(epolls, LabDevices.epolls(), "the waits' epoll instances were not closed");
        try (V4l2Device again = b.open()) {
            assertEquals("vivid", again.queryCapabilities().driver(), "vivid reconnected: no handle was left open");
        }
    }
}
