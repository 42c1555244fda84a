package io.github.v4l2ffm.examples;

import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.Capability;
import io.github.v4l2ffm.FieldOrder;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Devices;
import io.github.v4l2ffm.VideoFormat;

import java.lang.foreign.MemorySegment;

/**
 * Streams frames to a video output device: a moving grey ramp in YUYV, each buffer with its
 * bytes used, timestamp and field, and prints what the driver reports for each buffer it hands
 * back.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... io.github.v4l2ffm.examples.OutputFrames [DEVICE] [FRAMES]
 * </pre>
 * Without a device, the first node with a video output (vivid's, with {@code node_types=0x101}).
 */
public final class OutputFrames {
    private OutputFrames() {}

    public static void main(String[] args) {
        String path = args.length > 0 ? args[0] : V4l2Devices.list().stream()
                .filter(d -> d.capabilities().has(Capability.VIDEO_OUTPUT) || d.capabilities().has(Capability.VIDEO_OUTPUT_MPLANE))
                .filter(d -> !d.capabilities().has(Capability.VIDEO_M2M) && !d.capabilities().has(Capability.VIDEO_M2M_MPLANE))
                .map(d -> d.path().toString()).findFirst()
                .orElseThrow(() -> new IllegalStateException("no video output device (load vivid with node_types=0x101)"));
        int frames = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        try (V4l2Device out = V4l2Device.open(path)) {
            BufferQueue q = out.outputQueue();
            VideoFormat f = q.setFormat(320, 240, PixelFormat.YUYV);
            System.out.println(path + ": " + f);
            byte[] frame = new byte[f.sizeImage()];
            try (BufferSet set = q.allocate(4); Streaming s = set.start()) {
                for (int n = 0, back = 0; back < frames; ) {
                    V4l2Buffer b = s.freeBuffer(1000);          // a buffer never queued, or one the driver is done with
                    if (b == null) throw new IllegalStateException("the device took no frame for 1 s");
                    if (n >= set.count()) {                              // handed back: what the driver reports
                        System.out.printf("buffer %d back: sequence %d, %d bytes, %s, %s timestamp %d ns%n", b.index(),
                                b.sequence(), b.bytesUsed(0), b.field(), b.timestampType(), b.timestampNanos());
                        back++;
                    }
                    for (int i = 0; i < frame.length; i += 2) {
                        frame[i] = (byte) (16 + (i / 2 + n * 4) % 220);  // luma: a ramp moving right
                        frame[i + 1] = (byte) 128;                        // chroma: grey
                    }
                    b.write(0, MemorySegment.ofArray(frame));           // copies the frame, sets bytes used
                    b.setTimestampNanos(System.nanoTime());
                    if (f.field() == FieldOrder.ALTERNATE) b.setField(n % 2 == 0 ? FieldOrder.TOP : FieldOrder.BOTTOM);
                    s.queue(b);
                    n++;
                }
            }
        }
    }
}
