package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.BufferAllocator;
import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.DeviceGoneException;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.FieldOrder;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Exception;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Planes;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.VividNode;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The failure paths of output streaming, on vivid's video output nodes: the device unplugged
 * while a producer feeds it (vivid's Disconnect control), and the memory lent to the kernel
 * (USERPTR, DMABUF) given up by its owner while output buffers are queued. The same instances
 * as {@link OutputStreamingTest}, whose helpers these tests use.
 */
@WithV4l2Drivers(vivid = {@Vivid(nodes = {VividNode.VIDEO_CAPTURE, VividNode.VIDEO_OUTPUT}),
        @Vivid(planes = Planes.MULTI, nodes = {VividNode.VIDEO_CAPTURE, VividNode.VIDEO_OUTPUT})})
class OutputFailureTest {
    private static final int W = OutputStreamingTest.W, H = OutputStreamingTest.H;

    /** Fills plane by plane with test frame {@code k} and queues it, bytes used set by the write. */
    private static void queueFrame(Streaming s, V4l2Buffer b, VideoFormat f, int k) {
        for (int p = 0; p < f.planes().size(); p++) {
            int size = f.planes().get(p).sizeImage();
            b.write(p, MemorySegment.ofArray(OutputStreamingTest.pattern(k, p, f.planes().get(p).bytesPerLine(), size)));
        }
        b.setField(FieldOrder.NONE);
        s.queue(b);
    }

    @ParameterizedTest(name = "{0}, multiplanar={1}")
    @MethodSource("io.github.v4l2ffm.vivid.VividErrors#cases")
    void unplugWhileStreamingToTheOutputWakesTheProducerAndCloseReleasesEverything(
            Backing backing, boolean multiplanar,
            @Driver(value = "vivid", node = VividNode.VIDEO_OUTPUT) DeviceInfo singleOut, @Driver("vivid") DeviceInfo singleCap,
            @Driver(value = "vivid", instance = 1, node = VividNode.VIDEO_OUTPUT) DeviceInfo multiOut,
            @Driver(value = "vivid", instance = 1) DeviceInfo multiCap) throws Exception {
        OutputStreamingTest.Nodes n = OutputStreamingTest.nodes(multiplanar, singleOut, singleCap, multiOut, multiCap);
        long fds = LabDevices.openFds(), maps = LabDevices.mappings();
        BufferAllocator allocator = backing.allocator();
        List<AutoCloseable> toClose = new ArrayList<>(); // in this order, whatever fails: vivid reconnects only once its last handle is closed
        List<V4l2Buffer> buffers = new ArrayList<>();
        CompletableFuture<Throwable> producer = null;
        Streaming s = null;
        AtomicInteger sent = new AtomicInteger();
        Throwable primary = null;
        try {
            V4l2Device out = n.output().open();
            V4l2Device plug = n.capture().open(); // the handle that pulls the plug, on the instance's capture node
            toClose.addAll(List.of(out, plug));
            out.setOutput(OutputStreamingTest.hdmiOutput(out));
            BufferQueue q = out.outputQueue();
            VideoFormat f = q.setFormat(W, H, OutputStreamingTest.format(multiplanar));
            BufferSet set = Backing.allocate(q, 4, allocator);
            toClose.add(0, set);
            Streaming stream = s = set.start();
            buffers.addAll(set.buffers()); // (after the unplug, the set itself refuses: gone)
            int k = 0;
            for (V4l2Buffer b : buffers) queueFrame(stream, b, f, k++);
            // the producer: gets each buffer back as vivid sends it, writes the next frame into it, queues it again
            producer = CompletableFuture.supplyAsync(() -> {
                try {
                    for (int i = 4; ; i++) {
                        V4l2Buffer b = stream.freeBuffer(Streaming.FOREVER); // every buffer is queued: waits in dequeue
                        sent.incrementAndGet();
                        queueFrame(stream, b, f, i);
                    }
                } catch (Throwable t) {
                    return t;
                }
            }, Threads.NEW_THREAD_EACH);
            for (int i = 0; i < 200 && sent.get() < 8 && !producer.isDone(); i++) Thread.sleep(50);
            assertFalse(producer.isDone(), "the producer stopped before the unplug: " + producer.getNow(null));
            assertTrue(sent.get() >= 8, "vivid sent " + sent.get() + " output buffers in 10 s");

            long t0 = System.nanoTime();
            VividErrors.press(plug, VividErrors.DISCONNECT);
            Throwable woken = producer.get(10, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("output unplug %s multiplanar=%s: the producer woke after %d ms (%d buffers sent) with %s%n",
                    backing, multiplanar, ms, sent.get(), woken);
            DeviceGoneException e = assertInstanceOf(DeviceGoneException.class, woken, "the producer's freeBuffer or queue");
            assertEquals(V4l2Exception.Reason.DEVICE_GONE, e.reason());
            assertEquals("ENODEV", e.errnoName());
            // the producer waited with the other three queued: the kernel may hold them until the stream is closed
            long queued = buffers.stream().filter(V4l2Buffer::isQueued).count();
            assertTrue(queued >= 3, "buffers still queued to the gone device: " + queued);

            // every later call fails at once with the same type (queue checks the stream before the buffer)
            List<Callable<?>> calls = List.of(() -> stream.dequeue(1000), () -> stream.await(1000), () -> {
                stream.queue(buffers.get(0));
                return null;
            }, () -> out.format(q.type()), out::outputs, () -> set.buffer(1), () -> set.addBuffers(1), set::start, () -> q.allocate(2));
            UnplugTest.assertEachFailsAtOnceAsGone(calls);
            assertTrue(out.isGone());
            assertTrue(stream.isClosed());
        } catch (Throwable t) {
            primary = t;
            throw t;
        } finally {
            // whatever failed above, close everything, the producer out of the buffers first; then report what closing threw
            if (s != null) toClose.add(0, s);
            Streaming stream = s;
            CompletableFuture<Throwable> feeding = producer;
            AssertionError closing = UnplugTest.closeEach(toClose, c -> {
                if (c == stream && feeding != null) feeding.get(10, TimeUnit.SECONDS); // a closed stream wakes it
            });
            if (allocator != null && allocator.blocksInUse() > 0 && closing == null) {
                closing = new AssertionError("the kernel kept " + allocator.blocksInUse() + " lent blocks after every descriptor was closed");
            }
            if (allocator != null) allocator.close();
            UnplugTest.report(primary, closing);
        }
        for (V4l2Buffer b : buffers) assertFalse(b.isQueued(), "buffer " + b.index() + " of the closed stream is still queued");
        assertEquals(fds, LabDevices.openFds(), "file descriptors leaked");
        assertEquals(maps, LabDevices.mappings(), "mappings leaked");

        // vivid comes back once its last handle is closed: ours all are; it takes output frames again
        try (V4l2Device again = n.output().open()) {
            assertFalse(again.isGone());
            try {
                again.setOutput(OutputStreamingTest.hdmiOutput(again));
                VideoFormat f = again.outputQueue().setFormat(W, H, OutputStreamingTest.format(multiplanar));
                try (BufferSet fresh = again.outputQueue().allocate(2); Streaming fs = fresh.start()) {
                    int k = 0;
                    for (V4l2Buffer b : fresh.buffers()) queueFrame(fs, b, f, k++);
                    assertNotNull(fs.dequeue(10_000), "the reconnected output sends");
                }
            } finally {
                again.setOutput(0);
            }
        }
    }

    @ParameterizedTest(name = "{0}, multiplanar={1}")
    @MethodSource("io.github.v4l2ffm.vivid.VividErrors#lentCases")
    void closingTheAllocatorWhileOutputBuffersAreQueuedDefersTheFree(
            Backing backing, boolean multiplanar,
            @Driver(value = "vivid", node = VividNode.VIDEO_OUTPUT) DeviceInfo singleOut, @Driver("vivid") DeviceInfo singleCap,
            @Driver(value = "vivid", instance = 1, node = VividNode.VIDEO_OUTPUT) DeviceInfo multiOut,
            @Driver(value = "vivid", instance = 1) DeviceInfo multiCap) throws Exception {
        OutputStreamingTest.Nodes n = OutputStreamingTest.nodes(multiplanar, singleOut, singleCap, multiOut, multiCap);
        long fds = LabDevices.openFds(), maps = LabDevices.mappings();
        try (BufferAllocator allocator = backing.allocator(); V4l2Device out = n.output().open(); V4l2Device cap = n.capture().open()) {
            try {
                OutputStreamingTest.loop(out, cap);
                VideoFormat of = out.outputQueue().setFormat(W, H, OutputStreamingTest.format(multiplanar));
                cap.captureQueue().setFormat(W, H, OutputStreamingTest.format(multiplanar));
                int planes = of.planes().size();
                int[] sizes = new int[planes];
                // frames 0-5 before the allocator is closed, 6-11 after: only the later ones prove the memory still carries writes
                byte[][][] before = new byte[OutputStreamingTest.PATTERNS][planes][], after = new byte[OutputStreamingTest.PATTERNS][planes][];
                for (int p = 0; p < planes; p++) sizes[p] = of.planes().get(p).sizeImage();
                for (int k = 0; k < OutputStreamingTest.PATTERNS; k++) {
                    for (int p = 0; p < planes; p++) {
                        int stride = of.planes().get(p).bytesPerLine();
                        before[k][p] = OutputStreamingTest.pattern(k, p, stride, sizes[p]);
                        after[k][p] = OutputStreamingTest.pattern(OutputStreamingTest.PATTERNS + k, p, stride, sizes[p]);
                    }
                }
                try (BufferSet os = out.outputQueue().allocate(4, allocator); BufferSet cs = cap.captureQueue().allocate(4)) {
                    OutputStreamingTest.Producer producer = new OutputStreamingTest.Producer(os, before, sizes);
                    Thread t = Thread.ofPlatform().name("output producer").start(producer);
                    try {
                        assertTrue(producer.started.get() || OutputStreamingTest.waitFor(producer), "the producer did not start streaming");
                        int lent = os.count() * os.planeCount(); // a block a plane
                        assertEquals(lent, allocator.blocksInUse());
                        allocator.close(); // the owner gives the memory up while the kernel reads from it
                        assertFalse(allocator.isOpen());
                        assertEquals(lent, allocator.blocksInUse(), "lent blocks stay alive");
                        producer.frames = after; // what the producer writes from now on
                        int sentBefore = producer.dequeued.get();
                        // what the producer writes into that memory after the close reaches the capture side, byte for byte
                        try (Streaming c = cs.start()) {
                            OutputStreamingTest.Matches m = OutputStreamingTest.capturedMatches(c, producer, after, sizes, sentBefore + 4);
                            System.out.printf("output %s multiplanar=%s, allocator closed while streaming: %d captured frames equal ones written after the close (patterns %s), %d output buffers sent since%n",
                                    backing, multiplanar, m.matches(), m.seen(), producer.dequeued.get() - sentBefore);
                            m.check();
                            assertTrue(producer.dequeued.get() >= sentBefore + 4, "output buffers sent after the close: " + (producer.dequeued.get() - sentBefore));
                        }
                        assertThrows(IllegalStateException.class, () -> os.addBuffers(1), "a closed allocator gives no more");
                    } finally {
                        producer.stop = true;
                        t.join(30_000);
                    }
                    assertFalse(t.isAlive(), "the producer ended");
                    if (producer.failure.get() != null) throw new AssertionError("producer failed", producer.failure.get());
                }
                assertEquals(0, allocator.blocksInUse(), "given back, and freed, once the kernel let go");
            } finally {
                OutputStreamingTest.unloop(out, cap);
            }
        }
        assertEquals(fds, LabDevices.openFds(), "file descriptors leaked");
        assertEquals(maps, LabDevices.mappings(), "mappings leaked");
    }
}
