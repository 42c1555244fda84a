package io.github.v4l2ffm.softcam;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The camera's picture: its frame number reads back from YUYV and from its JPEG, which has no Huffman tables. */
class FramePatternTest {

    @Test
    void frameNumbersReadBackFromYuyv() {
        byte[] frame = new byte[320 * 240 * 2];
        for (int n : new int[] {0, 1, 2, 255, 256, 4660, 65535}) {
            FramePattern.yuyv(frame, 320, 240, n);
            assertEquals(n, FramePattern.numberFromYuyv(MemorySegment.ofArray(frame), 640));
        }
        FramePattern.yuyv(frame, 320, 240, 65536 + 7);
        assertEquals(7, FramePattern.numberFromYuyv(MemorySegment.ofArray(frame), 640), "the low 16 bits");
    }

    @Test
    void mjpegFramesHaveNoHuffmanTablesAndDecodeWithTheStandardOnes() {
        byte[] a = FramePattern.mjpeg(320, 240, 1234), b = FramePattern.mjpeg(320, 240, 1235);
        assertEquals(0xd8, a[1] & 0xff, "SOI");
        for (int i = 2; i + 1 < a.length; i++) {
            if ((a[i] & 0xff) == 0xff && (a[i + 1] & 0xff) == 0xda) break;
            assertTrue((a[i] & 0xff) != 0xff || (a[i + 1] & 0xff) != 0xc4, "a DHT segment at " + i);
        }
        BufferedImage img = FramePattern.decodeMjpeg(a);
        assertEquals(320, img.getWidth());
        assertEquals(1234, FramePattern.numberFromImage(img));
        assertEquals(1235, FramePattern.numberFromImage(FramePattern.decodeMjpeg(b)));
        assertNotEquals(a.length, 0);
    }

    @Test
    void descriptorsAreConsistent() {
        CameraSpec spec = CameraSpec.webcam("x1");
        byte[] config = UvcDescriptors.configuration(spec);
        assertEquals(config.length, (config[2] & 0xff) | (config[3] & 0xff) << 8, "wTotalLength");
        int i = 0, interfaces = 0, endpoints = 0;
        while (i < config.length) {
            int len = config[i] & 0xff;
            assertTrue(len >= 2 && i + len <= config.length, "descriptor at " + i);
            if (config[i + 1] == 4) interfaces++;
            if (config[i + 1] == 5) endpoints++;
            i += len;
        }
        assertEquals(config.length, i);
        assertEquals(2, interfaces);
        assertEquals(1, endpoints);
        assertEquals(18, UvcDescriptors.device(spec).length);
        assertEquals("x1", new String(UvcDescriptors.string(spec, 3), 2, 4, java.nio.charset.StandardCharsets.UTF_16LE));
    }
}
