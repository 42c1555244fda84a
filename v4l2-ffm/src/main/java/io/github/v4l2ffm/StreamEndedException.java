package io.github.v4l2ffm;

/**
 * A wait for a buffer ended because the stream will give no more: it was
 * {@linkplain Streaming#stop() stopped} or {@linkplain Streaming#close() closed} (by this or
 * another thread, or by closing its device), or a mem-to-mem queue is
 * {@linkplain Reason#DRAINED drained}.
 *
 * <p>Thrown by {@link Streaming#dequeue(long)} and {@link Streaming#await(long)}, which return
 * {@code null} / 0 only when the time ran out. Like
 * {@link java.nio.channels.AsynchronousCloseException}, it tells a blocked thread that another one
 * ended its stream.
 */
public final class StreamEndedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** Why the stream ended. */
    public enum Reason {
        /** {@link Streaming#stop()} was called. */
        STOPPED,
        /** The stream (or its buffer set or device) was closed. */
        CLOSED,
        /** The buffer flagged LAST was dequeued ({@code EPIPE}): a drained encoder or decoder. */
        DRAINED
    }

    private final Reason reason;

    public StreamEndedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** Why the stream ended. */
    public Reason reason() {
        return reason;
    }
}
