package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.Capabilities;
import io.github.v4l2ffm.V4l2Exception.Reason;
import io.github.v4l2ffm.bindings.Videodev2;
import io.github.v4l2ffm.bindings.v4l2_capability;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errno;
import io.github.v4l2ffm.internal.Errors.Meaning;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** {@code VIDIOC_QUERYCAP}: what the node is. {@code ENOTTY}: not a V4L2 device. */
public final class Querycap {
    private Querycap() {}

    public static final String NAME = "VIDIOC_QUERYCAP";

    public static Capabilities querycap(DeviceFd fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cap = arena.allocate(v4l2_capability.layout());
            int r = fd.tryIoctl(Videodev2.VIDIOC_QUERYCAP(), cap);
            if (r < 0) {
                throw fd.failure(NAME, -r, -r == Errno.ENOTTY ? new Meaning(Reason.NOT_SUPPORTED, "not a V4L2 device") : null, null);
            }
            int caps = v4l2_capability.capabilities(cap);
            int deviceCaps = (caps & Videodev2.V4L2_CAP_DEVICE_CAPS()) != 0 ? v4l2_capability.device_caps(cap) : caps;
            return new Capabilities(CStrings.read(v4l2_capability.driver(cap)), CStrings.read(v4l2_capability.card(cap)),
                    CStrings.read(v4l2_capability.bus_info(cap)), v4l2_capability.version(cap), caps, deviceCaps);
        }
    }
}
