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
import io.github.v4l2ffm.V4l2Exception;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Planes;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link CaptureLoop}: one thread serving four vivid cameras (three single-planar, one
 * multi-planar) at once. Frames arrive for each in order; an unplug, a fatal streaming error, a
 * failing handler, a stream or device closed from another thread end that camera's registration
 * with the documented reason while the others go on; closing the loop from another thread wakes
 * it; descriptors and mappings are back after every test.
 */
@WithV4l2Drivers(vivid = {@Vivid, @Vivid(planes = Planes.MULTI), @Vivid, @Vivid})
class CaptureLoopTest {
    /** What a test may wait for something the loop must do (TCG is slow; a hang is what this catches). */
    private static final long WAIT_MILLIS = 30_000;

    /** One camera, streaming. */
    private record Camera(DeviceInfo info, V4l2Device dev, VideoFormat format, BufferSet set, Streaming stream) implements AutoCloseable {
        static Camera open(DeviceInfo info) {
            V4l2Device dev = info.open();
            try {
                VideoFormat f = VividErrors.smallFormat(dev);
                BufferSet set = dev.captureQueue().allocate(4);
                return new Camera(info, dev, f, set, set.start());
            } catch (RuntimeException e) {
                dev.close();
                throw e;
            }
        }

        @Override
        public void close() {
            stream.close();
            set.close();
            dev.close();
        }
    }

    /** A handler that records what the loop gives it; never throws unless told to. */
    private static final class Recorder implements CaptureLoop.FrameHandler {
        final String name;
        final AtomicInteger frames = new AtomicInteger();
        final Sequences order = new Sequences();
        final List<String> problems = new CopyOnWriteArrayList<>();
        final List<V4l2Event> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<RuntimeException> ended = new CompletableFuture<>();
        final AtomicInteger endedCalls = new AtomicInteger();
        volatile Thread loopThread;
        volatile int expectedBytes;
        volatile RuntimeException throwOnFrame; // thrown from the next onFrame

        Recorder(String name) {
            this.name = name;
        }

        @Override
        public void onFrame(CaptureLoop.Registration source, V4l2Buffer frame) {
            if (Thread.currentThread() != loopThread) problems.add(name + ": onFrame on " + Thread.currentThread());
            if (frame.bufferSet() != source.streaming().bufferSet()) problems.add(name + ": a frame of another stream: " + frame);
            try {
                order.next(frame);
            } catch (AssertionError e) {
                problems.add(name + ": " + e.getMessage());
            }
            if (expectedBytes != 0 && frame.bytesUsed(0) != expectedBytes) problems.add(name + ": bytesused " + frame.bytesUsed(0));
            frames.incrementAndGet();
            RuntimeException t = throwOnFrame;
            if (t != null) {
                throwOnFrame = null;
                throw t;
            }
        }

        @Override
        public void onEvent(CaptureLoop.Registration source, V4l2Event event) {
            events.add(event);
        }

        @Override
        public void onEnded(CaptureLoop.Registration source, RuntimeException reason) {
            if (endedCalls.incrementAndGet() != 1) problems.add(name + ": onEnded called again");
            if (Thread.currentThread() != loopThread) problems.add(name + ": onEnded on " + Thread.currentThread());
            if (source.isActive()) problems.add(name + ": still active in onEnded");
            ended.complete(reason);
        }

        RuntimeException awaitEnded() throws Exception {
            return ended.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        }

        void assertNoProblems() {
            assertTrue(problems.isEmpty(), problems.toString());
        }
    }

    private static void waitUntil(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("not within " + WAIT_MILLIS + " ms: " + what);
            Thread.sleep(10);
        }
    }

    private static List<Camera> openAll(DeviceInfo... infos) {
        List<Camera> cams = new ArrayList<>();
        try {
            for (DeviceInfo i : infos) cams.add(Camera.open(i));
        } catch (RuntimeException e) {
            cams.forEach(Camera::close);
            throw e;
        }
        return cams;
    }

    private static List<Recorder> addAll(CaptureLoop loop, List<Camera> cams, List<CaptureLoop.Registration> regs) {
        List<Recorder> recs = new ArrayList<>();
        for (Camera c : cams) {
            Recorder r = new Recorder(c.info().path().toString());
            r.loopThread = loop.thread();
            r.expectedBytes = (int) c.format().sizeImage();
            recs.add(r);
            regs.add(loop.add(c.stream(), r));
        }
        return recs;
    }

    private static int min(List<Recorder> recs) {
        return recs.stream().mapToInt(r -> r.frames.get()).min().orElse(0);
    }

    @Test
    void oneThreadServesFourCamerasEachInOrder(@Driver("vivid") DeviceInfo a, @Driver(value = "vivid", instance = 1) DeviceInfo b,
                                                @Driver(value = "vivid", instance = 2) DeviceInfo c,
                                                @Driver(value = "vivid", instance = 3) DeviceInfo d) throws Exception {
        long fds = LabDevices.openFds(), maps = LabDevices.mappings(), epolls = LabDevices.epolls();
        List<Camera> cams = openAll(a, b, c, d);
        try {
            assertTrue(cams.get(1).dev().capabilities().isMultiplanar());
            List<CaptureLoop.Registration> regs = new ArrayList<>();
            List<Recorder> recs;
            long t0 = System.nanoTime();
            try (CaptureLoop loop = CaptureLoop.start("four-cameras")) {
                recs = addAll(loop, cams, regs);
                for (CaptureLoop.Registration r : regs) assertTrue(r.isActive());
                // a stream the loop serves is not dequeued by anyone else
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> cams.get(0).stream().dequeue(0));
                assertTrue(e.getMessage().contains("served by"), e.getMessage());
                assertThrows(IllegalStateException.class, () -> cams.get(0).stream().await(0));
                assertThrows(IllegalArgumentException.class, () -> loop.add(cams.get(0).stream(), (s, f) -> { }), "added twice");
                waitUntil("30 frames from every camera", () -> min(recs) >= 30);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("capture loop: %s frames from 4 cameras in %.1f s%n", recs.stream().map(r -> r.frames.get()).toList(), seconds);
            for (Recorder r : recs) {
                r.assertNoProblems();
                assertNull(r.awaitEnded(), "closing the loop ends every registration with no reason");
            }
            for (CaptureLoop.Registration r : regs) assertFalse(r.isActive());
            // the streams go on after the loop: dequeue them directly, in order after what the loop saw
            for (int i = 0; i < cams.size(); i++) {
                Streaming s = cams.get(i).stream();
                assertEquals(cams.get(i).set().count(), s.queuedCount(), "the loop queued every buffer again");
                V4l2Buffer f = s.dequeue(10_000);
                assertNotNull(f, "streaming goes on after the loop closed");
                assertTrue(f.sequence() > recs.get(i).order.last(), "sequence " + f.sequence() + " after " + recs.get(i).order.last());
                s.queue(f);
            }
        } finally {
            cams.forEach(Camera::close);
        }
        assertEquals(fds, LabDevices.openFds(), "file descriptors leaked");
        assertEquals(maps, LabDevices.mappings(), "mappings leaked");
        assertEquals(epolls, LabDevices.epolls(), "epoll instances leaked");
    }

    @Test
    void anUnpluggedCameraEndsWithDeviceGoneAndTheOthersGoOn(@Driver("vivid") DeviceInfo a,
                                                            @Driver(value = "vivid", instance = 1) DeviceInfo b,
                                                            @Driver(value = "vivid", instance = 2) DeviceInfo c) throws Exception {
        long fds = LabDevices.openFds(), maps = LabDevices.mappings(), epolls = LabDevices.epolls();
        List<Camera> cams = openAll(a, b, c);
        V4l2Device plug = c.open();
        Events.Subscription sub = cams.get(2).dev().events().subscribe(V4l2Event.Type.CTRL, Cid.BRIGHTNESS);
        try (CaptureLoop loop = CaptureLoop.start("unplug")) {
            List<CaptureLoop.Registration> regs = new ArrayList<>();
            List<Recorder> recs = addAll(loop, cams, regs);
            waitUntil("5 frames from every camera", () -> min(recs) >= 5);
            // the device's events come through the same loop
            plug.controls().set(Cid.BRIGHTNESS, 99);
            waitUntil("the brightness event", () -> !recs.get(2).events.isEmpty());
            assertEquals(99, ((V4l2Event.ControlChange) recs.get(2).events.getFirst().payload()).value());
            plug.controls().set(Cid.BRIGHTNESS, 128);

            long t0 = System.nanoTime();
            VividErrors.press(plug, VividErrors.DISCONNECT);
            RuntimeException reason = recs.get(2).awaitEnded();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("capture loop: the unplugged camera's registration ended after %d ms with %s%n", ms, reason);
            DeviceGoneException gone = assertInstanceOf(DeviceGoneException.class, reason);
            assertEquals(V4l2Exception.Reason.DEVICE_GONE, gone.reason());
            assertTrue(ms < 1000, "ended " + ms + " ms after the unplug");
            assertFalse(regs.get(2).isActive());
            assertSame(reason, regs.get(2).endReason());

            int[] before = {recs.get(0).frames.get(), recs.get(1).frames.get()};
            waitUntil("10 more frames from each camera still plugged", () ->
                    recs.get(0).frames.get() >= before[0] + 10 && recs.get(1).frames.get() >= before[1] + 10);
            assertTrue(loop.isOpen());
            assertTrue(regs.get(0).isActive() && regs.get(1).isActive());
            for (Recorder r : recs) r.assertNoProblems();
        } finally {
            sub.close();
            plug.close();
            cams.forEach(Camera::close); // never throws, also for the unplugged one
        }
        assertEquals(fds, LabDevices.openFds(), "file descriptors leaked");
        assertEquals(maps, LabDevices.mappings(), "mappings leaked");
        assertEquals(epolls, LabDevices.epolls(), "epoll instances leaked");
        try (V4l2Device again = c.open()) {
            assertEquals("vivid", again.queryCapabilities().driver(), "vivid reconnected: no handle was left open");
        }
    }

    @Test
    void aFatalStreamingErrorOrAFailingHandlerEndsOnlyThatCamera(@Driver("vivid") DeviceInfo a,
                                                                @Driver(value = "vivid", instance = 1) DeviceInfo b,
                                                                @Driver(value = "vivid", instance = 2) DeviceInfo c) throws Exception {
        long fds = LabDevices.openFds(), maps = LabDevices.mappings(), epolls = LabDevices.epolls();
        List<Camera> cams = openAll(a, b, c);
        try (CaptureLoop loop = CaptureLoop.start("errors")) {
            List<CaptureLoop.Registration> regs = new ArrayList<>();
            List<Recorder> recs = addAll(loop, cams, regs);
            waitUntil("3 frames from every camera", () -> min(recs) >= 3);

            // vivid's fatal streaming error: poll reports POLLERR, DQBUF EIO
            VividErrors.press(cams.get(0).dev(), VividErrors.FATAL_STREAMING_ERROR);
            V4l2Exception fatal = assertInstanceOf(V4l2Exception.class, recs.get(0).awaitEnded());
            assertEquals(V4l2Exception.Reason.QUEUE_ERROR, fatal.reason(), fatal.toString());

            // a handler's own exception ends its registration; its buffer goes back to the driver
            IllegalArgumentException bug = new IllegalArgumentException("a bug in the handler");
            recs.get(1).throwOnFrame = bug;
            assertSame(bug, recs.get(1).awaitEnded());
            assertEquals(cams.get(1).set().count(), cams.get(1).stream().queuedCount(), "the failed frame's buffer was queued again");

            int before = recs.get(2).frames.get();
            waitUntil("10 more frames from the third camera", () -> recs.get(2).frames.get() >= before + 10);
            assertTrue(regs.get(2).isActive());
            recs.forEach(Recorder::assertNoProblems);

            // the failed stream can be served again after a restart, by the same loop
            cams.get(0).stream().close();
            Streaming restarted = cams.get(0).set().start();
            Recorder again = new Recorder("restarted");
            again.loopThread = loop.thread();
            loop.add(restarted, again);
            waitUntil("frames from the restarted stream", () -> again.frames.get() >= 3);
            again.assertNoProblems();
        } finally {
            cams.forEach(Camera::close);
        }
        assertEquals(fds, LabDevices.openFds(), "file descriptors leaked");
        assertEquals(maps, LabDevices.mappings(), "mappings leaked");
        assertEquals(epolls, LabDevices.epolls(), "epoll instances leaked");
    }

    @Test
    void closingFromOtherThreadsWakesTheLoop(@Driver("vivid") DeviceInfo a, @Driver(value = "vivid", instance = 1) DeviceInfo b,
                                             @Driver(value = "vivid", instance = 2) DeviceInfo c,
                                             @Driver(value = "vivid", instance = 3) DeviceInfo d) throws Exception {
        long fds = LabDevices.openFds(), maps = LabDevices.mappings(), epolls = LabDevices.epolls();
        List<Camera> cams = openAll(a, b, c, d);
        CaptureLoop loop = CaptureLoop.start("closing");
        try {
            List<CaptureLoop.Registration> regs = new ArrayList<>();
            List<Recorder> recs = addAll(loop, cams, regs);
            waitUntil("3 frames from every camera", () -> min(recs) >= 3);

            // a stream stopped on another thread
            CompletableFuture.runAsync(() -> cams.get(0).stream().stop(), Threads.NEW_THREAD_EACH).get();
            assertEquals(StreamEndedException.Reason.STOPPED, assertInstanceOf(StreamEndedException.class, recs.get(0).awaitEnded()).reason());

            // a device closed on another thread: its stream's registration ends, then its descriptor is closed
            CompletableFuture.runAsync(() -> cams.get(1).dev().close(), Threads.NEW_THREAD_EACH).get();
            assertEquals(StreamEndedException.Reason.CLOSED, assertInstanceOf(StreamEndedException.class, recs.get(1).awaitEnded()).reason());

            // a registration closed on another thread: the stream goes on, to be dequeued directly
            CompletableFuture.runAsync(regs.get(2)::close, Threads.NEW_THREAD_EACH).get();
            assertNull(recs.get(2).awaitEnded());
            int seen = recs.get(2).frames.get();
            Thread.sleep(300);
            assertEquals(seen, recs.get(2).frames.get(), "no frame after the registration was closed");
            V4l2Buffer f = cams.get(2).stream().dequeue(10_000);
            assertNotNull(f);
            cams.get(2).stream().queue(f);

            // the fourth still streams through the loop; then the loop is closed on another thread
            int before = recs.get(3).frames.get();
            waitUntil("more frames from the fourth camera", () -> recs.get(3).frames.get() >= before + 5);
            long t0 = System.nanoTime();
            CompletableFuture.runAsync(loop::close, Threads.NEW_THREAD_EACH).get(10, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("capture loop: close from another thread returned after %d ms%n", ms);
            assertTrue(ms < 2000, "close took " + ms + " ms");
            assertFalse(loop.thread().isAlive());
            assertNull(recs.get(3).awaitEnded());
            assertThrows(IllegalStateException.class, () -> loop.add(cams.get(3).stream(), (s, x) -> { }), "a closed loop takes no stream");
            recs.forEach(Recorder::assertNoProblems);
        } finally {
            loop.close();
            cams.forEach(Camera::close);
        }
        assertEquals(fds, LabDevices.openFds(), "file descriptors leaked");
        assertEquals(maps, LabDevices.mappings(), "mappings leaked");
        assertEquals(epolls, LabDevices.epolls(), "epoll instances leaked");
    }

    @Test
    void aHeldFrameStaysWithTheApplicationUntilItQueuesIt(@Driver("vivid") DeviceInfo a,
                                                          @Driver(value = "vivid", instance = 1) DeviceInfo b) throws Exception {
        long fds = LabDevices.openFds(), maps = LabDevices.mappings(), epolls = LabDevices.epolls();
        List<Camera> cams = openAll(a, b);
        ConcurrentLinkedQueue<V4l2Buffer> held = new ConcurrentLinkedQueue<>();
        AtomicInteger heldFrames = new AtomicInteger();
        List<String> problems = new CopyOnWriteArrayList<>();
        CaptureLoop.Registration[] heldReg = new CaptureLoop.Registration[1];
        try (CaptureLoop loop = CaptureLoop.start("hold")) {
            // the first camera's frames go to another thread, which reads each and queues it back
            heldReg[0] = loop.add(cams.get(0).stream(), (source, frame) -> {
                source.hold(frame);
                held.add(frame);
            });
            Recorder other = new Recorder("other");
            other.loopThread = loop.thread();
            loop.add(cams.get(1).stream(), other);
            Thread worker = Thread.ofPlatform().start(() -> {
                Sequences order = new Sequences();
                while (heldFrames.get() < 20) {
                    V4l2Buffer f = held.poll();
                    if (f == null) {
                        Thread.onSpinWait();
                        continue;
                    }
                    try {
                        if (f.isQueued()) problems.add("a held frame was queued by the loop");
                        order.next(f);
                        f.segment(0).get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0); // still ours to read
                        cams.get(0).stream().queue(f);
                        heldFrames.incrementAndGet();
                    } catch (RuntimeException | AssertionError e) {
                        problems.add(e.toString());
                        return;
                    }
                }
            });
            worker.join(WAIT_MILLIS);
            assertFalse(worker.isAlive(), "20 held frames, read and queued back on another thread");
            assertTrue(problems.isEmpty(), problems.toString());
            assertTrue(other.frames.get() > 0, "the other camera streamed meanwhile");
            other.assertNoProblems();
            V4l2Buffer any = cams.get(1).set().buffer(0);
            assertThrows(IllegalStateException.class, () -> heldReg[0].hold(any), "hold outside onFrame");
        } finally {
            cams.forEach(Camera::close);
        }
        assertEquals(fds, LabDevices.openFds(), "file descriptors leaked");
        assertEquals(maps, LabDevices.mappings(), "mappings leaked");
        assertEquals(epolls, LabDevices.epolls(), "epoll instances leaked");
    }
}
