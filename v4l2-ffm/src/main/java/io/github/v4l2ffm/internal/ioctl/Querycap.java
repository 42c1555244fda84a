package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.Capabilities;
import io.github.v4l2ffm.V4l2Exception.Reason;
import io.github.v4l2ffm.bindings.Videodev2;
import io.github.v4l2ffm.bindings.v4l2_capability;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Libc;
import io.github.v4l2ffm.internal.Errno;
import io.github.v4l2ffm.internal.Errors.Meaning;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** {@code VIDIOC_QUERYCAP}: what the node is. {@code ENOTTY}: not a V4L2 device. */
public final class Querycap {
    public static final String NAME = "VIDIOC_QUERYCAP";

    private static final long SIZE = v4l2_capability.layout().byteSize();

    // one device's argument and its last answer
    private final MemorySegment arg;
    private final MemorySegment errnoState; // this object's own: it asks under its lock
    private final KeptAnswer<Capabilities> last = new KeptAnswer<>(SIZE);

    /**
     * One device's QUERYCAP: the argument is allocated once and reused under this object's lock;
     * an answer whose bytes equal the previous one returns the previous {@link Capabilities}, so
     * asking again allocates nothing. The memory is freed with this object.
     */
    public Querycap() {
        Arena arena = Arena.ofAuto();
        arg = arena.allocate(SIZE, 8);
        errnoState = Libc.errnoState(arena);
    }

    /** Asks the kernel; the previous answer's record if nothing changed. */
    public synchronized Capabilities query(DeviceFd fd) {
        int r = fd.tryIoctl(Videodev2.VIDIOC_QUERYCAP(), arg, errnoState);
        if (r < 0) throw failure(fd, -r);
        Capabilities same = last.match(arg, SIZE);
        if (same != null) return same;
        Capabilities c = decode(arg);
        last.keep(arg, c);
        return c;
    }

    /** A one-off QUERYCAP with its own argument memory. */
    public static Capabilities querycap(DeviceFd fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cap = arena.allocate(v4l2_capability.layout());
            int r = fd.tryIoctl(Videodev2.VIDIOC_QUERYCAP(), cap);
            if (r < 0) throw failure(fd, -r);
            return decode(cap);
        }
    }

    private static RuntimeException failure(DeviceFd fd, int errno) {
        return fd.failure(NAME, errno, errno == Errno.ENOTTY ? new Meaning(Reason.NOT_SUPPORTED, "not a V4L2 device") : null, null);
    }

    private static Capabilities decode(MemorySegment cap) {
        int caps = v4l2_capability.capabilities(cap);
        int deviceCaps = (caps & Videodev2.V4L2_CAP_DEVICE_CAPS()) != 0 ? v4l2_capability.device_caps(cap) : caps;
        return new Capabilities(CStrings.read(v4l2_capability.driver(cap)), CStrings.read(v4l2_capability.card(cap)),
                CStrings.read(v4l2_capability.bus_info(cap)), v4l2_capability.version(cap), caps, deviceCaps);
    }
}
