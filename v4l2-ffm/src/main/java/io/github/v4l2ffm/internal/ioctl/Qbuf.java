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
import io.github.v4l2ffm.internal.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code VIDIOC_QBUF}. Each buffer has an argument of its own ({@link #argument}), made at its
 * first queue with what never changes (type, memory, index, each plane's length and {@code m}
 * union): queuing a capture buffer again writes one field, its flags, and allocates nothing.
 * The kernel writes the argument back at each queue with those same values, and the flags, field,
 * bytes used and time of the buffer's last frame, which it does not read from a capture buffer
 * ({@code vb2_fill_vb2_v4l2_buffer}); an output buffer's bytes used, field and time are written
 * before each queue ({@link #outputPlane}, {@link #outputFrame}). {@code EINVAL}: the driver
 * refused the buffer; {@code EIO}: the queue is in error; {@code EBUSY}: another handle owns it.
 */
public final class Qbuf {
    public static final String NAME = "VIDIOC_QBUF";

    private static final long STRUCT = v4l2_buffer.layout().byteSize();
    private static final long PLANE = v4l2_plane.layout().byteSize();
    private static final long PLANE_BYTES = v4l2_plane.bytesused$offset();
    private static final long PLANE_OFFSET = v4l2_plane.data_offset$offset();
    private static final long TV_SEC = v4l2_buffer.timestamp$offset() + timeval.tv_sec$offset();
    private static final long TV_USEC = v4l2_buffer.timestamp$offset() + timeval.tv_usec$offset();

    private final int type, memory, planeCount;
    private final boolean multiplanar;
    private final MemorySegment errnoState; // this call site's own: a stream queues under its queue lock

    /** Arguments for {@code planeCount}-plane buffers of {@code type} and {@code memory}; errno is captured in {@code arena}. */
    public Qbuf(Arena arena, BufferType type, Memory memory, int planeCount) {
        this.errnoState = Libc.errnoState(arena);
        this.type = type.value();
        this.memory = memory.value();
        this.planeCount = planeCount;
        this.multiplanar = type.isMultiplanar();
    }

    /**
     * A new argument for buffer {@code index}, whose planes are {@code lengths} long and whose
     * {@code m} unions are {@code memoryRefs} (the USERPTR address, the DMABUF descriptor in the
     * union's {@code fd}, 0 for MMAP), in memory of its own that lives as long as the segment:
     * the caller keeps it with the buffer and queues the buffer with it every time.
     */
    public MemorySegment argument(int index, long[] lengths, long[] memoryRefs) {
        MemorySegment buf = Arena.ofAuto().allocate(STRUCT + (multiplanar ? PLANE * planeCount : 0), 8);
        v4l2_buffer.type(buf, type);
        v4l2_buffer.memory(buf, memory);
        v4l2_buffer.index(buf, index);
        MemorySegment m = v4l2_buffer.m(buf);
        if (multiplanar) {
            MemorySegment array = buf.asSlice(STRUCT, PLANE * planeCount);
            v4l2_buffer.m.planes(m, array);
            v4l2_buffer.length(buf, planeCount);
            for (int p = 0; p < planeCount; p++) {
                MemorySegment pl = v4l2_plane.asSlice(array, p);
                v4l2_plane.length(pl, (int) lengths[p]);
                v4l2_plane.m.userptr(v4l2_plane.m(pl), memoryRefs[p]);
            }
        } else {
            v4l2_buffer.length(buf, (int) lengths[0]);
            v4l2_buffer.m.userptr(m, memoryRefs[0]);
        }
        return buf;
    }

    /** For an output buffer: plane {@code p} of {@code argument} holds {@code bytesUsed} bytes, from its start. */
    public void outputPlane(MemorySegment argument, int p, int bytesUsed) {
        if (multiplanar) {
            argument.set(ValueLayout.JAVA_INT, STRUCT + PLANE * p + PLANE_BYTES, bytesUsed);
            argument.set(ValueLayout.JAVA_INT, STRUCT + PLANE * p + PLANE_OFFSET, 0);
        } else {
            v4l2_buffer.bytesused(argument, bytesUsed);
        }
    }

    /** For an output buffer: its field and timestamp. */
    public void outputFrame(MemorySegment argument, int field, long timestampNanos) {
        v4l2_buffer.field(argument, field);
        argument.set(ValueLayout.JAVA_LONG, TV_SEC, timestampNanos / 1_000_000_000L);
        argument.set(ValueLayout.JAVA_LONG, TV_USEC, timestampNanos % 1_000_000_000L / 1000L);
    }

    /**
     * Queues, on {@code held} (the number of {@code fd} its caller holds: {@link DeviceFd#tryIoctlHeld}),
     * the buffer whose {@link #argument} is {@code argument} (buffer {@code index}, which
     * names it in an error message with {@code queueName}, both built only then). With errno
     * captured in memory of this object's own; not asked again to learn why it failed, as DQBUF
     * is: a driver may refuse a buffer once and take it the next time ({@link Libc#ioctlRepeatable}).
     */
    public void queue(DeviceFd fd, int held, MemorySegment argument, int index, String queueName) {
        v4l2_buffer.flags(argument, 0);
        int r = fd.tryIoctlHeld(held, Videodev2.VIDIOC_QBUF(), argument, errnoState);
        if (r < 0) throw refused(fd, -r, index, queueName);
    }

    /** The exception for a refused buffer: apart from {@link #queue}, which stays small enough to inline. */
    private static RuntimeException refused(DeviceFd fd, int errno, int index, String queueName) {
        return fd.failure(NAME, errno, meaning(errno), "buffer " + index + " of " + queueName);
    }

    static Meaning meaning(int errno) {
        return switch (errno) {
            case Errno.EINVAL -> new Meaning(Reason.REFUSED, "the driver refused the buffer");
            case Errno.EIO -> Buffers.QUEUE_ERROR;
            case Errno.EBUSY -> Buffers.QUEUE_BUSY;
            default -> null;
        };
    }
}
