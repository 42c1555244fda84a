package io.github.v4l2ffm.image;

import java.lang.foreign.MemorySegment;

/**
 * Decodes one (M)JPEG frame into a caller's array. {@link TurboJpeg} (libjpeg-turbo through FFM)
 * where the system has {@code libturbojpeg.so.0}, else {@link ImageIoJpeg}.
 */
sealed interface JpegDecoder extends AutoCloseable permits TurboJpeg, ImageIoJpeg {
    /** Output orders for byte arrays. */
    enum Bytes { RGB, BGR, GREY }

    /** Decodes into {@code dst} as ARGB, {@code w x h} pixels, row after row. */
    void decodeArgb(MemorySegment jpeg, int w, int h, int[] dst);

    /** Decodes into {@code dst} as 3 (RGB, BGR) or 1 (GREY) bytes per pixel. */
    void decodeBytes(MemorySegment jpeg, int w, int h, byte[] dst, Bytes order);

    /** What decodes: {@code "libjpeg-turbo 2.1"} or {@code "ImageIO"}. */
    String name();

    @Override
    void close();

    static JpegDecoder create() {
        if (!Boolean.getBoolean("v4l2.image.imageio") && TurboJpeg.available()) return new TurboJpeg();
        return new ImageIoJpeg();
    }
}
