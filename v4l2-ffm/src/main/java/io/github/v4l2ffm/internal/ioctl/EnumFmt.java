package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.BufferType;
import io.github.v4l2ffm.FormatDescription;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.bindings.*;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static io.github.v4l2ffm.bindings.Videodev2.*;

/** {@code VIDIOC_ENUM_FMT}: the pixel formats a queue offers; {@code EINVAL} ends the list. */
public final class EnumFmt {
    private EnumFmt() {}

    public static List<FormatDescription> enumFormats(DeviceFd fd, BufferType type) {
        List<FormatDescription> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment d = arena.allocate(v4l2_fmtdesc.layout());
            for (int i = 0; ; i++) {
                d.fill((byte) 0);
                v4l2_fmtdesc.index(d, i);
                v4l2_fmtdesc.type(d, type.value());
                int r = fd.tryIoctl(VIDIOC_ENUM_FMT(), d);
                if (r == -Errno.EINVAL) break; // end of the list (or a type the device does not have)
                if (r < 0) throw fd.failure("VIDIOC_ENUM_FMT", -r, null, null);
                out.add(new FormatDescription(i, type, new PixelFormat(v4l2_fmtdesc.pixelformat(d)),
                        CStrings.read(v4l2_fmtdesc.description(d)), v4l2_fmtdesc.flags(d), v4l2_fmtdesc.mbus_code(d)));
            }
        }
        return List.copyOf(out);
    }
}
