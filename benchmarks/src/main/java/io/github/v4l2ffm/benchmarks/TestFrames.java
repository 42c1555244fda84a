package io.github.v4l2ffm.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Frames for the image benchmarks, made by the {@code ffmpeg} program at run time from its
 * {@code testsrc2} pattern (colour bars, gradients, moving shapes, text): nothing binary is kept
 * in the repository.
 */
final class TestFrames {
    private TestFrames() {}

    /** Frame {@code index} (0-based, 30 fps) of testsrc2 at {@code w x h}, raw in ffmpeg's {@code pixFmt}. */
    static byte[] raw(String pixFmt, int w, int h, int index) {
        return ffmpeg(List.of("-f", "lavfi", "-i", "testsrc2=size=" + w + "x" + h + ":rate=30", "-vf", "select=eq(n\\," + index + ")",
                "-frames:v", "1", "-pix_fmt", pixFmt, "-f", "rawvideo"));
    }

    /**
     * Frame {@code index} of testsrc2 as a baseline JPEG at ffmpeg's {@code -q:v q}, 4:2:2
     * ({@code yuvj422p}) as webcams send, with its Huffman tables (DHT segments) taken out as
     * webcams do: decoders then use the standard tables. It is coded with those tables
     * ({@code -huffman default}; ffmpeg's own default, optimal tables, would not decode without
     * its DHT).
     */
    static byte[] mjpeg(int w, int h, int index, int q) {
        byte[] jpeg = ffmpeg(List.of("-f", "lavfi", "-i", "testsrc2=size=" + w + "x" + h + ":rate=30", "-vf", "select=eq(n\\," + index + ")",
                "-frames:v", "1", "-pix_fmt", "yuvj422p", "-q:v", Integer.toString(q), "-huffman", "default", "-f", "mjpeg"));
        return withoutDht(jpeg);
    }

    /** {@code jpeg} without its DHT segments (0xFFC4 before the scan). */
    static byte[] withoutDht(byte[] jpeg) {
        if ((jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) throw new IllegalArgumentException("not a JPEG");
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length);
        out.write(jpeg, 0, 2);
        int i = 2, removed = 0;
        while (i + 4 <= jpeg.length) {
            if ((jpeg[i] & 0xFF) != 0xFF) throw new IllegalArgumentException("no marker at " + i);
            int marker = jpeg[i + 1] & 0xFF;
            int len = (jpeg[i + 2] & 0xFF) << 8 | jpeg[i + 3] & 0xFF;
            if (marker == 0xDA) {   // start of scan: the entropy-coded data and EOI follow
                out.write(jpeg, i, jpeg.length - i);
                break;
            }
            if (marker == 0xC4) removed++;
            else out.write(jpeg, i, 2 + len);
            i += 2 + len;
        }
        if (removed == 0) throw new IllegalStateException("the JPEG had no DHT segment");
        return out.toByteArray();
    }

    private static byte[] ffmpeg(List<String> args) {
        try {
            Path out = Files.createTempFile("testframe", ".bin");
            try {
                List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error", "-y"));
                cmd.addAll(args);
                cmd.add(out.toString());
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String log = new String(p.getInputStream().readAllBytes());
                if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("ffmpeg failed (is it installed?): " + String.join(" ", cmd) + "\n" + log);
                }
                return Files.readAllBytes(out);
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
