package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.BufferType;
import io.github.v4l2ffm.Memory;
import io.github.v4l2ffm.V4l2Exception.Reason;
import io.github.v4l2ffm.bindings.Videodev2;
import io.github.v4l2ffm.bindings.timeval;
import io.github.v4l2ffm.bindings.v4l2_buffer;
import io.github.v4l2ffm.bindings.v4l2_plane;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errno;
import io.github.v4l2ffm.internal.Errors.Meaning;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code VIDIOC_DQBUF}, with its argument made once per stream and reused: dequeuing allocates
 * nothing. Its outcomes: a buffer; {@code EAGAIN}, none ready yet; {@code EPIPE}, the buffer
 * flagged LAST was dequeued already (a drained mem-to-mem queue). Errors: {@code EIO}, a fatal
 * queue error; {@code EINVAL}, the queue is not streaming; {@code ENODEV}, the device is gone.
 */
public final class Dqbuf {
    public static final String NAME = "VIDIOC_DQBUF";

    /** What a dequeue gave. */
    public enum Outcome {
        /** A buffer: read it with the accessors. */
        DEQUEUED,
        /** No buffer is ready ({@code EAGAIN}). */
        NOT_READY,
        /** The queue is drained: its LAST buffer was dequeued ({@code EPIPE}). */
        LAST
    }

    private static final long TV_SEC = v4l2_buffer.timestamp$offset() + timeval.tv_sec$offset();
    private static final long TV_USEC = v4l2_buffer.timestamp$offset() + timeval.tv_usec$offset();

    private final MemorySegment buf;
    private final MemorySegment[] planes;

    public Dqbuf(Arena arena, BufferType type, Memory memory, int planeCount) {
        buf = arena.allocate(v4l2_buffer.layout());
        v4l2_buffer.type(buf, type.value());
        v4l2_buffer.memory(buf, memory.value());
        if (type.isMultiplanar()) {
            MemorySegment array = arena.allocate(v4l2_plane.layout(), planeCount);
            v4l2_buffer.m.planes(v4l2_buffer.m(buf), array);
            planes = new MemorySegment[planeCount];
            for (int p = 0; p < planeCount; p++) planes[p] = v4l2_plane.asSlice(array, p);
        } else {
            planes = null;
        }
    }

    /** Dequeues on {@code held}, the number of {@code fd} its caller holds ({@link DeviceFd#tryIoctlHeld}). */
    public Outcome dequeue(DeviceFd fd, int held, String context) {
        if (planes != null) v4l2_buffer.length(buf, planes.length);
        int r = fd.tryIoctlRepeatableHeld(held, Videodev2.VIDIOC_DQBUF(), buf);
        if (r >= 0) return Outcome.DEQUEUED;
        return switch (-r) {
            case Errno.EAGAIN -> Outcome.NOT_READY;
            case Errno.EPIPE -> Outcome.LAST;
            default -> throw fd.failure(NAME, -r, meaning(-r), context);
        };
    }

    static Meaning meaning(int errno) {
        return switch (errno) {
            case Errno.EIO -> Buffers.QUEUE_ERROR;
            case Errno.EINVAL -> new Meaning(Reason.REFUSED, "the queue is not streaming");
            default -> null;
        };
    }

    public int index() {
        return v4l2_buffer.index(buf);
    }

    public int sequence() {
        return v4l2_buffer.sequence(buf);
    }

    public int flags() {
        return v4l2_buffer.flags(buf);
    }

    public int field() {
        return v4l2_buffer.field(buf);
    }

    /** The buffer's timestamp in nanoseconds: read from the argument itself, with no slice of its own for C2 to check apart. */
    public long timestampNanos() {
        return buf.get(ValueLayout.JAVA_LONG, TV_SEC) * 1_000_000_000L + buf.get(ValueLayout.JAVA_LONG, TV_USEC) * 1000L;
    }

    /**
     * Each plane's bytes of data and data offset into {@code bytesUsed} and {@code dataOffset}
     * (a single-planar buffer's offset is always 0: only its bytes used are written). A
     * single-planar buffer takes no loop: a loop over its one plane, compiled, cost some 50
     * instructions a frame, counted under {@code --icount}.
     */
    public void planes(int[] bytesUsed, int[] dataOffset) {
        MemorySegment[] pl = planes;
        if (pl == null) {
            bytesUsed[0] = v4l2_buffer.bytesused(buf);
            return;
        }
        for (int p = 0; p < pl.length; p++) {
            bytesUsed[p] = v4l2_plane.bytesused(pl[p]);
            dataOffset[p] = v4l2_plane.data_offset(pl[p]);
        }
    }
}
