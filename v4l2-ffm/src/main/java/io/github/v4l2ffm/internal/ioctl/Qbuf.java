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

/**
 * {@code VIDIOC_QBUF}, with its argument made once per stream and reused: queuing allocates
 * nothing. One thread at a time uses an instance (a stream queues under its queue lock): its
 * errno is captured in memory of its own. Set each plane with {@link #plane}, then {@link #queue}. {@code EINVAL}: the driver
 * refused the buffer; {@code EIO}: the queue is in error; {@code EBUSY}: another handle owns it.
 */
public final class Qbuf {
    public static final String NAME = "VIDIOC_QBUF";

    private final MemorySegment buf, m, timestamp;
    private final MemorySegment errnoState; // this call site's own: a stream queues under its queue lock
    private final MemorySegment[] planes, planeMemory; // each plane and its m union, sliced once: queuing slices nothing

    /** The argument for {@code planeCount}-plane buffers of {@code type} and {@code memory}, in {@code arena}. */
    public Qbuf(Arena arena, BufferType type, Memory memory, int planeCount) {
        buf = arena.allocate(v4l2_buffer.layout());
        errnoState = Libc.errnoState(arena);
        m = v4l2_buffer.m(buf);
        timestamp = v4l2_buffer.timestamp(buf);
        v4l2_buffer.type(buf, type.value());
        v4l2_buffer.memory(buf, memory.value());
        if (type.isMultiplanar()) {
            MemorySegment array = arena.allocate(v4l2_plane.layout(), planeCount);
            v4l2_buffer.m.planes(m, array);
            v4l2_buffer.length(buf, planeCount);
            planes = new MemorySegment[planeCount];
            planeMemory = new MemorySegment[planeCount];
            for (int p = 0; p < planeCount; p++) {
                planes[p] = v4l2_plane.asSlice(array, p);
                planeMemory[p] = v4l2_plane.m(planes[p]);
            }
        } else {
            planes = null;
            planeMemory = null;
        }
    }

    /**
     * Describes plane {@code p}: the bytes of data in it (output queues; 0 for capture), its
     * length, and its {@code m} union ({@code memoryRef}): the USERPTR address, the DMABUF
     * descriptor in the union's {@code fd}, 0 for MMAP. The same stores for every memory type:
     * the kernel reads the length and the union only for USERPTR and DMABUF
     * ({@code vb2_fill_vb2_v4l2_buffer}), and a branch here would be compiled for the memory types
     * a JVM met first and undone, in the interpreter, at the next one.
     */
    public void plane(int p, int bytesUsed, long length, long memoryRef) {
        if (planes != null) {
            MemorySegment pl = planes[p];
            v4l2_plane.bytesused(pl, bytesUsed);
            v4l2_plane.length(pl, (int) length);
            v4l2_plane.data_offset(pl, 0);
            v4l2_plane.m.userptr(planeMemory[p], memoryRef);
        } else {
            v4l2_buffer.bytesused(buf, bytesUsed);
            v4l2_buffer.m.userptr(m, memoryRef);
            v4l2_buffer.length(buf, (int) length);
        }
    }

    /**
     * Queues buffer {@code index} with the planes described, its field and timestamp (output
     * queues); {@code queueName} names the queue in an error message (built only then: queuing
     * allocates nothing).
     */
    public void queue(DeviceFd fd, int index, int field, long timestampNanos, String queueName) {
        v4l2_buffer.index(buf, index);
        v4l2_buffer.flags(buf, 0);
        v4l2_buffer.field(buf, field);
        timeval.tv_sec(timestamp, timestampNanos / 1_000_000_000L);
        timeval.tv_usec(timestamp, timestampNanos % 1_000_000_000L / 1000L);
        if (planes != null) v4l2_buffer.length(buf, planes.length);
        int r = fd.tryIoctl(Videodev2.VIDIOC_QBUF(), buf, errnoState);
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
