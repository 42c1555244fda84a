package io.github.v4l2ffm.examples;

import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Devices;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Captures frames and, halfway, keeps every buffer for a while, as a slow application would: run
 * it with a Flight Recorder recording to see the library's frame events, the {@code SequenceGap}
 * of the frames the camera dropped meanwhile and a {@code BufferHeld} per buffer.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -XX:StartFlightRecording:filename=frames.jfr -cp ... \
 *     io.github.v4l2ffm.examples.HoldFrames [DEVICE] [frames] [holdMillis]
 * jfr print --events io.github.v4l2ffm.Frame,io.github.v4l2ffm.SequenceGap,io.github.v4l2ffm.BufferHeld frames.jfr
 * </pre>
 */
public final class HoldFrames {
    private HoldFrames() {}

    public static void main(String[] args) throws InterruptedException {
        Path device = args.length > 0 ? Path.of(args[0])
                : V4l2Devices.firstCaptureDevice().orElseThrow(() -> new IllegalStateException("no video capture device found")).path();
        int frames = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        long holdMillis = args.length > 2 ? Long.parseLong(args[2]) : 300;
        try (V4l2Device dev = V4l2Device.open(device)) {
            BufferQueue q = dev.captureQueue();
            System.out.println("format " + q.setFormat(640, 480, PixelFormat.YUYV));
            try (BufferSet set = q.allocate(4); Streaming s = set.start()) {
                int lastSequence = -1;
                for (int i = 0; i < frames; i++) {
                    if (i == frames / 2) {
                        List<V4l2Buffer> held = new ArrayList<>();
                        for (int k = 0; k < set.count(); k++) held.add(next(s));
                        System.out.printf("holding %d buffers (sequence %d to %d) for %d ms%n", held.size(),
                                held.getFirst().sequence(), held.getLast().sequence(), holdMillis);
                        Thread.sleep(holdMillis);
                        for (V4l2Buffer b : held) s.queue(b);
                        lastSequence = held.getLast().sequence();
                    }
                    V4l2Buffer b = next(s);
                    if (lastSequence >= 0 && b.sequence() > lastSequence + 1) {
                        System.out.printf("sequence %d after %d: %d frames lost%n", b.sequence(), lastSequence, b.sequence() - lastSequence - 1);
                    }
                    lastSequence = b.sequence();
                    s.queue(b);
                }
                System.out.println(frames + " frames");
            }
        }
    }

    private static V4l2Buffer next(Streaming s) {
        V4l2Buffer b = s.dequeue(10_000);
        if (b == null) throw new IllegalStateException("no frame within 10 s");
        return b;
    }
}
