package io.github.v4l2ffm.examples;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Frames built in memory with known colours (BT.601 limited range), converted and checked pixel by pixel. */
class FrameConverterTest {
    // {Y, Cb, Cr} and the RGB each stands for
    static final int[][] YUV = {{235, 128, 128}, {16, 128, 128}, {81, 90, 240}, {145, 54, 34}, {41, 240, 110}};
    static final int[][] RGB = {{255, 255, 255}, {0, 0, 0}, {255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
    static final int W = 6, H = 4;

    static void assertSolid(BufferedImage img, int[] rgb, int tolerance, String what) {
        assertEquals(W, img.getWidth());
        assertEquals(H, img.getHeight());
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int p = img.getRGB(x, y);
                int[] got = {p >> 16 & 0xff, p >> 8 & 0xff, p & 0xff};
                for (int c = 0; c < 3; c++) {
                    assertTrue(Math.abs(got[c] - rgb[c]) <= tolerance, what + " pixel " + x + "," + y + ": "
                            + got[0] + "," + got[1] + "," + got[2] + " expected " + rgb[0] + "," + rgb[1] + "," + rgb[2]);
                }
            }
        }
    }

    @Test
    void packedYuv422WithPadding() {
        for (int k = 0; k < YUV.length; k++) {
            int y = YUV[k][0], u = YUV[k][1], v = YUV[k][2];
            int stride = W * 2 + 8;
            byte[] yuyv = new byte[stride * H], uyvy = new byte[stride * H];
            for (int r = 0; r < H; r++) {
                for (int x = 0; x < W; x += 2) {
                    int o = r * stride + x * 2;
                    yuyv[o] = (byte) y; yuyv[o + 1] = (byte) u; yuyv[o + 2] = (byte) y; yuyv[o + 3] = (byte) v;
                    uyvy[o] = (byte) u; uyvy[o + 1] = (byte) y; uyvy[o + 2] = (byte) v; uyvy[o + 3] = (byte) y;
                }
            }
            assertSolid(FrameConverter.toImage("YUYV", W, H, new MemorySegment[]{MemorySegment.ofArray(yuyv)}, new int[]{stride}), RGB[k], 3, "YUYV");
            assertSolid(FrameConverter.toImage("UYVY", W, H, new MemorySegment[]{MemorySegment.ofArray(uyvy)}, new int[]{stride}), RGB[k], 3, "UYVY");
        }
    }

    @Test
    void semiPlanarAndPlanarInOneOrSeveralPlanes() {
        for (int k = 0; k < YUV.length; k++) {
            byte y = (byte) YUV[k][0], u = (byte) YUV[k][1], v = (byte) YUV[k][2];
            byte[] luma = new byte[W * H];
            java.util.Arrays.fill(luma, y);
            byte[] uv = new byte[W * H / 2];
            for (int i = 0; i < uv.length; i += 2) { uv[i] = u; uv[i + 1] = v; }
            byte[] nv12 = new byte[luma.length + uv.length];
            System.arraycopy(luma, 0, nv12, 0, luma.length);
            System.arraycopy(uv, 0, nv12, luma.length, uv.length);
            assertSolid(FrameConverter.toImage("NV12", W, H, new MemorySegment[]{MemorySegment.ofArray(nv12)}, new int[]{W}), RGB[k], 3, "NV12");
            assertSolid(FrameConverter.toImage("NM12", W, H, new MemorySegment[]{MemorySegment.ofArray(luma), MemorySegment.ofArray(uv)},
                    new int[]{W, W}), RGB[k], 3, "NM12");

            byte[] cu = new byte[W * H / 4], cv = new byte[W * H / 4];
            java.util.Arrays.fill(cu, u);
            java.util.Arrays.fill(cv, v);
            byte[] yu12 = new byte[luma.length + 2 * cu.length];
            System.arraycopy(luma, 0, yu12, 0, luma.length);
            System.arraycopy(cu, 0, yu12, luma.length, cu.length);
            System.arraycopy(cv, 0, yu12, luma.length + cu.length, cv.length);
            assertSolid(FrameConverter.toImage("YU12", W, H, new MemorySegment[]{MemorySegment.ofArray(yu12)}, new int[]{W}), RGB[k], 3, "YU12");
            assertSolid(FrameConverter.toImage("YM12", W, H, new MemorySegment[]{MemorySegment.ofArray(luma), MemorySegment.ofArray(cu),
                    MemorySegment.ofArray(cv)}, new int[]{W, W / 2, W / 2}), RGB[k], 3, "YM12");
        }
    }

    @Test
    void packedRgb() {
        int[] c = {200, 100, 50};
        byte[] rgb3 = new byte[W * H * 3], bx24 = new byte[W * H * 4], ar24 = new byte[W * H * 4];
        for (int i = 0; i < W * H; i++) {
            rgb3[3 * i] = (byte) c[0]; rgb3[3 * i + 1] = (byte) c[1]; rgb3[3 * i + 2] = (byte) c[2];
            bx24[4 * i + 1] = (byte) c[0]; bx24[4 * i + 2] = (byte) c[1]; bx24[4 * i + 3] = (byte) c[2];
            ar24[4 * i] = (byte) c[2]; ar24[4 * i + 1] = (byte) c[1]; ar24[4 * i + 2] = (byte) c[0];
        }
        assertSolid(FrameConverter.toImage("RGB3", W, H, new MemorySegment[]{MemorySegment.ofArray(rgb3)}, new int[]{W * 3}), c, 0, "RGB3");
        assertSolid(FrameConverter.toImage("BX24", W, H, new MemorySegment[]{MemorySegment.ofArray(bx24)}, new int[]{W * 4}), c, 0, "BX24");
        assertSolid(FrameConverter.toImage("AR24", W, H, new MemorySegment[]{MemorySegment.ofArray(ar24)}, new int[]{W * 4}), c, 0, "AR24");
    }

    @Test
    void motionJpegWithoutHuffmanTables() throws Exception {
        BufferedImage src = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        var g = src.getGraphics();
        g.setColor(new Color(30, 160, 220));
        g.fillRect(0, 0, W, H);
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(src, "jpg", jpeg);
        byte[] stripped = stripDht(jpeg.toByteArray());
        assertTrue(stripped.length < jpeg.size(), "the DHT segments were removed");
        assertSolid(FrameConverter.toImage("MJPG", W, H, new MemorySegment[]{MemorySegment.ofArray(stripped)}, new int[]{0}),
                new int[]{30, 160, 220}, 8, "MJPG");
    }

    static byte[] stripDht(byte[] j) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(j, 0, 2);
        int i = 2;
        while ((j[i + 1] & 0xff) != 0xda) {
            int len = (j[i + 2] & 0xff) << 8 | (j[i + 3] & 0xff);
            if ((j[i + 1] & 0xff) != 0xc4) o.write(j, i, len + 2);
            i += len + 2;
        }
        o.write(j, i, j.length - i);
        return o.toByteArray();
    }

    @Test
    void badInput() {
        MemorySegment tiny = MemorySegment.ofArray(new byte[10]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FrameConverter.toImage("ZZZZ", W, H, new MemorySegment[]{tiny}, new int[]{W}));
        assertTrue(e.getMessage().contains("ZZZZ"));
        e = assertThrows(IllegalArgumentException.class, () -> FrameConverter.toImage("YUYV", W, H, new MemorySegment[]{tiny}, new int[]{W * 2}));
        assertTrue(e.getMessage().contains("YUYV"), e.getMessage());
    }
}
