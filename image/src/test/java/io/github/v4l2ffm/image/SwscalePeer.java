package io.github.v4l2ffm.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * ffmpeg's swscale as the peer the converter is checked against: frames in a V4L2 pixel format
 * converted to RGB24 by the {@code ffmpeg} program, with nearest chroma
 * ({@code neighbor+full_chroma_int}) and exact rounding ({@code accurate_rnd}), the choice the
 * converter makes.
 */
public final class SwscalePeer {
    private SwscalePeer() {}

    /** Whether an {@code ffmpeg} program is on the PATH. */
    public static boolean available() {
        try {
            Process p = new ProcessBuilder("ffmpeg", "-version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Whether swscale takes {@code pixFmt} as input (the "I" flag of {@code ffmpeg -pix_fmts}). */
    public static boolean reads(String pixFmt) {
        try {
            Process p = new ProcessBuilder("ffmpeg", "-hide_banner", "-pix_fmts").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            return out.lines().anyMatch(l -> l.length() > 6 && l.charAt(0) == 'I' && l.substring(6).trim().startsWith(pixFmt + " "));
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * ffmpeg's name for the layout of a V4L2 pixel format, or null where ffmpeg has none (VYUY,
     * NV61, YV12: the tests reorder another format's samples into those).
     */
    public static String pixFmt(String fourcc) {
        return switch (fourcc) {
            case "YUYV" -> "yuyv422";
            case "UYVY" -> "uyvy422";
            case "YVYU" -> "yvyu422";
            case "NV12", "NM12" -> "nv12";
            case "NV21", "NM21" -> "nv21";
            case "NV16", "NM16" -> "nv16";
            case "YU12", "YM12" -> "yuv420p";
            case "422P", "YM16" -> "yuv422p";
            case "RGB3" -> "rgb24";
            case "BGR3" -> "bgr24";
            case "RGBP" -> "rgb565le";
            case "BX24", "BA24" -> "0rgb";
            case "XR24", "AR24" -> "bgr0";
            case "XB24", "AB24" -> "rgb0";
            case "RX24", "RA24" -> "0bgr";
            case "GREY" -> "gray";
            case "Y16 " -> "gray16le";
            default -> null;
        };
    }

    /** A test picture (ffmpeg's testsrc2, colour bars and gradients) in {@code pixFmt}, rows without padding. */
    public static byte[] testFrame(String pixFmt, int w, int h) {
        return run(null, List.of("-f", "lavfi", "-i", "testsrc2=size=" + w + "x" + h + ":rate=1", "-frames:v", "1",
                "-pix_fmt", pixFmt, "-f", "rawvideo"));
    }

    /**
     * {@code frame} (rows without padding) as RGB24, converted by swscale.
     *
     * @param matrix {@code bt601}, {@code bt709}, {@code bt2020} or {@code smpte240m}
     * @param fullRange the Y'CbCr or luma values are full range
     */
    public static byte[] toRgb24(byte[] frame, String pixFmt, int w, int h, String matrix, boolean fullRange) {
        return run(frame, List.of("-f", "rawvideo", "-pix_fmt", pixFmt, "-s", w + "x" + h, "-i", "INPUT",
                "-vf", "scale=flags=neighbor+full_chroma_int+accurate_rnd:in_color_matrix=" + matrix
                        + ":in_range=" + (fullRange ? "pc" : "tv"),
                "-pix_fmt", "rgb24", "-f", "rawvideo"));
    }

    /** ffmpeg's own decode of a JPEG frame, as RGB24 (full-range BT.601, as JFIF says). */
    public static byte[] jpegToRgb24(byte[] jpeg) {
        return run(jpeg, List.of("-f", "mjpeg", "-i", "INPUT", "-vf", "scale=flags=bilinear+full_chroma_int+accurate_rnd",
                "-pix_fmt", "rgb24", "-f", "rawvideo"));
    }

    /** A JPEG of {@code rgb24} at quality {@code q} (2 best .. 31), 4:2:2 with the standard Huffman tables, as webcams send. */
    public static byte[] rgb24ToJpeg(byte[] rgb24, int w, int h, int q) {
        return run(rgb24, List.of("-f", "rawvideo", "-pix_fmt", "rgb24", "-s", w + "x" + h, "-i", "INPUT",
                "-pix_fmt", "yuvj422p", "-q:v", Integer.toString(q), "-huffman", "default", "-f", "mjpeg"));
    }

    private static byte[] run(byte[] input, List<String> args) {
        try {
            Path dir = Files.createTempDirectory("swscale");
            try {
                Path in = dir.resolve("in"), out = dir.resolve("out");
                if (input != null) Files.write(in, input);
                List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error", "-y"));
                for (String a : args) cmd.add(a.equals("INPUT") ? in.toString() : a);
                cmd.add(out.toString());
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String log = new String(p.getInputStream().readAllBytes());
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("ffmpeg failed: " + String.join(" ", cmd) + "\n" + log);
                }
                return Files.readAllBytes(out);
            } finally {
                try (var s = Files.list(dir)) {
                    for (Path f : s.toList()) Files.delete(f);
                }
                Files.delete(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The largest difference per channel between {@code argb} and {@code rgb24}, and where.
     *
     * @return {max difference, pixel index of the first pixel with it}
     */
    public static int[] maxDifference(int[] argb, byte[] rgb24) {
        int max = 0, at = -1;
        for (int i = 0; i < argb.length; i++) {
            int v = argb[i];
            int d = Math.max(Math.abs((v >> 16 & 0xFF) - (rgb24[3 * i] & 0xFF)),
                    Math.max(Math.abs((v >> 8 & 0xFF) - (rgb24[3 * i + 1] & 0xFF)), Math.abs((v & 0xFF) - (rgb24[3 * i + 2] & 0xFF))));
            if (d > max) {
                max = d;
                at = i;
            }
        }
        return new int[] {max, at};
    }
}
