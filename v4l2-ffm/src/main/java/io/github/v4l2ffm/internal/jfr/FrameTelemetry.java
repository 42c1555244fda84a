package io.github.v4l2ffm.internal.jfr;

import io.github.v4l2ffm.BufferType;
import io.github.v4l2ffm.TimestampType;
import io.github.v4l2ffm.V4l2Buffer;

import java.util.Arrays;
import java.util.Optional;

/**
 * A stream's Flight Recorder events: a {@link FrameEvent} per dequeued buffer, a
 * {@link SequenceGapEvent} when a capture queue's sequence number jumps, a {@link BufferHeldEvent}
 * when a capture buffer comes back later than the threshold.
 *
 * <p>Made once per stream, with its event objects, which every frame commits again
 * ({@code begin()}, {@code end()}, the fields, {@code commit()}): nothing is allocated per frame,
 * recording or not. With no recording each call checks {@code isEnabled()} (false, and a
 * constant once compiled) and keeps the last sequence number. {@link #dequeued} runs under the
 * stream's dequeue lock, {@link #queued} under its queue lock: a buffer passes from one to the
 * other through the application, which hands it over.
 *
 * <p>The library's module needs {@code jdk.jfr} only if it is there ({@code requires static}):
 * without it (an image made without the module, or a module path that does not resolve it)
 * {@link #create} gives {@code null} and the stream records nothing.
 */
public final class FrameTelemetry {
    private static final boolean AVAILABLE = available();
    private static final long UNSIGNED = 0xffff_ffffL;

    private final String device;
    private final String queue;
    private final boolean output;
    private final FrameEvent frame = new FrameEvent();
    private final SequenceGapEvent gap = new SequenceGapEvent();
    private BufferHeldEvent[] held = new BufferHeldEvent[0]; // by buffer index; capture queues only
    private boolean[] holding = new boolean[0]; // by buffer index: its BufferHeld event began at its dequeue
    private int holdingCount; // how many of holding are true
    private final BufferHeldEvent heldProbe = new BufferHeldEvent(); // asked whether BufferHeld is enabled

    private boolean hasLast;
    private int lastSequence;
    private long lastTimestamp;
    private boolean lastMonotonic;

    private FrameTelemetry(String device, BufferType type) {
        this.device = device;
        this.queue = type.name();
        this.output = type.isOutput();
    }

    /**
     * The telemetry of a stream of {@code device}'s queue {@code type}; {@code null} when the
     * runtime has no Flight Recorder this module can use.
     */
    public static FrameTelemetry create(String device, BufferType type) {
        if (!AVAILABLE) return null;
        try {
            return new FrameTelemetry(device, type);
        } catch (LinkageError e) {
            return null; // jdk.jfr is there but its event classes cannot be used: record nothing
        }
    }

    private static boolean available() {
        Module self = FrameTelemetry.class.getModule();
        ModuleLayer layer = self.getLayer() != null ? self.getLayer() : ModuleLayer.boot();
        Optional<Module> jfr = layer.findModule("jdk.jfr");
        return jfr.isPresent() && self.canRead(jfr.get());
    }

    /**
     * {@code b} was just dequeued; {@code queuedNow} buffers are left with the driver. Commits a
     * Frame event, a SequenceGap event if frames were lost since the last dequeue (capture), and
     * begins the buffer's BufferHeld event (capture).
     */
    public void dequeued(V4l2Buffer b, int queuedNow) {
        if (holdingCount == 0 && !frame.isEnabled() && !gap.isEnabled() && !heldProbe.isEnabled()) {
            // no recording: only what the first recorded frame needs (small enough to compile
            // into the caller's frame path)
            hasLast = true;
            lastSequence = b.sequence();
            lastTimestamp = b.timestampNanos();
            lastMonotonic = b.timestampType() == TimestampType.MONOTONIC;
            return;
        }
        recorded(b, queuedNow);
    }

    /** {@link #dequeued}, with an event enabled or a BufferHeld event begun. */
    private void recorded(V4l2Buffer b, int queuedNow) {
        int seq = b.sequence();
        long ts = b.timestampNanos();
        TimestampType clock = b.timestampType();
        boolean monotonic = clock == TimestampType.MONOTONIC;
        boolean hadLast = hasLast;
        int prevSeq = lastSequence;
        long prevTs = lastTimestamp;
        boolean prevMonotonic = lastMonotonic;
        hasLast = true;
        lastSequence = seq;
        lastTimestamp = ts;
        lastMonotonic = monotonic;

        FrameEvent f = frame;
        if (f.isEnabled()) {
            f.begin();
            long now = System.nanoTime(); // CLOCK_MONOTONIC on Linux, the clock of MONOTONIC timestamps
            f.end();
            if (f.shouldCommit()) {
                f.device = device;
                f.queue = queue;
                f.index = b.index();
                f.sequence = seq & UNSIGNED;
                long bytes = 0;
                for (int p = 0, n = b.planeCount(); p < n; p++) bytes += b.bytesUsed(p);
                f.bytesUsed = bytes;
                f.flags = b.flags();
                f.error = b.isError();
                f.timestamp = ts;
                f.clock = clock.name();
                f.latency = monotonic ? now - ts : Long.MIN_VALUE;
                f.queued = queuedNow;
                f.commit();
            }
        }
        if (output) return; // an output queue's sequence numbers count what the application gave, and its buffers are the application's to keep

        long lost = lost(hadLast, prevSeq, seq);
        if (lost > 0) {
            SequenceGapEvent g = gap;
            if (g.isEnabled()) {
                g.begin();
                g.end();
                if (g.shouldCommit()) {
                    g.device = device;
                    g.queue = queue;
                    g.previousSequence = prevSeq & UNSIGNED;
                    g.sequence = seq & UNSIGNED;
                    g.lost = lost;
                    g.interval = monotonic && prevMonotonic ? ts - prevTs : Long.MIN_VALUE;
                    g.commit();
                }
            }
        }

        int i = b.index();
        BufferHeldEvent h = heldEvent(i);
        boolean was = holding[i];
        boolean now = h.isEnabled();
        if (now) h.begin();
        holding[i] = now;
        holdingCount += (now ? 1 : 0) - (was ? 1 : 0);
    }

    /**
     * Frames lost between sequence numbers {@code previous} and {@code sequence} (unsigned 32-bit,
     * wrapping): 0 for the next one, a repeat (vivid, a field pair) or a step back (a restarted
     * codec), or with no previous frame.
     */
    static long lost(boolean hadPrevious, int previous, int sequence) {
        if (!hadPrevious) return 0;
        long step = (sequence - previous) & UNSIGNED;
        return step > 1 && step < 0x8000_0000L ? step - 1 : 0;
    }

    /**
     * {@code b} is being queued back; the driver had {@code queuedBefore} buffers. Commits its
     * BufferHeld event if it was held past the threshold.
     */
    public void queued(V4l2Buffer b, int queuedBefore) {
        if (output) return;
        int i = b.index();
        boolean[] began = holding;
        if (i >= began.length || !began[i]) return; // not dequeued with the event enabled (or never dequeued)
        began[i] = false;
        holdingCount--;
        BufferHeldEvent h = held[i];
        h.end();
        if (h.shouldCommit()) {
            h.device = device;
            h.queue = queue;
            h.index = i;
            h.sequence = b.sequence() & UNSIGNED;
            h.queued = queuedBefore;
            h.commit();
        }
    }

    private BufferHeldEvent heldEvent(int index) {
        BufferHeldEvent[] a = held;
        if (index >= a.length) {
            // a new buffer index (the set's first frames, or buffers added while streaming): once per buffer
            int n = Math.max(index + 1, a.length * 2);
            holding = Arrays.copyOf(holding, n);
            held = a = Arrays.copyOf(a, n);
        }
        BufferHeldEvent e = a[index];
        if (e == null) a[index] = e = new BufferHeldEvent();
        return e;
    }
}
