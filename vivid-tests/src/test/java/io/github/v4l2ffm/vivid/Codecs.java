package io.github.v4l2ffm.vivid;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Frames for the codec tests, and how close a decoded one is to its source. */
final class Codecs {
    private Codecs() {}

    /** PSNR in dB of the first {@code length} bytes of {@code b} against {@code a} (8-bit samples). */
    static double psnr(byte[] a, MemorySegment b, int length) {
        double se = 0;
        for (int i = 0; i < length; i++) {
            int d = (a[i] & 0xff) - (b.get(ValueLayout.JAVA_BYTE, i) & 0xff);
            se += d * d;
        }
        double mse = se / length;
        return mse == 0 ? 99 : 10 * Math.log10(255.0 * 255.0 / mse);
    }

    /** A synthetic YUV 4:2:0 frame: a gradient that moves with {@code n}. */
    static byte[] yuv420(int w, int h, int n) {
        byte[] f = new byte[w * h * 3 / 2];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) f[y * w + x] = (byte) (16 + ((x + y + 4 * n) % 200));
        for (int i = w * h; i < f.length; i++) f[i] = (byte) (128 + (i % 32) - 16);
        return f;
    }
}
