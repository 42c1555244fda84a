package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.BufferType;
import io.github.v4l2ffm.Memory;
import io.github.v4l2ffm.bindings.Videodev2;
import io.github.v4l2ffm.bindings.v4l2_buffer;
import io.github.v4l2ffm.bindings.v4l2_plane;
import io.github.v4l2ffm.internal.DeviceFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** {@code VIDIOC_QUERYBUF}: where each plane of an MMAP buffer is, for mmap. */
public final class Querybuf {
    private Querybuf() {}

    public static final String NAME = "VIDIOC_QUERYBUF";

    /**
     * One plane of a buffer.
     *
     * @param length its length in bytes
     * @param offset the offset to mmap it at
     */
    public record Plane(long length, long offset) {
    }

    public static Plane[] querybuf(DeviceFd fd, BufferType type, int index, int planeCount) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(v4l2_buffer.layout());
            MemorySegment planes = arena.allocate(v4l2_plane.layout(), planeCount);
            v4l2_buffer.index(b, index);
            v4l2_buffer.type(b, type.value());
            v4l2_buffer.memory(b, Memory.MMAP.value());
            if (type.isMultiplanar()) {
                v4l2_buffer.m.planes(v4l2_buffer.m(b), planes);
                v4l2_buffer.length(b, planeCount);
            }
            fd.ioctl(NAME, Videodev2.VIDIOC_QUERYBUF(), b);
            Plane[] out = new Plane[planeCount];
            for (int p = 0; p < planeCount; p++) {
                if (type.isMultiplanar()) {
                    MemorySegment pl = v4l2_plane.asSlice(planes, p);
                    out[p] = new Plane(Integer.toUnsignedLong(v4l2_plane.length(pl)),
                            Integer.toUnsignedLong(v4l2_plane.m.mem_offset(v4l2_plane.m(pl))));
                } else {
                    out[p] = new Plane(Integer.toUnsignedLong(v4l2_buffer.length(b)),
                            Integer.toUnsignedLong(v4l2_buffer.m.offset(v4l2_buffer.m(b))));
                }
            }
            return out;
        }
    }
}
