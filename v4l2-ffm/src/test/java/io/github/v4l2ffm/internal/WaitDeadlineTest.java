package io.github.v4l2ffm.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stream's wait until a deadline in {@link System#nanoTime()} terms ({@link DeviceFd#pollLinkedHeld}):
 * whether it waits at all, and the milliseconds {@code poll(2)} is given, across the clock's
 * whole range (its values may be negative and wrap).
 */
class WaitDeadlineTest {
    private static final long MS = 1_000_000L;

    @Test
    void foreverAndNoWaitAreMarkedByTheirOwnValues() {
        for (long now : new long[] {Long.MIN_VALUE + 1, -5 * MS, 0, 5 * MS, Long.MAX_VALUE - 1}) {
            assertTrue(DeviceFd.waits(Long.MAX_VALUE, now), "MAX_VALUE waits for ever, at " + now);
            assertEquals(-1, DeviceFd.millisLeft(Long.MAX_VALUE, now));
            assertFalse(DeviceFd.waits(Long.MIN_VALUE, now), "MIN_VALUE does not wait, at " + now);
            assertEquals(0, DeviceFd.millisLeft(Long.MIN_VALUE, now));
        }
    }

    @Test
    void aDeadlineReachedOrPassedEndsTheWaitAndAnyTimeLeftIsAtLeastOneMillisecond() {
        for (long now : new long[] {-7 * MS, -1, 0, 1, 123_456_789L, Long.MAX_VALUE - 10 * MS}) {
            assertFalse(DeviceFd.waits(now, now), "a deadline of now has passed");
            assertEquals(0, DeviceFd.millisLeft(now, now));
            assertFalse(DeviceFd.waits(now - 1, now));
            assertEquals(0, DeviceFd.millisLeft(now - 1, now));
            assertTrue(DeviceFd.waits(now + 1, now), "a nanosecond left waits");
            assertEquals(1, DeviceFd.millisLeft(now + 1, now), "rounded up, never 0 while time is left");
            assertEquals(1, DeviceFd.millisLeft(now + MS, now));
            assertEquals(2, DeviceFd.millisLeft(now + MS + 1, now));
            assertEquals(5000, DeviceFd.millisLeft(now + 5000 * MS, now));
        }
    }

    @Test
    void theClockWrappingBetweenStartAndDeadlineChangesNothing() {
        long now = Long.MAX_VALUE - 2 * MS;
        long deadline = now + 5 * MS; // wrapped to a negative value: still 5 ms ahead
        assertTrue(deadline < 0);
        assertTrue(DeviceFd.waits(deadline, now));
        assertEquals(5, DeviceFd.millisLeft(deadline, now));
        assertFalse(DeviceFd.waits(now, deadline), "and from after it, passed");
    }

    @Test
    void aLongWaitIsCappedAtPollsLargestTimeout() {
        long longest = (Long.MAX_VALUE / MS - 1) * MS; // the longest bounded wait a stream makes (Streaming.deadline)
        assertEquals(Integer.MAX_VALUE, DeviceFd.millisLeft(longest, 0));
        assertEquals(Integer.MAX_VALUE, DeviceFd.millisLeft(-1 + longest, -1));
        assertEquals(Integer.MAX_VALUE, DeviceFd.millisLeft((long) Integer.MAX_VALUE * MS + MS, 0));
        assertEquals(Integer.MAX_VALUE, DeviceFd.millisLeft((long) Integer.MAX_VALUE * MS, 0));
    }
}
