package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.BufferType;
import io.github.v4l2ffm.V4l2Exception.Reason;
import io.github.v4l2ffm.bindings.Videodev2;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errno;
import io.github.v4l2ffm.internal.Errors.Meaning;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;

/**
 * {@code VIDIOC_STREAMON} and {@code VIDIOC_STREAMOFF}. STREAMON: {@code ENOSPC} is a USB camera
 * without the bandwidth for the format; {@code EINVAL} and {@code EIO} a driver that refused to
 * start; {@code EBUSY} another handle owning the queue. STREAMOFF also takes back the buffers
 * queued before a refused STREAMON.
 */
public final class Streamon {
    private Streamon() {}

    public static final String STREAMON = "VIDIOC_STREAMON";
    public static final String STREAMOFF = "VIDIOC_STREAMOFF";

    public static void streamon(DeviceFd fd, BufferType type) {
        int r = call(fd, Videodev2.VIDIOC_STREAMON(), type);
        if (r < 0) throw fd.failure(STREAMON, -r, meaning(-r), null);
    }

    /** STREAMOFF; 0, or {@code -errno} (the callers, closing, have nothing to do about a failure). */
    public static int streamoff(DeviceFd fd, BufferType type) {
        return call(fd, Videodev2.VIDIOC_STREAMOFF(), type);
    }

    private static int call(DeviceFd fd, long request, BufferType type) {
        try (Arena a = Arena.ofConfined()) {
            return fd.tryIoctl(request, a.allocateFrom(ValueLayout.JAVA_INT, type.value()));
        }
    }

    static Meaning meaning(int errno) {
        return switch (errno) {
            case Errno.ENOSPC -> new Meaning(Reason.NO_BANDWIDTH, "not enough bus bandwidth to stream this format: lower the frame rate"
                    + " or the size, use a compressed format (MJPEG), or move the camera to another USB controller");
            case Errno.EINVAL -> new Meaning(Reason.REFUSED, "the driver refused to start streaming");
            case Errno.EIO -> new Meaning(Reason.QUEUE_ERROR, "the device could not start streaming (uvcvideo says so when"
                    + " no alternate setting of a USB camera has the bandwidth the format needs: lower the frame rate or the size,"
                    + " or use MJPEG)");
            case Errno.EBUSY -> Buffers.QUEUE_BUSY;
            default -> null;
        };
    }
}
