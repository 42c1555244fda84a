package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.BufferType;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.V4l2Device;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Finding vicodec's nodes by what they do, and measuring frames. */
final class Codecs {
    private Codecs() {}

    /** vicodec's stateful encoder: the vicodec node whose CAPTURE side produces FWHT. */
    static DeviceInfo encoder() {
        return find("vicodec encoder", false);
    }

    /** vicodec's stateful decoder: the vicodec node whose OUTPUT side takes FWHT. */
    static DeviceInfo decoder() {
        return find("vicodec stateful decoder", true);
    }

    private static DeviceInfo find(String what, boolean decoderSide) {
        for (DeviceInfo d : io.github.v4l2ffm.V4l2Devices.list()) {
            if (!d.capabilities().driver().equals("vicodec")) continue;
            try (V4l2Device dev = d.open()) {
                BufferType t = decoderSide ? dev.outputQueue().type() : dev.captureQueue().type();
                if (dev.formats(t).stream().anyMatch(f -> f.pixelFormat().equals(PixelFormat.FWHT))) return d;
            }
        }
        return org.junit.jupiter.api.Assertions.fail("no " + what + ": load vicodec (modprobe vicodec)");
    }

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
