package io.github.v4l2ffm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A capture from one USB camera that survives its unplug and replug: when the camera goes, the
 * capture waits for the same camera (found again by its {@link UsbIdentity}, on whatever port and
 * node), opens it, reapplies the format, frame interval and controls, and goes on; the
 * {@link Listener} hears of the gap.
 *
 * <pre>{@code
 * var settings = new ReconnectingCapture.Settings(640, 480, PixelFormat.MJPEG, new Fraction(1, 30), Map.of(Cid.BRIGHTNESS, 20L), 4);
 * try (var capture = ReconnectingCapture.open(camera.usb().orElseThrow().match(), settings, listener)) {
 *     while (running) {
 *         V4l2Buffer frame = capture.next(1000);   // null: no frame this second (the camera may be away)
 *         if (frame == null) continue;
 *         ... use frame.segment(0) ...
 *         capture.release(frame);
 *     }
 * }
 * }</pre>
 *
 * <p>One thread uses a capture ({@link #next}, {@link #release}); {@link #close()} may come from
 * any thread.
 */
public final class ReconnectingCapture implements AutoCloseable {

    /**
     * What to capture, applied at every (re)connection.
     *
     * @param width frame width
     * @param height frame height
     * @param pixelFormat the pixel format
     * @param frameInterval the time per frame, or {@code null} to keep the camera's
     * @param controls control values to set, by control ID, in this order
     * @param buffers the number of buffers
     */
    public record Settings(int width, int height, PixelFormat pixelFormat, Fraction frameInterval, Map<Integer, Long> controls,
                           int buffers) {
        public Settings {
            Objects.requireNonNull(pixelFormat, "pixelFormat");
            controls = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(controls));
            if (buffers < 1 || buffers > 64) throw new IllegalArgumentException("buffers must be 1..64: " + buffers);
        }
    }

    /**
     * A reconnection.
     *
     * @param node the camera's node now (it may differ from before)
     * @param gap how long the camera was away, from the disconnect to streaming again
     * @param format the format the camera streams now
     */
    public record Reconnection(Path node, Duration gap, VideoFormat format) {
    }

    /** Hears of the camera going and coming back; called on the capturing thread. */
    public interface Listener {
        /** The camera is gone; the capture waits for it. */
        default void disconnected(DeviceGoneException cause) {
        }

        /** The camera is back and streaming again with the same settings. */
        default void reconnected(Reconnection reconnection) {
        }
    }

    private final UsbIdentity.Match camera;
    private final Settings settings;
    private final Listener listener;
    private final DeviceMonitor monitor;
    private volatile boolean closed;
    private V4l2Device device;
    private BufferSet buffers;
    private Streaming stream;
    private VideoFormat format;
    private long disconnectedAt; // nanoTime; 0 while connected

    private ReconnectingCapture(UsbIdentity.Match camera, Settings settings, Listener listener) {
        this.camera = camera;
        this.settings = settings;
        this.listener = listener;
        this.monitor = DeviceMonitor.open();
    }

    /**
     * Starts capturing from the camera {@code camera} matches, which must be present now.
     *
     * @throws IllegalStateException if no such camera is plugged in
     * @throws V4l2Exception if it cannot be opened or set up
     */
    public static ReconnectingCapture open(UsbIdentity.Match camera, Settings settings, Listener listener) {
        ReconnectingCapture c = new ReconnectingCapture(camera, settings, listener == null ? new Listener() { } : listener);
        try {
            Camera found = Camera.find(camera).orElseThrow(() -> new IllegalStateException("no camera " + camera + " is plugged in"));
            c.connect(found.videoNode());
            return c;
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    /** The format the camera streams now (as the driver chose it for the settings). */
    public VideoFormat format() {
        return format;
    }

    /** Whether the camera is connected and streaming now. */
    public boolean isConnected() {
        return stream != null;
    }

    /**
     * The next frame, waiting up to {@code timeoutMillis} (also across an unplug and replug).
     *
     * @return the frame (give it back with {@link #release}), or {@code null} if the time ran out
     * @throws IllegalStateException if the capture is closed
     * @throws V4l2Exception if the camera fails otherwise than by going away
     */
    public V4l2Buffer next(long timeoutMillis) {
        long deadline = Streaming.deadline(timeoutMillis);
        while (true) {
            if (closed) throw new IllegalStateException("the capture is closed");
            if (stream == null && !reconnect(deadline)) return null;
            try {
                int left = Streaming.remaining(deadline);
                return stream.dequeue(left < 0 ? Streaming.FOREVER : left);
            } catch (DeviceGoneException e) {
                disconnect();
                listener.disconnected(e);
            }
        }
    }

    /** Gives a frame back to the camera; a frame from before a reconnection is simply dropped. */
    public void release(V4l2Buffer frame) {
        Streaming s = stream;
        if (s == null || frame.bufferSet() != s.bufferSet()) return;
        try {
            s.queue(frame);
        } catch (DeviceGoneException e) {
            // noticed by the next call to next()
        }
    }

    private void connect(Path node) {
        V4l2Device dev = V4l2Device.open(node);
        try {
            BufferQueue q = dev.captureQueue();
            VideoFormat f = q.setFormat(settings.width(), settings.height(), settings.pixelFormat());
            if (settings.frameInterval() != null) dev.setFrameInterval(q.type(), settings.frameInterval());
            for (var c : settings.controls().entrySet()) dev.controls().set(c.getKey(), c.getValue());
            BufferSet set = q.allocate(settings.buffers());
            stream = set.start();
            buffers = set;
            device = dev;
            format = f;
        } catch (RuntimeException | Error e) {
            dev.close();
            throw e;
        }
    }

    private void disconnect() {
        if (device != null) device.close(); // never throws; frees the buffers too
        device = null;
        buffers = null;
        stream = null;
        disconnectedAt = System.nanoTime();
    }

    /** Waits for the camera until {@code deadline} and connects to it; false if it did not come back in time. */
    private boolean reconnect(long deadline) {
        while (!closed) {
            Optional<Camera> back = Camera.find(camera);
            if (back.isPresent()) {
                try {
                    connect(back.get().videoNode());
                    long gap = System.nanoTime() - disconnectedAt;
                    disconnectedAt = 0;
                    listener.reconnected(new Reconnection(back.get().videoNode(), Duration.ofNanos(gap), format));
                    return true;
                } catch (V4l2Exception | IllegalStateException e) {
                    // still enumerating (the node is there, the driver not ready yet): connect closed
                    // what it opened; try again shortly
                }
            }
            int left = Streaming.remaining(deadline);
            if (left == 0) return false;
            try {
                monitor.next(left < 0 ? 200 : Math.min(left, 200)); // a node change, or a look again in 200 ms
            } catch (IllegalStateException e) {
                return false; // closed meanwhile
            }
        }
        return false;
    }

    /** Stops capturing and closes the camera. Idempotent, never throws. */
    @Override
    public void close() {
        closed = true;
        monitor.close();
        V4l2Device d = device;
        if (d != null) d.close();
    }
}
