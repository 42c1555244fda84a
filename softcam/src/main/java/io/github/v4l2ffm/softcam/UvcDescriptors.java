package io.github.v4l2ffm.softcam;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The USB descriptors of a UVC 1.0 camera as webcams present them: an interface association;
 * a Video Control interface with a Camera Terminal (auto-exposure mode, exposure time), a
 * Processing Unit (brightness, contrast, saturation, gain, white balance temperature and its auto
 * mode, power line frequency) and an Output Terminal; a Video Streaming interface with an
 * uncompressed YUYV format and an MJPEG format, their frame sizes and intervals, and one bulk IN
 * endpoint.
 */
final class UvcDescriptors {
    private UvcDescriptors() {}

    static final int CAMERA_TERMINAL = 1, PROCESSING_UNIT = 2, OUTPUT_TERMINAL = 3;
    static final int VC_INTERFACE = 0, VS_INTERFACE = 1;
    static final int BULK_IN = 0x81, BULK_MAX_PACKET = 512;
    /** The clock PTS and SCR count in (dwClockFrequency). */
    static final int CLOCK_HZ = 48_000_000;

    /** The YUY2 format GUID: "YUY2" then the common suffix 00000010-8000-00aa00389b71. */
    private static final byte[] GUID_YUY2 = {'Y', 'U', 'Y', '2', 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00,
            (byte) 0xaa, 0x00, 0x38, (byte) 0x9b, 0x71};

    /** A little-endian descriptor writer. */
    private static final class Out {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();

        Out u8(int v) {
            b.write(v);
            return this;
        }

        Out u16(int v) {
            return u8(v & 0xff).u8(v >>> 8 & 0xff);
        }

        Out u32(long v) {
            return u16((int) (v & 0xffff)).u16((int) (v >>> 16 & 0xffff));
        }

        Out bytes(byte[] v) {
            b.writeBytes(v);
            return this;
        }

        byte[] get() {
            return b.toByteArray();
        }
    }

    static byte[] device(CameraSpec spec) {
        return new Out().u8(18).u8(1).u16(0x0200).u8(0xef).u8(0x02).u8(0x01).u8(64)
                .u16(spec.vendorId()).u16(spec.productId()).u16(0x0100).u8(1).u8(2).u8(3).u8(1).get();
    }

    /** String descriptor {@code index}: 0 the language list, 1 manufacturer, 2 product, 3 serial. */
    static byte[] string(CameraSpec spec, int index) {
        if (index == 0) return new Out().u8(4).u8(3).u16(0x0409).get();
        String s = switch (index) {
            case 1 -> spec.manufacturer();
            case 2 -> spec.product();
            case 3 -> spec.serial();
            default -> null;
        };
        if (s == null) return null;
        byte[] utf16 = s.getBytes(StandardCharsets.UTF_16LE);
        return new Out().u8(2 + utf16.length).u8(3).bytes(utf16).get();
    }

    /** 100 ns units per frame at {@code fps}. */
    static long interval(int fps) {
        return 10_000_000L / fps;
    }

    static byte[] configuration(CameraSpec spec) {
        // Video Control: header, camera terminal, processing unit, output terminal
        int ctControls = 0, puControls = 0; // the bmControls bits of the controls the camera has
        for (UvcControl c : UvcControl.of(spec)) {
            if (c.unit == CAMERA_TERMINAL) ctControls |= 1 << c.bit;
            else puControls |= 1 << c.bit;
        }
        byte[] ct = new Out().u8(18).u8(0x24).u8(0x02).u8(CAMERA_TERMINAL).u16(0x0201).u8(0).u8(0)
                .u16(0).u16(0).u16(0).u8(3).u8(ctControls).u8(0).u8(0).get();
        byte[] pu = new Out().u8(11).u8(0x24).u8(0x05).u8(PROCESSING_UNIT).u8(CAMERA_TERMINAL).u16(0)
                .u8(2).u16(puControls).u8(0).get();
        byte[] ot = new Out().u8(9).u8(0x24).u8(0x03).u8(OUTPUT_TERMINAL).u16(0x0101).u8(0).u8(PROCESSING_UNIT).u8(0).get();
        int vcTotal = 13 + ct.length + pu.length + ot.length;
        byte[] vcHeader = new Out().u8(13).u8(0x24).u8(0x01).u16(0x0100).u16(vcTotal).u32(CLOCK_HZ).u8(1).u8(VS_INTERFACE).get();

        // Video Streaming: input header, formats with their frames, colour matching, endpoint
        Out formats = new Out();
        List<CameraSpec.Mode> yuyv = spec.modes(CameraSpec.Encoding.YUYV), mjpeg = spec.modes(CameraSpec.Encoding.MJPEG);
        int formatCount = 0;
        if (!yuyv.isEmpty()) {
            formatCount++;
            formats.u8(27).u8(0x24).u8(0x04).u8(formatCount).u8(yuyv.size()).bytes(GUID_YUY2).u8(16).u8(1).u8(0).u8(0).u8(0).u8(0);
            frames(formats, yuyv, 0x05);
            colourMatching(formats);
        }
        if (!mjpeg.isEmpty()) {
            formatCount++;
            formats.u8(11).u8(0x24).u8(0x06).u8(formatCount).u8(mjpeg.size()).u8(0).u8(1).u8(0).u8(0).u8(0).u8(0);
            frames(formats, mjpeg, 0x07);
            colourMatching(formats);
        }
        byte[] fmts = formats.get();
        int vsHeaderLength = 13 + formatCount;
        Out vsHeader = new Out().u8(vsHeaderLength).u8(0x24).u8(0x01).u8(formatCount).u16(vsHeaderLength + fmts.length)
                .u8(BULK_IN).u8(0).u8(OUTPUT_TERMINAL).u8(0).u8(0).u8(0).u8(1);
        for (int i = 0; i < formatCount; i++) vsHeader.u8(0);

        Out body = new Out()
                .u8(8).u8(0x0b).u8(VC_INTERFACE).u8(2).u8(0x0e).u8(0x03).u8(0).u8(2)          // interface association
                .u8(9).u8(4).u8(VC_INTERFACE).u8(0).u8(0).u8(0x0e).u8(0x01).u8(0).u8(2)       // VC interface, no endpoint
                .bytes(vcHeader).bytes(ct).bytes(pu).bytes(ot)
                .u8(9).u8(4).u8(VS_INTERFACE).u8(0).u8(1).u8(0x0e).u8(0x02).u8(0).u8(0)       // VS interface, one endpoint
                .bytes(vsHeader.get()).bytes(fmts)
                .u8(7).u8(5).u8(BULK_IN).u8(0x02).u16(BULK_MAX_PACKET).u8(0);                 // bulk IN
        byte[] b = body.get();
        return new Out().u8(9).u8(2).u16(9 + b.length).u8(2).u8(1).u8(0).u8(0x80).u8(250).bytes(b).get();
    }

    private static void frames(Out out, List<CameraSpec.Mode> modes, int subtype) {
        for (int i = 0; i < modes.size(); i++) {
            CameraSpec.Mode m = modes.get(i);
            long maxFps = m.fps().stream().mapToInt(Integer::intValue).max().orElseThrow();
            long minFps = m.fps().stream().mapToInt(Integer::intValue).min().orElseThrow();
            out.u8(26 + 4 * m.fps().size()).u8(0x24).u8(subtype).u8(i + 1).u8(0).u16(m.width()).u16(m.height())
                    .u32(m.frameBytes() * 8L * minFps).u32(m.frameBytes() * 8L * maxFps).u32(m.frameBytes())
                    .u32(interval(m.fps().getFirst())).u8(m.fps().size());
            for (int fps : m.fps()) out.u32(interval(fps));
        }
    }

    private static void colourMatching(Out out) {
        out.u8(6).u8(0x24).u8(0x0d).u8(1).u8(1).u8(4); // BT.709 primaries and transfer, SMPTE 170M (BT.601) matrix
    }
}
