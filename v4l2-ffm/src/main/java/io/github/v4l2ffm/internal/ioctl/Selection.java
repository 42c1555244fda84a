package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.BufferType;
import io.github.v4l2ffm.Rect;
import io.github.v4l2ffm.SelectionTarget;
import io.github.v4l2ffm.bindings.*;
import io.github.v4l2ffm.internal.DeviceFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.github.v4l2ffm.bindings.Videodev2.*;

/** {@code VIDIOC_G_SELECTION} and {@code VIDIOC_S_SELECTION}: crop and compose rectangles. */
public final class Selection {
    private Selection() {}

    /** G_SELECTION when {@code rect} is null, else S_SELECTION; the rectangle the driver has or chose. */
    public static Rect selection(DeviceFd fd, BufferType type, SelectionTarget target, Rect rect, int flags) {
        String name = rect == null ? "VIDIOC_G_SELECTION" : "VIDIOC_S_SELECTION";
        long request = rect == null ? VIDIOC_G_SELECTION() : VIDIOC_S_SELECTION();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(v4l2_selection.layout());
            // the selection API names single-planar types; the kernel maps multi-planar ones itself
            v4l2_selection.type(s, type.value());
            v4l2_selection.target(s, target.value());
            v4l2_selection.flags(s, flags);
            MemorySegment r = v4l2_selection.r(s);
            if (rect != null) {
                if (rect.width() < 0 || rect.height() < 0) throw new IllegalArgumentException("negative rectangle size: " + rect);
                v4l2_rect.left(r, rect.left());
                v4l2_rect.top(r, rect.top());
                v4l2_rect.width(r, rect.width());
                v4l2_rect.height(r, rect.height());
            }
            fd.ioctl(name, request, s);
            return new Rect(v4l2_rect.left(r), v4l2_rect.top(r), v4l2_rect.width(r), v4l2_rect.height(r));
        }
    }
}
