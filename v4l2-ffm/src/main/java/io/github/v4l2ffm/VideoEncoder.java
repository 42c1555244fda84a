package io.github.v4l2ffm;

import java.nio.file.Path;
import java.util.List;

/**
 * A stateful V4L2 video encoder (the kernel's "Memory-to-Memory Stateful Video Encoder
 * Interface"): raw frames go into its OUTPUT queue, the coded stream comes out of its CAPTURE
 * queue. Works with any such encoder by device path: vicodec's FWHT encoder, a Raspberry Pi's or
 * a Rockchip board's H.264 encoder.
 *
 * <pre>{@code
 * var config = new VideoEncoder.Config(640, 360, PixelFormat.YUV420, PixelFormat.FWHT, new Fraction(1, 30));
 * try (VideoEncoder enc = VideoEncoder.open(Path.of("/dev/video3"), config)) {
 *     V4l2Buffer in = enc.freeInput(1000);           // fill in.segment(0) with a raw frame
 *     enc.queueInput(in, enc.rawFormat().sizeImage(), timestampNanos);
 *     V4l2Buffer coded = enc.dequeueOutput(1000);   // coded.bytesUsed(0) bytes of stream
 *     enc.requeueOutput(coded);
 *     enc.drain();                              // ENCODER_CMD STOP: the last buffer comes flagged LAST
 * }
 * }</pre>
 *
 * <p>Setup follows the interface's order: coded format on CAPTURE, raw format on OUTPUT, frame
 * rate, buffers on both queues, streaming on both. Encoding parameters are controls
 * ({@link #device()}{@code .controls()}). The encoder's input can be MMAP buffers (fill them) or
 * imported dma-bufs ({@link Config#importInput}): then frames from a camera's exported buffers
 * reach the encoder with no copy.
 */
public final class VideoEncoder implements AutoCloseable {

    /**
     * What to encode.
     *
     * @param width frame width
     * @param height frame height
     * @param rawFormat the raw pixel format fed in, such as {@link PixelFormat#YUV420}
     * @param codedFormat the coded format, such as {@link PixelFormat#H264} or {@link PixelFormat#FWHT}
     * @param frameInterval time per frame, or {@code null} to keep the driver's
     * @param inputBuffers number of OUTPUT (raw) buffers, for MMAP input
     * @param outputBuffers number of CAPTURE (coded) buffers
     * @param importInput dma-bufs to use as the input buffers (DMABUF import), or {@code null} for MMAP
     */
    public record Config(int width, int height, PixelFormat rawFormat, PixelFormat codedFormat, Fraction frameInterval,
                         int inputBuffers, int outputBuffers, List<DmaBuf> importInput) {
        /** MMAP input, 4 buffers each way. */
        public Config(int width, int height, PixelFormat rawFormat, PixelFormat codedFormat, Fraction frameInterval) {
            this(width, height, rawFormat, codedFormat, frameInterval, 4, 4, null);
        }

        /** The same configuration with the input buffers imported from {@code dmaBufs}. */
        public Config importing(List<DmaBuf> dmaBufs) {
            return new Config(width, height, rawFormat, codedFormat, frameInterval, dmaBufs.size(), outputBuffers, List.copyOf(dmaBufs));
        }
    }

    private final V4l2Device device;
    private final boolean ownsDevice;
    private final VideoFormat rawFormat;
    private final VideoFormat codedFormat;
    private final BufferSet inputSet;
    private final BufferSet outputSet;
    private final Streaming input;
    private Streaming output;
    private boolean draining;

    private VideoEncoder(V4l2Device device, boolean ownsDevice, Config c) {
        this.device = device;
        this.ownsDevice = ownsDevice;
        BufferQueue in = device.outputQueue(), out = device.captureQueue();
        // 1. the coded format on CAPTURE first: it decides what the OUTPUT side accepts
        codedFormat = out.setFormat(c.width(), c.height(), c.codedFormat());
        if (!codedFormat.pixelFormat().equals(c.codedFormat())) {
            throw new IllegalArgumentException(device.path() + " does not encode to " + c.codedFormat() + " (it offers "
                    + out.formats().stream().map(d -> d.pixelFormat().fourcc()).toList() + ")");
        }
        // 2. the raw format and size on OUTPUT
        rawFormat = in.setFormat(c.width(), c.height(), c.rawFormat());
        if (!rawFormat.pixelFormat().equals(c.rawFormat()) || rawFormat.width() < c.width() || rawFormat.height() < c.height()) {
            throw new IllegalArgumentException(device.path() + " cannot encode " + c.width() + "x" + c.height() + " "
                    + c.rawFormat() + ": it proposes " + rawFormat);
        }
        if (rawFormat.width() != c.width() || rawFormat.height() != c.height()) {
            // the driver aligned the coded size: the visible picture is the crop rectangle
            device.setSelection(in.type(), SelectionTarget.CROP, new Rect(0, 0, c.width(), c.height()));
        }
        // 3. the frame rate
        if (c.frameInterval() != null) {
            try {
                device.setFrameInterval(in.type(), c.frameInterval());
            } catch (UnsupportedOperationException | V4l2Exception e) {
                // an encoder without rate control: the interval only informs bitrate control
            }
        }
        // 4. buffers and streaming on both queues
        BufferSet is = null, os = null;
        Streaming ins = null;
        try {
            is = c.importInput() != null ? in.importDmaBufs(c.importInput()) : in.allocate(c.inputBuffers());
            os = out.allocate(c.outputBuffers());
            ins = is.start();
            output = os.start();
        } catch (RuntimeException | Error e) {
            if (os != null) os.close();
            if (is != null) is.close();
            throw e;
        }
        inputSet = is;
        outputSet = os;
        input = ins;
    }

    /** Opens the encoder at {@code path} and sets it up; the device is closed with the encoder. */
    public static VideoEncoder open(Path path, Config config) {
        V4l2Device dev = V4l2Device.open(path);
        try {
            return new VideoEncoder(dev, true, config);
        } catch (RuntimeException | Error e) {
            dev.close();
            throw e;
        }
    }

    /** Sets up an encoder on an open device; the device stays open after {@link #close()}. */
    public static VideoEncoder on(V4l2Device device, Config config) {
        return new VideoEncoder(device, false, config);
    }

    /** The device. */
    public V4l2Device device() {
        return device;
    }

    /**
     * The raw format the encoder takes: input frames are laid out in it. Its size is the coded
     * size, which an encoder may align above the requested one (vicodec: to 8 or 16 lines); the
     * picture is then the requested size at the top left.
     */
    public VideoFormat rawFormat() {
        return rawFormat;
    }

    /** The coded format it produces. */
    public VideoFormat codedFormat() {
        return codedFormat;
    }

    /** The input (OUTPUT queue) buffers. */
    public BufferSet inputBuffers() {
        return inputSet;
    }

    /** The coded (CAPTURE queue) buffers. */
    public BufferSet outputBuffers() {
        return outputSet;
    }

    /**
     * An input buffer the application may fill: one never queued yet, or one the encoder has
     * finished with (waiting up to {@code timeoutMillis}); {@code null} on timeout.
     */
    public V4l2Buffer freeInput(long timeoutMillis) {
        return input.freeBuffer(timeoutMillis);
    }

    /** The input buffer with this index, for imported input (it matches the exporting buffer's index). */
    public V4l2Buffer input(int index) {
        return inputSet.buffer(index);
    }

    /** Returns finished input buffers to the application without waiting; how many were returned. */
    public int reclaimInputs() {
        return input.dequeueReady();
    }

    /** Queues a raw frame of {@code bytesUsed} bytes with its timestamp (copied to the coded buffer). */
    public void queueInput(V4l2Buffer raw, int bytesUsed, long timestampNanos) {
        if (draining) throw new IllegalStateException("the encoder is draining: restart() it first");
        raw.setBytesUsed(0, bytesUsed);
        raw.setTimestampNanos(timestampNanos);
        input.queue(raw);
    }

    /**
     * The next coded buffer, waiting up to {@code timeoutMillis}; {@code null} on timeout or once
     * drained. A buffer flagged {@link V4l2Buffer#isLast() LAST} ends a drain (it may hold no data).
     */
    public V4l2Buffer dequeueOutput(long timeoutMillis) {
        return output.dequeueUnlessDrained(timeoutMillis);
    }

    /** Gives a coded buffer back to the encoder once its data has been used. */
    public void requeueOutput(V4l2Buffer coded) {
        output.queue(coded);
    }

    /**
     * Starts a drain ({@code ENCODER_CMD STOP}): the encoder encodes what it has, and the last
     * coded buffer comes flagged LAST; {@link #isDrained()} then turns true.
     */
    public void drain() {
        device.encoderCommand(V4l2Device.CMD_STOP, 0);
        draining = true;
    }

    /** Whether a drain has completed (the LAST buffer was dequeued). */
    public boolean isDrained() {
        return output.isDrained();
    }

    /**
     * Restarts after a drain: {@code ENCODER_CMD START}, and the CAPTURE queue restarted
     * ({@code STREAMOFF}/{@code STREAMON}, every coded buffer queued again), which the interface
     * allows after a drain and which every stateful encoder honours.
     */
    public void restart() {
        try {
            device.encoderCommand(V4l2Device.CMD_START, 0);
        } catch (V4l2Exception e) {
            // some encoders only restart through the CAPTURE queue, done next
        }
        output.close();
        output = outputSet.start();
        draining = false;
    }

    /** Stops both queues and frees their buffers; closes the device if the encoder opened it. */
    @Override
    public void close() {
        try {
            outputSet.close();
            inputSet.close();
        } finally {
            if (ownsDevice) device.close();
        }
    }
}
