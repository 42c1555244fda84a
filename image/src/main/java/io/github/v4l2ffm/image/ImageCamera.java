package io.github.v4l2ffm.image;

import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.FormatDescription;
import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.FrameInterval;
import io.github.v4l2ffm.FrameSize;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Devices;
import io.github.v4l2ffm.V4l2Exception;
import io.github.v4l2ffm.VideoFormat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A camera that gives images: the common case in three lines, with the full API one call away.
 *
 * <pre>{@code
 * try (ImageCamera cam = ImageCamera.open(640, 480, 30)) {       // the first camera
 *     BufferedImage img = cam.grab();                            // its newest frame
 *     ImageIO.write(img, "png", new File("shot.png"));
 * }
 * }</pre>
 *
 * <p>{@link #open(String, int, int, int)} takes a camera by node ({@code /dev/video2}) or by name
 * (the card name {@code v4l2-ctl --list-devices} shows, or a part of it). The format is chosen
 * for the wanted size and frame rate ({@link #choose}): the offered size nearest to the wanted
 * one, then an uncompressed format if one delivers the frame rate at that size, else MJPEG (what
 * USB webcams offer for large sizes at full rate), else whichever is fastest. The driver may still
 * adjust: {@link #format()} and {@link #frameInterval()} say what was set.
 *
 * <p>Streaming starts at {@code open} with 4 MMAP buffers. {@link #grab()} returns the newest frame,
 * dropping older ones that waited, so a slow caller always sees the present. {@link #grab(BufferedImage)}
 * and {@link #grab(int[])} write into the caller's memory and allocate nothing. For everything else
 * {@link #device()} is the open {@link V4l2Device} (controls, events, formats) and
 * {@link #stream()} the running {@link Streaming}.
 *
 * <p>Errors are the library's ({@code DeviceGoneException} when the camera is unplugged,
 * {@code DeviceBusyException} when another application has it, {@code V4l2Exception} with a
 * reason otherwise; {@code ETIMEDOUT} when no frame came within {@link #GRAB_TIMEOUT_MILLIS}), and
 * {@link CorruptFrameException} for a damaged frame (grab again).
 * {@link #close()} releases everything and never throws. Not for concurrent use by several
 * threads.
 */
public final class ImageCamera implements AutoCloseable {
    /** How long a grab waits for a frame, in milliseconds. */
    public static final long GRAB_TIMEOUT_MILLIS = 5_000;
    private static final int ETIMEDOUT = 110;

    /** A format chosen for a wanted size and frame rate. */
    public record Choice(PixelFormat pixelFormat, int width, int height, Fraction frameInterval) {}

    private final V4l2Device device;
    private final VideoFormat format;
    private final Fraction interval;
    private final BufferSet buffers;
    private final Streaming stream;
    private final FrameConverter converter;
    private long sequence = -1;
    private long timestampNanos;

    private ImageCamera(V4l2Device device, int width, int height, int fps) {
        this.device = device;
        BufferQueue q = device.captureQueue();
        Choice c = choose(device, width, height, fps);
        this.format = q.setFormat(c.width(), c.height(), c.pixelFormat());
        Fraction set = null;
        if (c.frameInterval() != null) {
            try {
                set = device.setFrameInterval(q.type(), c.frameInterval());
            } catch (V4l2Exception e) {
                if (e.reason() == V4l2Exception.Reason.DEVICE_GONE) throw e;
                // drivers without VIDIOC_S_PARM stream at their own rate
            }
        }
        this.interval = set;
        this.converter = FrameConverter.of(format);
        this.buffers = q.allocate(4);
        this.stream = buffers.start();
    }

    /**
     * Opens the first capture camera for about {@code width x height} at {@code fps} frames per
     * second.
     *
     * @throws NoSuchElementException if there is no capture device
     * @throws IllegalArgumentException if it offers no format this module converts
     */
    public static ImageCamera open(int width, int height, int fps) {
        DeviceInfo info = V4l2Devices.firstCaptureDevice()
                .orElseThrow(() -> new NoSuchElementException("no V4L2 capture device in /dev"));
        return open(info.path(), width, height, fps);
    }

    /**
     * Opens a camera by node path ({@code /dev/video2}) or by name: the first capture device whose
     * card name contains {@code nameOrPath}, ignoring case.
     *
     * @throws NoSuchElementException if no device has that path or name
     */
    public static ImageCamera open(String nameOrPath, int width, int height, int fps) {
        Objects.requireNonNull(nameOrPath, "nameOrPath");
        if (nameOrPath.startsWith("/")) return open(Path.of(nameOrPath), width, height, fps);
        String want = nameOrPath.toLowerCase(java.util.Locale.ROOT);
        List<String> seen = new ArrayList<>();
        for (DeviceInfo d : V4l2Devices.list()) {
            if (!d.capabilities().isVideoCapture() || d.capabilities().isMemToMem()) continue;
            seen.add(d.capabilities().card() + " (" + d.path() + ")");
            if (d.capabilities().card().toLowerCase(java.util.Locale.ROOT).contains(want)) return open(d.path(), width, height, fps);
        }
        throw new NoSuchElementException("no capture device named like '" + nameOrPath + "'; there are " + seen);
    }

    /** Opens the camera at {@code node}. */
    public static ImageCamera open(Path node, int width, int height, int fps) {
        if (width <= 0 || height <= 0 || fps <= 0) {
            throw new IllegalArgumentException("size and frame rate must be positive: " + width + "x" + height + " at " + fps);
        }
        if (!Files.exists(node)) throw new NoSuchElementException("no device " + node);
        V4l2Device dev = V4l2Device.open(node);
        try {
            return new ImageCamera(dev, width, height, fps);
        } catch (RuntimeException | Error e) {
            dev.close();
            throw e;
        }
    }

    /**
     * The format {@link #open} would set on {@code device} for {@code width x height} at {@code fps}:
     * among the formats this module converts, the offered size nearest to the wanted one (by
     * area, an exact match first), then an uncompressed format that reaches {@code fps} at that
     * size, else MJPEG if it does, else the fastest; and the offered frame interval nearest to
     * {@code 1/fps}. {@code frameInterval} is null where the device lists no intervals.
     *
     * @throws IllegalArgumentException if the device offers no format this module converts
     */
    public static Choice choose(V4l2Device device, int width, int height, int fps) {
        BufferQueue q = device.captureQueue();
        record Option(PixelFormat pf, boolean compressed, int w, int h, double maxFps, Fraction interval) {}
        List<Option> options = new ArrayList<>();
        for (FormatDescription d : device.formats(q.type())) {
            PixelFormat pf = d.pixelFormat();
            if (!FrameConverter.supports(pf)) continue;
            boolean compressed = d.isCompressed() || pf.isCompressed();
            List<FrameSize> sizes = device.frameSizes(pf);
            List<int[]> candidates = new ArrayList<>();
            if (sizes.isEmpty()) candidates.add(new int[]{width, height});
            for (FrameSize s : sizes) {
                switch (s) {
                    case FrameSize.Discrete dd -> candidates.add(new int[]{dd.width(), dd.height()});
                    case FrameSize.Stepwise sw -> candidates.add(new int[]{
                            clampStep(width, sw.minWidth(), sw.maxWidth(), sw.stepWidth()),
                            clampStep(height, sw.minHeight(), sw.maxHeight(), sw.stepHeight())});
                }
            }
            for (int[] wh : candidates) {
                List<FrameInterval> intervals = device.frameIntervals(pf, wh[0], wh[1]);
                Fraction best = null;
                double bestFps = 0, maxFps = 0;
                for (FrameInterval fi : intervals) {
                    List<Fraction> offered = switch (fi) {
                        case FrameInterval.Discrete di -> List.of(di.interval());
                        case FrameInterval.Stepwise si -> List.of(si.min(), si.max(), new Fraction(1, fps));
                    };
                    for (Fraction f : offered) {
                        if (f.numerator() <= 0 || f.denominator() <= 0) continue;
                        if (fi instanceof FrameInterval.Stepwise si && (f.toDouble() < si.min().toDouble() || f.toDouble() > si.max().toDouble())) continue;
                        double r = 1 / f.toDouble();
                        maxFps = Math.max(maxFps, r);
                        if (best == null || Math.abs(r - fps) < Math.abs(bestFps - fps)
                                || (Math.abs(r - fps) == Math.abs(bestFps - fps) && r > bestFps)) {
                            best = f;
                            bestFps = r;
                        }
                    }
                }
                options.add(new Option(pf, compressed, wh[0], wh[1], intervals.isEmpty() ? fps : maxFps, best));
            }
        }
        if (options.isEmpty()) {
            throw new IllegalArgumentException(device.path() + " offers no format this module converts: " + device.formats(q.type()));
        }
        long want = (long) width * height;
        Option bySize = options.getFirst();
        for (Option o : options) {
            if (sizeScore(o.w, o.h, width, height, want) < sizeScore(bySize.w, bySize.h, width, height, want)) bySize = o;
        }
        int w = bySize.w, h = bySize.h;
        List<Option> atSize = options.stream().filter(o -> o.w == w && o.h == h).toList();
        Option pick = atSize.stream().filter(o -> !o.compressed && o.maxFps >= fps - 0.01).min((a, b) -> rank(a.pf) - rank(b.pf))
                .or(() -> atSize.stream().filter(o -> o.compressed && o.maxFps >= fps - 0.01).findFirst())
                .orElseGet(() -> atSize.stream().max((a, b) -> a.maxFps != b.maxFps ? Double.compare(a.maxFps, b.maxFps)
                        : Boolean.compare(b.compressed, a.compressed)).orElseThrow());
        return new Choice(pick.pf, w, h, pick.interval);
    }

    /** Lower is better: an exact size, else the nearest area, a larger one winning a tie. */
    private static double sizeScore(int w, int h, int wantW, int wantH, long want) {
        if (w == wantW && h == wantH) return -1;
        long area = (long) w * h;
        return Math.abs((double) area - want) / want + (area < want ? 1e-9 : 0);
    }

    /** Preferred uncompressed formats: the cheapest to convert and what cameras send natively first. */
    private static int rank(PixelFormat pf) {
        List<String> order = List.of("YUYV", "UYVY", "NV12", "NM12", "YU12", "YM12", "NV21", "RGB3", "BGR3", "XR24", "BX24");
        int i = order.indexOf(pf.fourcc());
        return i < 0 ? order.size() : i;
    }

    private static int clampStep(int v, int min, int max, int step) {
        int s = Math.max(1, step);
        int c = Math.max(min, Math.min(max, v));
        return min + (c - min) / s * s;
    }

    /** The format in use: the driver's answer, which may differ from what {@link #choose} asked for. */
    public VideoFormat format() {
        return format;
    }

    /** The frame interval set, or null where the driver has none to set. */
    public Fraction frameInterval() {
        return interval;
    }

    /** The open device: controls, events and the rest of the API. */
    public V4l2Device device() {
        return device;
    }

    /** The running stream, for callers that want the raw buffers (queue back what you dequeue). */
    public Streaming stream() {
        return stream;
    }

    /** The converter in use (its encoding, range and JPEG decoder). */
    public FrameConverter converter() {
        return converter;
    }

    /** The sequence number of the frame the last grab returned, or -1 before the first. */
    public long lastSequence() {
        return sequence;
    }

    /** The capture timestamp of the frame the last grab returned, in nanoseconds (CLOCK_MONOTONIC). */
    public long lastTimestampNanos() {
        return timestampNanos;
    }

    /** The newest frame as a new {@code TYPE_INT_RGB} image. Use {@link #grab(BufferedImage)} in a loop. */
    public BufferedImage grab() {
        BufferedImage img = converter.newImage(BufferedImage.TYPE_INT_RGB);
        grab(img);
        return img;
    }

    /**
     * The newest frame into {@code dst}, made by {@code converter().newImage(type)}; allocates
     * nothing.
     */
    public void grab(BufferedImage dst) {
        V4l2Buffer b = newest();
        try {
            converter.toImage(b, dst);
        } finally {
            stream.queue(b);
        }
    }

    /** The newest frame as ARGB into {@code dst} ({@code width * height} ints); allocates nothing. */
    public void grab(int[] dst) {
        V4l2Buffer b = newest();
        try {
            converter.toArgb(b, dst);
        } finally {
            stream.queue(b);
        }
    }

    /** Waits for a frame, then takes any newer ones that are ready, queueing the older back. */
    private V4l2Buffer newest() {
        V4l2Buffer b = stream.dequeue(GRAB_TIMEOUT_MILLIS);
        if (b == null) {
            throw new V4l2Exception("VIDIOC_DQBUF", device.path().toString(), ETIMEDOUT, V4l2Exception.Reason.OTHER,
                    "no frame within " + GRAB_TIMEOUT_MILLIS + " ms: the camera stopped sending");
        }
        for (V4l2Buffer next; (next = stream.dequeue(0)) != null; ) {
            stream.queue(b);
            b = next;
        }
        while (b.isError()) {   // a frame the driver flagged damaged: take the next one
            stream.queue(b);
            b = stream.dequeue(GRAB_TIMEOUT_MILLIS);
            if (b == null) {
                throw new V4l2Exception("VIDIOC_DQBUF", device.path().toString(), ETIMEDOUT, V4l2Exception.Reason.OTHER,
                        "no undamaged frame within " + GRAB_TIMEOUT_MILLIS + " ms");
            }
        }
        sequence = b.sequence() & 0xFFFFFFFFL;
        timestampNanos = b.timestampNanos();
        return b;
    }

    /** Stops streaming, frees buffers, converter and device; never throws, idempotent. */
    @Override
    public void close() {
        try {
            stream.close();
            buffers.close();
            converter.close();
        } finally {
            device.close();
        }
    }
}
