package io.github.v4l2ffm;

import io.github.v4l2ffm.internal.jfr.BufferHeldEvent;
import io.github.v4l2ffm.internal.jfr.FrameEvent;
import io.github.v4l2ffm.internal.jfr.FrameTelemetry;
import io.github.v4l2ffm.internal.jfr.SequenceGapEvent;
import jdk.jfr.EventType;
import jdk.jfr.Recording;
import jdk.jfr.SettingDescriptor;
import jdk.jfr.ValueDescriptor;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Flight Recorder events of the frame path with no device: their metadata, what
 * {@link FrameTelemetry} records for the dequeues and queues it is told of (the device suite's
 * {@code FrameEventsTest} does the same with vivid's frames), and that it allocates nothing per
 * frame, recording or not.
 */
class FrameTelemetryTest {
    private static final int MONOTONIC = 0x2000, COPY = 0x4000;
    private static final Set<String> IMPLICIT = Set.of("startTime", "duration", "eventThread", "stackTrace");

    @TempDir
    Path dir;

    private static V4l2Buffer buffer(int index) {
        return new V4l2Buffer(null, index, new MemorySegment[] {MemorySegment.NULL}, null, new long[] {4096}, new long[1]);
    }

    /** Fills {@code b} as a dequeue does. */
    private static V4l2Buffer frame(V4l2Buffer b, int sequence, int flags, long timestamp, int bytes) {
        b.sequence = sequence;
        b.flags = flags;
        b.timestampNanos = timestamp;
        b.bytesUsed[0] = bytes;
        return b;
    }

    @Test
    void everyFieldHasALabelAndADescription() {
        for (Class<? extends jdk.jfr.Event> c : List.of(FrameEvent.class, SequenceGapEvent.class, BufferHeldEvent.class)) {
            EventType t = EventType.getEventType(c);
            assertTrue(t.getName().startsWith("io.github.v4l2ffm."), t.getName());
            assertEquals(List.of("V4L2"), t.getCategoryNames(), t.getName());
            assertNotNull(t.getLabel(), t.getName());
            assertNotNull(t.getDescription(), t.getName());
            for (ValueDescriptor f : t.getFields()) {
                if (IMPLICIT.contains(f.getName())) continue;
                assertNotNull(f.getLabel(), t.getName() + "." + f.getName() + " has no label");
                assertNotNull(f.getDescription(), t.getName() + "." + f.getName() + " has no description");
            }
        }
        assertEquals("io.github.v4l2ffm.Frame", EventType.getEventType(FrameEvent.class).getName());
        assertEquals("io.github.v4l2ffm.SequenceGap", EventType.getEventType(SequenceGapEvent.class).getName());
        assertEquals("io.github.v4l2ffm.BufferHeld", EventType.getEventType(BufferHeldEvent.class).getName());
        assertEquals("20 ms", setting(BufferHeldEvent.class, "threshold").getDefaultValue());
        assertEquals("false", setting(FrameEvent.class, "stackTrace").getDefaultValue());
        assertEquals("false", setting(SequenceGapEvent.class, "stackTrace").getDefaultValue());
        assertEquals("true", setting(BufferHeldEvent.class, "stackTrace").getDefaultValue(), "where the buffer came back");
    }

    private static SettingDescriptor setting(Class<? extends jdk.jfr.Event> c, String name) {
        return EventType.getEventType(c).getSettingDescriptors().stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void recordsFramesGapsAndHeldBuffers() throws Exception {
        FrameTelemetry capture = FrameTelemetry.create("/dev/video9", BufferType.VIDEO_CAPTURE);
        FrameTelemetry output = FrameTelemetry.create("/dev/video9", BufferType.VIDEO_OUTPUT);
        assertNotNull(capture, "jdk.jfr is there");
        V4l2Buffer b0 = buffer(0), b1 = buffer(1), o0 = buffer(0);
        Path file = dir.resolve("frames.jfr");
        long heldNanos, t;
        try (Recording r = new Recording()) {
            r.enable(FrameEvent.NAME);
            r.enable(SequenceGapEvent.NAME);
            r.enable(BufferHeldEvent.NAME); // its default threshold: 20 ms
            r.start();
            capture.queued(b0, 0); // queued at start, never dequeued: no BufferHeld
            t = System.nanoTime() - 5_000_000; // 5 ms ago
            capture.dequeued(frame(b0, 7, MONOTONIC, t, 1000), 3);
            capture.queued(b0, 3); // held briefly: under the threshold
            capture.dequeued(frame(b1, 8, MONOTONIC, t + 1_000_000, 1000), 3);
            long start = System.nanoTime();
            Thread.sleep(60);
            heldNanos = System.nanoTime() - start;
            capture.queued(b1, 2);
            capture.dequeued(frame(b0, 12, MONOTONIC, t + 5_000_000, 1000), 3); // 9, 10, 11 lost
            capture.queued(b0, 3);
            capture.dequeued(frame(b1, 12, MONOTONIC, t + 5_100_000, 1000), 3); // a repeat: no gap
            capture.queued(b1, 3);
            capture.dequeued(frame(b0, 3, MONOTONIC, t + 6_000_000, 1000), 3); // a step back: no gap
            capture.queued(b0, 3);
            capture.dequeued(frame(b0, -1, MONOTONIC, t + 7_000_000, 1000), 3); // 0xffffffff: a step back too (by 4 and more, unsigned 32-bit)
            capture.queued(b0, 3);
            capture.dequeued(frame(b1, 1, MONOTONIC, t + 8_000_000, 1000), 3); // wraps past 0, which is lost
            capture.queued(b1, 3);
            output.dequeued(frame(o0, 0, COPY, 1234, 0), 0);
            output.dequeued(frame(o0, 5, COPY, 1234, 0), 0); // an output queue: no gap
            Thread.sleep(30);
            output.queued(o0, 0); // and no BufferHeld
            r.stop();
            r.dump(file);
        }
        // in the order they were committed: a recording keeps each thread buffer's events together,
        // and a buffer flushed during the sleeps above may come out after a later one
        List<RecordedEvent> events = new java.util.ArrayList<>(RecordingFile.readAllEvents(file));
        events.sort(java.util.Comparator.comparing(RecordedEvent::getEndTime));   // stable: ties keep the file's order
        List<RecordedEvent> frames = events.stream().filter(e -> e.getEventType().getName().equals(FrameEvent.NAME)).toList();
        assertEquals(List.of(7L, 8L, 12L, 12L, 3L, 0xffff_ffffL, 1L, 0L, 5L), frames.stream().map(e -> e.getLong("sequence")).toList());
        assertEquals(List.of(0, 1, 0, 1, 0, 0, 1, 0, 0), frames.stream().map(e -> e.getInt("index")).toList());
        RecordedEvent first = frames.get(0);
        assertEquals("/dev/video9", first.getString("device"));
        assertEquals("VIDEO_CAPTURE", first.getString("queue"));
        assertEquals(1000L, first.getLong("bytesUsed"));
        assertEquals("MONOTONIC", first.getString("clock"));
        assertEquals(t, first.getLong("timestamp"));
        assertEquals(3, first.getInt("queued"));
        Duration latency = first.getDuration("latency");
        assertTrue(latency.toMillis() >= 5 && latency.toMillis() < 1000, "latency " + latency);
        RecordedEvent out = frames.get(7);
        assertEquals("VIDEO_OUTPUT", out.getString("queue"));
        assertEquals("COPY", out.getString("clock"));
        assertEquals(Long.MIN_VALUE, out.getLong("latency"), "no latency off CLOCK_MONOTONIC");

        List<RecordedEvent> gaps = events.stream().filter(e -> e.getEventType().getName().equals(SequenceGapEvent.NAME)).toList();
        assertEquals(2, gaps.size(), gaps.toString());
        assertEquals(8L, gaps.get(0).getLong("previousSequence"));
        assertEquals(12L, gaps.get(0).getLong("sequence"));
        assertEquals(3L, gaps.get(0).getLong("lost"));
        assertEquals(4_000_000L, gaps.get(0).getDuration("interval").toNanos());
        assertEquals(0xffff_ffffL, gaps.get(1).getLong("previousSequence"));
        assertEquals(1L, gaps.get(1).getLong("sequence"));
        assertEquals(1L, gaps.get(1).getLong("lost"));

        List<RecordedEvent> held = events.stream().filter(e -> e.getEventType().getName().equals(BufferHeldEvent.NAME)).toList();
        assertEquals(1, held.size(), held.toString());
        assertEquals(1, held.get(0).getInt("index"));
        assertEquals(8L, held.get(0).getLong("sequence"));
        assertEquals(2, held.get(0).getInt("queued"));
        assertTrue(held.get(0).getDuration().toNanos() >= heldNanos - 1_000_000, held.get(0).getDuration() + " < " + heldNanos + " ns");
        assertNotNull(held.get(0).getStackTrace(), "where it was queued back");
    }

    /**
     * The calling thread's allocated heap bytes (com.sun.management.ThreadMXBean; by reflection:
     * the tests run in the library's module, which does not read java.management).
     */
    private static long allocated() throws ReflectiveOperationException {
        Object mx = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        Method m = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        return (Long) m.invoke(mx);
    }

    @Test
    void allocatesNothingPerFrameRecordingOrNot() throws Exception {
        FrameTelemetry t = FrameTelemetry.create("/dev/video9", BufferType.VIDEO_CAPTURE);
        V4l2Buffer[] b = {buffer(0), buffer(1), buffer(2), buffer(3)};
        int[] seq = {0};
        Runnable frames = () -> {
            for (int i = 0; i < 200_000; i++) {
                V4l2Buffer x = b[i & 3];
                int s = seq[0]++;
                t.dequeued(frame(x, s + (s % 1000 == 0 ? 1 : 0), MONOTONIC, System.nanoTime(), 1000), 3);
                t.queued(x, 3);
            }
        };
        for (int round = 0; round < 3; round++) frames.run(); // warm-up: compiled
        long before = allocated();
        frames.run();
        long off = allocated() - before;
        try (Recording r = new Recording()) {
            r.enable(FrameEvent.NAME);
            r.enable(SequenceGapEvent.NAME);
            r.enable(BufferHeldEvent.NAME).withThreshold(Duration.ofMillis(20));
            r.setToDisk(true);
            r.setDestination(dir.resolve("allocation.jfr"));
            r.start();
            for (int round = 0; round < 3; round++) frames.run(); // recompiled with the events enabled
            before = allocated();
            frames.run();
            long on = allocated() - before;
            r.stop();
            System.out.printf("FrameTelemetry: %d bytes per 200000 frames not recording, %d recording%n", off, on);
            // a few hundred bytes are the measurement's own (reflection); a per-frame allocation would be 3 MB or more
            assertTrue(off < 20_000, off + " bytes for 200000 frames with no recording");
            assertTrue(on < 20_000, on + " bytes for 200000 frames while recording");
        }
    }
}
