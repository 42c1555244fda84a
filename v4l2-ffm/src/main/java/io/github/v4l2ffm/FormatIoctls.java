package io.github.v4l2ffm;

import io.github.v4l2ffm.bindings.v4l2_captureparm;
import io.github.v4l2ffm.bindings.v4l2_fmtdesc;
import io.github.v4l2ffm.bindings.v4l2_format;
import io.github.v4l2ffm.bindings.v4l2_fract;
import io.github.v4l2ffm.bindings.v4l2_frmival_stepwise;
import io.github.v4l2ffm.bindings.v4l2_frmivalenum;
import io.github.v4l2ffm.bindings.v4l2_frmsize_discrete;
import io.github.v4l2ffm.bindings.v4l2_frmsize_stepwise;
import io.github.v4l2ffm.bindings.v4l2_frmsizeenum;
import io.github.v4l2ffm.bindings.v4l2_input;
import io.github.v4l2ffm.bindings.v4l2_outputparm;
import io.github.v4l2ffm.bindings.v4l2_pix_format;
import io.github.v4l2ffm.bindings.v4l2_pix_format_mplane;
import io.github.v4l2ffm.bindings.v4l2_plane_pix_format;
import io.github.v4l2ffm.bindings.v4l2_rect;
import io.github.v4l2ffm.bindings.v4l2_selection;
import io.github.v4l2ffm.bindings.v4l2_streamparm;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static io.github.v4l2ffm.bindings.Videodev2.*;

/** The format, frame rate, input and selection ioctls, one small wrapper each. */
final class FormatIoctls {
    private FormatIoctls() {}

    static List<FormatDescription> enumFormats(DeviceFd fd, BufferType type) {
        List<FormatDescription> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment d = arena.allocate(v4l2_fmtdesc.layout());
            for (int i = 0; ; i++) {
                d.fill((byte) 0);
                v4l2_fmtdesc.index(d, i);
                v4l2_fmtdesc.type(d, type.value());
                int r = fd.tryIoctl(VIDIOC_ENUM_FMT(), d);
                if (r == -Errno.EINVAL) break; // end of the list (or a type the device does not have)
                if (r < 0) throw fd.failure("VIDIOC_ENUM_FMT", -r);
                out.add(new FormatDescription(i, type, new PixelFormat(v4l2_fmtdesc.pixelformat(d)),
                        V4l2Device.string(v4l2_fmtdesc.description(d)), v4l2_fmtdesc.flags(d), v4l2_fmtdesc.mbus_code(d)));
            }
        }
        return List.copyOf(out);
    }

    static List<FrameSize> enumFrameSizes(DeviceFd fd, PixelFormat format) {
        List<FrameSize> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment e = arena.allocate(v4l2_frmsizeenum.layout());
            for (int i = 0; ; i++) {
                e.fill((byte) 0);
                v4l2_frmsizeenum.index(e, i);
                v4l2_frmsizeenum.pixel_format(e, format.code());
                int r = fd.tryIoctl(VIDIOC_ENUM_FRAMESIZES(), e);
                if (r == -Errno.EINVAL || r == -Errno.ENOTTY) break;
                if (r < 0) throw fd.failure("VIDIOC_ENUM_FRAMESIZES", -r);
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

    static List<FrameInterval> enumFrameIntervals(DeviceFd fd, PixelFormat format, int width, int height) {
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
                if (r < 0) throw fd.failure("VIDIOC_ENUM_FRAMEINTERVALS", -r);
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

    static Fraction fraction(MemorySegment f) {
        return new Fraction(v4l2_fract.numerator(f), v4l2_fract.denominator(f));
    }

    /** G_FMT, S_FMT or TRY_FMT. */
    static VideoFormat format(DeviceFd fd, String name, long request, VideoFormat in) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment f = arena.allocate(v4l2_format.layout());
            encode(f, in);
            int r = fd.tryIoctl(request, f);
            if (r < 0) {
                throw fd.failure(name, -r, -r == Errno.EINVAL ? "the device has no " + in.type() + " queue" : null);
            }
            return decode(f, in.type());
        }
    }

    static void encode(MemorySegment f, VideoFormat in) {
        v4l2_format.type(f, in.type().value());
        MemorySegment u = v4l2_format.fmt(f);
        if (in.type().isMultiplanar()) {
            MemorySegment mp = v4l2_format.fmt.pix_mp(u);
            v4l2_pix_format_mplane.width(mp, in.width());
            v4l2_pix_format_mplane.height(mp, in.height());
            v4l2_pix_format_mplane.pixelformat(mp, in.pixelFormat() == null ? 0 : in.pixelFormat().code());
            v4l2_pix_format_mplane.field(mp, in.field().value());
            v4l2_pix_format_mplane.colorspace(mp, in.colorspace());
            v4l2_pix_format_mplane.num_planes(mp, (byte) in.planes().size());
            for (int i = 0; i < in.planes().size(); i++) {
                MemorySegment p = v4l2_pix_format_mplane.plane_fmt(mp, i);
                v4l2_plane_pix_format.bytesperline(p, in.planes().get(i).bytesPerLine());
                v4l2_plane_pix_format.sizeimage(p, in.planes().get(i).sizeImage());
            }
            v4l2_pix_format_mplane.flags(mp, (byte) in.flags());
            v4l2_pix_format_mplane.ycbcr_enc(mp, (byte) in.ycbcrEncoding());
            v4l2_pix_format_mplane.quantization(mp, (byte) in.quantization());
            v4l2_pix_format_mplane.xfer_func(mp, (byte) in.transferFunction());
        } else {
            MemorySegment p = v4l2_format.fmt.pix(u);
            v4l2_pix_format.width(p, in.width());
            v4l2_pix_format.height(p, in.height());
            v4l2_pix_format.pixelformat(p, in.pixelFormat() == null ? 0 : in.pixelFormat().code());
            v4l2_pix_format.field(p, in.field().value());
            if (!in.planes().isEmpty()) {
                v4l2_pix_format.bytesperline(p, in.planes().getFirst().bytesPerLine());
                v4l2_pix_format.sizeimage(p, in.planes().getFirst().sizeImage());
            }
            v4l2_pix_format.colorspace(p, in.colorspace());
            v4l2_pix_format.flags(p, in.flags());
            v4l2_pix_format.ycbcr_enc(p, in.ycbcrEncoding());
            v4l2_pix_format.quantization(p, in.quantization());
            v4l2_pix_format.xfer_func(p, in.transferFunction());
        }
    }

    static VideoFormat decode(MemorySegment f, BufferType type) {
        MemorySegment u = v4l2_format.fmt(f);
        if (type.isMultiplanar()) {
            MemorySegment mp = v4l2_format.fmt.pix_mp(u);
            int n = Byte.toUnsignedInt(v4l2_pix_format_mplane.num_planes(mp));
            PlaneFormat[] planes = new PlaneFormat[Math.min(n, 8)];
            for (int i = 0; i < planes.length; i++) {
                MemorySegment p = v4l2_pix_format_mplane.plane_fmt(mp, i);
                planes[i] = new PlaneFormat(v4l2_plane_pix_format.bytesperline(p), v4l2_plane_pix_format.sizeimage(p));
            }
            return new VideoFormat(type, v4l2_pix_format_mplane.width(mp), v4l2_pix_format_mplane.height(mp),
                    new PixelFormat(v4l2_pix_format_mplane.pixelformat(mp)), FieldOrder.of(v4l2_pix_format_mplane.field(mp)),
                    List.of(planes), v4l2_pix_format_mplane.colorspace(mp),
                    Byte.toUnsignedInt(v4l2_pix_format_mplane.ycbcr_enc(mp)),
                    Byte.toUnsignedInt(v4l2_pix_format_mplane.quantization(mp)),
                    Byte.toUnsignedInt(v4l2_pix_format_mplane.xfer_func(mp)),
                    Byte.toUnsignedInt(v4l2_pix_format_mplane.flags(mp)));
        }
        MemorySegment p = v4l2_format.fmt.pix(u);
        return new VideoFormat(type, v4l2_pix_format.width(p), v4l2_pix_format.height(p),
                new PixelFormat(v4l2_pix_format.pixelformat(p)), FieldOrder.of(v4l2_pix_format.field(p)),
                List.of(new PlaneFormat(v4l2_pix_format.bytesperline(p), v4l2_pix_format.sizeimage(p))),
                v4l2_pix_format.colorspace(p), v4l2_pix_format.ycbcr_enc(p), v4l2_pix_format.quantization(p),
                v4l2_pix_format.xfer_func(p), v4l2_pix_format.flags(p));
    }

    /** G_PARM; returns the frame interval, or null when the queue does not have one. */
    static Fraction frameInterval(DeviceFd fd, BufferType type) {
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
            return (v4l2_outputparm.capability(o) & V4L2_CAP_TIMEPERFRAME()) == 0 ? null : fraction(v4l2_outputparm.timeperframe(o));
        }
        MemorySegment c = v4l2_streamparm.parm.capture(parm);
        return (v4l2_captureparm.capability(c) & V4L2_CAP_TIMEPERFRAME()) == 0 ? null : fraction(v4l2_captureparm.timeperframe(c));
    }

    /** S_PARM with a frame interval; returns the interval the driver chose. */
    static Fraction setFrameInterval(DeviceFd fd, BufferType type, Fraction interval) {
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

    static List<Input> inputs(DeviceFd fd) {
        List<Input> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(v4l2_input.layout());
            for (int i = 0; ; i++) {
                in.fill((byte) 0);
                v4l2_input.index(in, i);
                int r = fd.tryIoctl(VIDIOC_ENUMINPUT(), in);
                if (r == -Errno.EINVAL || r == -Errno.ENOTTY) break;
                if (r < 0) throw fd.failure("VIDIOC_ENUMINPUT", -r);
                out.add(new Input(i, V4l2Device.string(v4l2_input.name(in)), v4l2_input.type(in), v4l2_input.status(in),
                        v4l2_input.std(in), v4l2_input.capabilities(in)));
            }
        }
        return List.copyOf(out);
    }

    static int input(DeviceFd fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment i = arena.allocate(java.lang.foreign.ValueLayout.JAVA_INT);
            fd.ioctl("VIDIOC_G_INPUT", VIDIOC_G_INPUT(), i);
            return i.get(java.lang.foreign.ValueLayout.JAVA_INT, 0);
        }
    }

    static void setInput(DeviceFd fd, int index) {
        if (index < 0) throw new IllegalArgumentException("input index must not be negative: " + index);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment i = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_INT, index);
            fd.ioctl("VIDIOC_S_INPUT", VIDIOC_S_INPUT(), i);
        }
    }

    static Rect selection(DeviceFd fd, String name, long request, BufferType type, SelectionTarget target, Rect rect, int flags) {
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
