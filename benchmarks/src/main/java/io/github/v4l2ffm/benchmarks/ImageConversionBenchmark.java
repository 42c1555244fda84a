package io.github.v4l2ffm.benchmarks;

import io.github.v4l2ffm.BufferType;
import io.github.v4l2ffm.FieldOrder;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.PlaneFormat;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.image.FrameConverter;
import io.github.v4l2ffm.image.ScalarConverters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The image module against native peers, per 1920x1080 frame of ffmpeg's testsrc2 (made at
 * setup, see {@link TestFrames}), all in one JVM:
 * <ul>
 * <li>YUYV and NV12 to ARGB {@code int[]}: {@link FrameConverter} on the Vector API and on its
 *     scalar path, and libyuv's {@code YUY2ToARGB} / {@code NV12ToARGB} (Debian's
 *     {@code libyuv0}) called through FFM. Same input (one native segment), same output (a heap
 *     {@code int[]}, which libyuv writes through a critical downcall, as libjpeg-turbo does for
 *     the converter). BT.601 limited range, nearest chroma for all three.</li>
 * <li>MJPEG (4:2:2, no Huffman tables, as webcams send) to RGB {@code byte[]}:
 *     {@link FrameConverter} with libjpeg-turbo, {@link FrameConverter} with ImageIO, and
 *     libjpeg-turbo's {@code tjDecompress2} called directly.</li>
 * </ul>
 * Needs {@code ffmpeg}, {@code libyuv.so.0} and {@code libturbojpeg.so.0}; {@code benchmarks/image-bench.sh}
 * runs it with ffmpeg's own figures beside it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector"})
public class ImageConversionBenchmark {
    static final int W = 1920, H = 1080;
    /** testsrc2's frame 15: the moving shapes are inside the picture. */
    static final int FRAME = 15;
    /** ffmpeg's -q:v for the JPEG: 5 is what a webcam's MJPEG looks like (~2 bits per pixel here). */
    static final int JPEG_Q = 5;
    /** V4L2_COLORSPACE_SMPTE170M: BT.601, limited range, as libyuv's YUY2ToARGB and NV12ToARGB assume. */
    static final int SMPTE170M = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle YUY2_TO_ARGB, NV12_TO_ARGB, TJ_INIT, TJ_DESTROY, TJ_DECOMPRESS2, TJ_ERROR;

    static {
        SymbolLookup yuv = SymbolLookup.libraryLookup("libyuv.so.0", Arena.global());
        SymbolLookup tj = SymbolLookup.libraryLookup("libturbojpeg.so.0", Arena.global());
        Linker.Option heap = Linker.Option.critical(true);
        YUY2_TO_ARGB = LINKER.downcallHandle(yuv.findOrThrow("YUY2ToARGB"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT), heap);
        NV12_TO_ARGB = LINKER.downcallHandle(yuv.findOrThrow("NV12ToARGB"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT), heap);
        TJ_INIT = LINKER.downcallHandle(tj.findOrThrow("tjInitDecompress"), FunctionDescriptor.of(ADDRESS));
        TJ_DESTROY = LINKER.downcallHandle(tj.findOrThrow("tjDestroy"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        TJ_DECOMPRESS2 = LINKER.downcallHandle(tj.findOrThrow("tjDecompress2"), FunctionDescriptor.of(JAVA_INT,
                ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), heap);
        TJ_ERROR = LINKER.downcallHandle(tj.findOrThrow("tjGetErrorStr2"), FunctionDescriptor.of(ADDRESS, ADDRESS));
    }

    private static final int TJPF_RGB = 0;

    private Arena arena;
    private MemorySegment yuyv, nv12, jpeg;
    private MemorySegment[] yuyvPlanes, nv12Planes, jpegPlanes;
    private FrameConverter yuyvVector, yuyvScalar, nv12Vector, nv12Scalar, jpegTurbo, jpegImageIo;
    private MemorySegment tjHandle;
    private final int[] argb = new int[W * H];
    private final byte[] rgb = new byte[W * H * 3];

    static VideoFormat format(String fourcc, int bytesPerLine, long sizeImage) {
        return new VideoFormat(BufferType.VIDEO_CAPTURE, W, H, PixelFormat.of(fourcc), FieldOrder.NONE,
                List.of(new PlaneFormat(bytesPerLine, (int) sizeImage)), SMPTE170M, 0, 0, 0, 0);
    }

    @Setup
    public void setUp() {
        arena = Arena.ofShared();
        yuyv = copy(TestFrames.raw("yuyv422", W, H, FRAME));
        nv12 = copy(TestFrames.raw("nv12", W, H, FRAME));
        jpeg = copy(TestFrames.mjpeg(W, H, FRAME, JPEG_Q));
        yuyvPlanes = new MemorySegment[] {yuyv};
        nv12Planes = new MemorySegment[] {nv12};
        jpegPlanes = new MemorySegment[] {jpeg};

        VideoFormat fYuyv = format("YUYV", 2 * W, yuyv.byteSize());
        VideoFormat fNv12 = format("NV12", W, nv12.byteSize());
        VideoFormat fJpeg = format("MJPG", 0, jpeg.byteSize());
        yuyvVector = FrameConverter.of(fYuyv);
        yuyvScalar = ScalarConverters.of(fYuyv);
        nv12Vector = FrameConverter.of(fNv12);
        nv12Scalar = ScalarConverters.of(fNv12);
        jpegTurbo = FrameConverter.of(fJpeg);
        String before = System.getProperty("v4l2.image.imageio");
        System.setProperty("v4l2.image.imageio", "true");   // read when the converter makes its decoder
        try {
            jpegImageIo = FrameConverter.of(fJpeg);
        } finally {
            if (before == null) System.clearProperty("v4l2.image.imageio");
            else System.setProperty("v4l2.image.imageio", before);
        }
        try {
            tjHandle = (MemorySegment) TJ_INIT.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (!FrameConverter.vectorized()) throw new IllegalStateException("run with --add-modules=jdk.incubator.vector");
        if (!"libjpeg-turbo".equals(jpegTurbo.jpegDecoder()) || !"ImageIO".equals(jpegImageIo.jpegDecoder())) {
            throw new IllegalStateException("JPEG decoders: " + jpegTurbo.jpegDecoder() + ", " + jpegImageIo.jpegDecoder());
        }
        agreement();
    }

    private MemorySegment copy(byte[] data) {
        MemorySegment s = arena.allocate(data.length, 64);
        MemorySegment.copy(data, 0, s, JAVA_BYTE, 0, data.length);
        return s;
    }

    /** Prints how far the outputs are from each other: the benchmark compares like with like. */
    private void agreement() {
        int[] a = new int[W * H], b = new int[W * H];
        yuyvVector();
        System.arraycopy(argb, 0, a, 0, a.length);
        yuyvScalar();
        check(a, argb, "YUYV vector vs scalar", true);
        yuyvLibyuv();
        check(a, argb, "YUYV FrameConverter vs libyuv", false);
        nv12Vector();
        System.arraycopy(argb, 0, b, 0, b.length);
        nv12Scalar();
        check(b, argb, "NV12 vector vs scalar", true);
        nv12Libyuv();
        check(b, argb, "NV12 FrameConverter vs libyuv", false);
        byte[] r = new byte[rgb.length];
        mjpegTurboJpeg();
        System.arraycopy(rgb, 0, r, 0, r.length);
        mjpegFrameConverter();
        System.out.printf("MJPEG %d bytes (%.2f bits/pixel); FrameConverter (libjpeg-turbo) vs tjDecompress2: max difference %d%n",
                jpeg.byteSize(), jpeg.byteSize() * 8.0 / (W * H), maxDifference(r, rgb));
        mjpegImageIo();
        System.out.printf("MJPEG FrameConverter (ImageIO) vs tjDecompress2: max difference %d%n", maxDifference(r, rgb));
    }

    private static void check(int[] a, int[] b, String what, boolean exact) {
        int max = 0;
        long diff = 0;
        for (int i = 0; i < a.length; i++) {
            int d = 0;
            for (int sh = 0; sh < 32; sh += 8) d = Math.max(d, Math.abs((a[i] >>> sh & 0xFF) - (b[i] >>> sh & 0xFF)));
            if (d > 0) diff++;
            max = Math.max(max, d);
        }
        System.out.printf("%s: max difference %d, %.1f%% of pixels differ%n", what, max, 100.0 * diff / a.length);
        if (exact && max != 0) throw new IllegalStateException(what + " differ");
    }

    private static int maxDifference(byte[] a, byte[] b) {
        int max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] & 0xFF) - (b[i] & 0xFF)));
        return max;
    }

    // ---- YUYV -> ARGB ----

    @Benchmark
    public int[] yuyvVector() {
        yuyvVector.toArgb(yuyvPlanes, argb);
        return argb;
    }

    @Benchmark
    public int[] yuyvScalar() {
        yuyvScalar.toArgb(yuyvPlanes, argb);
        return argb;
    }

    @Benchmark
    public int[] yuyvLibyuv() {
        try {
            int r = (int) YUY2_TO_ARGB.invokeExact(yuyv, 2 * W, MemorySegment.ofArray(argb), 4 * W, W, H);
            if (r != 0) throw new IllegalStateException("YUY2ToARGB: " + r);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return argb;
    }

    // ---- NV12 -> ARGB ----

    @Benchmark
    public int[] nv12Vector() {
        nv12Vector.toArgb(nv12Planes, argb);
        return argb;
    }

    @Benchmark
    public int[] nv12Scalar() {
        nv12Scalar.toArgb(nv12Planes, argb);
        return argb;
    }

    @Benchmark
    public int[] nv12Libyuv() {
        try {
            int r = (int) NV12_TO_ARGB.invokeExact(nv12, W, nv12.asSlice((long) W * H), W, MemorySegment.ofArray(argb), 4 * W, W, H);
            if (r != 0) throw new IllegalStateException("NV12ToARGB: " + r);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return argb;
    }

    // ---- MJPEG -> RGB ----

    @Benchmark
    public byte[] mjpegFrameConverter() {
        jpegTurbo.toRgb(jpegPlanes, rgb);
        return rgb;
    }

    @Benchmark
    public byte[] mjpegImageIo() {
        jpegImageIo.toRgb(jpegPlanes, rgb);
        return rgb;
    }

    @Benchmark
    public byte[] mjpegTurboJpeg() {
        try {
            int r = (int) TJ_DECOMPRESS2.invokeExact(tjHandle, jpeg, jpeg.byteSize(), MemorySegment.ofArray(rgb), W, 3 * W, H, TJPF_RGB, 0);
            if (r != 0) throw new IllegalStateException("tjDecompress2: " + tjError());
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return rgb;
    }

    private String tjError() throws Throwable {
        return ((MemorySegment) TJ_ERROR.invokeExact(tjHandle)).reinterpret(256).getString(0);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) return e;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    @TearDown
    public void tearDown() throws Throwable {
        for (FrameConverter c : new FrameConverter[] {yuyvVector, yuyvScalar, nv12Vector, nv12Scalar, jpegTurbo, jpegImageIo}) c.close();
        int ignored = (int) TJ_DESTROY.invokeExact(tjHandle);
        arena.close();
    }
}
