package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.TimestampType;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Vim2m;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library's Flight Recorder events with real frames: a recording of vivid's capture (frames,
 * the sequence gap and the held buffers of a deliberate hold of every buffer) and of vim2m's two
 * queues, read back from the dumped file and compared with what the dequeues returned.
 */
@WithV4l2Drivers(vivid = @Vivid, vim2m = @Vim2m)
class FrameEventsTest {
    static final String FRAME = "io.github.v4l2ffm.Frame", GAP = "io.github.v4l2ffm.SequenceGap", HELD = "io.github.v4l2ffm.BufferHeld";
    static final int BUFFERS = 4;
    static final long HOLD_MILLIS = 600; // 18 frame periods at 30 fps

    @TempDir
    Path dir;

    /** A dequeued frame as the application saw it. */
    record Seen(int index, long sequence, long timestamp, int bytes) {
        static Seen of(V4l2Buffer b) {
            return new Seen(b.index(), b.sequence() & 0xffff_ffffL, b.timestampNanos(), b.bytesUsed(0));
        }
    }

    private static Recording recording() {
        Recording r = new Recording();
        r.enable(FRAME);
        r.enable(GAP);
        r.enable(HELD); // its default threshold, 20 ms
        return r;
    }

    private static List<RecordedEvent> events(Path file, String name, String device) throws java.io.IOException {
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals(name) && e.getString("device").equals(device))
                .sorted(Comparator.comparing(RecordedEvent::getStartTime))
                .toList();
    }

    @Test
    void framesGapsAndHeldBuffersOfACapture(@Driver("vivid") V4l2Device dev) throws Exception {
        VideoFormat f = dev.captureQueue().setFormat(320, 180, PixelFormat.YUYV);
        Fraction interval = dev.frameInterval(dev.captureQueue().type()).orElseThrow();
        dev.setFrameInterval(dev.captureQueue().type(), new Fraction(1, 30));
        // vivid stamps a frame with its period's ideal end by default, which a slow guest can dequeue
        // before (a negative latency); the period's start is when its thread fills the buffer
        int tsSource = dev.controls().find("Timestamp Source").orElseThrow().id();
        dev.controls().set(tsSource, 1);
        try {
            capture(dev, f);
        } finally {
            dev.controls().set(tsSource, 0);
            dev.setFrameInterval(dev.captureQueue().type(), interval);
        }
    }

    private void capture(V4l2Device dev, VideoFormat f) throws Exception {
        String path = dev.path().toString();
        List<Seen> seen = new ArrayList<>();
        List<Seen> heldFrames = new ArrayList<>();
        Path file = dir.resolve("capture.jfr");
        long heldNanos;
        try (Recording r = recording()) {
            r.start();
            try (BufferSet set = dev.captureQueue().allocate(BUFFERS); Streaming s = set.start()) {
                for (int i = 0; i < 30; i++) {
                    V4l2Buffer b = next(s);
                    seen.add(Seen.of(b));
                    s.queue(b);
                }
                // the application keeps every buffer: the driver has none to fill and drops frames
                List<V4l2Buffer> held = new ArrayList<>();
                for (int i = 0; i < set.count(); i++) {
                    V4l2Buffer b = next(s);
                    seen.add(Seen.of(b));
                    heldFrames.add(Seen.of(b));
                    held.add(b);
                }
                long start = System.nanoTime();
                Thread.sleep(HOLD_MILLIS);
                heldNanos = System.nanoTime() - start;
                for (V4l2Buffer b : held) s.queue(b);
                for (int i = 0; i < 30; i++) {
                    V4l2Buffer b = next(s);
                    seen.add(Seen.of(b));
                    s.queue(b);
                }
            }
            r.stop();
            r.dump(file);
        }

        // one Frame event per dequeue, with the sequence, index, size and timestamp the dequeue returned
        List<RecordedEvent> frames = events(file, FRAME, path);
        assertEquals(seen, frames.stream().map(e -> new Seen(e.getInt("index"), e.getLong("sequence"), e.getLong("timestamp"),
                (int) e.getLong("bytesUsed"))).toList());
        for (RecordedEvent e : frames) {
            assertEquals("VIDEO_CAPTURE", e.getString("queue"));
            assertEquals(f.sizeImage(), e.getLong("bytesUsed"));
            assertEquals(TimestampType.MONOTONIC.name(), e.getString("clock"));
            assertFalse(e.getBoolean("error"));
            Duration latency = e.getDuration("latency");
            assertTrue(latency.isPositive() && latency.compareTo(Duration.ofSeconds(1)) < 0, "latency " + latency + " of " + e);
            int queued = e.getInt("queued");
            assertTrue(queued >= 0 && queued < BUFFERS, "buffers left queued " + queued);
        }

        // a SequenceGap wherever the sequence numbers the test saw jump, with the frames lost
        List<long[]> expected = new ArrayList<>();
        for (int i = 1; i < seen.size(); i++) {
            long prev = seen.get(i - 1).sequence(), seq = seen.get(i).sequence();
            if (seq > prev + 1) expected.add(new long[] {prev, seq, seq - prev - 1});
        }
        long lastHeld = heldFrames.getLast().sequence(), afterHold = seen.get(30 + heldFrames.size()).sequence();
        assertTrue(afterHold - lastHeld > HOLD_MILLIS / 33 / 2,
                "vivid dropped frames while every buffer was held: sequence " + lastHeld + ", then " + afterHold);
        List<RecordedEvent> gaps = events(file, GAP, path);
        assertEquals(expected.stream().map(java.util.Arrays::toString).toList(),
                gaps.stream().map(e -> java.util.Arrays.toString(new long[] {e.getLong("previousSequence"), e.getLong("sequence"), e.getLong("lost")})).toList());
        RecordedEvent holdGap = gaps.stream().filter(e -> e.getLong("previousSequence") == lastHeld).findFirst().orElseThrow();
        assertEquals(afterHold - lastHeld - 1, holdGap.getLong("lost"));
        assertTrue(holdGap.getDuration("interval").toMillis() >= HOLD_MILLIS / 2, "time between " + holdGap.getDuration("interval"));

        // a BufferHeld per held buffer, at least as long as the hold, the driver's count growing as they came back
        List<RecordedEvent> heldEvents = events(file, HELD, path);
        for (RecordedEvent e : heldEvents) {
            assertTrue(e.getDuration().toMillis() >= 20, "under the threshold: " + e);
        }
        for (int k = 0; k < heldFrames.size(); k++) {
            Seen h = heldFrames.get(k);
            RecordedEvent e = heldEvents.stream().filter(x -> x.getInt("index") == h.index() && x.getLong("sequence") == h.sequence())
                    .findFirst().orElseThrow(() -> new AssertionError("no BufferHeld for " + h + ": " + heldEvents));
            assertTrue(e.getDuration().toNanos() >= heldNanos, e.getDuration() + " < the hold, " + heldNanos + " ns");
            assertEquals(k, e.getInt("queued"), "buffers the driver had when held buffer " + k + " came back");
            assertNotNull(e.getStackTrace());
        }
    }

    private static V4l2Buffer next(Streaming s) {
        V4l2Buffer b = s.dequeue(10_000);
        assertNotNull(b, "no frame within 10 s");
        return b;
    }

    @Test
    void bothQueuesOfAMemToMemDevice(@Driver("vim2m") V4l2Device m2m) throws Exception {
        String path = m2m.path().toString();
        m2m.controls().set(m2m.controls().find("transaction_time_msec").orElseThrow().id(), 1);
        VideoFormat in = m2m.outputQueue().setFormat(320, 240, PixelFormat.RGB24);
        VideoFormat out = m2m.captureQueue().setFormat(320, 240, PixelFormat.YUYV);
        int n = 12;
        List<Seen> inputs = new ArrayList<>(), results = new ArrayList<>();
        Path file = dir.resolve("m2m.jfr");
        try (Recording r = recording()) {
            r.start();
            try (BufferSet src = m2m.outputQueue().allocate(2); BufferSet dst = m2m.captureQueue().allocate(2);
                 Streaming os = src.start(); Streaming cs = dst.start()) {
                for (int i = 0; i < n; i++) {
                    V4l2Buffer b = os.freeBuffer(10_000);
                    assertNotNull(b, "no output buffer back within 10 s");
                    if (i >= src.count()) inputs.add(Seen.of(b)); // dequeued (consumed) before being refilled
                    b.setBytesUsed(0, in.sizeImage());
                    b.setTimestampNanos(1_000_000_000L * (i + 1)); // copied to the result
                    os.queue(b);
                    V4l2Buffer res = next(cs);
                    assertEquals(TimestampType.COPY, res.timestampType());
                    assertEquals(1_000_000_000L * (i + 1), res.timestampNanos());
                    results.add(Seen.of(res));
                    Thread.sleep(30); // a result held past BufferHeld's threshold
                    cs.queue(res);
                }
                while (os.queuedCount() > 0) inputs.add(Seen.of(next(os)));
            }
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> frames = events(file, FRAME, path);
        List<RecordedEvent> outputFrames = frames.stream().filter(e -> e.getString("queue").equals("VIDEO_OUTPUT")).toList();
        List<RecordedEvent> captureFrames = frames.stream().filter(e -> e.getString("queue").equals("VIDEO_CAPTURE")).toList();
        assertEquals(n, inputs.size());
        assertEquals(inputs, outputFrames.stream().map(e -> new Seen(e.getInt("index"), e.getLong("sequence"), e.getLong("timestamp"),
                (int) e.getLong("bytesUsed"))).toList());
        assertEquals(results, captureFrames.stream().map(e -> new Seen(e.getInt("index"), e.getLong("sequence"), e.getLong("timestamp"),
                (int) e.getLong("bytesUsed"))).toList());
        for (RecordedEvent e : frames) {
            assertEquals("COPY", e.getString("clock"), "mem-to-mem timestamps are the application's");
            assertEquals(Long.MIN_VALUE, e.getLong("latency"), "no latency off CLOCK_MONOTONIC");
        }
        for (RecordedEvent e : captureFrames) assertEquals(out.sizeImage(), e.getLong("bytesUsed"));
        assertEquals(List.of(), events(file, GAP, path).stream().map(Object::toString).toList(), "no frame was lost");
        List<RecordedEvent> held = events(file, HELD, path);
        assertTrue(held.stream().allMatch(e -> e.getString("queue").equals("VIDEO_CAPTURE")), "output buffers are the application's to keep: " + held);
        assertEquals(results.stream().map(x -> x.index() + "/" + x.sequence()).toList(),
                held.stream().map(e -> e.getInt("index") + "/" + e.getLong("sequence")).toList(), "each result was held 30 ms");
    }
}
