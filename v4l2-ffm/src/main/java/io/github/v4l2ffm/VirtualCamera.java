package io.github.v4l2ffm;

import io.github.v4l2ffm.internal.ioctl.Querybuf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A virtual camera: frames published here are what other applications (browsers, video
 * conferencing, {@code ffmpeg -f v4l2}, GStreamer's {@code v4l2src}, another
 * {@link V4l2Device}) capture from a <a href="https://github.com/umlaeute/v4l2loopback">v4l2loopback</a>
 * node. The camera is the node's producer: it sets the format on the node's output side, maps the
 * driver's buffers and streams them.
 *
 * <pre>{@code
 * try (VirtualCamera cam = VirtualCamera.open(320, 240, PixelFormat.YUYV, new Fraction(1, 30))) {
 *     System.out.println("capture from " + cam.path());
 *     for (int i = 0; i < 300; i++) {
 *         cam.publish(frame -> drawTestPattern(frame, cam.format()));   // in place: no copy
 *         Thread.sleep(33);                                            // the camera does not pace
 *     }
 * }
 * }</pre>
 *
 * <p>What v4l2loopback (0.13) does, and what this class makes of it:
 * <ul>
 *   <li><b>Memory:</b> v4l2loopback is not built on videobuf2 and takes only {@link Memory#MMAP}:
 *       {@code VIDIOC_REQBUFS} with {@link Memory#USERPTR} or {@link Memory#DMABUF} fails with
 *       {@code EINVAL} ({@link V4l2Exception.Reason#REFUSED}), and it cannot export its buffers
 *       (no {@code VIDIOC_EXPBUF}). Frames are therefore written into the driver's own buffers:
 *       {@link #publish(FrameWriter)} lets the caller draw into them in place (no copy);
 *       {@link #publish(V4l2Buffer)} forwards a frame captured from another camera with one copy.</li>
 *   <li><b>Buffers:</b> the driver's buffers are shared with every reader (readers map the same
 *       memory). The camera fills them in turn, oldest first, so that a reader still holding a
 *       frame is overwritten only after {@link #bufferCount()} - 1 newer frames (the module's
 *       {@code max_buffers}, 2 by default: load it with more, e.g. {@code max_buffers=8}). A
 *       reader asking for fewer buffers makes the driver use fewer for everyone: the camera
 *       follows ({@code VIDIOC_QUERYBUF} before each frame), and a slow reader is then overwritten sooner.</li>
 *   <li><b>Timestamps</b> are passed on: readers see the timestamp given to
 *       {@link #publish(long, FrameWriter)} (by default {@link System#nanoTime()}, the
 *       {@code CLOCK_MONOTONIC} capture applications expect), in microseconds (from a reader's second frame on: its first carries the driver's own time;
 *       the flags then hold COPY and MONOTONIC together, which {@link V4l2Buffer#timestampType()}
 *       reports as {@link TimestampType#UNKNOWN}). <b>Sequence numbers</b> are not: v4l2loopback does not fill in
 *       the capture side's {@code sequence}; {@link #publish} returns the frame's number here.</li>
 *   <li><b>Pacing</b> is the caller's: the driver takes every frame at once and a reader gets the
 *       newest (a slow reader skips frames, never gets a frame twice unless the producer stalls).</li>
 *   <li><b>One producer per node:</b> while one streams, another's {@link #open} fails with
 *       {@link DeviceBusyException}. With the module parameter {@code exclusive_caps=1} (what
 *       browsers need) the node announces video capture only while a producer streams, and video
 *       output only while none does.</li>
 *   <li><b>When the camera closes</b>, readers are not told: their next frame simply does not
 *       come (a {@link Streaming#dequeue(long)} there returns {@code null} when its time runs out)
 *       until a producer streams again, with the same format.</li>
 * </ul>
 *
 * <p>Thread safety: {@code publish} calls are serialised; {@link #close()} may be called from any
 * thread, is idempotent and never throws.
 */
public final class VirtualCamera implements AutoCloseable {
    /** The driver name v4l2loopback reports in {@code VIDIOC_QUERYCAP}. */
    public static final String DRIVER = "v4l2 loopback";

    /** How long {@code publish} waits for the driver to hand back a buffer still in use (not with v4l2loopback, which never holds one). */
    private static final long BUFFER_WAIT_MILLIS = 2000;
    private static final int EINVAL = 22;

    /**
     * Fills one frame in place.
     */
    @FunctionalInterface
    public interface FrameWriter {
        /**
         * Writes a frame into {@code frame}: the driver's buffer, {@link VideoFormat#sizeImage()}
         * bytes of the camera's {@link #format()} (lines of {@link VideoFormat#bytesPerLine()}
         * bytes). It holds the previous contents of that buffer, not zeros.
         *
         * <p>The segment is valid only during this call and only on the calling thread: any access
         * after it returns throws {@link IllegalStateException}, so no reference to the driver's
         * memory outlives the call.
         */
        void write(MemorySegment frame);
    }

    private final V4l2Device device;
    private final BufferSet buffers;
    private final Streaming stream;
    private final VideoFormat format;
    private final Fraction frameInterval;
    private final int frameBytes;
    private final long[] offsets; // each buffer's memory (its mmap offset) when the camera opened
    private int active;           // the buffers the driver still uses: 0..active-1
    private long published;
    private int next;
    /** Whether a writer is drawing (publish, on the thread holding the monitor). */
    private boolean writing;
    /** Whether the writer closed the camera: closed once it returns. */
    private volatile boolean closeAfterWrite;

    private VirtualCamera(V4l2Device device, BufferSet buffers, Streaming stream, VideoFormat format, Fraction frameInterval) {
        this.device = device;
        this.buffers = buffers;
        this.stream = stream;
        this.format = format;
        this.frameInterval = frameInterval;
        this.frameBytes = format.sizeImage();
        this.offsets = new long[buffers.count()];
        int n = 0;
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = offsetNow(i);
            // a reader that asked for fewer buffers before the camera opened: indices past its count fold
            boolean distinct = true;
            for (int j = 0; j < i; j++) distinct &= offsets[j] != offsets[i];
            if (n == i && distinct) n++;
        }
        this.active = Math.max(1, n);
    }

    /** The memory the driver takes for output buffer {@code index} now. */
    private long offsetNow(int index) {
        return Querybuf.querybuf(device.fd(), BufferType.VIDEO_OUTPUT, index, 1)[0].offset();
    }

    /** The v4l2loopback nodes on this system (with {@code exclusive_caps=1}, capture or output as a producer streams or not). */
    public static List<DeviceInfo> list() {
        return V4l2Devices.list().stream().filter(d -> DRIVER.equals(d.capabilities().driver())).toList();
    }

    /**
     * Opens the first v4l2loopback node no other producer streams to, as {@link #open(Path, int,
     * int, PixelFormat, Fraction)} does.
     *
     * @throws NoSuchElementException if there is no v4l2loopback node, or every one has a producer
     *         (the message says which)
     */
    public static VirtualCamera open(int width, int height, PixelFormat pixelFormat, Fraction frameInterval) {
        List<String> busy = new ArrayList<>();
        List<DeviceInfo> nodes = list();
        for (DeviceInfo d : nodes) {
            try {
                return open(d.path(), width, height, pixelFormat, frameInterval);
            } catch (DeviceBusyException e) {
                busy.add(d.path().toString());
            }
        }
        throw new NoSuchElementException(nodes.isEmpty()
                ? "no v4l2loopback node: load the module (modprobe v4l2loopback exclusive_caps=1)"
                : "every v4l2loopback node has a producer already: " + busy);
    }

    /**
     * Opens the v4l2loopback node {@code node} as its producer: sets the output format and frame
     * interval, maps the driver's buffers and starts streaming. Nothing is published yet: readers
     * wait for the first {@link #publish}.
     *
     * <p>The driver clamps sizes to its limits (by default 2x1 to 8192x8192): check
     * {@link #format()}. A pixel format it does not know is refused.
     *
     * @param frameInterval the interval readers are told ({@code VIDIOC_S_PARM}; 1/30 for 30 fps);
     *        the camera does not pace itself by it
     * @throws IllegalArgumentException if {@code node} is not a v4l2loopback node
     * @throws DeviceBusyException if another producer streams to the node
     * @throws V4l2Exception if the driver refuses the format ({@link V4l2Exception.Reason#REFUSED},
     *         {@code VIDIOC_S_FMT}, {@code EINVAL}: v4l2loopback refuses a pixel format it does not
     *         know, where other drivers would pick another), or the node cannot be opened
     */
    public static VirtualCamera open(Path node, int width, int height, PixelFormat pixelFormat, Fraction frameInterval) {
        Objects.requireNonNull(pixelFormat, "pixelFormat");
        Objects.requireNonNull(frameInterval, "frameInterval");
        if (frameInterval.numerator() <= 0 || frameInterval.denominator() <= 0) {
            throw new IllegalArgumentException("the frame interval must be a positive fraction: " + frameInterval);
        }
        V4l2Device dev = V4l2Device.open(node);
        BufferSet set = null;
        try {
            Capabilities c = dev.capabilities();
            if (!DRIVER.equals(c.driver())) {
                throw new IllegalArgumentException(node + " is not a v4l2loopback node (driver \"" + c.driver() + "\", card \"" + c.card() + "\")");
            }
            // the output side whatever the node announces now (exclusive_caps=1 hides it while another producer streams)
            BufferQueue q = dev.queue(BufferType.VIDEO_OUTPUT);
            try {
                q.setFormat(width, height, pixelFormat);
            } catch (V4l2Exception e) {
                // V4L2 drivers adjust a format they cannot take; v4l2loopback refuses an unknown pixel format with EINVAL
                if (e.errno() != EINVAL) throw e;
                V4l2Exception refused = new V4l2Exception(e.operation(), e.device(), EINVAL, V4l2Exception.Reason.REFUSED,
                        "v4l2loopback does not take the pixel format " + pixelFormat + " at " + width + "x" + height);
                refused.initCause(e);
                throw refused;
            }
            // the driver answers S_FMT with the page-aligned size of its buffers; G_FMT says what a frame holds
            VideoFormat f = q.format();
            if (!f.pixelFormat().equals(pixelFormat)) {
                throw new V4l2Exception("VIDIOC_S_FMT", node.toString(), EINVAL, V4l2Exception.Reason.REFUSED,
                        "v4l2loopback took " + f.pixelFormat() + " instead of " + pixelFormat);
            }
            Fraction interval;
            try {
                interval = dev.setFrameInterval(BufferType.VIDEO_OUTPUT, frameInterval);
            } catch (UnsupportedOperationException e) {
                // v4l2loopback 0.13 takes S_PARM and keeps the interval as given, but answers it
                // without V4L2_CAP_TIMEPERFRAME (on both sides: readers see the interval with no flag)
                interval = frameInterval;
            }
            set = q.allocate(64); // the driver grants what it has (max_buffers)
            Streaming s = set.start();
            return new VirtualCamera(dev, set, s, f, interval);
        } catch (RuntimeException | Error e) {
            dev.close(); // closes the set too
            throw e;
        }
    }

    /** The node readers capture from. */
    public Path path() {
        return device.path();
    }

    /** The format of the frames, as the driver set it (what readers get from {@code VIDIOC_G_FMT}). */
    public VideoFormat format() {
        return format;
    }

    /** The frame interval readers are told, as the driver set it. */
    public Fraction frameInterval() {
        return frameInterval;
    }

    /**
     * Number of buffers the driver shares with readers now: the module's {@code max_buffers} when the
     * camera opened, fewer once a reader asked for fewer (v4l2loopback then uses that many for all).
     */
    public synchronized int bufferCount() {
        return active;
    }

    /** The memory type of the buffers: always {@link Memory#MMAP} (the only one v4l2loopback takes). */
    public Memory memory() {
        return buffers.memory();
    }

    /** Number of frames published so far. */
    public synchronized long published() {
        return published;
    }

    /** Whether the camera is open (not closed, its node not gone). */
    public boolean isOpen() {
        return !closeAfterWrite && !stream.isClosed();
    }

    /**
     * Publishes a frame that {@code writer} draws in place in the driver's next buffer, stamped
     * {@link System#nanoTime()}.
     *
     * @return the frame's number: 0 for the first frame, then 1, 2...
     * @throws IllegalStateException if the camera is closed
     * @throws DeviceGoneException if the module was unloaded
     */
    public long publish(FrameWriter writer) {
        return publish(System.nanoTime(), writer);
    }

    /**
     * Publishes a frame that {@code writer} draws in place, with the timestamp {@code timestampNanos}
     * ({@code CLOCK_MONOTONIC} nanoseconds, as {@link System#nanoTime()} on Linux; readers see it in
     * microseconds). A writer that throws publishes nothing; the exception propagates. A writer
     * may not publish itself ({@link IllegalStateException}).
     *
     * @return the frame's number
     * @throws IllegalArgumentException if {@code timestampNanos} is 0 or negative (0 would make the
     *         driver stamp the frame itself)
     */
    public synchronized long publish(long timestampNanos, FrameWriter writer) {
        Objects.requireNonNull(writer, "writer");
        if (timestampNanos <= 0) throw new IllegalArgumentException("timestamp must be positive: " + timestampNanos);
        // a writer publishing again would get the buffer it draws into, and end "writing" under it
        if (writing) throw new IllegalStateException("publish from inside a FrameWriter: return from the writer first");
        V4l2Buffer b = nextBuffer();
        MemorySegment target = b.segment(0);
        writing = true;
        try (Arena call = Arena.ofConfined()) {
            writer.write(MemorySegment.ofAddress(target.address()).reinterpret(frameBytes, call, null));
        } finally {
            writing = false;
            if (closeAfterWrite) device.close(); // the writer closed the camera: now that it no longer draws
        }
        if (closeAfterWrite) throw new IllegalStateException(path() + " was closed by its writer: the frame was not published");
        return queue(b, timestampNanos);
    }

    /**
     * Publishes a copy of {@code frame}, stamped {@link System#nanoTime()}.
     *
     * @throws IllegalArgumentException if {@code frame} is not {@link VideoFormat#sizeImage()} bytes
     */
    public long publish(MemorySegment frame) {
        return publish(System.nanoTime(), frame);
    }

    /** Publishes a copy of {@code frame} with the timestamp {@code timestampNanos}. */
    public synchronized long publish(long timestampNanos, MemorySegment frame) {
        checkSize(frame.byteSize());
        return publish(timestampNanos, target -> MemorySegment.copy(frame, 0, target, 0, frameBytes));
    }

    /** Publishes a copy of {@code frame} ({@link VideoFormat#sizeImage()} bytes), stamped {@link System#nanoTime()}. */
    public long publish(byte[] frame) {
        return publish(System.nanoTime(), MemorySegment.ofArray(frame));
    }

    /**
     * Publishes a frame captured from another camera with the same format (one copy, from its
     * buffer to the driver's), with the captured frame's timestamp when it is a
     * {@link TimestampType#MONOTONIC} one (so readers can measure the latency from the camera),
     * else {@link System#nanoTime()}. A {@link Memory#DMABUF} frame is read under CPU access.
     *
     * @throws IllegalArgumentException if the frame's plane 0 does not hold {@link VideoFormat#sizeImage()} bytes
     * @throws IllegalStateException if {@code captured} is queued (its driver may be writing it) or its set is closed
     */
    public synchronized long publish(V4l2Buffer captured) {
        if (captured.isQueued()) throw new IllegalStateException(captured + " is queued: its driver owns its memory");
        checkSize(captured.bytesUsed(0));
        MemorySegment src = captured.segment(0).asSlice(captured.dataOffset(0), frameBytes);
        long ts = captured.timestampType() == TimestampType.MONOTONIC && captured.timestampNanos() > 0
                ? captured.timestampNanos() : System.nanoTime();
        captured.beginCpuAccess(true, false);
        try {
            return publish(ts, target -> MemorySegment.copy(src, 0, target, 0, frameBytes));
        } finally {
            captured.endCpuAccess(true, false);
        }
    }

    private void checkSize(long bytes) {
        if (bytes != frameBytes) {
            throw new IllegalArgumentException("a frame of " + format + " holds " + frameBytes + " bytes, not " + bytes);
        }
    }

    /**
     * The buffer after the last one published: the one readers saw longest ago.
     *
     * <p>v4l2loopback shrinks the number of buffers it uses for everyone to the smallest count a
     * reader asks {@code VIDIOC_REQBUFS} for (v4l2-ctl: 4, GStreamer: 2...), and from then on takes
     * a producer's buffer {@code i} as its buffer {@code i % used}: a frame written into the
     * producer's mapping of buffer 5 would be published from the memory of buffer 1, so readers
     * would get an older frame again. {@code VIDIOC_QUERYBUF} says which memory an index stands for
     * now: the camera checks that before each frame and keeps to the buffers the driver still uses.
     */
    private V4l2Buffer nextBuffer() {
        if (next >= active || offsetNow(next) != offsets[next]) {
            int n = 0;
            while (n < active && offsetNow(n) == offsets[n]) n++;
            active = Math.max(1, n);
            next = 0;
        }
        V4l2Buffer b = buffers.buffer(next);
        // v4l2loopback gives every buffer back at once (see queue); a driver that holds one is waited for
        while (b.isQueued()) {
            if (stream.dequeue(BUFFER_WAIT_MILLIS) == null) {
                throw new IllegalStateException(path() + " has kept buffer " + next + " for " + BUFFER_WAIT_MILLIS + " ms");
            }
        }
        return b;
    }

    private long queue(V4l2Buffer b, long timestampNanos) {
        b.setBytesUsed(0, frameBytes);
        b.setTimestampNanos(timestampNanos);
        b.setField(FieldOrder.NONE);
        stream.queue(b);
        // v4l2loopback is done with an output buffer once queued (it has become the readers'
        // newest frame): take it back now, so buffers are reused in turn and never wait
        stream.dequeue(0);
        next = (next + 1) % active;
        return published++;
    }

    /**
     * Stops streaming and closes the node: readers get no more frames (they are not told). Idempotent,
     * from any thread, never throws. Waits for a {@code publish} under way to finish: its writer may
     * be drawing into the driver's buffer, which closing unmaps. A writer that closes its own camera
     * closes it when it returns; that {@code publish} then throws {@link IllegalStateException} and
     * publishes nothing.
     */
    @Override
    public synchronized void close() {
        if (writing) {
            // the writer itself closes the camera (another thread would wait for the monitor):
            // the buffer it draws into stays mapped until it returns, then publish closes
            closeAfterWrite = true;
            return;
        }
        device.close();
    }

    @Override
    public String toString() {
        return "VirtualCamera[" + device.path() + ", " + format + ", " + published + " published]";
    }
}
