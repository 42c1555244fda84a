package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.BufferType;
import io.github.v4l2ffm.Memory;
import io.github.v4l2ffm.V4l2Exception.Reason;
import io.github.v4l2ffm.bindings.Videodev2;
import io.github.v4l2ffm.bindings.v4l2_requestbuffers;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errno;
import io.github.v4l2ffm.internal.Errors.Meaning;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * {@code VIDIOC_REQBUFS}: allocates (count &gt; 0) or frees (count 0) a queue's buffers; with count
 * 0 and no buffers, a query of the memory types the queue supports. {@code EBUSY}: another file
 * handle owns the queue; {@code EINVAL}: the driver refuses the count, memory type or format.
 */
public final class Reqbufs {
    private Reqbufs() {}

    public static final String NAME = "VIDIOC_REQBUFS";

    /**
     * What the driver granted.
     *
     * @param count the number of buffers, which may differ from the count asked for
     * @param capabilities {@code V4L2_BUF_CAP_*} (0 before Linux 4.20)
     */
    public record Granted(int count, int capabilities) {
    }

    public static Granted reqbufs(DeviceFd fd, BufferType type, Memory memory, int count) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment r = arena.allocate(v4l2_requestbuffers.layout());
            v4l2_requestbuffers.count(r, count);
            v4l2_requestbuffers.type(r, type.value());
            v4l2_requestbuffers.memory(r, memory.value());
            int rc = fd.tryIoctl(Videodev2.VIDIOC_REQBUFS(), r);
            if (rc < 0) {
                throw fd.failure(NAME, -rc, meaning(-rc, count, memory), null);
            }
            return new Granted(v4l2_requestbuffers.count(r), v4l2_requestbuffers.capabilities(r));
        }
    }

    static Meaning meaning(int errno, int count, Memory memory) {
        return switch (errno) {
            case Errno.EBUSY -> Buffers.QUEUE_BUSY;
            case Errno.EINVAL -> new Meaning(Reason.REFUSED, count > 0
                    ? "the driver refused " + count + " " + memory + " buffers for the current format"
                    : "the driver refused to free the buffers");
            default -> null;
        };
    }

    /** Whether {@code capabilities} says the queue supports {@code memory}. */
    public static boolean supports(int capabilities, Memory memory) {
        return (capabilities & switch (memory) {
            case MMAP -> Videodev2.V4L2_BUF_CAP_SUPPORTS_MMAP();
            case USERPTR -> Videodev2.V4L2_BUF_CAP_SUPPORTS_USERPTR();
            case DMABUF -> Videodev2.V4L2_BUF_CAP_SUPPORTS_DMABUF();
        }) != 0;
    }
}
