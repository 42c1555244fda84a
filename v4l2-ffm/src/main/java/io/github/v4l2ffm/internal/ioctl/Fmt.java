package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.BufferType;
import io.github.v4l2ffm.FieldOrder;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.PlaneFormat;
import io.github.v4l2ffm.V4l2Exception.Reason;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.bindings.*;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Libc;
import io.github.v4l2ffm.internal.Errno;
import io.github.v4l2ffm.internal.Errors.Meaning;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static io.github.v4l2ffm.bindings.Videodev2.*;

/**
 * {@code VIDIOC_G_FMT}, {@code VIDIOC_S_FMT}, {@code VIDIOC_TRY_FMT}, and the {@code v4l2_format}
 * they exchange. {@code EINVAL}: the device has no queue of that type; {@code EBUSY} (S_FMT): the
 * queue has buffers, or another handle owns it.
 */
public final class Fmt {

    /** Which of the three. */
    public enum Op {
        GET("VIDIOC_G_FMT"), SET("VIDIOC_S_FMT"), TRY("VIDIOC_TRY_FMT");

        final String call;

        Op(String call) {
            this.call = call;
        }
    }

    private static final long SIZE = v4l2_format.layout().byteSize();
    private static final BufferType[] TYPES = BufferType.values();

    // the bytes a format's record is made from: the type and its padding, then v4l2_pix_format
    // (v4l2_meta_format is shorter) or the whole v4l2_pix_format_mplane. The rest of the union is
    // 0 in every answer (the kernel clears it before the driver fills it in)
    private static final long SINGLE_PLANAR_BYTES = v4l2_format.fmt$offset() + v4l2_pix_format.layout().byteSize();

    // one device's argument, and per buffer type the last answer
    private final MemorySegment arg;
    private final MemorySegment errnoState; // this object's own: it asks under its lock
    @SuppressWarnings("unchecked")
    private final KeptAnswer<VideoFormat>[] last = new KeptAnswer[TYPES.length];

    /**
     * One device's G_FMT, S_FMT and TRY_FMT: the argument is allocated once and reused under this
     * object's lock; an answer whose bytes equal the last G_FMT or S_FMT answer for its type
     * returns that answer's {@link VideoFormat}, so asking again allocates nothing. The memory is
     * freed with this object.
     */
    public Fmt() {
        Arena arena = Arena.ofAuto();
        arg = arena.allocate(v4l2_format.layout());
        errnoState = Libc.errnoState(arena);
    }

    /** The current format of the {@code type} queue ({@code VIDIOC_G_FMT}). */
    public synchronized VideoFormat get(DeviceFd fd, BufferType type) {
        // the kernel clears the answer's union itself for every type but the two overlays, whose
        // clip list and bitmap pointers it reads (v4l_g_fmt, since Linux 3.17): 200 bytes not
        // cleared twice (the padding after the type is only ever 0 here)
        if (type == BufferType.VIDEO_OVERLAY || type == BufferType.VIDEO_OUTPUT_OVERLAY) arg.fill((byte) 0);
        v4l2_format.type(arg, type.value());
        int r = fd.tryIoctl(VIDIOC_G_FMT(), arg, errnoState);
        if (r < 0) throw fd.failure(Op.GET.call, -r, meaning(Op.GET, -r, type), null);
        return answer(type, true);
    }

    /** The format the driver chose for {@code in} (SET, TRY); GET reads the current format of {@code in}'s type. */
    public synchronized VideoFormat call(DeviceFd fd, Op op, VideoFormat in) {
        if (op == Op.GET) return get(fd, in.type());
        arg.fill((byte) 0);
        encode(arg, in);
        int r = fd.tryIoctl(op == Op.SET ? VIDIOC_S_FMT() : VIDIOC_TRY_FMT(), arg, errnoState);
        if (r < 0) throw fd.failure(op.call, -r, meaning(op, -r, in.type()), null);
        return answer(in.type(), op == Op.SET);
    }

    /** The record for the answer in {@code arg}: the kept one if the bytes are the same; {@code keep}: keep this one. */
    private VideoFormat answer(BufferType type, boolean keep) {
        KeptAnswer<VideoFormat> kept = last[type.ordinal()];
        VideoFormat same = kept == null ? null : kept.match(arg, type.isMultiplanar() ? SIZE : SINGLE_PLANAR_BYTES);
        if (same != null) return same;
        VideoFormat f = decode(arg, type);
        if (keep) {
            if (kept == null) last[type.ordinal()] = kept = new KeptAnswer<>(SIZE);
            kept.keep(arg, f);
        }
        return f;
    }

    public static Meaning meaning(Op op, int errno, BufferType type) {
        return switch (errno) {
            case Errno.EINVAL -> new Meaning(Reason.NOT_SUPPORTED, "the device has no " + type + " queue");
            case Errno.EBUSY -> op == Op.SET ? Buffers.QUEUE_BUSY : null;
            default -> null;
        };
    }

    public static void encode(MemorySegment f, VideoFormat in) {
        v4l2_format.type(f, in.type().value());
        MemorySegment u = v4l2_format.fmt(f);
        if (in.type().isMeta()) {
            MemorySegment m = v4l2_format.fmt.meta(u);
            v4l2_meta_format.dataformat(m, in.pixelFormat() == null ? 0 : in.pixelFormat().code());
            v4l2_meta_format.buffersize(m, in.planes().isEmpty() ? 0 : in.planes().getFirst().sizeImage());
        } else if (in.type().isMultiplanar()) {
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

    public static VideoFormat decode(MemorySegment f, BufferType type) {
        MemorySegment u = v4l2_format.fmt(f);
        if (type.isMeta()) { // v4l2_meta_format: a data format and a buffer size
            MemorySegment m = v4l2_format.fmt.meta(u);
            return new VideoFormat(type, 0, 0, new PixelFormat(v4l2_meta_format.dataformat(m)), FieldOrder.NONE,
                    List.of(new PlaneFormat(0, v4l2_meta_format.buffersize(m))), 0, 0, 0, 0, 0);
        }
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
}
