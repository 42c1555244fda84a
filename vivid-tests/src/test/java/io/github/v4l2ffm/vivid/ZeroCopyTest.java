package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.VideoDecoder;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.DmaBuf;
import io.github.v4l2ffm.VideoEncoder;
import io.github.v4l2ffm.Memory;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Vicodec;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * vivid's capture buffers, exported (EXPBUF), are the encoder's input buffers (DMABUF import):
 * the frames go from vivid to vicodec with no copy and without the process touching a pixel.
 * The test checks the encoder's buffers are vivid's by dma-buf identity, and by content: after
 * the encoder is done with a buffer (and before vivid may refill it) the test snapshots it, and
 * the decoded stream must match those snapshots.
 */
@WithV4l2Drivers(vivid = @Vivid, vicodec = @Vicodec)
class ZeroCopyTest {
    static final int W = 640, H = 480, FRAMES = 20;

    @Test
    void vividBuffersAreTheEncodersInput(@Driver("vivid") DeviceInfo camera,
                                         @Driver(value = "vicodec", name = "stateful-encoder") DeviceInfo encoder,
                                         @Driver(value = "vicodec", name = "stateful-decoder") DeviceInfo decoder) throws Exception {
        VividControls.pattern(camera.path(), "Gray Ramp");
        long fds = LabDevices.openFds();
        Map<Long, byte[]> snapshots = new HashMap<>();
        List<byte[]> coded = new ArrayList<>();
        List<Long> codedTimestamps = new ArrayList<>();
        try (V4l2Device vivid = camera.open()) {
            BufferQueue q = vivid.captureQueue();
            q.setFormat(W, H, PixelFormat.YUV420);
            List<DmaBuf> exported = new ArrayList<>();
            try (BufferSet cam = q.allocate(4)) {
                for (int i = 0; i < cam.count(); i++) exported.add(cam.export(i, 0));
                try (VideoEncoder enc = VideoEncoder.open(encoder.path(),
                        new VideoEncoder.Config(W, H, PixelFormat.YUV420, PixelFormat.FWHT, null).importing(exported));
                     Streaming s = cam.start()) {
                    assertEquals(Memory.DMABUF, enc.inputBuffers().memory());
                    int sent = 0;
                    long deadline = System.nanoTime() + 120_000_000_000L;
                    while (coded.size() < FRAMES) {
                        assertTrue(System.nanoTime() < deadline, "stalled at " + sent + " in, " + coded.size() + " out");
                        if (sent < FRAMES) {
                            V4l2Buffer v = s.dequeue(0);
                            if (v != null) {
                                V4l2Buffer in = enc.input(v.index());
                                assertEquals(-1L, in.segment(0).asSlice(0, W * H).mismatch(v.segment(0).asSlice(0, W * H)),
                                        "the encoder's input is vivid's buffer: the same bytes");
                                enc.queueInput(in, v.bytesUsed(0), v.timestampNanos());
                                sent++;
                            }
                        }
                        // inputs the encoder is done with go back to vivid, after a snapshot for the check
                        V4l2Buffer done;
                        while (enc.inputBuffers().streaming().orElseThrow().queuedCount() > 0
                                && (done = enc.inputBuffers().streaming().orElseThrow().dequeue(0)) != null) {
                            V4l2Buffer camBuffer = cam.buffer(done.index());
                            snapshots.put(done.timestampNanos(), camBuffer.segment(0).asSlice(0, W * H).toArray(ValueLayout.JAVA_BYTE));
                            s.queue(camBuffer);
                        }
                        V4l2Buffer out = enc.dequeueOutput(20);
                        if (out != null) {
                            coded.add(out.segment(0).asSlice(0, out.bytesUsed(0)).toArray(ValueLayout.JAVA_BYTE));
                            codedTimestamps.add(out.timestampNanos());
                            enc.requeueOutput(out);
                        }
                    }
                }
            } finally {
                exported.forEach(DmaBuf::close);
            }
        }
        assertEquals(fds, LabDevices.openFds(), "descriptors leaked");
        // decode and compare with what was in vivid's buffers
        try (VideoDecoder dec = VideoDecoder.open(decoder.path(), PixelFormat.FWHT, W * H * 3 / 2, 4)) {
            Map<Long, byte[]> decoded = CodecTest.decode(dec, coded, 0, new ArrayList<>());
            int compared = 0;
            double min = 99;
            for (int i = 0; i < coded.size(); i++) {
                byte[] snap = snapshots.get(codedTimestamps.get(i));
                byte[] frame = decoded.get((long) i * 1_000_000L);
                if (snap == null || frame == null) continue;
                min = Math.min(min, Codecs.psnr(snap, MemorySegment.ofArray(frame), W * H));
                compared++;
            }
            System.out.printf("zero copy: %d frames from vivid's buffers encoded, %d compared, luma PSNR min %.2f dB%n",
                    coded.size(), compared, min);
            assertTrue(compared >= FRAMES - 4, "frames compared: " + compared);
            assertTrue(min >= CodecTest.MIN_PSNR, "the encoder read vivid's frames: PSNR " + min);
        }
    }
}
