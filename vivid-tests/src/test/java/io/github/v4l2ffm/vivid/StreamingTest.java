package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.BufferAllocator;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.TimestampType;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Planes;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams 30 frames from vivid with every memory type, on its single- and multi-planar nodes,
 * and checks what each dequeue reports.
 */
@WithV4l2Drivers(vivid = {@Vivid, @Vivid(planes = Planes.MULTI)})
class StreamingTest {
    static final int FRAMES = 30;

    static Stream<Arguments> cases() {
        return Stream.of(Backing.values()).flatMap(b -> Stream.of(Arguments.of(b, false), Arguments.of(b, true)));
    }

    @ParameterizedTest(name = "{0}, multiplanar={1}")
    @MethodSource("cases")
    void streamsThirtyFrames(Backing backing, boolean multiplanar, @Driver("vivid") DeviceInfo single,
                             @Driver(value = "vivid", instance = 1) DeviceInfo multi) {
        DeviceInfo info = multiplanar ? multi : single;
        long fds = LabDevices.openFds(), maps = LabDevices.mappings();
        try (BufferAllocator allocator = backing.allocator(); V4l2Device dev = info.open()) {
            BufferQueue q = dev.captureQueue();
            assertEquals(multiplanar, q.type().isMultiplanar());
            VideoFormat f = q.setFormat(320, 180, PixelFormat.YUYV);
            assertEquals(PixelFormat.YUYV, f.pixelFormat());
            assertEquals(320, f.width());
            assertEquals(180, f.height());
            assertEquals(640, f.bytesPerLine());
            assertEquals(320 * 180 * 2, f.sizeImage());
            try (BufferSet set = Backing.allocate(q, 4, allocator);
                 Streaming s = set.start()) {
                assertEquals(backing.memory(), set.memory());
                assertEquals(4, set.count());
                assertEquals(4, s.queuedCount());
                Sequences order = new Sequences();
                for (int i = 0; i < FRAMES; i++) {
                    V4l2Buffer b = s.dequeue(10_000);
                    assertNotNull(b, "no frame within 10 s (frame " + i + ")");
                    order.next(b);
                    assertEquals(TimestampType.MONOTONIC, b.timestampType());
                    assertEquals(f.sizeImage(), b.bytesUsed(0), "bytesused");
                    assertFalse(b.isError());
                    assertEquals(1, b.planeCount());
                    // the frame is readable in place: YUYV luma of vivid's colour bars is never 0 everywhere
                    b.beginCpuAccess(true, false); // cache coherence for dma-bufs
                    long sum = 0;
                    for (int x = 0; x < 640; x += 2) sum += b.segment(0).get(java.lang.foreign.ValueLayout.JAVA_BYTE, 90L * 640 + x) & 0xff;
                    b.endCpuAccess(true, false);
                    assertTrue(sum > 0, "line 90 of frame " + i + " is black");
                    s.queue(b);
                }
            }
        }
        assertEquals(fds, LabDevices.openFds(), "file descriptors leaked");
        assertEquals(maps, LabDevices.mappings(), "mappings leaked");
    }

    @org.junit.jupiter.api.Test
    void createBufsAddsBuffersWhileStreaming(@Driver("vivid") DeviceInfo vivid) {
        long fds = LabDevices.openFds(), maps = LabDevices.mappings();
        try (V4l2Device dev = vivid.open()) {
            BufferQueue q = dev.captureQueue();
            VideoFormat f = q.setFormat(320, 180, PixelFormat.YUYV);
            try (BufferSet set = q.allocate(2); Streaming s = set.start()) {
                assertEquals(2, set.count());
                java.util.List<V4l2Buffer> added = set.addBuffers(2);
                assertEquals(4, set.count());
                assertEquals(java.util.List.of(2, 3), added.stream().map(V4l2Buffer::index).toList());
                for (V4l2Buffer b : added) {
                    assertEquals(f.sizeImage(), b.length(0));
                    s.queue(b);
                }
                java.util.Set<Integer> seen = new java.util.HashSet<>();
                for (int i = 0; i < 12 && seen.size() < 4; i++) {
                    V4l2Buffer b = s.dequeue(10_000);
                    assertNotNull(b);
                    assertEquals(f.sizeImage(), b.bytesUsed(0));
                    seen.add(b.index());
                    s.queue(b);
                }
                assertEquals(java.util.Set.of(0, 1, 2, 3), seen, "the created buffers are filled too");
            }
        }
        assertEquals(fds, LabDevices.openFds(), "file descriptors leaked");
        assertEquals(maps, LabDevices.mappings(), "mappings leaked");
    }
}
