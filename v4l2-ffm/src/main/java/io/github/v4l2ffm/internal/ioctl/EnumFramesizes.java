package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.FrameSize;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.bindings.*;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static io.github.v4l2ffm.bindings.Videodev2.*;

/** {@code VIDIOC_ENUM_FRAMESIZES}: the frame sizes of a pixel format; {@code EINVAL} ends the list. */
public final class EnumFramesizes {
    private EnumFramesizes() {}

    public static List<FrameSize> enumFrameSizes(DeviceFd fd, PixelFormat format) {
        List<FrameSize> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment e = arena.allocate(v4l2_frmsizeenum.layout());
            for (int i = 0; ; i++) {
                e.fill((byte) 0);
                v4l2_frmsizeenum.index(e, i);
                v4l2_frmsizeenum.pixel_format(e, format.code());
                int r = fd.tryIoctl(VIDIOC_ENUM_FRAMESIZES(), e);
                if (r == -Errno.EINVAL || r == -Errno.ENOTTY) break;
                if (r < 0) throw fd.failure("VIDIOC_ENUM_FRAMESIZES", -r, null, null);
                int type = v4l2_frmsizeenum.type(e);
                if (type == V4L2_FRMSIZE_TYPE_DISCRETE()) {
                    MemorySegment d = v4l2_frmsizeenum.discrete(e);
                    out.add(new FrameSize.Discrete(v4l2_frmsize_discrete.width(d), v4l2_frmsize_discrete.height(d)));
                } else {
                    MemorySegment s = v4l2_frmsizeenum.stepwise(e);
                    out.add(new FrameSize.Stepwise(v4l2_frmsize_stepwise.min_width(s), v4l2_frmsize_stepwise.max_width(s),
                            v4l2_frmsize_stepwise.step_width(s), v4l2_frmsize_stepwise.min_height(s),
                            v4l2_frmsize_stepwise.max_height(s), v4l2_frmsize_stepwise.step_height(s),
                            type == V4L2_FRMSIZE_TYPE_CONTINUOUS()));
                    break; // stepwise and continuous have a single entry
                }
            }
        }
        return List.copyOf(out);
    }
}
