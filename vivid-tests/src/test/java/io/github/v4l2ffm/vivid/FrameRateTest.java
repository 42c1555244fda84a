package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.FrameInterval;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** S_PARM to 30 fps; the timestamps of dequeued frames agree. */
@WithV4l2Drivers(vivid = @Vivid)
class FrameRateTest {

    @Test
    void thirtyFramesPerSecond(@Driver("vivid") V4l2Device dev) {
        BufferQueue q = dev.captureQueue();
        q.setFormat(320, 180, PixelFormat.YUYV);
        assertTrue(dev.frameIntervals(PixelFormat.YUYV, 320, 180).contains(new FrameInterval.Discrete(new Fraction(1, 30))),
                "vivid offers 1/30 at 320x180: " + dev.frameIntervals(PixelFormat.YUYV, 320, 180));
        assertEquals(new Fraction(1, 30), dev.setFrameInterval(q.type(), new Fraction(1, 30)));
        assertEquals(new Fraction(1, 30), dev.frameInterval(q.type()).orElseThrow());
        try (BufferSet set = q.allocate(4); Streaming s = set.start()) {
            V4l2Buffer first = s.dequeue(10_000);
            assertNotNull(first);
            long t0 = first.timestampNanos();
            int seq0 = first.sequence();
            s.queue(first);
            V4l2Buffer b = null;
            for (int i = 0; i < 30; i++) {
                if (b != null) s.queue(b);
                b = s.dequeue(10_000);
                assertNotNull(b);
            }
            // the kernel's timestamps, per sequence step (dropped frames leave sequence gaps)
            double perFrameMs = (b.timestampNanos() - t0) / 1e6 / (b.sequence() - seq0);
            System.out.printf("30 fps requested: %.2f ms per frame over %d frames%n", perFrameMs, b.sequence() - seq0);
            assertEquals(1000.0 / 30, perFrameMs, 1000.0 / 30 * 0.1, "ms per frame");
        }
    }
}
