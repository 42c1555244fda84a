package io.github.v4l2ffm.image;

import io.github.v4l2ffm.VideoFormat;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MJPEG frames as webcams send them (no Huffman tables), decoded and checked against ffmpeg's own decoder. */
class MjpegTest {
    static final int W = 320, H = 240;

    /** The frame without its DHT segments: what most webcams send. */
    static byte[] withoutHuffmanTables(byte[] jpeg) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 2;
        out.write(jpeg, 0, 2);
        while (i < jpeg.length) {
            int marker = jpeg[i + 1] & 0xFF;
            if (marker == 0xDA) {   // start of scan: the rest is entropy-coded data
                out.write(jpeg, i, jpeg.length - i);
                break;
            }
            int len = (jpeg[i + 2] & 0xFF) << 8 | jpeg[i + 3] & 0xFF;
            if (marker != 0xC4) out.write(jpeg, i, len + 2);
            i += len + 2;
        }
        return out.toByteArray();
    }

    static byte[] picture() {
        return SwscalePeer.testFrame("rgb24", W, H);
    }

    @Test
    void decodesWebcamFramesWithoutHuffmanTablesAsFfmpegDoes() {
        byte[] jpeg = SwscalePeer.rgb24ToJpeg(picture(), W, H, 3);
        byte[] bare = withoutHuffmanTables(jpeg);
        assertTrue(bare.length < jpeg.length - 400, "the DHT segments were removed");
        byte[] ref = SwscalePeer.jpegToRgb24(jpeg);
        VideoFormat f = FrameConverterTest.format("MJPG", W, H, 0, 0, 0, 0);
        for (boolean imageIo : new boolean[] {false, true}) {
            int[] argb = new int[W * H];
            try (FrameConverter c = FrameConverter.of(f); JpegDecoder d = imageIo ? new ImageIoJpeg() : new TurboJpeg()) {
                assertEquals(TurboJpeg.available() ? "libjpeg-turbo" : "ImageIO", c.jpegDecoder());
                d.decodeArgb(MemorySegment.ofArray(bare), W, H, argb);
            }
            int[] diff = SwscalePeer.maxDifference(argb, ref);
            // two decoders: their IDCTs round differently (seen: at most 3 levels, 0.09 on average);
            // libjpeg's "fancy" chroma upsampling interpolates, so the reference does too (bilinear)
            assertTrue(diff[0] <= 3, (imageIo ? "ImageIO" : "libjpeg-turbo") + " differs by " + diff[0]);
            double mean = meanDifference(argb, ref);
            assertTrue(mean < 0.5, (imageIo ? "ImageIO" : "libjpeg-turbo") + " mean difference " + mean);
        }
    }

    @Test
    void allOutputsDecodeTheSamePicture() {
        byte[] bare = withoutHuffmanTables(SwscalePeer.rgb24ToJpeg(picture(), W, H, 3));
        MemorySegment[] in = {MemorySegment.ofArray(bare)};
        try (FrameConverter c = FrameConverter.of(FrameConverterTest.format("MJPG", W, H, 0, 0, 0, 0))) {
            int[] argb = new int[W * H];
            byte[] rgb = new byte[W * H * 3], bgr = new byte[W * H * 3];
            c.toArgb(in, argb);
            c.toRgb(in, rgb);
            c.toBgr(in, bgr);
            for (int i = 0; i < W * H; i++) {
                assertEquals(0xFF, argb[i] >>> 24);
                assertEquals(argb[i] >> 16 & 0xFF, rgb[3 * i] & 0xFF);
                assertEquals(argb[i] & 0xFF, rgb[3 * i + 2] & 0xFF);
                assertEquals(argb[i] & 0xFF, bgr[3 * i] & 0xFF);
            }
        }
    }

    @Test
    void damagedFramesThrowCorruptFrame() {
        byte[] bare = withoutHuffmanTables(SwscalePeer.rgb24ToJpeg(picture(), W, H, 3));
        VideoFormat f = FrameConverterTest.format("MJPG", W, H, 0, 0, 0, 0);
        for (boolean imageIo : new boolean[] {false, true}) {
            try (JpegDecoder d = imageIo ? new ImageIoJpeg() : new TurboJpeg()) {
                int[] argb = new int[W * H];
                String who = imageIo ? "ImageIO" : "libjpeg-turbo";
                assertThrows(CorruptFrameException.class, () -> d.decodeArgb(MemorySegment.ofArray(Arrays.copyOf(bare, bare.length / 2)), W, H, argb), who + " truncated");
                assertThrows(CorruptFrameException.class, () -> d.decodeArgb(MemorySegment.ofArray(new byte[100]), W, H, argb), who + " garbage");
                assertThrows(CorruptFrameException.class, () -> d.decodeArgb(MemorySegment.ofArray(bare), W * 2, H, argb), who + " size");
            }
        }
        try (FrameConverter c = FrameConverter.of(f)) {
            assertThrows(CorruptFrameException.class, () -> c.toArgb(new MemorySegment[] {MemorySegment.ofArray(new byte[0])}, new int[W * H]));
        }
    }

    static double meanDifference(int[] argb, byte[] rgb) {
        long sum = 0;
        for (int i = 0; i < argb.length; i++) {
            sum += Math.abs((argb[i] >> 16 & 0xFF) - (rgb[3 * i] & 0xFF)) + Math.abs((argb[i] >> 8 & 0xFF) - (rgb[3 * i + 1] & 0xFF))
                    + Math.abs((argb[i] & 0xFF) - (rgb[3 * i + 2] & 0xFF));
        }
        return sum / (3.0 * argb.length);
    }
}
