package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.BufferType;
import io.github.v4l2ffm.bindings.Videodev2;
import io.github.v4l2ffm.bindings.v4l2_exportbuffer;
import io.github.v4l2ffm.internal.DeviceFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** {@code VIDIOC_EXPBUF}: a plane of an MMAP buffer as a new dma-buf descriptor. */
public final class Expbuf {
    private Expbuf() {}

    public static final String NAME = "VIDIOC_EXPBUF";

    /** The new dma-buf's descriptor, opened with {@code flags} ({@code O_RDWR | O_CLOEXEC}). */
    public static int expbuf(DeviceFd fd, BufferType type, int index, int plane, int flags, String context) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = a.allocate(v4l2_exportbuffer.layout());
            v4l2_exportbuffer.type(e, type.value());
            v4l2_exportbuffer.index(e, index);
            v4l2_exportbuffer.plane(e, plane);
            v4l2_exportbuffer.flags(e, flags);
            int r = fd.tryIoctl(Videodev2.VIDIOC_EXPBUF(), e);
            if (r < 0) throw fd.failure(NAME, -r, null, context);
            return v4l2_exportbuffer.fd(e);
        }
    }
}
