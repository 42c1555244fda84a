package io.github.v4l2ffm.image;

import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.VideoFormat;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.WritableRaster;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Converts captured frames of one {@link VideoFormat} into pixels the caller provides: ARGB
 * {@code int[]}, RGB or BGR {@code byte[]}, or a {@link BufferedImage} of type
 * {@link BufferedImage#TYPE_INT_RGB TYPE_INT_RGB}, {@link BufferedImage#TYPE_INT_ARGB TYPE_INT_ARGB},
 * {@link BufferedImage#TYPE_3BYTE_BGR TYPE_3BYTE_BGR} or {@link BufferedImage#TYPE_BYTE_GRAY TYPE_BYTE_GRAY}.
 * Nothing is allocated per frame (but by the ImageIO JPEG fallback, see below).
 *
 * <pre>{@code
 * VideoFormat f = queue.setFormat(640, 480, PixelFormat.YUYV);
 * try (FrameConverter conv = FrameConverter.of(f)) {
 *     BufferedImage img = conv.newImage(BufferedImage.TYPE_INT_RGB);   // once
 *     ... V4l2Buffer b = stream.dequeue(1000); conv.toImage(b, img); stream.queue(b); ...
 * }
 * }</pre>
 *
 * <p><b>Formats</b> ({@link #supports}): packed Y'CbCr 4:2:2 {@code YUYV UYVY YVYU VYUY};
 * semi-planar {@code NV12 NV21} (4:2:0) and {@code NV16 NV61} (4:2:2), also in two memory planes
 * ({@code NM12 NM21 NM16 NM61}); planar {@code YU12 YV12} (4:2:0) and {@code 422P} (4:2:2), also in
 * three memory planes ({@code YM12 YM21 YM16 YM61}); RGB {@code RGB3 BGR3 RGBP} (RGB565) and the
 * 32-bit {@code BX24 BA24 XR24 AR24 XB24 AB24 RX24 RA24} (alpha is ignored); luma {@code GREY} and
 * {@code Y16}; {@code MJPG} and {@code JPEG}.
 *
 * <p><b>Colour.</b> Y'CbCr frames are converted with the format's Y'CbCr encoding (BT.601,
 * BT.709, BT.2020, SMPTE 240M) and quantization (limited or full range), with the kernel's rules
 * for the "default" values ({@link YCbCrEncoding#of}, {@link Quantization#of}); a driver that
 * reports them wrongly can be overridden with {@link #of(VideoFormat, YCbCrEncoding, Quantization)}.
 * Each pixel takes the chroma sample of its 2x1 (4:2:2) or 2x2 (4:2:0) block, as libyuv does and
 * as ffmpeg's swscale does with {@code -sws_flags neighbor+full_chroma_int}: no chroma
 * interpolation, so sharp colour edges stay sharp and every output value is exact (within one level
 * of the real-valued conversion). Limited-range luma {@code GREY}/{@code Y16} is expanded to
 * 0..255 likewise. The result is R'G'B' (gamma-encoded), as every image library expects.
 *
 * <p><b>Speed.</b> The Y'CbCr conversions use the Vector API when the application runs with
 * {@code --add-modules jdk.incubator.vector} on a CPU with vectors of 256 bits or more (AVX2,
 * AVX-512; {@link #vectorized()}), else an equivalent scalar path: both give the same values bit
 * for bit. MJPEG is decoded by libjpeg-turbo (the system's
 * {@code libturbojpeg.so.0}, Debian's {@code libturbojpeg0}, called through FFM, straight into the
 * destination array) where installed, else by ImageIO, which copies the frame and allocates an
 * image per frame. Frames without Huffman tables, as webcams send them, are decoded with the
 * standard tables by both.
 *
 * <p><b>Errors.</b> A frame shorter than its format needs (a USB camera that lost part of it) or an
 * MJPEG frame that cannot be decoded throws {@link CorruptFrameException}: skip it. A destination
 * of the wrong size or type throws {@link IllegalArgumentException}. A converter keeps scratch
 * state: use one per thread. It holds a JPEG decoder for MJPEG formats: {@link #close()} frees it.
 */
public final class FrameConverter implements AutoCloseable {
    private static final boolean VECTOR_MODULE = vectorPath();

    /**
     * The Vector API path: where the module is present and the CPU has vectors of 256 bits or
     * more; {@code -Dv4l2.image.vector=false} turns it off, {@code =true} on whatever the CPU.
     */
    private static boolean vectorPath() {
        String p = System.getProperty("v4l2.image.vector", "");
        if (p.equals("false") || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return false;
        return p.equals("true") || VectorRows.pays();
    }

    private final VideoFormat format;
    private final Layout layout;
    private final Layout.Kind kind;
    private final YCbCrEncoding encoding;
    private final Quantization quantization;
    private final Coefficients coef;
    private final int width;
    private final int height;
    private final boolean vectorPacked;
    private final boolean vectorSemi;
    private final boolean vectorPlanar;
    private final JpegDecoder jpeg;
    /** One row of ARGB, for the byte outputs. */
    private final int[] row;
    /** Row buffers of the paths without the Vector API. */
    private final ScalarRows.Wide wide;
    /** The frame being converted: per memory plane, its segment and bytes of data. */
    private final MemorySegment[] in = new MemorySegment[3];
    private final long[] inLength = new long[3];

    private FrameConverter(VideoFormat format, YCbCrEncoding encoding, Quantization quantization, boolean vector) {
        this.format = Objects.requireNonNull(format, "format");
        this.layout = Layout.of(format);
        this.kind = layout.kind();
        this.encoding = Objects.requireNonNull(encoding, "encoding");
        this.quantization = Objects.requireNonNull(quantization, "quantization");
        this.coef = Coefficients.of(encoding, quantization);
        this.width = format.width();
        this.height = format.height();
        boolean v = vector && VECTOR_MODULE;
        this.vectorPacked = v && VectorRows.packedSupported();
        this.vectorSemi = v && VectorRows.semiPlanarSupported();
        this.vectorPlanar = v && VectorRows.planarSupported();
        this.row = new int[width];
        this.wide = new ScalarRows.Wide(width);
        this.jpeg = kind == Layout.Kind.JPEG ? JpegDecoder.create() : null;
    }

    /**
     * A converter for frames of {@code format}, with the colour encoding and range the format
     * states.
     *
     * @param format the format the driver returned ({@code setFormat}, {@code format()})
     * @throws IllegalArgumentException if the pixel format is not supported, the format has no
     *         size, or its strides are shorter than a row
     */
    public static FrameConverter of(VideoFormat format) {
        return of(format, YCbCrEncoding.of(format), Quantization.of(format));
    }

    /**
     * A converter that reads Y'CbCr (and luma) frames of {@code format} with the given encoding and
     * range, whatever the format states; RGB formats ignore both.
     *
     * @throws IllegalArgumentException as {@link #of(VideoFormat)}
     */
    public static FrameConverter of(VideoFormat format, YCbCrEncoding encoding, Quantization quantization) {
        return new FrameConverter(format, encoding, quantization, true);
    }

    /** The same with the Vector API path turned off: for comparing the two paths. */
    static FrameConverter scalar(VideoFormat format, YCbCrEncoding encoding, Quantization quantization) {
        return new FrameConverter(format, encoding, quantization, false);
    }

    /** Whether frames of {@code pixelFormat} can be converted. */
    public static boolean supports(PixelFormat pixelFormat) {
        return Layout.supports(pixelFormat);
    }

    /**
     * Whether the Y'CbCr conversions run on the Vector API: the application was started with
     * {@code --add-modules jdk.incubator.vector}, the CPU has vectors of 256 bits or more, and
     * {@code -Dv4l2.image.vector=false} was not given ({@code =true} forces it on).
     */
    public static boolean vectorized() {
        return VECTOR_MODULE;
    }

    /** The format this converter reads. */
    public VideoFormat format() {
        return format;
    }

    /** The Y'CbCr encoding it converts with. */
    public YCbCrEncoding encoding() {
        return encoding;
    }

    /** The range it reads Y'CbCr and luma values in. */
    public Quantization quantization() {
        return quantization;
    }

    /** Image width in pixels. */
    public int width() {
        return width;
    }

    /** Image height in pixels. */
    public int height() {
        return height;
    }

    /**
     * What decodes MJPEG frames: {@code "libjpeg-turbo"} or {@code "ImageIO"}; empty for other
     * formats.
     */
    public String jpegDecoder() {
        return jpeg == null ? "" : jpeg.name();
    }

    /** A new image of this size, for {@link #toImage}: make it once and reuse it for every frame. */
    public BufferedImage newImage(int imageType) {
        checkImageType(imageType);
        return new BufferedImage(width, height, imageType);
    }

    // ---- ARGB ----

    /**
     * Converts a dequeued frame to ARGB (alpha 255), {@code width x height} pixels row after row.
     * The buffer must still be dequeued (not queued again) while this runs.
     *
     * @param frame a buffer dequeued from a queue of this format
     * @param dst at least {@code width * height} ints
     * @throws CorruptFrameException if the frame is truncated or its JPEG data undecodable
     */
    public void toArgb(V4l2Buffer frame, int[] dst) {
        load(frame);
        try {
            argb(dst);
        } finally {
            unload(frame);
        }
    }

    /**
     * Converts a frame held in memory (read from a file, say): one segment per memory plane of
     * the format, each holding the plane's data.
     */
    public void toArgb(MemorySegment[] planes, int[] dst) {
        load(planes);
        argb(dst);
    }

    private void argb(int[] dst) {
        checkLength(dst.length, (long) width * height, "ints");
        if (kind == Layout.Kind.JPEG) {
            jpeg.decodeArgb(in[0].asSlice(0, inLength[0]), width, height, dst);
            return;
        }
        for (int y = 0; y < height; y++) row(y, dst, y * width);
    }

    // ---- bytes ----

    /** Converts a dequeued frame to 3 bytes per pixel, R, G, B. */
    public void toRgb(V4l2Buffer frame, byte[] dst) {
        load(frame);
        try {
            bytes(dst, JpegDecoder.Bytes.RGB);
        } finally {
            unload(frame);
        }
    }

    /** Converts a frame held in memory to 3 bytes per pixel, R, G, B. */
    public void toRgb(MemorySegment[] planes, byte[] dst) {
        load(planes);
        bytes(dst, JpegDecoder.Bytes.RGB);
    }

    /** Converts a dequeued frame to 3 bytes per pixel, B, G, R (OpenCV's order). */
    public void toBgr(V4l2Buffer frame, byte[] dst) {
        load(frame);
        try {
            bytes(dst, JpegDecoder.Bytes.BGR);
        } finally {
            unload(frame);
        }
    }

    /** Converts a frame held in memory to 3 bytes per pixel, B, G, R. */
    public void toBgr(MemorySegment[] planes, byte[] dst) {
        load(planes);
        bytes(dst, JpegDecoder.Bytes.BGR);
    }

    private void bytes(byte[] dst, JpegDecoder.Bytes order) {
        int bpp = order == JpegDecoder.Bytes.GREY ? 1 : 3;
        checkLength(dst.length, (long) width * height * bpp, "bytes");
        if (kind == Layout.Kind.JPEG) {
            jpeg.decodeBytes(in[0].asSlice(0, inLength[0]), width, height, dst, order);
            return;
        }
        for (int y = 0; y < height; y++) {
            row(y, row, 0);
            Pixels.fromArgb(row, width, dst, y * width * bpp, order);
        }
    }

    // ---- BufferedImage ----

    /**
     * Converts a dequeued frame into {@code dst}, an image of this converter's size (see
     * {@link #newImage}) of type {@code TYPE_INT_RGB}, {@code TYPE_INT_ARGB},
     * {@code TYPE_3BYTE_BGR} or {@code TYPE_BYTE_GRAY} (BT.601 luma of the R'G'B' values), written
     * in place.
     *
     * @throws IllegalArgumentException if the image has another size or type, or is a sub-image
     */
    public void toImage(V4l2Buffer frame, BufferedImage dst) {
        load(frame);
        try {
            image(dst);
        } finally {
            unload(frame);
        }
    }

    /** Converts a frame held in memory into {@code dst}, as {@link #toImage(V4l2Buffer, BufferedImage)}. */
    public void toImage(MemorySegment[] planes, BufferedImage dst) {
        load(planes);
        image(dst);
    }

    private void image(BufferedImage dst) {
        checkImageType(dst.getType());
        WritableRaster r = dst.getRaster();
        if (dst.getWidth() != width || dst.getHeight() != height || r.getSampleModelTranslateX() != 0
                || r.getSampleModelTranslateY() != 0 || r.getSampleModel().getWidth() != width) {
            throw new IllegalArgumentException("the image is " + dst.getWidth() + "x" + dst.getHeight()
                    + (r.getSampleModelTranslateX() != 0 || r.getSampleModelTranslateY() != 0 ? " (a sub-image)" : "")
                    + "; the frames are " + width + "x" + height + ": use newImage()");
        }
        switch (dst.getType()) {
            case BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB -> argb(((DataBufferInt) r.getDataBuffer()).getData());
            case BufferedImage.TYPE_3BYTE_BGR -> bytes(((DataBufferByte) r.getDataBuffer()).getData(), JpegDecoder.Bytes.BGR);
            default -> bytes(((DataBufferByte) r.getDataBuffer()).getData(), JpegDecoder.Bytes.GREY);
        }
    }

    private static void checkImageType(int type) {
        switch (type) {
            case BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_3BYTE_BGR,
                 BufferedImage.TYPE_BYTE_GRAY -> { }
            default -> throw new IllegalArgumentException("image type " + type
                    + " not supported: use TYPE_INT_RGB, TYPE_INT_ARGB, TYPE_3BYTE_BGR or TYPE_BYTE_GRAY");
        }
    }

    // ---- input ----

    private void load(V4l2Buffer frame) {
        if (frame.planeCount() < layout.memoryPlanes()) {
            throw new IllegalArgumentException("the buffer has " + frame.planeCount() + " planes; " + format.pixelFormat()
                    + " has " + layout.memoryPlanes());
        }
        frame.beginCpuAccess(true, false);
        for (int p = 0; p < layout.memoryPlanes(); p++) {
            MemorySegment s = frame.segment(p);
            long off = frame.dataOffset(p), used = frame.bytesUsed(p);
            in[p] = off == 0 ? s : s.asSlice(Math.min(off, s.byteSize()));
            inLength[p] = Math.max(0, Math.min(used - off, in[p].byteSize()));
        }
        check();
    }

    private void unload(V4l2Buffer frame) {
        for (int p = 0; p < layout.memoryPlanes(); p++) in[p] = null;
        frame.endCpuAccess(true, false);
    }

    private void load(MemorySegment[] planes) {
        if (planes.length < layout.memoryPlanes()) {
            throw new IllegalArgumentException(planes.length + " planes given; " + format.pixelFormat() + " has "
                    + layout.memoryPlanes());
        }
        for (int p = 0; p < layout.memoryPlanes(); p++) {
            in[p] = planes[p];
            inLength[p] = planes[p].byteSize();
        }
        check();
    }

    private void check() {
        for (int p = 0; p < layout.memoryPlanes(); p++) {
            if (inLength[p] < layout.needed()[p]) {
                throw new CorruptFrameException("plane " + p + " holds " + inLength[p] + " bytes; a " + width + "x"
                        + height + " " + format.pixelFormat() + " frame needs " + layout.needed()[p]
                        + (inLength[p] == 0 ? " (an empty frame)" : " (a truncated frame)"));
            }
        }
    }

    private static void checkLength(int have, long need, String what) {
        if (have < need) throw new IllegalArgumentException("destination holds " + have + " " + what + "; needs " + need);
    }

    /** Converts image row {@code y} to ARGB at {@code dst[d..d+width)}. */
    private void row(int y, int[] dst, int d) {
        int w = width;
        switch (kind) {
            case YUYV, UYVY, YVYU, VYUY -> {
                long r = (long) y * layout.stride()[0];
                if (vectorPacked) {
                    int p = VectorRows.packed422(in[0], r, w, kind, coef, dst, d);
                    ScalarRows.packed422(in[0], r, p, w, kind, coef, dst, d);
                } else {
                    wide.packed422(in[0], r, w, kind, coef, dst, d);
                }
            }
            case NV12, NV21, NV16, NV61 -> {
                int cy = kind == Layout.Kind.NV12 || kind == Layout.Kind.NV21 ? y >> 1 : y;
                MemorySegment ys = in[layout.plane()[0]], cs = in[layout.plane()[1]];
                long yr = layout.offset()[0] + (long) y * layout.stride()[0];
                long cr = layout.offset()[1] + (long) cy * layout.stride()[1];
                boolean crFirst = kind == Layout.Kind.NV21 || kind == Layout.Kind.NV61;
                if (vectorSemi) {
                    int x = VectorRows.semiPlanar(ys, yr, cs, cr, crFirst, w, coef, dst, d);
                    ScalarRows.semiPlanar(ys, yr, cs, cr, crFirst, x, w, coef, dst, d);
                } else {
                    wide.semiPlanar(ys, yr, cs, cr, crFirst, w, coef, dst, d);
                }
            }
            case PLANAR420, PLANAR422 -> {
                int cy = kind == Layout.Kind.PLANAR420 ? y >> 1 : y;
                MemorySegment ys = in[layout.plane()[0]], us = in[layout.plane()[1]], vs = in[layout.plane()[2]];
                long yr = layout.offset()[0] + (long) y * layout.stride()[0];
                long ur = layout.offset()[1] + (long) cy * layout.stride()[1];
                long vr = layout.offset()[2] + (long) cy * layout.stride()[2];
                int x = vectorPlanar ? VectorRows.planar(ys, yr, us, ur, vs, vr, w, coef, dst, d) : 0;
                ScalarRows.planar(ys, yr, us, ur, vs, vr, x, w, coef, dst, d);
            }
            case GREY, Y16 -> ScalarRows.luma(in[0], (long) y * layout.stride()[0], kind == Layout.Kind.Y16, w, coef, dst, d);
            default -> ScalarRows.rgb(in[0], (long) y * layout.stride()[0], kind, w, dst, d);
        }
    }

    /** Frees the JPEG decoder, if any; idempotent. */
    @Override
    public void close() {
        if (jpeg != null) jpeg.close();
    }
}
