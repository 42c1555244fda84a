package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.BufferAllocator;
import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.DmaBuf;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Planes;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who owns memory the kernel may write into: the buffer set holds what it lends until the kernel
 * lets go, whatever the user closes underneath, and every segment it hands out dies with it.
 */
@WithV4l2Drivers(vivid = {@Vivid, @Vivid(planes = Planes.MULTI)})
@ExtendWith(NothingLeaks.class)
class OwnershipTest {
    /** A frame of vivid's default colour bars: YUYV with no run of zero bytes across a line. */
    private static void assertFrame(V4l2Buffer b, VideoFormat f) {
        assertEquals(f.sizeImage(), b.bytesUsed(0));
        b.beginCpuAccess(true, false);
        try {
            MemorySegment line = b.segment(0).asSlice((long) f.bytesPerLine() * (f.height() / 2), f.bytesPerLine());
            long nonZero = 0;
            for (long i = 0; i < line.byteSize(); i++) if (line.get(ValueLayout.JAVA_BYTE, i) != 0) nonZero++;
            assertTrue(nonZero > line.byteSize() / 2, "the frame holds a picture: " + nonZero + " of " + line.byteSize() + " bytes set");
        } finally {
            b.endCpuAccess(true, false);
        }
    }

    @ParameterizedTest(name = "{0}, multiplanar={1}")
    @MethodSource("io.github.v4l2ffm.vivid.VividErrors#lentCases")
    void closingTheAllocatorWhileStreamingDefersTheFree(Backing backing, boolean multiplanar, @Driver("vivid") DeviceInfo single,
                                                        @Driver(value = "vivid", instance = 1) DeviceInfo multi) {
        BufferAllocator allocator = backing.allocator();
        try (V4l2Device dev = (multiplanar ? multi : single).open()) {
            VideoFormat f = VividErrors.smallFormat(dev);
            try (BufferSet set = dev.captureQueue().allocate(4, allocator); Streaming s = set.start()) {
                assertEquals(set.count(), allocator.blocksInUse());
                allocator.close(); // the user frees the memory while the kernel holds it queued
                assertFalse(allocator.isOpen());
                assertEquals(set.count(), allocator.blocksInUse(), "lent blocks stay alive");
                for (int i = 0; i < 20; i++) {
                    V4l2Buffer b = s.dequeue(10_000);
                    assertNotNull(b, "frame " + i);
                    assertFrame(b, f);
                    s.queue(b);
                }
                assertThrows(IllegalStateException.class, () -> set.addBuffers(1), "a closed allocator gives no more");
            }
            assertEquals(0, allocator.blocksInUse(), "given back, and freed, once the kernel let go");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dev.captureQueue().allocate(2, allocator));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void segmentsDieWithTheirSetAndPooledBlocksComeBackUnderAFreshScope(Backing backing, @Driver("vivid") DeviceInfo info) {
        try (BufferAllocator allocator = backing.allocator(); V4l2Device dev = info.open()) {
            VideoFormat f = VividErrors.smallFormat(dev);
            BufferSet first = Backing.allocate(dev.captureQueue(), 2, allocator);
            MemorySegment stale = first.buffer(0).segment(0);
            long address = stale.address();
            stale.set(ValueLayout.JAVA_BYTE, 0, (byte) 7);
            first.close();
            assertThrows(IllegalStateException.class, () -> stale.get(ValueLayout.JAVA_BYTE, 0), "a segment of a freed set is dead");
            assertThrows(IllegalStateException.class, () -> stale.set(ValueLayout.JAVA_BYTE, 0, (byte) 1));
            try (BufferSet second = Backing.allocate(dev.captureQueue(), 2, allocator)) {
                Set<Long> addresses = new HashSet<>();
                for (V4l2Buffer b : second.buffers()) addresses.add(b.segment(0).address());
                if (allocator != null) {
                    assertTrue(addresses.contains(address), "the pooled block is handed out again: " + addresses + " " + address);
                }
                assertThrows(IllegalStateException.class, () -> stale.set(ValueLayout.JAVA_BYTE, 0, (byte) 1),
                        "the old segment does not alias the new set's buffer");
                try (Streaming s = second.start()) {
                    assertFrame(s.dequeue(10_000), f);
                }
            }
        }
    }

    @Test
    void importedDmaBufsClosedByTheCallerStayAliveForTheQueue(@Driver("vivid") DeviceInfo exporterInfo,
                                                               @Driver(value = "vivid", instance = 1) DeviceInfo importerInfo) {
        try (V4l2Device exporter = exporterInfo.open(); V4l2Device importer = importerInfo.open()) {
            VideoFormat f = VividErrors.smallFormat(exporter);
            VividErrors.smallFormat(importer);
            BufferQueue q = importer.captureQueue();
            List<DmaBuf> exported = new ArrayList<>();
            try (BufferSet source = exporter.captureQueue().allocate(3)) {
                for (int i = 0; i < source.count(); i++) exported.add(source.export(i, 0));
                try (BufferSet imported = q.importDmaBufs(exported); Streaming s = imported.start()) {
                    exported.forEach(DmaBuf::close); // the caller lets go while the importer streams into them
                    for (int i = 0; i < 10; i++) {
                        V4l2Buffer b = s.dequeue(10_000);
                        assertNotNull(b);
                        assertFrame(b, f);
                        s.queue(b);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void buffersTheDriverGrantsBeyondTheCountAreUsed(Backing backing, @Driver("vivid") DeviceInfo info) {
        try (BufferAllocator allocator = backing.allocator(); V4l2Device dev = info.open()) {
            VideoFormat f = VividErrors.smallFormat(dev);
            BufferSet set = Backing.allocate(dev.captureQueue(), 1, allocator);
            assertTrue(set.count() > 1, "vivid grants more than one capture buffer (its minimum): " + set.count());
            if (allocator != null) assertEquals(set.count(), allocator.blocksInUse(), "a block for every granted buffer");
            try (Streaming s = set.start()) {
                assertEquals(set.count(), s.queuedCount(), "every granted buffer is queued");
                Set<Integer> seen = new HashSet<>();
                for (int i = 0; i < 4 * set.count() && seen.size() < set.count(); i++) {
                    V4l2Buffer b = s.dequeue(10_000);
                    assertNotNull(b);
                    assertEquals(f.sizeImage(), b.bytesUsed(0));
                    seen.add(b.index());
                    s.queue(b);
                }
                assertEquals(set.count(), seen.size(), "every granted buffer was filled: " + seen);
            }
            set.close();
        }
    }
}
