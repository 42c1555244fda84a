package io.github.v4l2ffm.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * ffmpeg's swscale as the peer the converter is checked against: frames in a V4L2 pixel format
 * converted to RGB24 by the {@code ffmpeg} program, with nearest chroma
 * ({@code neighbor+full_chroma_int}) and exact rounding ({@code accurate_rnd}), the choice the
 * converter makes.
 *
 * <p>{@link #toRgb24} calls libswscale in this JVM where it loads (the library the ffmpeg program
 * runs, with the calls its scale filter makes): starting ffmpeg costs seconds in the lab VM, the
 * call a millisecond. {@code SwscalePeerTest} checks both give the same bytes.
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
     * {@code frame} (rows without padding; or several frames one after the other, a raw video) as
     * RGB24, converted by swscale: in this JVM where
     * libswscale loads, else by the ffmpeg program.
     *
     * @param matrix {@code bt601}, {@code bt709}, {@code bt2020} or {@code smpte240m}
     * @param fullRange the Y'CbCr or luma values are full range
     */
    public static byte[] toRgb24(byte[] frame, String pixFmt, int w, int h, String matrix, boolean fullRange) {
        if (Libswscale.INSTANCE.isPresent()) return Libswscale.INSTANCE.get().toRgb24(frame, pixFmt, w, h, matrix, fullRange);
        return toRgb24ByFfmpeg(frame, pixFmt, w, h, matrix, fullRange);
    }

    /** Whether {@link #toRgb24} runs libswscale in this JVM rather than the ffmpeg program. */
    public static boolean inProcess() {
        return Libswscale.INSTANCE.isPresent();
    }

    /** {@link #toRgb24} by the ffmpeg program, whatever loads in this JVM. */
    public static byte[] toRgb24ByFfmpeg(byte[] frame, String pixFmt, int w, int h, String matrix, boolean fullRange) {
        return run(frame, List.of("-f", "rawvideo", "-pix_fmt", pixFmt, "-s", w + "x" + h, "-i", "INPUT",
                "-vf", "scale=flags=neighbor+full_chroma_int+accurate_rnd:in_color_matrix=" + matrix
                        + ":in_range=" + (fullRange ? "pc" : "tv"),
                "-pix_fmt", "rgb24", "-f", "rawvideo"));
    }

    /**
     * libswscale and libavutil, as Debian's ffmpeg packages them (one of the sonames of the
     * releases since ffmpeg 5), and the calls of ffmpeg's scale filter:
     * {@code sws_getContext} with its flags, then {@code sws_setColorspaceDetails} with the input's
     * matrix and range, then {@code sws_scale}.
     */
    private record Libswscale(MethodHandle getPixFmt, MethodHandle fillArrays, MethodHandle getContext, MethodHandle getCoefficients,
                              MethodHandle getDetails, MethodHandle setDetails, MethodHandle scale, MethodHandle free) {
        static final int SWS_POINT = 0x10, SWS_FULL_CHR_H_INT = 0x2000, SWS_ACCURATE_RND = 0x40000;
        static final Optional<Libswscale> INSTANCE = load();

        private static Optional<SymbolLookup> lookup(String base, int... majors) {
            for (int major : majors) {
                try {
                    return Optional.of(SymbolLookup.libraryLookup(base + ".so." + major, Arena.global()));
                } catch (IllegalArgumentException notThere) {
                    // the next release's soname
                }
            }
            return Optional.empty();
        }

        private static Optional<Libswscale> load() {
            Optional<SymbolLookup> util = lookup("libavutil", 60, 59, 58, 57), sws = lookup("libswscale", 9, 8, 7, 6);
            if (util.isEmpty() || sws.isEmpty()) return Optional.empty();
            Linker l = Linker.nativeLinker();
            SymbolLookup u = util.get(), s = sws.get();
            return Optional.of(new Libswscale(
                    l.downcallHandle(u.findOrThrow("av_get_pix_fmt"), FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                    l.downcallHandle(u.findOrThrow("av_image_fill_arrays"),
                            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT)),
                    l.downcallHandle(s.findOrThrow("sws_getContext"), FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
                            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS)),
                    l.downcallHandle(s.findOrThrow("sws_getCoefficients"), FunctionDescriptor.of(ADDRESS, JAVA_INT)),
                    l.downcallHandle(s.findOrThrow("sws_getColorspaceDetails"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS,
                            ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS)),
                    l.downcallHandle(s.findOrThrow("sws_setColorspaceDetails"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS,
                            JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT)),
                    l.downcallHandle(s.findOrThrow("sws_scale"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT,
                            JAVA_INT, ADDRESS, ADDRESS)),
                    l.downcallHandle(s.findOrThrow("sws_freeContext"), FunctionDescriptor.ofVoid(ADDRESS))));
        }

        /** The SWS_CS_* (and AVCOL_SPC_*) number of the scale filter's {@code in_color_matrix} names. */
        private static int colorspace(String matrix) {
            return switch (matrix) {
                case "bt709" -> 1;
                case "bt601" -> 5;
                case "smpte240m" -> 7;
                case "bt2020" -> 9;
                default -> throw new IllegalArgumentException("matrix " + matrix);
            };
        }

        byte[] toRgb24(byte[] frame, String pixFmt, int w, int h, String matrix, boolean fullRange) {
            try (Arena a = Arena.ofConfined()) {
                int src = (int) getPixFmt.invokeExact(a.allocateFrom(pixFmt)), rgb24 = (int) getPixFmt.invokeExact(a.allocateFrom("rgb24"));
                if (src < 0) throw new IllegalArgumentException("libavutil knows no pixel format " + pixFmt);
                MemorySegment in = a.allocate(frame.length + 64L, 64);
                MemorySegment.copy(frame, 0, in, JAVA_BYTE, 0, frame.length);
                MemorySegment srcData = a.allocate(ADDRESS, 4), srcStride = a.allocate(JAVA_INT, 4);
                int size = (int) fillArrays.invokeExact(srcData, srcStride, in, src, w, h, 1);
                if (size <= 0 || frame.length == 0 || frame.length % size != 0) {   // a raw video: one frame or more
                    throw new IllegalArgumentException(pixFmt + " " + w + "x" + h + " is " + size + " bytes a frame, the video "
                            + frame.length);
                }
                int frames = frame.length / size;
                MemorySegment out = a.allocate((long) frames * w * h * 3, 64);
                MemorySegment dstData = a.allocate(ADDRESS, 4), dstStride = a.allocate(JAVA_INT, 4);
                dstStride.setAtIndex(JAVA_INT, 0, w * 3);
                MemorySegment ctx = (MemorySegment) getContext.invokeExact(w, h, src, w, h, rgb24,
                        SWS_POINT | SWS_FULL_CHR_H_INT | SWS_ACCURATE_RND, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL);
                if (ctx.equals(MemorySegment.NULL)) throw new IllegalStateException("sws_getContext refused " + pixFmt + " to rgb24");
                try {
                    // what the scale filter does with in_color_matrix and in_range: the rest as the context has it
                    MemorySegment invTable = a.allocate(ADDRESS), table = a.allocate(ADDRESS);
                    MemorySegment details = a.allocate(JAVA_INT, 5);   // srcRange, dstRange, brightness, contrast, saturation
                    int r = (int) getDetails.invokeExact(ctx, invTable, details, table, details.asSlice(4), details.asSlice(8),
                            details.asSlice(12), details.asSlice(16));
                    if (r < 0) throw new IllegalStateException("sws_getColorspaceDetails failed: " + r);
                    MemorySegment coefficients = (MemorySegment) getCoefficients.invokeExact(colorspace(matrix));
                    r = (int) setDetails.invokeExact(ctx, coefficients, fullRange ? 1 : 0, table.get(ADDRESS, 0),
                            details.getAtIndex(JAVA_INT, 1), details.getAtIndex(JAVA_INT, 2), details.getAtIndex(JAVA_INT, 3),
                            details.getAtIndex(JAVA_INT, 4));
                    if (r < 0) throw new IllegalStateException("sws_setColorspaceDetails failed: " + r);
                    for (int f = 0; f < frames; f++) {
                        if (f > 0) {
                            int again = (int) fillArrays.invokeExact(srcData, srcStride, in.asSlice((long) f * size), src, w, h, 1);
                            if (again != size) throw new IllegalStateException("av_image_fill_arrays: " + again);
                        }
                        dstData.setAtIndex(ADDRESS, 0, out.asSlice((long) f * w * h * 3));
                        int rows = (int) scale.invokeExact(ctx, srcData, srcStride, 0, h, dstData, dstStride);
                        if (rows != h) throw new IllegalStateException("sws_scale wrote " + rows + " rows of " + h);
                    }
                } finally {
                    free.invokeExact(ctx);
                }
                return out.toArray(JAVA_BYTE);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
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
