package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.Cid;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.VideoDecoder;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.VideoEncoder;
import io.github.v4l2ffm.V4l2Event;
import io.github.v4l2ffm.Events;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.Fraction;
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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** vicodec's stateful FWHT encoder and decoder through {@link VideoEncoder} and {@link VideoDecoder}. */
@WithV4l2Drivers(vivid = @Vivid, vicodec = @Vicodec)
@org.junit.jupiter.api.Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class CodecTest {
    static final int W = 640, H = 480;
    /**
     * Lowest PSNR (luma, dB) accepted for a decoded frame. vicodec's FWHT at its default
     * quantisation (QP 20) measured 33.7 dB (min and mean alike) on vivid's grey ramp with its
     * on-screen text in the lab; 30 dB leaves room for the codec's loss on other content while
     * still failing on a misplaced, stale or damaged frame (those score under 20 dB).
     */
    static final double MIN_PSNR = 30.0;

    /** Encodes {@code frames} into coded frames (one byte[] each), with MMAP input filled by copy. */
    static List<byte[]> encode(VideoEncoder enc, List<byte[]> frames) {
        List<byte[]> coded = new ArrayList<>();
        int sent = 0;
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (coded.size() < frames.size()) {
            assertTrue(System.nanoTime() < deadline, "encoder stalled: " + sent + " frames in, " + coded.size() + " out");
            if (sent < frames.size()) {
                V4l2Buffer in = enc.freeInput(0);
                if (in != null) {
                    MemorySegment.copy(frames.get(sent), 0, in.segment(0), ValueLayout.JAVA_BYTE, 0, frames.get(sent).length);
                    enc.queueInput(in, frames.get(sent).length, 1_000_000L * (sent + 1));
                    sent++;
                }
            }
            V4l2Buffer out = enc.dequeueOutput(20);
            if (out != null) {
                coded.add(out.segment(0).asSlice(0, out.bytesUsed(0)).toArray(ValueLayout.JAVA_BYTE));
                assertEquals(1_000_000L * coded.size(), out.timestampNanos(), "the coded frame carries its input's timestamp");
                enc.requeueOutput(out);
            }
        }
        return coded;
    }

    /**
     * Decodes coded frames, then drains the decoder; returns the decoded frames' bytes by
     * timestamp. Timestamps of frames the decoder flagged ERROR go to {@code errors}.
     */
    static Map<Long, byte[]> decode(VideoDecoder dec, List<byte[]> coded, long firstTimestamp, List<Long> errors) {
        Map<Long, byte[]> decoded = new HashMap<>();
        int sent = 0;
        boolean draining = false;
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!dec.isDrained()) {
            assertTrue(System.nanoTime() < deadline, "decoder stalled: " + sent + " in, " + decoded.size() + " out");
            if (sent < coded.size()) {
                V4l2Buffer in = dec.freeInput(0);
                if (in != null) {
                    MemorySegment.copy(coded.get(sent), 0, in.segment(0), ValueLayout.JAVA_BYTE, 0, coded.get(sent).length);
                    dec.queueInput(in, coded.get(sent).length, firstTimestamp + 1_000_000L * sent);
                    sent++;
                }
            } else if (!draining) {
                dec.drain();
                draining = true;
            }
            V4l2Buffer f = dec.dequeueFrame(20);
            if (f != null) {
                if (f.isError()) errors.add(f.timestampNanos());
                else decoded.put(f.timestampNanos(), f.segment(0).asSlice(0, f.bytesUsed(0)).toArray(ValueLayout.JAVA_BYTE));
                dec.requeueFrame(f);
            }
        }
        return decoded;
    }

    static Map<Long, byte[]> decode(VideoDecoder dec, List<byte[]> coded, long firstTimestamp, int expected) {
        List<Long> errors = new ArrayList<>();
        Map<Long, byte[]> decoded = decode(dec, coded, firstTimestamp, errors);
        assertEquals(List.of(), errors, "frames flagged ERROR");
        assertEquals(expected, decoded.size(), "decoded frames");
        return decoded;
    }

    @Test
    void vividThroughEncoderAndDecoderSixtyFrames(@Driver("vivid") DeviceInfo camera,
                                                  @Driver(value = "vicodec", name = "stateful-encoder") DeviceInfo encoder,
                                                  @Driver(value = "vicodec", name = "stateful-decoder") DeviceInfo decoder) throws Exception {
        // a grey ramp with the on-screen text: detail the codec cannot reproduce exactly
        VividControls.pattern(camera.path(), "Gray Ramp");
        List<byte[]> captured = new ArrayList<>();
        try (V4l2Device vivid = camera.open()) {
            BufferQueue q = vivid.captureQueue();
            VideoFormat f = q.setFormat(W, H, PixelFormat.YUV420);
            assertEquals(W * H * 3 / 2, f.sizeImage());
            vivid.controls().set(vivid.controls().find("osd_text_mode").orElseThrow().id(), 0); // counters: frames differ
            try (BufferSet set = q.allocate(4); Streaming s = set.start()) {
                while (captured.size() < 60) {
                    V4l2Buffer b = s.dequeue(10_000);
                    assertNotNull(b);
                    captured.add(b.segment(0).asSlice(0, b.bytesUsed(0)).toArray(ValueLayout.JAVA_BYTE));
                    s.queue(b);
                }
            } finally {
                vivid.controls().set(vivid.controls().find("osd_text_mode").orElseThrow().id(), 2);
                VividControls.pattern(camera.path(), "75% Colorbar");
            }
        }
        List<byte[]> coded;
        try (VideoEncoder enc = VideoEncoder.open(encoder.path(), new VideoEncoder.Config(W, H, PixelFormat.YUV420, PixelFormat.FWHT, new Fraction(1, 30)))) {
            assertEquals(PixelFormat.FWHT, enc.codedFormat().pixelFormat());
            coded = encode(enc, captured);
        }
        long total = coded.stream().mapToLong(c -> c.length).sum();
        assertTrue(total < 60L * W * H * 3 / 2, "the stream is compressed: " + total + " bytes");
        Map<Long, byte[]> decoded;
        try (VideoDecoder dec = VideoDecoder.open(decoder.path(), PixelFormat.FWHT, W * H * 3 / 2, 4)) {
            decoded = decode(dec, coded, 1_000_000L, 60);
            assertEquals(1, dec.sourceChanges(), "one SOURCE_CHANGE announced the stream's format");
            assertEquals(W, dec.frameFormat().width());
            assertEquals(H, dec.frameFormat().height());
            assertEquals(PixelFormat.YUV420, dec.frameFormat().pixelFormat());
        }
        assertEquals(60, decoded.size(), "every frame decoded");
        double min = Double.MAX_VALUE, sum = 0;
        for (int i = 0; i < 60; i++) {
            byte[] d = decoded.get(1_000_000L * (i + 1));
            assertNotNull(d, "frame " + i);
            double p = Codecs.psnr(captured.get(i), MemorySegment.ofArray(d), W * H);
            min = Math.min(min, p);
            sum += p;
        }
        System.out.printf("round trip vivid -> vicodec: 60 frames, %d bytes coded (%.1f:1), luma PSNR min %.2f dB, mean %.2f dB%n",
                total, 60.0 * W * H * 3 / 2 / total, min, sum / 60);
        assertTrue(min >= MIN_PSNR, "luma PSNR " + min + " dB under " + MIN_PSNR);
    }

    @Test
    void drainEndsWithLastAndEosThenRestarts(@Driver(value = "vicodec", name = "stateful-encoder") DeviceInfo encoder) {
        try (VideoEncoder enc = VideoEncoder.open(encoder.path(), new VideoEncoder.Config(640, 480, PixelFormat.YUV420, PixelFormat.FWHT, null));
             Events.Subscription eos = enc.device().events().subscribe(V4l2Event.Type.EOS, 0)) {
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < 3; i++) frames.add(Codecs.yuv420(640, 480, i));
            assertEquals(3, encode(enc, frames).size());
            enc.drain();
            V4l2Buffer last = null;
            for (int i = 0; i < 20 && last == null; i++) {
                V4l2Buffer b = enc.dequeueOutput(5_000);
                assertNotNull(b, "the drain ends with a LAST buffer");
                if (b.isLast()) last = b;
                else enc.requeueOutput(b);
            }
            assertNotNull(last);
            assertTrue(enc.isDrained());
            assertEquals(null, enc.dequeueOutput(100), "nothing after LAST: DQBUF answers EPIPE");
            V4l2Event e = enc.device().events().await(5_000);
            assertNotNull(e);
            assertEquals(V4l2Event.Type.EOS, e.type());
            enc.restart();
            assertEquals(2, encode(enc, List.of(Codecs.yuv420(640, 480, 7), Codecs.yuv420(640, 480, 8))).size(), "encodes again after restart");
        }
    }

    @Test
    void decoderFollowsAResolutionChangeMidStream(@Driver(value = "vicodec", name = "stateful-encoder") DeviceInfo encoder,
                                                  @Driver(value = "vicodec", name = "stateful-decoder") DeviceInfo decoder) {
        List<byte[]> small, large;
        try (VideoEncoder enc = VideoEncoder.open(encoder.path(), new VideoEncoder.Config(640, 480, PixelFormat.YUV420, PixelFormat.FWHT, null))) {
            List<byte[]> f = new ArrayList<>();
            for (int i = 0; i < 4; i++) f.add(Codecs.yuv420(640, 480, i));
            small = encode(enc, f);
        }
        try (VideoEncoder enc = VideoEncoder.open(encoder.path(), new VideoEncoder.Config(1280, 720, PixelFormat.YUV420, PixelFormat.FWHT, null))) {
            List<byte[]> f = new ArrayList<>();
            for (int i = 0; i < 4; i++) f.add(Codecs.yuv420(1280, 720, i));
            large = encode(enc, f);
        }
        List<byte[]> stream = new ArrayList<>(small);
        stream.addAll(large);
        try (VideoDecoder dec = VideoDecoder.open(decoder.path(), PixelFormat.FWHT, 1280 * 720 * 3 / 2, 4)) {
            Map<Long, byte[]> decoded = decode(dec, stream, 1_000_000L, 8);
            assertEquals(8, decoded.size(), "frames of both sizes decoded");
            assertEquals(2, dec.sourceChanges(), "the new size was announced");
            assertEquals(1280, dec.frameFormat().width());
            assertEquals(720, dec.frameFormat().height());
            assertEquals(640 * 480 * 3 / 2, decoded.get(1_000_000L).length);
            assertEquals(1280 * 720 * 3 / 2, decoded.get(8_000_000L).length);
            byte[] expect = Codecs.yuv420(1280, 720, 3);
            assertTrue(Codecs.psnr(expect, MemorySegment.ofArray(decoded.get(8_000_000L)), 1280 * 720) > MIN_PSNR);
        }
    }

    @Test
    void corruptAndTruncatedStreamsGiveErrorsNotHangs(@Driver(value = "vicodec", name = "stateful-encoder") DeviceInfo encoder,
                                                      @Driver(value = "vicodec", name = "stateful-decoder") DeviceInfo decoder) {
        List<byte[]> good;
        try (VideoEncoder enc = VideoEncoder.open(encoder.path(), new VideoEncoder.Config(640, 480, PixelFormat.YUV420, PixelFormat.FWHT, null))) {
            List<byte[]> f = new ArrayList<>();
            for (int i = 0; i < 6; i++) f.add(Codecs.yuv420(640, 480, i));
            good = encode(enc, f);
        }
        List<byte[]> stream = new ArrayList<>();
        stream.add(good.get(0));
        stream.add(good.get(1));
        // a frame with its header intact and its payload cut to a quarter, then one with garbage after the header
        byte[] truncated = java.util.Arrays.copyOf(good.get(2), good.get(2).length / 4);
        byte[] garbage = good.get(3).clone();
        for (int i = 64; i < garbage.length; i++) garbage[i] = (byte) (i * 31);
        stream.add(truncated);
        stream.add(garbage);
        stream.add(good.get(4));
        stream.add(good.get(5));
        try (VideoDecoder dec = VideoDecoder.open(decoder.path(), PixelFormat.FWHT, 640 * 480 * 3 / 2, 4)) {
            List<Long> errors = new ArrayList<>();
            Map<Long, byte[]> decoded = decode(dec, stream, 1_000_000L, errors);
            System.out.println("damaged stream: decoded " + decoded.keySet() + ", flagged ERROR " + errors);
            assertNotNull(decoded.get(1_000_000L), "the frames before the damage decoded");
            assertNotNull(decoded.get(2_000_000L), "the frames before the damage decoded");
            assertTrue(!decoded.containsKey(3_000_000L), "the truncated frame is not passed off as a good one");
            assertTrue(!decoded.containsKey(4_000_000L), "the garbage frame is not passed off as a good one");
            assertTrue(!errors.isEmpty(), "the damage is reported on the affected buffers");
            assertNotNull(decoded.get(6_000_000L), "the decoder recovered: the last good frame decoded");
            byte[] expect = Codecs.yuv420(640, 480, 5);
            assertTrue(Codecs.psnr(expect, MemorySegment.ofArray(decoded.get(6_000_000L)), 640 * 480) > 20,
                    "the frame after the damage is the right picture");
            assertTrue(dec.isDrained(), "the drain completed: the decoder did not hang");
        }
    }

    @Test
    void flushDropsQueuedInputAndDecodingGoesOnFromAKeyFrame(@Driver(value = "vicodec", name = "stateful-encoder") DeviceInfo encoder,
                                                            @Driver(value = "vicodec", name = "stateful-decoder") DeviceInfo decoder) {
        List<byte[]> coded;
        try (VideoEncoder enc = VideoEncoder.open(encoder.path(), new VideoEncoder.Config(640, 480, PixelFormat.YUV420, PixelFormat.FWHT, null))) {
            enc.device().controls().set(Cid.MPEG_VIDEO_GOP_SIZE, 4); // a key frame every 4 frames
            List<byte[]> f = new ArrayList<>();
            for (int i = 0; i < 8; i++) f.add(Codecs.yuv420(640, 480, i));
            coded = encode(enc, f);
        }
        try (VideoDecoder dec = VideoDecoder.open(decoder.path(), PixelFormat.FWHT, 640 * 480 * 3 / 2, 4)) {
            // decode the first two frames, queue two more, then seek before they are all decoded
            Map<Long, byte[]> first = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                V4l2Buffer in = dec.freeInput(5_000);
                MemorySegment.copy(coded.get(i), 0, in.segment(0), ValueLayout.JAVA_BYTE, 0, coded.get(i).length);
                dec.queueInput(in, coded.get(i).length, 1_000_000L * (i + 1));
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (first.size() < 2 && System.nanoTime() < deadline) {
                V4l2Buffer fr = dec.dequeueFrame(100);
                if (fr != null) {
                    first.put(fr.timestampNanos(), fr.segment(0).asSlice(0, 640 * 480).toArray(ValueLayout.JAVA_BYTE));
                    dec.requeueFrame(fr);
                }
            }
            assertEquals(2, first.size(), "frames before the seek");
            dec.flush();
            assertEquals(0, dec.reclaimInputs(), "after a flush no input is left with the decoder");
            // go on from the key frame at index 4, with new timestamps
            Map<Long, byte[]> after = decode(dec, coded.subList(4, 8), 100_000_000L, 4);
            for (int i = 0; i < 4; i++) {
                byte[] expect = Codecs.yuv420(640, 480, 4 + i);
                assertTrue(Codecs.psnr(expect, MemorySegment.ofArray(after.get(100_000_000L + 1_000_000L * i)), 640 * 480) > MIN_PSNR,
                        "frame " + (4 + i) + " after the seek");
            }
        }
    }
}
