package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.BufferAllocator;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.Cid;
import io.github.v4l2ffm.DeviceBusyException;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.Events;
import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.StreamEndedException;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Event;
import io.github.v4l2ffm.V4l2Exception;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Vim2m;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A second application on a streaming camera, closing from another thread during every blocking
 * call, the timeout convention, and bad input refused at the call.
 */
@WithV4l2Drivers(vivid = @Vivid, vim2m = @Vim2m)
@ExtendWith(NothingLeaks.class)
class BusyAndCloseTest {
    @ParameterizedTest
    @EnumSource(Backing.class)
    void aSecondHandleOnAStreamingCameraGetsBusy(Backing backing, @Driver("vivid") DeviceInfo info) {
        try (V4l2Device first = info.open(); V4l2Device second = info.open(); BufferAllocator allocator = backing.allocator()) {
            VideoFormat f = VividErrors.smallFormat(first);
            try (BufferSet set = first.captureQueue().allocate(3); Streaming s = set.start()) {
                DeviceBusyException e = assertThrows(DeviceBusyException.class, () -> Backing.allocate(second.captureQueue(), 2, allocator));
                assertEquals("VIDIOC_REQBUFS", e.operation());
                assertEquals(V4l2Exception.Reason.BUSY, e.reason());
                assertTrue(e.getMessage().contains("another application"), e.getMessage());
                assertTrue(second.captureQueue().buffers().isEmpty());
                if (allocator != null) assertEquals(0, allocator.blocksInUse());
                DeviceBusyException fmt = assertThrows(DeviceBusyException.class,
                        () -> second.captureQueue().setFormat(640, 480, PixelFormat.YUYV));
                assertEquals("VIDIOC_S_FMT", fmt.operation());
                // the first handle streams on, untouched
                for (int i = 0; i < 3; i++) {
                    V4l2Buffer b = s.dequeue(10_000);
                    assertNotNull(b);
                    assertEquals(f.sizeImage(), b.bytesUsed(0));
                    s.queue(b);
                }
            }
            // once the first lets go, the second gets the queue
            try (BufferSet mine = Backing.allocate(second.captureQueue(), 2, allocator); Streaming s = mine.start()) {
                assertNotNull(s.dequeue(10_000));
            }
        }
    }

    /** vim2m's capture queue streaming with no OUTPUT buffer: a wait there lasts until something ends it. */
    private static Streaming idleM2mCapture(V4l2Device m2m) {
        m2m.outputQueue().setFormat(320, 240, PixelFormat.RGB24);
        m2m.captureQueue().setFormat(320, 240, PixelFormat.RGB24);
        m2m.outputQueue().allocate(2).start();
        return m2m.captureQueue().allocate(2).start();
    }

    /** What {@code wait} ended with once the device was closed by this thread. */
    private static Throwable closeDuring(V4l2Device dev, Callable<?> wait) throws Exception {
        CompletableFuture<Object> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return wait.call();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, Threads.NEW_THREAD_EACH);
        Thread.sleep(300);
        assertFalse(waiter.isDone(), "the wait ended before the close: " + waiter.getNow(null));
        dev.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> waiter.get(5, TimeUnit.SECONDS));
        return e.getCause();
    }

    @Test
    void closingTheDeviceEndsABlockedAwait(@Driver("vim2m") DeviceInfo info) throws Exception {
        V4l2Device m2m = info.open();
        Streaming s = idleM2mCapture(m2m);
        Throwable t = closeDuring(m2m, () -> s.await(Streaming.FOREVER));
        assertEquals(StreamEndedException.Reason.CLOSED, assertInstanceOf(StreamEndedException.class, t).reason(), t.toString());
        assertThrows(StreamEndedException.class, () -> s.await(0));
    }

    @Test
    void closingTheDeviceEndsABlockedDequeue(@Driver("vim2m") DeviceInfo info) throws Exception {
        V4l2Device m2m = info.open();
        Streaming s = idleM2mCapture(m2m);
        Throwable t = closeDuring(m2m, () -> s.dequeue(Streaming.FOREVER));
        assertInstanceOf(StreamEndedException.class, t, t.toString());
    }

    @Test
    void closingTheDeviceEndsABlockedEventWait(@Driver("vivid") DeviceInfo info) throws Exception {
        V4l2Device dev = info.open();
        var sub = dev.events().subscribe(V4l2Event.Type.CTRL, Cid.BRIGHTNESS);
        Throwable t = closeDuring(dev, () -> dev.events().await(Streaming.FOREVER));
        assertInstanceOf(IllegalStateException.class, t, t.toString());
        assertTrue(t.getMessage().contains("closed"), t.getMessage());
        sub.close();
    }

    @Test
    void timeoutsFollowOneConvention(@Driver("vim2m") DeviceInfo info) throws Exception {
        try (V4l2Device m2m = info.open()) {
            Streaming s = idleM2mCapture(m2m);
            long start = System.nanoTime();
            assertNull(s.dequeue(0), "0: no wait, nothing ready");
            assertEquals(0, s.await(0));
            assertNull(s.dequeue(150), "a timeout returns null");
            assertTrue(System.nanoTime() - start >= 150_000_000L, "dequeue(150) waited");
            long awaitStart = System.nanoTime();
            assertEquals(0, s.await(150), "an await that times out returns 0");
            assertTrue(System.nanoTime() - awaitStart >= 150_000_000L, "await(150) waited");
            // Long.MAX_VALUE waits (it does not overflow into an immediate return)
            CompletableFuture<V4l2Buffer> forever = CompletableFuture.supplyAsync(() -> s.dequeue(Long.MAX_VALUE), Threads.NEW_THREAD_EACH);
            CompletableFuture<Integer> awaitForever = CompletableFuture.supplyAsync(() -> s.await(Long.MAX_VALUE), Threads.NEW_THREAD_EACH);
            Thread.sleep(300);
            assertFalse(forever.isDone(), "dequeue(Long.MAX_VALUE) returned at once: " + forever.getNow(null));
            assertFalse(awaitForever.isDone(), "await(Long.MAX_VALUE) returned at once: " + awaitForever.getNow(null));
            s.stop();
            for (CompletableFuture<?> w : java.util.List.of(forever, awaitForever)) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> w.get(5, TimeUnit.SECONDS));
                assertEquals(StreamEndedException.Reason.STOPPED, assertInstanceOf(StreamEndedException.class, e.getCause()).reason());
            }
            // a negative timeout is refused, never read as "for ever"
            assertThrows(IllegalArgumentException.class, () -> s.dequeue(-1));
            assertThrows(IllegalArgumentException.class, () -> s.await(-1));
            assertThrows(IllegalArgumentException.class, () -> m2m.events().await(-1));
        }
    }

    /**
     * A stream's bounded waits end by a timer of its own, armed for a wait's deadline unless it is
     * armed already for an earlier one. A wait that ended early (here an event) leaves it armed
     * for that wait's deadline: a shorter wait after it must still end at its own deadline, and a
     * wait for ever must not end when the timer fires.
     */
    @Test
    void waitsEndAtTheirOwnDeadlineWhateverAnEarlierWaitLeftTheTimerAt(@Driver("vim2m") DeviceInfo info) throws Exception {
        try (V4l2Device m2m = info.open()) {
            Streaming s = idleM2mCapture(m2m);
            // vim2m's controls are its handle's own: the change comes from this handle, reported back to it
            try (Events.Subscription sub = m2m.events().subscribe(V4l2Event.Type.CTRL, Cid.HFLIP, Events.ALLOW_FEEDBACK)) {
                awaitEndedByAnEvent(s, m2m, 3_000);
                long start = System.nanoTime();
                assertNull(s.dequeue(150), "nothing to dequeue on an idle mem-to-mem queue");
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue(ms >= 150 && ms < 1_500, "dequeue(150) took " + ms + " ms (the timer was armed for 3 s)");
                start = System.nanoTime();
                assertEquals(0, s.await(150));
                ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue(ms >= 150 && ms < 1_500, "await(150) took " + ms + " ms");

                awaitEndedByAnEvent(s, m2m, 500); // the timer now fires 500 ms after this began
                CompletableFuture<V4l2Buffer> forever = CompletableFuture.supplyAsync(() -> s.dequeue(Streaming.FOREVER), Threads.NEW_THREAD_EACH);
                Thread.sleep(1_200);
                assertFalse(forever.isDone(), "dequeue(FOREVER) returned when the timer fired: " + forever.getNow(null));
                s.stop();
                ExecutionException e = assertThrows(ExecutionException.class, () -> forever.get(5, TimeUnit.SECONDS));
                assertEquals(StreamEndedException.Reason.STOPPED, assertInstanceOf(StreamEndedException.class, e.getCause()).reason());
            }
        }
    }

    /** {@code s.await(timeoutMillis)} on another thread, ended early by a control event; the event is read. */
    private static void awaitEndedByAnEvent(Streaming s, V4l2Device m2m, long timeoutMillis) throws Exception {
        long start = System.nanoTime();
        CompletableFuture<Integer> w = CompletableFuture.supplyAsync(() -> s.await(timeoutMillis), Threads.NEW_THREAD_EACH);
        Thread.sleep(100);
        m2m.controls().set(Cid.HFLIP, 1 - m2m.controls().get(Cid.HFLIP));
        assertEquals(Streaming.READY_EVENT, w.get(5, TimeUnit.SECONDS), "await ended by the event");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < timeoutMillis, "await(" + timeoutMillis + ") ended by an event after " + ms + " ms");
        assertEquals(V4l2Event.Type.CTRL, m2m.events().poll().orElseThrow().type());
    }

    @Test
    void badInputIsRefusedAtTheCall(@Driver("vivid") DeviceInfo info) {
        try (V4l2Device dev = info.open()) {
            badInputIsRefused(dev);
        }
    }

    private static void badInputIsRefused(V4l2Device dev) {
        long before = dev.controls().get(Cid.BRIGHTNESS);
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> dev.controls().set(Cid.BRIGHTNESS, (1L << 32) + 5));
        assertTrue(big.getMessage().contains("does not fit"), big.getMessage());
        assertEquals(before, dev.controls().get(Cid.BRIGHTNESS), "nothing was set (not truncated to 5)");
        assertThrows(IllegalArgumentException.class, () -> dev.controls().batch().set(Cid.CONTRAST, Long.MIN_VALUE));
        var q = dev.captureQueue();
        assertThrows(IllegalArgumentException.class, () -> q.setFormat(-320, 180, PixelFormat.YUYV));
        assertThrows(IllegalArgumentException.class, () -> q.allocate(0));
        assertThrows(IllegalArgumentException.class, () -> q.allocate(65));
        assertThrows(IllegalArgumentException.class, () -> dev.setFrameInterval(q.type(), new Fraction(0, 30)));
        assertThrows(IllegalArgumentException.class, () -> dev.setFrameInterval(q.type(), new Fraction(1, -30)));
        assertThrows(IllegalArgumentException.class, () -> dev.setInput(-1));
        assertThrows(IllegalArgumentException.class, () -> q.importDmaBufs(java.util.List.of()));
        VividErrors.smallFormat(dev);
        try (BufferSet set = q.allocate(2)) {
            V4l2Buffer b = set.buffer(0);
            assertThrows(IllegalArgumentException.class, () -> b.setBytesUsed(0, -1));
            assertThrows(IllegalArgumentException.class, () -> b.setBytesUsed(0, (int) b.length(0) + 1));
            assertThrows(IllegalArgumentException.class, () -> b.setTimestampNanos(-1));
            assertThrows(IllegalArgumentException.class, () -> set.addBuffers(63));
        }
    }
}
