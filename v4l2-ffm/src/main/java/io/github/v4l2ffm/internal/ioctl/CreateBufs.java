package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.Memory;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.bindings.Videodev2;
import io.github.v4l2ffm.bindings.v4l2_create_buffers;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** {@code VIDIOC_CREATE_BUFS}: adds buffers to a queue, also while it streams. {@code EBUSY}: another handle owns the queue. */
public final class CreateBufs {
    private CreateBufs() {}

    public static final String NAME = "VIDIOC_CREATE_BUFS";

    /**
     * What the driver created.
     *
     * @param first the index of the first new buffer
     * @param count how many it created
     */
    public record Created(int first, int count) {
    }

    public static Created createBufs(DeviceFd fd, Memory memory, int count, VideoFormat format) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment c = a.allocate(v4l2_create_buffers.layout());
            v4l2_create_buffers.count(c, count);
            v4l2_create_buffers.memory(c, memory.value());
            Fmt.encode(v4l2_create_buffers.format(c), format);
            int r = fd.tryIoctl(Videodev2.VIDIOC_CREATE_BUFS(), c);
            if (r < 0) throw fd.failure(NAME, -r, -r == Errno.EBUSY ? Buffers.QUEUE_BUSY : null, null);
            return new Created(v4l2_create_buffers.index(c), v4l2_create_buffers.count(c));
        }
    }
}
