package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.FrameInterval;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.bindings.*;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static io.github.v4l2ffm.bindings.Videodev2.*;

/** {@code VIDIOC_ENUM_FRAMEINTERVALS}: the frame intervals of a format and size; {@code EINVAL} ends the list. */
public final class EnumFrameintervals {
    private EnumFrameintervals() {}

    public static List<FrameInterval> enumFrameIntervals(DeviceFd fd, PixelFormat format, int width, int height) {
        List<FrameInterval> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment e = arena.allocate(v4l2_frmivalenum.layout());
            for (int i = 0; ; i++) {
                e.fill((byte) 0);
                v4l2_frmivalenum.index(e, i);
                v4l2_frmivalenum.pixel_format(e, format.code());
                v4l2_frmivalenum.width(e, width);
                v4l2_frmivalenum.height(e, height);
                int r = fd.tryIoctl(VIDIOC_ENUM_FRAMEINTERVALS(), e);
                if (r == -Errno.EINVAL || r == -Errno.ENOTTY) break;
                if (r < 0) throw fd.failure("VIDIOC_ENUM_FRAMEINTERVALS", -r, null, null);
                int type = v4l2_frmivalenum.type(e);
                if (type == V4L2_FRMIVAL_TYPE_DISCRETE()) {
                    out.add(new FrameInterval.Discrete(fraction(v4l2_frmivalenum.discrete(e))));
                } else {
                    MemorySegment s = v4l2_frmivalenum.stepwise(e);
                    out.add(new FrameInterval.Stepwise(fraction(v4l2_frmival_stepwise.min(s)),
                            fraction(v4l2_frmival_stepwise.max(s)), fraction(v4l2_frmival_stepwise.step(s)),
                            type == V4L2_FRMIVAL_TYPE_CONTINUOUS()));
                    break;
                }
            }
        }
        return List.copyOf(out);
    }

    public static Fraction fraction(MemorySegment f) {
        return new Fraction(v4l2_fract.numerator(f), v4l2_fract.denominator(f));
    }
}
