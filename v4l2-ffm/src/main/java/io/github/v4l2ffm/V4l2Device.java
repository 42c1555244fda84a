package io.github.v4l2ffm;

import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.ioctl.CodecCmd;
import io.github.v4l2ffm.internal.ioctl.EnumFmt;
import io.github.v4l2ffm.internal.ioctl.EnumFrameintervals;
import io.github.v4l2ffm.internal.ioctl.EnumFramesizes;
import io.github.v4l2ffm.internal.ioctl.Fmt;
import io.github.v4l2ffm.internal.ioctl.Inputs;
import io.github.v4l2ffm.internal.ioctl.Outputs;
import io.github.v4l2ffm.internal.ioctl.Parm;
import io.github.v4l2ffm.internal.ioctl.Querycap;
import io.github.v4l2ffm.internal.ioctl.Selection;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An open V4L2 device node, such as {@code /dev/video0}.
 *
 * <pre>{@code
 * try (V4l2Device dev = V4l2Device.open(Path.of("/dev/video0"))) {
 *     Capabilities caps = dev.capabilities();
 *     System.out.println(caps.driver() + " " + caps.card() + " " + caps.deviceCaps());
 * }
 * }</pre>
 *
 * <p>The node is opened read-write and non-blocking. {@link #open} checks that the file is a
 * V4L2 device ({@code VIDIOC_QUERYCAP} succeeds) and closes it again if not. After
 * {@link #close()} every method throws {@link IllegalStateException}. A device may be used from
 * several threads; closing it while another thread is inside a call is safe (the descriptor is
 * released when that call returns), and wakes every thread waiting on it.
 *
 * <p>When the device is unplugged, every waiting thread wakes with a {@link DeviceGoneException},
 * and every later call fails at once with one; {@link #close()} then never throws and releases
 * every descriptor and mapping.
 */
public final class V4l2Device implements AutoCloseable {
    private final DeviceFd fd;
    private final Capabilities capabilities;
    private final Querycap querycap;
    private final Fmt fmt = new Fmt();
    private final Map<BufferType, BufferQueue> queues = new EnumMap<>(BufferType.class);

    private final Controls controls;
    private final Events events;

    private V4l2Device(DeviceFd fd, Querycap querycap, Capabilities capabilities) {
        this.fd = fd;
        this.querycap = querycap;
        this.capabilities = capabilities;
        this.controls = new Controls(fd);
        this.events = new Events(fd);
    }

    /**
     * Opens a V4L2 device node.
     *
     * @throws V4l2Exception if the node cannot be opened ({@code ENOENT}, {@code EACCES}...) or is
     *         not a V4L2 device ({@code ENOTTY} from {@code VIDIOC_QUERYCAP})
     */
    public static V4l2Device open(Path path) {
        DeviceFd fd = DeviceFd.open(path);
        try {
            Querycap querycap = new Querycap();
            return new V4l2Device(fd, querycap, querycap.query(fd));
        } catch (RuntimeException | Error e) {
            fd.close();
            throw e;
        }
    }

    /** Opens a V4L2 device node by its path string, such as {@code "/dev/video0"}. */
    public static V4l2Device open(String path) {
        return open(Path.of(path));
    }

    static Capabilities queryCapabilities(DeviceFd fd) {
        return Querycap.querycap(fd);
    }

    /** The path this device was opened from. */
    public Path path() {
        return Path.of(fd.path());
    }

    /**
     * The node's capabilities, read by {@code VIDIOC_QUERYCAP} when it was opened.
     *
     * @throws IllegalStateException if the device is closed
     */
    public Capabilities capabilities() {
        checkOpen();
        return capabilities;
    }

    /**
     * Reads the capabilities from the kernel again. When they are the same as the last time, the
     * same {@link Capabilities} object is returned (it is immutable): asking again allocates
     * nothing.
     *
     * @throws IllegalStateException if the device is closed
     */
    public Capabilities queryCapabilities() {
        return querycap.query(fd);
    }

    /** Whether {@link #close()} has not been called yet. */
    public boolean isOpen() {
        return fd.isOpen();
    }

    private void checkOpen() {
        if (!fd.isOpen()) throw new IllegalStateException(fd.path() + " is closed");
    }

    // ---- formats -------------------------------------------------------------------------

    /** The pixel formats the {@code type} queue offers ({@code VIDIOC_ENUM_FMT}); empty if it has no such queue. */
    public List<FormatDescription> formats(BufferType type) {
        return EnumFmt.enumFormats(fd, type);
    }

    /** The frame sizes offered for {@code format} ({@code VIDIOC_ENUM_FRAMESIZES}); empty if the driver does not say. */
    public List<FrameSize> frameSizes(PixelFormat format) {
        return EnumFramesizes.enumFrameSizes(fd, format);
    }

    /** The frame intervals offered for {@code format} at {@code width x height} ({@code VIDIOC_ENUM_FRAMEINTERVALS}). */
    public List<FrameInterval> frameIntervals(PixelFormat format, int width, int height) {
        return EnumFrameintervals.enumFrameIntervals(fd, format, width, height);
    }

    /**
     * The current format of the {@code type} queue ({@code VIDIOC_G_FMT}). When it is the same as
     * the last one read or set, the same {@link VideoFormat} object is returned (it is immutable):
     * asking again allocates nothing.
     */
    public VideoFormat format(BufferType type) {
        return fmt.get(fd, Objects.requireNonNull(type, "type"));
    }

    /**
     * Sets a format ({@code VIDIOC_S_FMT}) and returns the one the driver chose, which may differ
     * in size or pixel format from the request: check it.
     */
    public VideoFormat setFormat(VideoFormat request) {
        return fmt.call(fd, Fmt.Op.SET, request);
    }

    /** What {@link #setFormat} would choose for {@code request}, without changing anything ({@code VIDIOC_TRY_FMT}). */
    public VideoFormat tryFormat(VideoFormat request) {
        return fmt.call(fd, Fmt.Op.TRY, request);
    }

    /** The time per frame of the {@code type} queue ({@code VIDIOC_G_PARM}), if the device has one. */
    public Optional<Fraction> frameInterval(BufferType type) {
        return Optional.ofNullable(Parm.frameInterval(fd, type));
    }

    /**
     * Sets the time per frame ({@code VIDIOC_S_PARM}), for example {@code 1/30} for 30 fps, and
     * returns the interval the driver chose.
     *
     * @throws UnsupportedOperationException if the queue has no frame interval setting
     */
    public Fraction setFrameInterval(BufferType type, Fraction interval) {
        return Parm.setFrameInterval(fd, type, interval);
    }

    /** The video inputs ({@code VIDIOC_ENUMINPUT}); empty for devices without inputs. */
    public List<Input> inputs() {
        return Inputs.inputs(fd);
    }

    /** The current input ({@code VIDIOC_G_INPUT}). */
    public int input() {
        return Inputs.input(fd);
    }

    /** Selects an input ({@code VIDIOC_S_INPUT}). */
    public void setInput(int index) {
        Inputs.setInput(fd, index);
    }

    /** The video outputs ({@code VIDIOC_ENUMOUTPUT}); empty for devices without outputs. */
    public List<Output> outputs() {
        return Outputs.outputs(fd);
    }

    /** The current output ({@code VIDIOC_G_OUTPUT}). */
    public int output() {
        return Outputs.output(fd);
    }

    /**
     * Selects an output ({@code VIDIOC_S_OUTPUT}), such as a device's HDMI connector instead of
     * its S-Video one. The output decides the formats and sizes the output queue takes: set the
     * format after it.
     */
    public void setOutput(int index) {
        Outputs.setOutput(fd, index);
    }

    /** A selection rectangle ({@code VIDIOC_G_SELECTION}), such as the crop bounds of a capture queue. */
    public Rect selection(BufferType type, SelectionTarget target) {
        return Selection.selection(fd, type, target, null, 0);
    }

    /** Sets a selection rectangle ({@code VIDIOC_S_SELECTION}); returns the rectangle the driver chose. */
    public Rect setSelection(BufferType type, SelectionTarget target, Rect rect) {
        return Selection.selection(fd, type, target, Objects.requireNonNull(rect, "rect"), 0);
    }

    // ---- controls and events ---------------------------------------------------------------

    /** The device's controls. */
    public Controls controls() {
        checkOpen();
        return controls;
    }

    /** Event subscription and delivery on this file handle. */
    public Events events() {
        checkOpen();
        return events;
    }

    // ---- codec commands --------------------------------------------------------------------

    /** {@code V4L2_ENC_CMD_*} and {@code V4L2_DEC_CMD_*} values for {@link #encoderCommand} and {@link #decoderCommand}. */
    public static final int CMD_START = 0, CMD_STOP = 1, CMD_PAUSE = 2, CMD_RESUME = 3, DEC_CMD_FLUSH = 4;

    /** Sends an encoder command ({@code VIDIOC_ENCODER_CMD}), such as {@link #CMD_STOP} to drain. */
    public void encoderCommand(int cmd, int flags) {
        CodecCmd.encoder(fd, cmd, flags);
    }

    /** Sends a decoder command ({@code VIDIOC_DECODER_CMD}), such as {@link #CMD_STOP} to drain. */
    public void decoderCommand(int cmd, int flags) {
        CodecCmd.decoder(fd, cmd, flags);
    }

    // ---- queues ---------------------------------------------------------------------------

    /**
     * The {@code type} queue of this device. The same object is returned for the same type, so
     * its state (buffers, streaming) is shared by all who hold it.
     */
    public BufferQueue queue(BufferType type) {
        checkOpen();
        synchronized (queues) {
            return queues.computeIfAbsent(type, t -> new BufferQueue(this, fd, t));
        }
    }

    /**
     * The queue of this device's video capture side: {@link BufferType#VIDEO_CAPTURE_MPLANE} for
     * multi-planar devices, else {@link BufferType#VIDEO_CAPTURE}.
     */
    public BufferQueue captureQueue() {
        return queue(capabilities.has(Capability.VIDEO_CAPTURE_MPLANE) || capabilities.has(Capability.VIDEO_M2M_MPLANE)
                ? BufferType.VIDEO_CAPTURE_MPLANE : BufferType.VIDEO_CAPTURE);
    }

    /** The queue of this device's metadata capture side (uvcvideo's metadata node). */
    public BufferQueue metadataQueue() {
        return queue(BufferType.META_CAPTURE);
    }

    /** The queue of this device's video output side (the input of a mem-to-mem device). */
    public BufferQueue outputQueue() {
        return queue(capabilities.has(Capability.VIDEO_OUTPUT_MPLANE) || capabilities.has(Capability.VIDEO_M2M_MPLANE)
                ? BufferType.VIDEO_OUTPUT_MPLANE : BufferType.VIDEO_OUTPUT);
    }

    /** The descriptor, for the library's other types. */
    DeviceFd fd() {
        return fd;
    }

    /**
     * Closes the device. Streaming queues are stopped and their buffers freed first, waking any
     * thread waiting for a frame. Idempotent.
     */
    @Override
    public void close() {
        if (!fd.isOpen()) return;
        List<BufferQueue> open;
        synchronized (queues) {
            open = List.copyOf(queues.values());
        }
        try {
            for (BufferQueue q : open) q.closeBuffers(); // never throws
        } finally {
            fd.close();
        }
    }

    /** Whether a call found the device gone (unplugged): every call now throws {@link DeviceGoneException}. */
    public boolean isGone() {
        return fd.isGone();
    }

    @Override
    public String toString() {
        return "V4l2Device[" + fd + ", " + capabilities.driver() + ", " + capabilities.card() + "]";
    }
}
