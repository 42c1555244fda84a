package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Device;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** A frame through vim2m, checked pixel by pixel. */
public final class Vim2mChecks {
    private Vim2mChecks() {}

    /**
     * Converts an RGB24 frame to BGR24 on vim2m and checks that every pixel's first and third
     * bytes swapped.
     *
     * @return how many pixels have red and blue that differ (where the swap shows)
     */
    public static int assertConvertsRgbToBgr(DeviceInfo vim2m, int width, int height, byte[] rgb) {
        int distinct = 0;
        try (V4l2Device m2m = vim2m.open()) {
            m2m.outputQueue().setFormat(width, height, PixelFormat.RGB24);
            m2m.captureQueue().setFormat(width, height, PixelFormat.BGR24);
            try (BufferSet in = m2m.outputQueue().allocate(1); BufferSet out = m2m.captureQueue().allocate(1);
                 Streaming os = in.start(); Streaming cs = out.start()) {
                MemorySegment.copy(rgb, 0, in.buffer(0).segment(0), ValueLayout.JAVA_BYTE, 0, rgb.length);
                in.buffer(0).setBytesUsed(0, rgb.length);
                os.queue(in.buffer(0));
                V4l2Buffer r = cs.dequeue(10_000);
                assertNotNull(r, "vim2m returned no frame in 10 s");
                MemorySegment bgr = r.segment(0);
                for (int i = 0; i < rgb.length; i += 3) {
                    assertEquals(rgb[i], bgr.get(ValueLayout.JAVA_BYTE, i + 2));
                    assertEquals(rgb[i + 2], bgr.get(ValueLayout.JAVA_BYTE, i));
                    if (rgb[i] != rgb[i + 2]) distinct++;
                }
            }
        }
        return distinct;
    }
}
