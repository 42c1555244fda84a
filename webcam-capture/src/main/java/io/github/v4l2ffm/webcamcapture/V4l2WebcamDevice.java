package io.github.v4l2ffm.webcamcapture;

import com.github.sarxos.webcam.WebcamDevice;
import com.github.sarxos.webcam.WebcamException;
import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.DeviceBusyException;
import io.github.v4l2ffm.DeviceGoneException;
import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.StreamEndedException;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Exception;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.image.CorruptFrameException;
import io.github.v4l2ffm.image.FrameConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.Dimension;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.awt.image.WritableRaster;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * One V4L2 capture node as a webcam-capture {@link WebcamDevice}, made by {@link V4l2Driver}.
 *
 * <p><b>Resolutions.</b> {@link #getResolutions()} lists the sizes the camera offers in a pixel
 * format {@link FrameConverter} converts, smallest first; each is captured uncompressed where the
 * camera offers that size uncompressed, else as MJPEG (webcams offer their large sizes as MJPEG
 * only). Until {@link #setResolution} is called the resolution is the first (smallest) one, as
 * with webcam-capture's default driver. A size the driver adjusts at {@link #open()} (a custom
 * view size it does not have) becomes the resolution: {@link #getResolution()} tells it.
 *
 * <p><b>Frames.</b> {@link #open()} sets the format, allocates {@value #BUFFERS} MMAP buffers and
 * starts streaming; no thread runs in the background. {@link #getImage()} and
 * {@link #getImageBytes()} return the newest frame: every frame the camera has finished is taken
 * and all but the last given back; when the camera had no free buffer left (nobody asked for a
 * while, so the frames held may be old) they are all given back and the next frame is awaited.
 * Frames the driver flags as corrupt, or that cannot be converted (a USB camera that lost part of
 * one), are skipped. Images are RGB as webcam-capture's default driver gives them: 3 bytes per
 * pixel, R, G, B, in a {@link BufferedImage} with an sRGB {@link ComponentColorModel}. Per
 * frame, only what the API demands is allocated: {@code getImage()} returns a new image by
 * contract (its pixel array is the conversion's destination: no copy);
 * {@code getImageBytes()} and {@code getImageBytes(ByteBuffer)} allocate nothing.
 *
 * <p><b>Failures</b> are {@link WebcamException}s, what webcam-capture expects of a device (its
 * {@code Webcam.open()} releases its lock on them, its asynchronous updater reports them and goes
 * on); the cause is the library's exception:
 * <ul>
 *   <li>{@code open()}: cause {@link DeviceBusyException} when another application streams from the
 *       camera, {@link DeviceGoneException} when it was unplugged, another {@link V4l2Exception}
 *       ({@code PERMISSION}, {@code NO_BANDWIDTH}...) otherwise. Nothing stays open.</li>
 *   <li>{@code getImage()}, {@code getImageBytes()}: cause {@link DeviceGoneException} when the
 *       camera was unplugged: the device has then released everything (descriptors, mappings) and
 *       {@link #isOpen()} is false; later calls return {@code null}, as for a closed device, and
 *       {@code open()} may be called again once the camera is back. When no frame comes within
 *       {@link #setTimeout the timeout} (5 s by default), the device stays open.</li>
 *   <li>A device that is closed, disposed or closed by another thread while waiting returns
 *       {@code null} from {@code getImage()} and {@code getImageBytes()}, as the default driver
 *       does.</li>
 * </ul>
 *
 * <p><b>Threads.</b> Every method may be called from any thread; frames are taken one caller at
 * a time. {@link #close()} and {@link #dispose()} wake a caller waiting for a frame at once (it
 * gets {@code null}).
 */
public final class V4l2WebcamDevice implements WebcamDevice, WebcamDevice.BufferAccess, WebcamDevice.FPSSource {
    private static final Logger LOG = LoggerFactory.getLogger(V4l2WebcamDevice.class);

    /** MMAP buffers asked for; the driver may grant more. */
    static final int BUFFERS = 4;

    private static final ColorModel RGB = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB),
            new int[]{8, 8, 8}, false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
    private static final int[] RGB_OFFSETS = {0, 1, 2};

    private final Path path;
    private final String card;
    private final String name;
    private final Modes modes;

    /** Held while opening, closing and taking a frame. */
    private final Object lock = new Object();
    /** The stream while open; {@code null} while closed. Written under {@link #lock}. */
    private volatile Session session;
    private volatile boolean disposed;
    /** The requested (before open) or actual (after open) size; {@code null}: the first mode. */
    private Dimension resolution;
    private volatile long timeoutMillis = 5000;
    private volatile double fps;

    V4l2WebcamDevice(Path path, String card, Modes modes) {
        this.path = path;
        this.card = card;
        this.name = card + " " + path;
        this.modes = modes;
    }

    /**
     * The name webcam-capture shows and tells devices apart by: the driver's card name (a USB
     * camera's product name) and the node, such as {@code "HD Pro Webcam C920 /dev/video0"}: the
     * form webcam-capture's default driver uses on Linux.
     */
    @Override
    public String getName() {
        return name;
    }

    /** The device node, such as {@code /dev/video0}. */
    public Path path() {
        return path;
    }

    /** The driver's name for the device ({@code VIDIOC_QUERYCAP} card). */
    public String card() {
        return card;
    }

    /** The sizes offered, smallest first (a new array each call). */
    @Override
    public Dimension[] getResolutions() {
        List<Modes.Mode> list = modes.list();
        Dimension[] out = new Dimension[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = new Dimension(list.get(i).width(), list.get(i).height());
        return out;
    }

    /** The pixel format {@code size} is captured in (see the class comment). */
    public PixelFormat pixelFormat(Dimension size) {
        return modes.formatFor(size.width, size.height);
    }

    /**
     * The size set, or the first of {@link #getResolutions()} when none was; once open, the size
     * the driver chose.
     */
    @Override
    public Dimension getResolution() {
        synchronized (lock) {
            if (resolution != null) return new Dimension(resolution);
            Modes.Mode first = modes.list().getFirst();
            return new Dimension(first.width(), first.height());
        }
    }

    /**
     * Sets the size to capture at the next {@link #open()}.
     *
     * @throws IllegalArgumentException if {@code size} is {@code null} or not positive
     * @throws IllegalStateException if the device is open (as webcam-capture's own devices)
     */
    @Override
    public void setResolution(Dimension size) {
        if (size == null || size.width <= 0 || size.height <= 0) {
            throw new IllegalArgumentException("resolution must be a positive size: " + size);
        }
        synchronized (lock) {
            if (session != null) throw new IllegalStateException("Cannot change resolution when webcam is open, please close it first");
            resolution = new Dimension(size);
        }
    }

    /** How long {@link #getImage()} waits for a frame, in milliseconds (5000 by default). */
    public long getTimeout() {
        return timeoutMillis;
    }

    /** Sets how long {@link #getImage()} and {@link #getImageBytes()} wait for a frame, in milliseconds. */
    public void setTimeout(long millis) {
        if (millis <= 0) throw new IllegalArgumentException("timeout must be positive: " + millis);
        timeoutMillis = millis;
    }

    /**
     * The format being captured, while open.
     *
     * @return the format the driver chose, or {@code null} when closed
     */
    public VideoFormat format() {
        Session s = session;
        return s == null ? null : s.format;
    }

    /**
     * Opens the node, sets the format, allocates the buffers and starts streaming. Does nothing if
     * open already.
     *
     * @throws WebcamException if the device is disposed, or the camera cannot stream: the cause is
     *         {@link DeviceBusyException} (another application has it), {@link DeviceGoneException}
     *         (unplugged) or another {@link V4l2Exception}; nothing stays open
     */
    @Override
    public void open() {
        synchronized (lock) {
            if (disposed) throw new WebcamException(name + " is disposed: get the webcams again");
            if (session != null) return;
            Dimension want = getResolution();
            PixelFormat pf = modes.formatFor(want.width, want.height);
            V4l2Device dev = null;
            FrameConverter conv = null;
            try {
                dev = V4l2Device.open(path);
                BufferQueue q = dev.captureQueue();
                VideoFormat f = q.setFormat(want.width, want.height, pf);
                if (!FrameConverter.supports(f.pixelFormat())) {
                    throw new WebcamException(name + ": asked for " + pf + ", the driver chose " + f.pixelFormat()
                            + ", which cannot be converted");
                }
                if (f.width() != want.width || f.height() != want.height) {
                    LOG.warn("{}: asked for {}x{}, the driver chose {}x{}", name, want.width, want.height, f.width(), f.height());
                }
                conv = FrameConverter.of(f);
                double nominal = dev.frameInterval(q.type()).filter(i -> i.numerator() > 0 && i.denominator() > 0).map(Fraction::inverse).map(Fraction::toDouble).orElse(0.0);
                BufferSet set = q.allocate(BUFFERS);
                Streaming stream = set.start();
                session = new Session(dev, set, stream, conv, f);
                resolution = new Dimension(f.width(), f.height());
                fps = nominal;
                LOG.debug("{}: streaming {} in {} buffers", name, f, set.count());
            } catch (V4l2Exception e) {
                closeQuietly(conv, dev);
                throw failure("cannot open", e);
            } catch (RuntimeException e) {
                closeQuietly(conv, dev);
                throw e instanceof WebcamException we ? we : new WebcamException(name + ": cannot open: " + e, e);
            }
        }
    }

    private static void closeQuietly(FrameConverter conv, V4l2Device dev) {
        if (conv != null) conv.close();
        if (dev != null) dev.close();
    }

    private WebcamException failure(String what, V4l2Exception e) {
        String why = switch (e) {
            case DeviceBusyException b -> "the camera is in use by another application";
            case DeviceGoneException g -> "the camera was unplugged";
            default -> e.reason().toString().toLowerCase().replace('_', ' ');
        };
        return new WebcamException(name + ": " + what + ": " + why + " (" + e.getMessage() + ")", e);
    }

    /**
     * The newest frame as a new RGB image, or {@code null} if the device is closed (also by another
     * thread while waiting) or disposed.
     *
     * @throws WebcamException if the camera was unplugged (cause {@link DeviceGoneException}; the
     *         device is closed then) or no frame came within the timeout
     */
    @Override
    public BufferedImage getImage() {
        synchronized (lock) {
            Session s = session;
            if (s == null) return null;
            byte[] rgb = new byte[s.rgbLength];
            if (!grab(s, rgb)) return null;
            WritableRaster raster = Raster.createWritableRaster(s.sampleModel, new DataBufferByte(rgb, rgb.length), null);
            return new BufferedImage(RGB, raster, false, null);
        }
    }

    /**
     * The newest frame as RGB bytes, 3 per pixel, row after row: the same buffer on every call,
     * rewound (position 0, limit width * height * 3), overwritten by the next call on this device;
     * {@code null} if the device is closed or disposed.
     *
     * @throws WebcamException as {@link #getImage()}
     */
    @Override
    public ByteBuffer getImageBytes() {
        synchronized (lock) {
            Session s = session;
            if (s == null) return null;
            byte[] rgb = s.rgb();
            if (!grab(s, rgb)) return null;
            return s.rgbBuffer.clear();
        }
    }

    /**
     * Puts the newest frame's RGB bytes into {@code target} at its position, advancing it by
     * width * height * 3; does nothing if the device is closed or disposed. A heap buffer whose
     * array starts at its position receives the conversion directly, without a copy.
     *
     * @throws IllegalArgumentException if {@code target} has less room than a frame
     * @throws WebcamException as {@link #getImage()}
     */
    @Override
    public void getImageBytes(ByteBuffer target) {
        synchronized (lock) {
            Session s = session;
            if (s == null) return;
            if (target.remaining() < s.rgbLength) {
                throw new IllegalArgumentException("Not enough remaining space in target buffer (" + s.rgbLength
                        + " necessary vs " + target.remaining() + " remaining)");
            }
            if (target.hasArray() && !target.isReadOnly() && target.arrayOffset() + target.position() == 0) {
                if (grab(s, target.array())) target.position(target.position() + s.rgbLength);
                return;
            }
            byte[] rgb = s.rgb();
            if (grab(s, rgb)) target.put(rgb, 0, s.rgbLength);
        }
    }

    /** The camera's frame rate, measured from the timestamps of the frames taken (the nominal rate until two were). */
    @Override
    public double getFPS() {
        return fps;
    }

    /**
     * Converts the newest frame into {@code rgb}; false if the device was closed meanwhile. Called
     * under {@link #lock}.
     */
    private boolean grab(Session s, byte[] rgb) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        CorruptFrameException corrupt = null;
        boolean restarted = false;
        try {
            while (true) {
                V4l2Buffer b;
                try {
                    b = newest(s, deadline);
                } catch (V4l2Exception e) {
                    if (e.reason() != V4l2Exception.Reason.QUEUE_ERROR || restarted) throw e;
                    // a fatal streaming error: start again, once per call
                    LOG.warn("{}: {}; restarting the stream", name, e.getMessage());
                    restarted = true;
                    s.stream.close();
                    s.stream = s.set.start();
                    continue;
                }
                if (b == null) {
                    throw new WebcamException(name + ": no frame within " + timeoutMillis + " ms"
                            + (corrupt != null ? " (the last one was corrupt: " + corrupt.getMessage() + ")" : ""), corrupt);
                }
                try {
                    s.converter.toRgb(b, rgb);
                    measure(s, b);
                    return true;
                } catch (CorruptFrameException e) {
                    corrupt = e;
                } finally {
                    s.stream.queue(b);
                }
            }
        } catch (StreamEndedException e) {
            return false; // closed by another thread while waiting
        } catch (DeviceGoneException e) {
            release(s);
            throw failure("lost", e);
        } catch (V4l2Exception e) {
            release(s);
            throw failure("capture failed", e);
        }
    }

    /**
     * Dequeues the newest finished frame (the caller queues it again), waiting until
     * {@code deadline} when none is finished or those finished may be old; {@code null} when the
     * time ran out. Frames the driver flags as erroneous or empty are given back.
     */
    private static V4l2Buffer newest(Session s, long deadline) {
        Streaming stream = s.stream;
        V4l2Buffer[] ready = s.ready;
        int count = ready.length;
        while (true) {
            int n = drain(stream, ready, 0);
            if (n == count) {
                // the driver had no buffer left to fill: these frames may be old; wait for a new one
                for (int i = 0; i < n; i++) stream.queue(ready[i]);
                n = 0;
            }
            if (n == 0) {
                long left = (deadline - System.nanoTime() + 999_999) / 1_000_000;
                if (left <= 0) return null;
                V4l2Buffer b = stream.dequeue(left);
                if (b == null) return null;
                ready[n++] = b;
                n = drain(stream, ready, n);
            }
            for (int i = 0; i < n - 1; i++) stream.queue(ready[i]);
            V4l2Buffer b = ready[n - 1];
            if (!b.isError() && b.bytesUsed(0) > 0) return b;
            stream.queue(b);
        }
    }

    /** Dequeues every finished buffer into {@code ready} from {@code n} on, without waiting; the new count. */
    private static int drain(Streaming stream, V4l2Buffer[] ready, int n) {
        while (n < ready.length) {
            V4l2Buffer b = stream.dequeue(0);
            if (b == null) break;
            ready[n++] = b;
        }
        return n;
    }

    private void measure(Session s, V4l2Buffer b) {
        int seq = b.sequence();
        long ts = b.timestampNanos();
        if (s.lastTimestamp != 0 && ts > s.lastTimestamp && seq != s.lastSequence) {
            double now = (seq - s.lastSequence) * 1e9 / (ts - s.lastTimestamp);
            if (now > 0) fps = s.measured ? 0.8 * fps + 0.2 * now : now;
            s.measured = true;
        }
        s.lastSequence = seq;
        s.lastTimestamp = ts;
    }

    /** Closes the session under {@link #lock}. */
    private void release(Session s) {
        if (session == s) session = null;
        s.close();
    }

    /**
     * Stops streaming and closes the node; a thread waiting for a frame gets {@code null}. The
     * device can be opened again. Never throws.
     */
    @Override
    public void close() {
        Session s = session;
        if (s == null) return;
        s.stream.stop(); // wakes a getImage() waiting under the lock
        synchronized (lock) {
            s = session;
            if (s != null) release(s);
        }
    }

    /** Closes the device for good: {@link #open()} then throws. Never throws. */
    @Override
    public void dispose() {
        disposed = true;
        close();
    }

    /** Whether the device is open and streaming (false after an unplug was seen). */
    @Override
    public boolean isOpen() {
        return session != null;
    }

    /** Whether {@link #dispose()} was called. */
    public boolean isDisposed() {
        return disposed;
    }

    @Override
    public String toString() {
        return "V4l2WebcamDevice[" + name + (isOpen() ? ", open" : "") + (disposed ? ", disposed" : "") + "]";
    }

    /** What an open device holds. */
    private static final class Session {
        final V4l2Device device;
        final BufferSet set;
        volatile Streaming stream;
        final FrameConverter converter;
        final VideoFormat format;
        final int rgbLength;
        /** The layout of the images {@code getImage} returns, shared by all of them. */
        final SampleModel sampleModel;
        /** Buffers dequeued while looking for the newest. */
        final V4l2Buffer[] ready;
        private byte[] rgb;
        ByteBuffer rgbBuffer;
        int lastSequence;
        long lastTimestamp;
        boolean measured;

        Session(V4l2Device device, BufferSet set, Streaming stream, FrameConverter converter, VideoFormat format) {
            this.device = device;
            this.set = set;
            this.stream = stream;
            this.converter = converter;
            this.format = format;
            this.rgbLength = Math.multiplyExact(Math.multiplyExact(format.width(), format.height()), 3);
            this.ready = new V4l2Buffer[set.count()];
            this.sampleModel = new PixelInterleavedSampleModel(DataBuffer.TYPE_BYTE, format.width(), format.height(), 3,
                    format.width() * 3, RGB_OFFSETS);
        }

        /** The array {@code getImageBytes} converts into, made at its first call. */
        byte[] rgb() {
            if (rgb == null) {
                rgb = new byte[rgbLength];
                rgbBuffer = ByteBuffer.wrap(rgb);
            }
            return rgb;
        }

        /** Closes the device, which stops the stream and frees the buffers; never throws. */
        void close() {
            converter.close();
            device.close();
        }
    }
}
