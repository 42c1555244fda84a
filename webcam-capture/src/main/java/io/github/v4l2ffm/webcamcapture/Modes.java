package io.github.v4l2ffm.webcamcapture;

import com.github.sarxos.webcam.WebcamResolution;
import io.github.v4l2ffm.FormatDescription;
import io.github.v4l2ffm.FrameSize;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.image.FrameConverter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The image sizes a camera offers and the pixel format each is captured in: what
 * {@code getResolutions()} lists and {@code open()} asks the driver for.
 *
 * <p>Only formats {@link FrameConverter} converts count. A size is captured in the first
 * uncompressed format (in the driver's {@code VIDIOC_ENUM_FMT} order, its order of preference)
 * that offers it, and in MJPEG (or JPEG) only where no uncompressed format offers it: webcams offer
 * their large sizes as MJPEG only. Stepwise and continuous ranges offer the sizes of
 * webcam-capture's {@code WebcamResolution} table that lie in them, and their largest size.
 */
final class Modes {
    /** A size and the pixel format it is captured in. */
    record Mode(int width, int height, PixelFormat format) {
    }

    private final List<Mode> modes;
    /** The formats in order of preference: uncompressed ones first, then (M)JPEG. */
    private final List<PixelFormat> preferred;
    private final Function<PixelFormat, List<FrameSize>> sizes;

    private Modes(List<Mode> modes, List<PixelFormat> preferred, Function<PixelFormat, List<FrameSize>> sizes) {
        this.modes = modes;
        this.preferred = preferred;
        this.sizes = sizes;
    }

    /** The modes of an open device's capture queue; {@code current} is its format, for drivers that list no sizes. */
    static Modes of(V4l2Device device) {
        List<FormatDescription> formats = device.formats(device.captureQueue().type());
        Map<PixelFormat, List<FrameSize>> sizes = new LinkedHashMap<>();
        for (FormatDescription f : formats) {
            if (FrameConverter.supports(f.pixelFormat())) sizes.put(f.pixelFormat(), device.frameSizes(f.pixelFormat()));
        }
        VideoFormat current = sizes.isEmpty() ? null : device.format(device.captureQueue().type());
        return of(formats, sizes, current);
    }

    /**
     * The modes given what the driver reported.
     *
     * @param formats {@code VIDIOC_ENUM_FMT}, in the driver's order
     * @param sizes {@code VIDIOC_ENUM_FRAMESIZES} of each convertible format
     * @param current the queue's current format ({@code VIDIOC_G_FMT}), used for a format the
     *        driver reports no sizes for; may be {@code null}
     */
    static Modes of(List<FormatDescription> formats, Map<PixelFormat, List<FrameSize>> sizes, VideoFormat current) {
        List<PixelFormat> preferred = new ArrayList<>();
        for (boolean compressed : new boolean[]{false, true}) {
            for (FormatDescription f : formats) {
                PixelFormat pf = f.pixelFormat();
                if (isJpeg(pf) == compressed && FrameConverter.supports(pf) && !preferred.contains(pf)) preferred.add(pf);
            }
        }
        Map<Long, Mode> bySize = new LinkedHashMap<>();
        for (PixelFormat pf : preferred) {
            List<FrameSize> offered = sizes.getOrDefault(pf, List.of());
            if (offered.isEmpty() && current != null && current.width() > 0 && current.height() > 0) {
                offered = List.of(new FrameSize.Discrete(current.width(), current.height()));
            }
            for (FrameSize fs : offered) {
                switch (fs) {
                    case FrameSize.Discrete d -> bySize.putIfAbsent(key(d.width(), d.height()), new Mode(d.width(), d.height(), pf));
                    case FrameSize.Stepwise s -> {
                        for (WebcamResolution r : WebcamResolution.values()) {
                            int w = r.getWidth(), h = r.getHeight();
                            if (s.contains(w, h)) bySize.putIfAbsent(key(w, h), new Mode(w, h, pf));
                        }
                        if (s.contains(s.maxWidth(), s.maxHeight())) {
                            bySize.putIfAbsent(key(s.maxWidth(), s.maxHeight()), new Mode(s.maxWidth(), s.maxHeight(), pf));
                        }
                    }
                }
            }
        }
        List<Mode> modes = new ArrayList<>(bySize.values());
        modes.sort(Comparator.comparingLong((Mode m) -> (long) m.width() * m.height()).thenComparingInt(Mode::width));
        Map<PixelFormat, List<FrameSize>> copy = Map.copyOf(sizes);
        return new Modes(List.copyOf(modes), List.copyOf(preferred), pf -> copy.getOrDefault(pf, List.of()));
    }

    private static long key(int w, int h) {
        return ((long) w << 32) | (h & 0xffffffffL);
    }

    static boolean isJpeg(PixelFormat pf) {
        return pf.fourcc().equals("MJPG") || pf.fourcc().equals("JPEG");
    }

    /** The sizes, smallest first. */
    List<Mode> list() {
        return modes;
    }

    boolean isEmpty() {
        return modes.isEmpty();
    }

    /**
     * The format to ask for {@code width x height} in: the listed mode's, else the first preferred
     * format whose range holds the size (a custom view size), else the first preferred format
     * (the driver then picks the nearest size it has).
     */
    PixelFormat formatFor(int width, int height) {
        for (Mode m : modes) {
            if (m.width() == width && m.height() == height) return m.format();
        }
        for (PixelFormat pf : preferred) {
            for (FrameSize fs : sizes.apply(pf)) {
                if (fs instanceof FrameSize.Stepwise s && s.contains(width, height)) return pf;
            }
        }
        return preferred.getFirst();
    }
}
