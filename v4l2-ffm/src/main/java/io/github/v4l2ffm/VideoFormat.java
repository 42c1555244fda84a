package io.github.v4l2ffm;

import java.util.List;

/**
 * An image format of a queue: what {@code VIDIOC_G_FMT}, {@code VIDIOC_S_FMT} and
 * {@code VIDIOC_TRY_FMT} exchange, for single-planar ({@code v4l2_pix_format}) and multi-planar
 * ({@code v4l2_pix_format_mplane}) buffer types alike.
 *
 * <p>To ask for a format, build a request with {@link #of(BufferType, int, int, PixelFormat)};
 * the device answers with the format it actually chose, which may differ (a driver adjusts
 * sizes and falls back to a format it has): always use the returned format.
 *
 * @param type the queue this format is for
 * @param width image width in pixels
 * @param height image height in pixels
 * @param pixelFormat the pixel format
 * @param field the field order
 * @param planes per memory plane, its stride and size; one entry for single-planar types
 * @param colorspace {@code enum v4l2_colorspace}
 * @param ycbcrEncoding {@code enum v4l2_ycbcr_encoding}
 * @param quantization {@code enum v4l2_quantization}
 * @param transferFunction {@code enum v4l2_xfer_func}
 * @param flags {@code V4L2_PIX_FMT_FLAG_*}
 */
public record VideoFormat(BufferType type, int width, int height, PixelFormat pixelFormat, FieldOrder field,
                     List<PlaneFormat> planes, int colorspace, int ycbcrEncoding, int quantization,
                     int transferFunction, int flags) {

    public VideoFormat {
        planes = List.copyOf(planes);
        if (width < 0 || height < 0) throw new IllegalArgumentException("width and height must not be negative: " + width + "x" + height);
        for (PlaneFormat p : planes) {
            if (p.bytesPerLine() < 0 || p.sizeImage() < 0) throw new IllegalArgumentException("negative plane size: " + p);
        }
        if (planes.size() > 8) throw new IllegalArgumentException("at most 8 planes: " + planes.size());
    }

    /** A request for {@code width x height} in {@code pixelFormat}, letting the driver choose the rest. */
    public static VideoFormat of(BufferType type, int width, int height, PixelFormat pixelFormat) {
        return new VideoFormat(type, width, height, pixelFormat, FieldOrder.ANY, List.of(), 0, 0, 0, 0, 0);
    }

    /**
     * A request that also gives the buffer size of each plane: what an OUTPUT queue of a
     * compressed format (a decoder's input) needs to size its buffers.
     */
    public static VideoFormat of(BufferType type, int width, int height, PixelFormat pixelFormat, int... sizeImage) {
        PlaneFormat[] p = new PlaneFormat[sizeImage.length];
        for (int i = 0; i < p.length; i++) p[i] = new PlaneFormat(0, sizeImage[i]);
        return new VideoFormat(type, width, height, pixelFormat, FieldOrder.ANY, List.of(p), 0, 0, 0, 0, 0);
    }

    /** This format with another pixel format. */
    public VideoFormat withPixelFormat(PixelFormat pixelFormat) {
        return new VideoFormat(type, width, height, pixelFormat, field, planes, colorspace, ycbcrEncoding, quantization, transferFunction, flags);
    }

    /** This format with another size. */
    public VideoFormat withSize(int width, int height) {
        return new VideoFormat(type, width, height, pixelFormat, field, planes, colorspace, ycbcrEncoding, quantization, transferFunction, flags);
    }

    /**
     * This format with another field order: {@link FieldOrder#ALTERNATE} for an output queue
     * that takes one field per buffer, the producer naming each one (see
     * {@link V4l2Buffer#setField(FieldOrder)}).
     */
    public VideoFormat withField(FieldOrder field) {
        return new VideoFormat(type, width, height, pixelFormat, java.util.Objects.requireNonNull(field, "field"), planes, colorspace,
                ycbcrEncoding, quantization, transferFunction, flags);
    }

    /** This format for another queue (the same image, for example on the other side of a mem-to-mem device). */
    public VideoFormat withType(BufferType type) {
        return new VideoFormat(type, width, height, pixelFormat, field, planes, colorspace, ycbcrEncoding, quantization, transferFunction, flags);
    }

    /** The stride of plane 0 in bytes. */
    public int bytesPerLine() {
        return planes.isEmpty() ? 0 : planes.getFirst().bytesPerLine();
    }

    /** The size of plane 0 in bytes; for single-planar formats, of the whole image. */
    public int sizeImage() {
        return planes.isEmpty() ? 0 : planes.getFirst().sizeImage();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder().append(type).append(' ').append(width).append('x').append(height)
                .append(' ').append(pixelFormat).append(' ').append(field);
        for (PlaneFormat p : planes) s.append(" [").append(p.bytesPerLine()).append(" B/line, ").append(p.sizeImage()).append(" B]");
        return s.toString();
    }
}
