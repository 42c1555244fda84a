package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.BufferType;
import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.bindings.*;
import io.github.v4l2ffm.internal.DeviceFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.github.v4l2ffm.bindings.Videodev2.*;

/** {@code VIDIOC_G_PARM} and {@code VIDIOC_S_PARM}: the time per frame. */
public final class Parm {
    private Parm() {}

    /** G_PARM; returns the frame interval, or null when the queue does not have one. */
    public static Fraction frameInterval(DeviceFd fd, BufferType type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(v4l2_streamparm.layout());
            v4l2_streamparm.type(s, type.value());
            fd.ioctl("VIDIOC_G_PARM", VIDIOC_G_PARM(), s);
            return interval(s, type);
        }
    }

    private static Fraction interval(MemorySegment s, BufferType type) {
        MemorySegment parm = v4l2_streamparm.parm(s);
        if (type.isOutput()) {
            MemorySegment o = v4l2_streamparm.parm.output(parm);
            return (v4l2_outputparm.capability(o) & V4L2_CAP_TIMEPERFRAME()) == 0 ? null : EnumFrameintervals.fraction(v4l2_outputparm.timeperframe(o));
        }
        MemorySegment c = v4l2_streamparm.parm.capture(parm);
        return (v4l2_captureparm.capability(c) & V4L2_CAP_TIMEPERFRAME()) == 0 ? null : EnumFrameintervals.fraction(v4l2_captureparm.timeperframe(c));
    }

    /** S_PARM with a frame interval; returns the interval the driver chose. */
    public static Fraction setFrameInterval(DeviceFd fd, BufferType type, Fraction interval) {
        if (interval.numerator() <= 0 || interval.denominator() <= 0) {
            throw new IllegalArgumentException("a frame interval is a positive fraction of a second: " + interval);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(v4l2_streamparm.layout());
            v4l2_streamparm.type(s, type.value());
            MemorySegment parm = v4l2_streamparm.parm(s);
            MemorySegment tpf = type.isOutput() ? v4l2_outputparm.timeperframe(v4l2_streamparm.parm.output(parm))
                    : v4l2_captureparm.timeperframe(v4l2_streamparm.parm.capture(parm));
            v4l2_fract.numerator(tpf, interval.numerator());
            v4l2_fract.denominator(tpf, interval.denominator());
            fd.ioctl("VIDIOC_S_PARM", VIDIOC_S_PARM(), s);
            Fraction chosen = interval(s, type);
            if (chosen == null) {
                throw new UnsupportedOperationException(fd.path() + " has no frame interval setting on its " + type + " queue");
            }
            return chosen;
        }
    }
}
