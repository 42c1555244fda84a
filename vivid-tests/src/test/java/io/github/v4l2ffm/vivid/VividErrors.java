package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.ControlInfo;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.VideoFormat;
import org.junit.jupiter.params.provider.Arguments;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** vivid's error-injection controls, found by name, and the cases the failure tests run them on. */
final class VividErrors {
    private VividErrors() {}

    static final String DISCONNECT = "Disconnect";
    static final String BUF_PREPARE_ERROR = "Inject VIDIOC_QBUF Error";
    static final String START_STREAMING_ERROR = "Inject VIDIOC_STREAMON Error";
    static final String FATAL_STREAMING_ERROR = "Inject Fatal Streaming Error";
    static final String REQBUFS_ERROR = "Inject VIDIOC_REQBUFS Error";
    static final String BUF_FLAG_ERROR = "Inject V4L2_BUF_FLAG_ERROR";
    static final String WRAP_SEQUENCE = "Wrap Sequence Number";
    static final String WRAP_TIMESTAMP = "Wrap Timestamp";
    static final String DROPPED_PERCENT = "Percentage of Dropped Buffers";

    /** Every memory type, single- and multi-planar. */
    static Stream<Arguments> cases() {
        return Stream.of(Backing.values()).flatMap(b -> Stream.of(Arguments.of(b, false), Arguments.of(b, true)));
    }

    /** The memory types whose memory the library lends to the kernel (all but MMAP), single- and multi-planar. */
    static Stream<Arguments> lentCases() {
        return cases().filter(a -> a.get()[0] != Backing.MMAP);
    }

    /** The control's ID on this device. */
    static int id(V4l2Device dev, String name) {
        return dev.controls().find(name).map(ControlInfo::id)
                .orElseThrow(() -> new AssertionError("vivid has no control '" + name + "' (loaded with no_error_inj=1?)"));
    }

    /** Presses a button control (an injection). */
    static void press(V4l2Device dev, String name) {
        dev.controls().press(id(dev, name));
    }

    /** Sets an integer or boolean control. */
    static void set(V4l2Device dev, String name, long value) {
        assertEquals(value, dev.controls().set(id(dev, name), value).actual(), name);
    }

    /**
     * Spends any injection still armed on the device (a REQBUFS, QBUF or STREAMON error waits for
     * the next such call, whoever makes it), so that later tests meet a well-behaved driver: frames
     * must stream within a few attempts.
     */
    static void disarm(DeviceInfo info) {
        for (int attempt = 0; attempt < 5; attempt++) {
            try (V4l2Device dev = info.open()) {
                smallFormat(dev);
                try (var set = dev.captureQueue().allocate(2); var s = set.start()) {
                    if (s.dequeue(10_000) != null) return;
                }
            } catch (io.github.v4l2ffm.V4l2Exception e) {
                // an armed injection went off: try again
            }
        }
        fail("vivid at " + info.path() + " does not stream after 5 attempts");
    }


    /** 320x180 YUYV at vivid's fastest rate: small frames, so TCG keeps up. */
    static VideoFormat smallFormat(V4l2Device dev) {
        BufferQueue q = dev.captureQueue();
        VideoFormat f = q.setFormat(320, 180, PixelFormat.YUYV);
        if (f.width() != 320 || !f.pixelFormat().equals(PixelFormat.YUYV)) fail("vivid chose " + f);
        dev.setFrameInterval(q.type(), new Fraction(1, 60));
        return f;
    }
}
