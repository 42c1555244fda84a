package io.github.v4l2ffm;

import java.nio.file.Path;

/**
 * A stateful V4L2 video decoder (the kernel's "Memory-to-Memory Stateful Video Decoder
 * Interface"): the coded stream goes into its OUTPUT queue; the decoder parses the stream's
 * headers, announces the frame format with a {@code SOURCE_CHANGE} event, and decoded frames
 * come out of its CAPTURE queue, which this class sets up (and sets up again on a resolution
 * change) when the event arrives.
 *
 * <pre>{@code
 * try (VideoDecoder dec = VideoDecoder.open(Path.of("/dev/video4"), PixelFormat.FWHT, 1 << 20, 4)) {
 *     V4l2Buffer in = dec.freeInput(1000);      // copy coded data into in.segment(0)
 *     dec.queueInput(in, length, timestampNanos);
 *     V4l2Buffer frame = dec.dequeueFrame(1000); // null until the first frame is decoded
 *     VideoFormat f = dec.frameFormat();
 *     dec.requeueFrame(frame);
 * }
 * }</pre>
 */
public final class VideoDecoder implements AutoCloseable {
    private final V4l2Device device;
    private final boolean ownsDevice;
    private final VideoFormat codedFormat;
    private final BufferSet inputSet;
    private Streaming input;
    private final Events.Subscription sourceChange;
    private final Events.Subscription eos;
    private final int captureExtra;
    private BufferSet frameSet;
    private Streaming frames;
    private VideoFormat frameFormat;
    private int sourceChanges;
    private boolean pendingChange;
    private boolean eosSeen;

    private VideoDecoder(V4l2Device device, boolean ownsDevice, PixelFormat coded, int codedBufferSize, int inputBuffers, int captureExtra) {
        this.device = device;
        this.ownsDevice = ownsDevice;
        this.captureExtra = captureExtra;
        BufferQueue in = device.outputQueue();
        codedFormat = in.setFormat(VideoFormat.of(in.type(), 0, 0, coded, codedBufferSize));
        if (!codedFormat.pixelFormat().equals(coded)) {
            throw new IllegalArgumentException(device.path() + " does not decode " + coded + " (it takes "
                    + in.formats().stream().map(d -> d.pixelFormat().fourcc()).toList() + ")");
        }
        sourceChange = device.events().subscribe(V4l2Event.Type.SOURCE_CHANGE, 0);
        eos = device.events().subscribe(V4l2Event.Type.EOS, 0);
        inputSet = in.allocate(inputBuffers);
        input = inputSet.start();
    }

    /**
     * Opens the decoder at {@code path} for the coded format {@code coded}, with
     * {@code inputBuffers} input buffers of {@code codedBufferSize} bytes each.
     */
    public static VideoDecoder open(Path path, PixelFormat coded, int codedBufferSize, int inputBuffers) {
        V4l2Device dev = V4l2Device.open(path);
        try {
            return new VideoDecoder(dev, true, coded, codedBufferSize, inputBuffers, 2);
        } catch (RuntimeException | Error e) {
            dev.close();
            throw e;
        }
    }

    /** The device. */
    public V4l2Device device() {
        return device;
    }

    /** The coded format of the input. */
    public VideoFormat codedFormat() {
        return codedFormat;
    }

    /** The decoded frames' format, once the decoder has announced it; {@code null} before. */
    public VideoFormat frameFormat() {
        return frameFormat;
    }

    /** How many times the decoder announced a (new) frame format. */
    public int sourceChanges() {
        return sourceChanges;
    }

    /** Whether the decoder signalled the end of a drain (the EOS event or a LAST buffer). */
    public boolean isDrained() {
        return eosSeen && (frames == null || frames.isDrained());
    }

    /** An input buffer to fill: never queued yet, or consumed by the decoder; {@code null} on timeout. */
    public V4l2Buffer freeInput(long timeoutMillis) {
        return input.freeBuffer(timeoutMillis);
    }

    /** Queues {@code bytesUsed} bytes of coded stream. */
    public void queueInput(V4l2Buffer coded, int bytesUsed, long timestampNanos) {
        coded.setBytesUsed(0, bytesUsed);
        coded.setTimestampNanos(timestampNanos);
        input.queue(coded);
    }

    /**
     * The next decoded frame, waiting up to {@code timeoutMillis}; {@code null} on timeout or once
     * drained. Handles the decoder's events on the way: on {@code SOURCE_CHANGE} it (re)allocates
     * the frame buffers for the new format, after the old ones have been drained.
     */
    public V4l2Buffer dequeueFrame(long timeoutMillis) {
        long deadline = Streaming.deadline(timeoutMillis);
        while (true) {
            handleEvents();
            if (frames != null) {
                V4l2Buffer b = frames.dequeueUnlessDrained(0);
                if (b != null) {
                    if (b.isLast() && pendingChange) {
                        // the old resolution's last frame: reallocate before going on
                        frames.queue(b);
                        reallocate();
                        if (b.bytesUsed(0) == 0) continue;
                    }
                    if (b.isLast() && b.bytesUsed(0) == 0) {
                        frames.queue(b);
                        return null;
                    }
                    return b;
                }
                if (frames.isDrained()) {
                    if (pendingChange) {
                        reallocate();
                        continue;
                    }
                    return null;
                }
            }
            int left = Streaming.remaining(deadline);
            if (left == 0) return null;
            waitForDevice(left < 0 ? Streaming.FOREVER : left);
        }
    }

    private void waitForDevice(long millis) {
        // frames and events share the device's poll; before the frame queue exists, only events matter
        if (frames != null) {
            if (!frames.isDrained()) frames.await(Math.min(millis, 50));
        } else {
            V4l2Event e = device.events().await(Math.min(millis, 50));
            if (e != null) onEvent(e);
        }
    }

    private void handleEvents() {
        java.util.Optional<V4l2Event> e;
        while ((e = device.events().poll()).isPresent()) onEvent(e.get());
    }

    private void onEvent(V4l2Event e) {
        switch (e.type()) {
            case SOURCE_CHANGE -> {
                sourceChanges++;
                if (frames == null) {
                    reallocate();
                } else {
                    pendingChange = true; // the decoder ends the old format with a LAST buffer
                }
            }
            case EOS -> eosSeen = true;
            default -> { }
        }
    }

    private void reallocate() {
        pendingChange = false;
        if (frameSet != null) frameSet.close();
        BufferQueue q = device.captureQueue();
        frameFormat = q.format();
        int min = 1;
        try {
            min = (int) device.controls().get(Cid.MIN_BUFFERS_FOR_CAPTURE);
        } catch (V4l2Exception ignored) {
            // the control is optional
        }
        frameSet = q.allocate(min + captureExtra);
        frames = frameSet.start();
    }

    /** Gives a decoded frame's buffer back to the decoder. */
    public void requeueFrame(V4l2Buffer frame) {
        frames.queue(frame);
    }

    /** Returns consumed input buffers without waiting; how many. */
    public int reclaimInputs() {
        return input.dequeueReady();
    }

    /**
     * Seeks: drops every coded buffer not yet decoded ({@code STREAMOFF}/{@code STREAMON} of the
     * OUTPUT queue, the interface's flush). Frames already decoded stay dequeueable; feed the
     * stream again from a point the decoder can start at (a key frame).
     */
    public void flush() {
        input.close();
        input = inputSet.start();
    }

    /** Starts a drain ({@code DECODER_CMD STOP}): every queued input is decoded, then the last frame comes flagged LAST. */
    public void drain() {
        device.decoderCommand(V4l2Device.CMD_STOP, 0);
    }

    /** Restarts after a drain ({@code DECODER_CMD START}). */
    public void restart() {
        device.decoderCommand(V4l2Device.CMD_START, 0);
        eosSeen = false;
        if (frames != null) {
            frames.clearDrained();
            for (V4l2Buffer b : frameSet.buffers()) if (!b.isQueued()) frames.queue(b);
        }
    }

    /** Stops every queue and frees the buffers; closes the device if the decoder opened it. */
    @Override
    public void close() {
        try {
            if (frameSet != null) frameSet.close();
            inputSet.close();
            sourceChange.close();
            eos.close();
        } finally {
            if (ownsDevice) device.close();
        }
    }
}
