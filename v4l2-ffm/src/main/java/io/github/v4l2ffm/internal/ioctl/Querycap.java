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

    // one device's argument and its last answer, as bytes and as the record made from them
    private final MemorySegment arg;
    private final MemorySegment lastBytes;
    private final MemorySegment errnoState; // this object's own: it asks under its lock
    private Capabilities last;

    /**
     * One device's QUERYCAP: the argument is allocated once and reused under this object's lock;
     * an answer whose bytes equal the previous one returns the previous {@link Capabilities}, so
     * asking again allocates nothing. The memory is freed with this object.
     */
    public Querycap() {
        Arena arena = Arena.ofAuto();
        MemorySegment both = arena.allocate(2 * SIZE, 8);
        errnoState = Libc.errnoState(arena);
        arg = both.asSlice(0, SIZE);
        lastBytes = both.asSlice(SIZE, SIZE);
    }

    /** Asks the kernel; the previous answer's record if nothing changed. */
    public synchronized Capabilities query(DeviceFd fd) {
        int r = fd.tryIoctl(Videodev2.VIDIOC_QUERYCAP(), arg, errnoState);
        if (r < 0) throw failure(fd, -r);
        if (last != null && arg.mismatch(lastBytes) < 0) return last;
        Capabilities c = decode(arg);
        MemorySegment.copy(arg, 0, lastBytes, 0, SIZE);
        last = c;
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
