package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.V4l2Buffer;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks that frames come in order. vivid, woken early by a slow guest's timer, sometimes fills
 * two buffers in one frame period and gives both the same sequence number (with later
 * timestamps): two different buffers, which is vivid's doing; the same buffer twice would be the
 * library's.
 */
public final class Sequences {
    private int lastSeq = -1, lastIndex = -1, repeats;
    private long lastTs = Long.MIN_VALUE;

    /** Checks {@code b} against the frame before it; returns whether its sequence number moved on. */
    public boolean next(V4l2Buffer b) {
        boolean moved;
        if (b.sequence() == lastSeq) {
            assertTrue(b.index() != lastIndex, "buffer " + b.index() + " dequeued twice in a row");
            assertTrue(++repeats <= 3, "sequence " + b.sequence() + " repeated " + repeats + " times");
            assertTrue(b.timestampNanos() >= lastTs, "timestamp " + b.timestampNanos() + " after " + lastTs);
            moved = false;
        } else {
            assertTrue(b.sequence() > lastSeq, "sequence " + b.sequence() + " after " + lastSeq);
            assertTrue(b.timestampNanos() > lastTs, "timestamp " + b.timestampNanos() + " after " + lastTs);
            moved = true;
        }
        lastSeq = b.sequence();
        lastIndex = b.index();
        lastTs = b.timestampNanos();
        return moved;
    }

    /** The last sequence number seen (-1 before the first frame). */
    public int last() {
        return lastSeq;
    }
}
