package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.StreamEndedException;
import io.github.v4l2ffm.UserptrAllocator;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Vim2m;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Misuse of queues and buffers on real devices: each gives a clear exception, and nothing leaks
 * (descriptors and mappings are counted around every test).
 */
@WithV4l2Drivers(vivid = @Vivid, vim2m = @Vim2m)
@ExtendWith(NothingLeaks.class)
class StreamingBadInputTest {
    @Test
    void aClosedAllocatorIsRefusedBeforeTheKernel(@Driver("vivid") DeviceInfo vivid) {
        try (V4l2Device dev = vivid.open()) {
            BufferQueue q = dev.captureQueue();
            q.setFormat(320, 180, PixelFormat.YUYV);
            UserptrAllocator allocator = new UserptrAllocator();
            allocator.close();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.allocate(2, allocator));
            assertTrue(e.getMessage().contains("is closed"), e.getMessage());
            assertTrue(q.buffers().isEmpty());
            try (BufferSet ok = q.allocate(2)) {
                assertEquals(2, ok.count(), "the queue is still usable");
            }
        }
    }

    @Test
    void bufferIndexOutOfRange(@Driver("vivid") DeviceInfo vivid) {
        try (V4l2Device dev = vivid.open(); BufferSet set = dev.captureQueue().allocate(3)) {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> set.buffer(3));
            assertTrue(e.getMessage().contains("out of 0..2"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> set.buffer(-1));
            assertThrows(IndexOutOfBoundsException.class, () -> set.export(7, 0));
        }
    }

    @Test
    void dequeueWhenNotStreamingAndOtherStateErrors(@Driver("vivid") DeviceInfo vivid) {
        try (V4l2Device dev = vivid.open()) {
            BufferQueue q = dev.captureQueue();
            q.setFormat(320, 180, PixelFormat.YUYV);
            try (BufferSet set = q.allocate(2)) {
                assertTrue(assertThrows(IllegalStateException.class, () -> q.allocate(2)).getMessage().contains("already has 2 buffers"));
                assertThrows(IllegalStateException.class, () -> q.setFormat(640, 480, PixelFormat.YUYV));
                Streaming s = set.start();
                assertThrows(IllegalStateException.class, set::start);
                V4l2Buffer b = s.dequeue(10_000);
                assertNotNull(b);
                s.queue(b);
                IllegalStateException twice = assertThrows(IllegalStateException.class, () -> s.queue(b));
                assertTrue(twice.getMessage().contains("already queued"), twice.getMessage());
                s.close();
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.dequeue(100));
                assertTrue(e.getMessage().contains("not streaming"), e.getMessage());
                assertThrows(IllegalStateException.class, () -> s.queue(b));
                // streaming again after a stop works, with every buffer back in the application's hands
                try (Streaming again = set.start()) {
                    assertNotNull(again.dequeue(10_000));
                }
            }
        }
    }

    @Test
    void unsupportedFormatIsAdjustedAndReported(@Driver("vivid") DeviceInfo vivid) {
        try (V4l2Device dev = vivid.open()) {
            BufferQueue q = dev.captureQueue();
            VideoFormat asked = VideoFormat.of(q.type(), 320, 180, PixelFormat.of("ZZZZ"));
            VideoFormat tried = dev.tryFormat(asked);
            VideoFormat got = q.setFormat(asked);
            assertNotEquals(PixelFormat.of("ZZZZ"), got.pixelFormat());
            assertEquals(tried, got);
            assertTrue(q.formats().stream().anyMatch(d -> d.pixelFormat().equals(got.pixelFormat())),
                    got.pixelFormat() + " is one of the formats the queue lists");
            // a size the device does not have is adjusted too
            VideoFormat odd = q.setFormat(333, 77, PixelFormat.YUYV);
            assertTrue(odd.width() != 333 || odd.height() != 77, "vivid's webcam input has discrete sizes: " + odd);
        }
    }

    @Test
    void segmentUseAfterTheBuffersAreFreedIsAnExceptionNotACrash(@Driver("vivid") DeviceInfo vivid) {
        try (V4l2Device dev = vivid.open()) {
            BufferSet set = dev.captureQueue().allocate(2);
            V4l2Buffer b = set.buffer(0);
            MemorySegment seg = b.segment(0);
            seg.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            set.close();
            assertThrows(IllegalStateException.class, () -> seg.get(ValueLayout.JAVA_BYTE, 0));
            assertThrows(IllegalStateException.class, () -> b.segment(0));
            assertThrows(IllegalStateException.class, () -> set.buffer(0));
            assertThrows(IllegalStateException.class, set::start);
            assertFalse(set.isOpen());
        }
    }

    /** vim2m's capture queue streaming with no OUTPUT buffers: a dequeue there waits for ever. */
    private static Streaming idleM2mCapture(V4l2Device m2m) {
        m2m.outputQueue().setFormat(320, 240, PixelFormat.RGB24);
        m2m.captureQueue().setFormat(320, 240, PixelFormat.RGB24);
        m2m.outputQueue().allocate(2).start();
        return m2m.captureQueue().allocate(2).start();
    }

    @Test
    void stopFromAnotherThreadWakesABlockedDequeue(@Driver("vim2m") DeviceInfo info) throws Exception {
        try (V4l2Device m2m = info.open()) {
            Streaming s = idleM2mCapture(m2m);
            assertNull(s.dequeue(200), "nothing to dequeue without input");
            CompletableFuture<V4l2Buffer> waiter = CompletableFuture.supplyAsync(() -> s.dequeue(Streaming.FOREVER), Threads.NEW_THREAD_EACH);
            Thread.sleep(300);
            assertFalse(waiter.isDone(), "dequeue(FOREVER) returned without a frame or a stop");
            s.stop();
            assertEquals(StreamEndedException.Reason.STOPPED, ended(waiter).reason());
            assertTrue(s.isStopped());
            assertEquals(StreamEndedException.Reason.STOPPED, assertThrows(StreamEndedException.class, () -> s.dequeue(0)).reason());
        }
    }

    @Test
    void closingTheDeviceWhileAnotherThreadWaitsNeitherCrashesNorHangs(@Driver("vim2m") DeviceInfo info) throws Exception {
        V4l2Device m2m = info.open();
        Streaming s = idleM2mCapture(m2m);
        CompletableFuture<V4l2Buffer> waiter = CompletableFuture.supplyAsync(() -> s.dequeue(Streaming.FOREVER), Threads.NEW_THREAD_EACH);
        Thread.sleep(300);
        assertFalse(waiter.isDone());
        m2m.close();
        StreamEndedException.Reason r = ended(waiter).reason();
        assertTrue(r == StreamEndedException.Reason.CLOSED || r == StreamEndedException.Reason.STOPPED, r.toString());
        assertFalse(m2m.isOpen());
        assertThrows(IllegalStateException.class, () -> s.dequeue(0));
        assertFalse(s.bufferSet().isOpen(), "closing the device freed its buffers");
    }

    @Test
    void closeWhileStreamingFreesEverything(@Driver("vivid") DeviceInfo vivid) {
        V4l2Device dev = vivid.open();
        BufferSet set = dev.captureQueue().allocate(4);
        Streaming s = set.start();
        assertNotNull(s.dequeue(10_000));
        MemorySegment seg = set.buffer(0).segment(0);
        dev.close();
        assertFalse(set.isOpen());
        assertThrows(IllegalStateException.class, () -> seg.get(ValueLayout.JAVA_BYTE, 0));
        assertThrows(IllegalStateException.class, () -> dev.captureQueue());
    }

    /** What the waiter ended with: it must be a StreamEndedException, within 10 s. */
    static StreamEndedException ended(CompletableFuture<?> waiter) throws Exception {
        try {
            Object r = waiter.get(10, TimeUnit.SECONDS);
            throw new AssertionError("the wait returned " + r + " instead of ending");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof StreamEndedException se) return se;
            throw new AssertionError("the wait ended with " + e.getCause(), e.getCause());
        }
    }
}
