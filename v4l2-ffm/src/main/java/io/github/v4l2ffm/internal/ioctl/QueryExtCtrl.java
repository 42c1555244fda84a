package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.ControlInfo;
import io.github.v4l2ffm.ControlType;
import io.github.v4l2ffm.bindings.v4l2_query_ext_ctrl;
import io.github.v4l2ffm.bindings.v4l2_querymenu;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static io.github.v4l2ffm.bindings.Videodev2.*;

/**
 * {@code VIDIOC_QUERY_EXT_CTRL} (a control's description; {@code EINVAL} ends the enumeration or
 * means no such control) with {@code VIDIOC_QUERYMENU} for the items of menu controls
 * ({@code EINVAL}: a skipped item).
 */
public final class QueryExtCtrl {
    private QueryExtCtrl() {}

    public static final String NAME = "VIDIOC_QUERY_EXT_CTRL";

    /** The control after {@code id} (0 for the first), control-class headers and compound controls included; null at the end. */
    public static ControlInfo next(DeviceFd fd, int id) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q = arena.allocate(v4l2_query_ext_ctrl.layout());
            v4l2_query_ext_ctrl.id(q, id | V4L2_CTRL_FLAG_NEXT_CTRL() | V4L2_CTRL_FLAG_NEXT_COMPOUND());
            int r = fd.tryIoctl(VIDIOC_QUERY_EXT_CTRL(), q);
            if (r == -Errno.EINVAL || r == -Errno.ENOTTY) return null;
            if (r < 0) throw fd.failure(NAME, -r, null, null);
            return decode(fd, q, arena);
        }
    }

    /** The control with this ID. */
    public static ControlInfo query(DeviceFd fd, int id) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q = arena.allocate(v4l2_query_ext_ctrl.layout());
            v4l2_query_ext_ctrl.id(q, id);
            int r = fd.tryIoctl(VIDIOC_QUERY_EXT_CTRL(), q);
            if (r < 0) throw fd.failure(NAME, -r, null, String.format("no control 0x%08x", id));
            return decode(fd, q, arena);
        }
    }

    private static ControlInfo decode(DeviceFd fd, MemorySegment q, Arena arena) {
        int id = v4l2_query_ext_ctrl.id(q);
        int typeCode = v4l2_query_ext_ctrl.type(q);
        ControlType type = ControlType.of(typeCode);
        int dims = v4l2_query_ext_ctrl.nr_of_dims(q);
        List<Integer> dimensions = new ArrayList<>();
        for (int i = 0; i < dims; i++) dimensions.add(v4l2_query_ext_ctrl.dims(q, i));
        long min = v4l2_query_ext_ctrl.minimum(q), max = v4l2_query_ext_ctrl.maximum(q);
        List<ControlInfo.MenuItem> menu = List.of();
        if (type == ControlType.MENU || type == ControlType.INTEGER_MENU) {
            menu = menu(fd, id, type, min, max, arena);
        }
        return new ControlInfo(id, type, typeCode, CStrings.read(v4l2_query_ext_ctrl.name(q)), min, max,
                v4l2_query_ext_ctrl.step(q), v4l2_query_ext_ctrl.default_value(q), v4l2_query_ext_ctrl.flags(q),
                v4l2_query_ext_ctrl.elem_size(q), v4l2_query_ext_ctrl.elems(q), List.copyOf(dimensions), menu);
    }

    private static List<ControlInfo.MenuItem> menu(DeviceFd fd, int id, ControlType type, long min, long max, Arena arena) {
        List<ControlInfo.MenuItem> items = new ArrayList<>();
        MemorySegment m = arena.allocate(v4l2_querymenu.layout());
        for (long i = min; i <= max; i++) {
            m.fill((byte) 0);
            v4l2_querymenu.id(m, id);
            v4l2_querymenu.index(m, (int) i);
            int r = fd.tryIoctl(VIDIOC_QUERYMENU(), m);
            if (r == -Errno.EINVAL) continue; // a skipped item
            if (r < 0) throw fd.failure("VIDIOC_QUERYMENU", -r, null, null);
            items.add(type == ControlType.MENU
                    ? new ControlInfo.MenuItem((int) i, CStrings.read(v4l2_querymenu.name(m)), 0)
                    : new ControlInfo.MenuItem((int) i, null, v4l2_querymenu.value(m)));
        }
        return List.copyOf(items);
    }
}
