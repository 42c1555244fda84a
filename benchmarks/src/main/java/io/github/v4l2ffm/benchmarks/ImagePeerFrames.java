package io.github.v4l2ffm.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the frames {@link ImageConversionBenchmark} converts, for {@code benchmarks/image-peers.sh}
 * to time ffmpeg on the same input: {@code frame.yuyv} and {@code frame.nv12} (one raw 1920x1080
 * frame each, which ffmpeg reads in a loop) and {@code frames.mjpeg} (the benchmark's JPEG frame,
 * without Huffman tables, {@code count} times one after the other, as a camera's MJPEG stream).
 *
 * <pre>benchmarks/run-main.sh ImagePeerFrames DIR [count]</pre>
 */
public final class ImagePeerFrames {
    private ImagePeerFrames() {}

    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(Path.of(args[0]));
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int w = ImageConversionBenchmark.W, h = ImageConversionBenchmark.H, f = ImageConversionBenchmark.FRAME;
        Files.write(dir.resolve("frame.yuyv"), TestFrames.raw("yuyv422", w, h, f));
        Files.write(dir.resolve("frame.nv12"), TestFrames.raw("nv12", w, h, f));
        byte[] jpeg = TestFrames.mjpeg(w, h, f, ImageConversionBenchmark.JPEG_Q);
        try (OutputStream out = Files.newOutputStream(dir.resolve("frames.mjpeg"))) {
            for (int i = 0; i < count; i++) out.write(jpeg);
        }
        System.out.println(dir + ": " + w + "x" + h + " YUYV, NV12 and " + count + " MJPEG frames of " + jpeg.length + " bytes");
    }
}
