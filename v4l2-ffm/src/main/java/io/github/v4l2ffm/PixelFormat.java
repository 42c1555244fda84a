package io.github.v4l2ffm;

import java.nio.charset.StandardCharsets;

/**
 * A V4L2 pixel format: its FourCC code ({@code V4L2_PIX_FMT_*}).
 *
 * <p>Any code round-trips, known or not; for the formats this class knows, {@link #memoryPlanes()}
 * tells how many separate memory planes a multi-planar buffer of it has (NV12M: 2, YUV420M: 3,
 * all single-buffer formats: 1) and {@link #isCompressed()} whether it is a compressed stream.
 *
 * @param code the 32-bit FourCC code as the kernel stores it
 */
public record PixelFormat(int code) {
    public static final PixelFormat YUYV = of("YUYV");
    public static final PixelFormat UYVY = of("UYVY");
    public static final PixelFormat YVYU = of("YVYU");
    public static final PixelFormat VYUY = of("VYUY");
    public static final PixelFormat NV12 = of("NV12");
    public static final PixelFormat NV21 = of("NV21");
    public static final PixelFormat NV16 = of("NV16");
    public static final PixelFormat NV61 = of("NV61");
    /** NV12 with its two planes in separate buffers ({@code V4L2_PIX_FMT_NV12M}). */
    public static final PixelFormat NV12M = of("NM12");
    public static final PixelFormat NV21M = of("NM21");
    /** Planar 4:2:0, Y then U then V ({@code V4L2_PIX_FMT_YUV420}, "I420"). */
    public static final PixelFormat YUV420 = of("YU12");
    public static final PixelFormat YVU420 = of("YV12");
    /** YUV420 with its three planes in separate buffers ({@code V4L2_PIX_FMT_YUV420M}). */
    public static final PixelFormat YUV420M = of("YM12");
    public static final PixelFormat YUV422P = of("422P");
    public static final PixelFormat GREY = of("GREY");
    public static final PixelFormat RGB24 = of("RGB3");
    public static final PixelFormat BGR24 = of("BGR3");
    public static final PixelFormat RGB565 = of("RGBP");
    /** 32-bit X, R, G, B in memory ({@code V4L2_PIX_FMT_XRGB32}). */
    public static final PixelFormat XRGB32 = of("BX24");
    /** 32-bit B, G, R, X in memory ({@code V4L2_PIX_FMT_XBGR32}). */
    public static final PixelFormat XBGR32 = of("XR24");
    /** 32-bit A, R, G, B in memory ({@code V4L2_PIX_FMT_ARGB32}). */
    public static final PixelFormat ARGB32 = of("BA24");
    /** 32-bit B, G, R, A in memory ({@code V4L2_PIX_FMT_ABGR32}). */
    public static final PixelFormat ABGR32 = of("AR24");
    public static final PixelFormat MJPEG = of("MJPG");
    public static final PixelFormat JPEG = of("JPEG");
    public static final PixelFormat H264 = of("H264");
    public static final PixelFormat HEVC = of("HEVC");
    public static final PixelFormat VP8 = of("VP80");
    public static final PixelFormat VP9 = of("VP90");
    /** The FWHT codec of the kernel's vicodec driver ({@code V4L2_PIX_FMT_FWHT}). */
    public static final PixelFormat FWHT = of("FWHT");
    /** Stateless FWHT ({@code V4L2_PIX_FMT_FWHT_STATELESS}). */
    public static final PixelFormat FWHT_STATELESS = of("SFWH");

    /** UVC payload header metadata ({@code V4L2_META_FMT_UVC}): the data format of uvcvideo's metadata node; see {@link UvcMetadata}. */
    public static final PixelFormat UVC_METADATA = of("UVCH");

    private static final int BIG_ENDIAN = 1 << 31;

    /** The format with this 4-character code, such as {@code "YUYV"}; a {@code "-BE"} suffix sets the big-endian bit. */
    public static PixelFormat of(String fourcc) {
        boolean be = fourcc.endsWith("-BE");
        String s = be ? fourcc.substring(0, fourcc.length() - 3) : fourcc;
        if (s.length() != 4) throw new IllegalArgumentException("a FourCC has 4 characters: '" + fourcc + "'");
        for (int i = 0; i < 4; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException("a FourCC is printable ASCII: '" + fourcc + "' has U+"
                        + String.format("%04X", (int) c) + " at " + i);
            }
        }
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        int code = (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0x7f) << 24;
        return new PixelFormat(be ? code | BIG_ENDIAN : code);
    }

    /** The 4-character code, such as {@code "YUYV"} ({@code "-BE"} appended for big-endian variants). */
    public String fourcc() {
        char[] c = {(char) (code & 0xff), (char) (code >>> 8 & 0xff), (char) (code >>> 16 & 0xff), (char) (code >>> 24 & 0x7f)};
        return new String(c) + ((code & BIG_ENDIAN) != 0 ? "-BE" : "");
    }

    /** The number of memory planes a buffer of this format has in the multi-planar API. */
    public int memoryPlanes() {
        return switch (fourcc()) {
            case "NM12", "NM21", "NM16", "NM61", "NT12" -> 2;
            case "YM12", "YM21", "YM16", "YM61", "YM24", "YM42" -> 3;
            default -> 1;
        };
    }

    /** Whether this is a compressed format (JPEG, H.264, HEVC, VP8, VP9, FWHT...). */
    public boolean isCompressed() {
        return switch (fourcc()) {
            case "MJPG", "JPEG", "dvsd", "MPEG", "H264", "H264S", "AVC1", "M264", "HEVC", "S265", "H263", "MPG1",
                 "MPG2", "MG2S", "MPG4", "XVID", "VC1G", "VC1L", "VP80", "VP8F", "VP90", "VP9F", "AV1F", "FWHT",
                 "SFWH", "S264", "Q10C", "QC08", "QC10" -> true;
            default -> false;
        };
    }

    @Override
    public String toString() {
        return fourcc();
    }
}
