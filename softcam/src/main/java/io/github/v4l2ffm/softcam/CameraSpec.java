package io.github.v4l2ffm.softcam;

import java.util.List;

/**
 * What a {@link SoftwareCamera} presents to the host: its USB identity and its video modes.
 *
 * @param vendorId the USB vendor ID ({@code idVendor})
 * @param productId the USB product ID ({@code idProduct})
 * @param manufacturer the manufacturer string
 * @param product the product string (uvcvideo names the video node after it)
 * @param serial the serial number string; a camera's stable identity with vendor and product
 * @param modes the video modes, in the order the camera lists them; the first of each encoding is
 *        that format's default
 * @param controls the UVC controls the camera has, by name (see {@link #CONTROLS}); uvcvideo maps
 *        each to a V4L2 control
 */
public record CameraSpec(int vendorId, int productId, String manufacturer, String product, String serial, List<Mode> modes,
                         List<String> controls) {

    /** How a mode's frames are encoded. */
    public enum Encoding {
        /** Uncompressed YUYV 4:2:2 ({@code V4L2_PIX_FMT_YUYV}). */
        YUYV,
        /** Motion-JPEG as webcams send it: baseline JPEG frames without Huffman tables ({@code V4L2_PIX_FMT_MJPEG}). */
        MJPEG
    }

    /**
     * One frame size of a format, with the frame rates offered at that size.
     *
     * @param encoding the format
     * @param width width in pixels (at least 128, for the frame number pattern)
     * @param height height in pixels
     * @param fps the frame rates, highest first; the first is the default
     */
    public record Mode(Encoding encoding, int width, int height, List<Integer> fps) {
        public Mode {
            fps = List.copyOf(fps);
            if (width < 128 || width % 2 != 0 || height < 16) throw new IllegalArgumentException("mode too small: " + width + "x" + height);
            if (fps.isEmpty() || fps.stream().anyMatch(f -> f <= 0)) throw new IllegalArgumentException("frame rates must be positive: " + fps);
        }

        /** Bytes of one frame, uncompressed. */
        int frameBytes() {
            return width * height * 2;
        }
    }

    /**
     * Every control a software camera can have: {@code "auto exposure mode"}, {@code "exposure time
     * absolute"} (camera terminal), {@code "brightness"}, {@code "contrast"}, {@code "gain"},
     * {@code "power line frequency"}, {@code "saturation"}, {@code "white balance temperature"},
     * {@code "white balance temperature auto"} (processing unit).
     */
    public static final List<String> CONTROLS = UvcControl.names();

    public CameraSpec {
        modes = List.copyOf(modes);
        controls = List.copyOf(controls);
        for (String c : controls) {
            if (!CONTROLS.contains(c)) throw new IllegalArgumentException("no control '" + c + "'; the camera has " + CONTROLS);
        }
        if (modes.isEmpty()) throw new IllegalArgumentException("a camera needs a mode");
        if (vendorId < 0 || vendorId > 0xffff || productId < 0 || productId > 0xffff) {
            throw new IllegalArgumentException("USB IDs are 16-bit: " + vendorId + ":" + productId);
        }
    }

    /**
     * A typical small webcam: YUYV 160x120 and 320x240 at 30 and 15 fps, MJPEG 320x240 and
     * 640x480 at 30 and 15 fps, every control; IDs of the pid.codes test range (1209:0001).
     *
     * @param serial the serial number, which tells several cameras apart
     */
    public static CameraSpec webcam(String serial) {
        List<Integer> rates = List.of(30, 15);
        return new CameraSpec(0x1209, 0x0001, "v4l2-ffm", "v4l2-ffm software camera", serial, List.of(
                new Mode(Encoding.YUYV, 160, 120, rates), new Mode(Encoding.YUYV, 320, 240, rates),
                new Mode(Encoding.MJPEG, 320, 240, rates), new Mode(Encoding.MJPEG, 640, 480, rates)), CONTROLS);
    }

    /** The modes of one encoding, in order. */
    List<Mode> modes(Encoding encoding) {
        return modes.stream().filter(m -> m.encoding() == encoding).toList();
    }
}
