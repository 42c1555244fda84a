package io.github.v4l2ffm.internal;

import io.github.v4l2ffm.DeviceBusyException;
import io.github.v4l2ffm.DeviceGoneException;
import io.github.v4l2ffm.V4l2Exception;
import io.github.v4l2ffm.V4l2Exception.Reason;

/**
 * Makes the exception for a failed call: {@link DeviceGoneException} for {@code ENODEV} from any
 * call, {@link DeviceBusyException} for {@code EBUSY}, else a {@link V4l2Exception} with a
 * {@link V4l2Exception#reason() reason}.
 *
 * <p>What an errno means depends on the call: each wrapper in {@code internal.ioctl} says it for
 * its own call ({@code VIDIOC_DQBUF}: {@code EIO} is a fatal queue error; {@code VIDIOC_STREAMON}:
 * {@code ENOSPC} is a lack of USB bandwidth...) and passes that {@link Meaning} here; this class
 * gives the meaning every call shares where the wrapper has nothing more specific. Outcomes that
 * are not errors for a call ({@code EAGAIN} from DQBUF: not ready; {@code EPIPE}: the last buffer
 * was dequeued; {@code EINVAL} at the end of an enumeration) never get here.
 */
public final class Errors {
    private Errors() {}

    /**
     * What an errno means for one call.
     *
     * @param reason the classification
     * @param text what it means, for the message, or {@code null}
     */
    public record Meaning(Reason reason, String text) {
    }

    /** The exception for {@code call} failing with {@code errno} on {@code device}, with the meaning every call shares. */
    public static V4l2Exception failure(String call, String device, int errno, String context) {
        return failure(call, device, errno, null, context);
    }

    /**
     * The exception for {@code call} failing with {@code errno} on {@code device}.
     *
     * @param specific what {@code errno} means for this call, or {@code null} for the shared meaning
     * @param context what was being done (a buffer index, a control), or {@code null}
     */
    public static V4l2Exception failure(String call, String device, int errno, Meaning specific, String context) {
        Meaning m = errno == Errno.ENODEV || specific == null ? shared(errno) : specific;
        String detail = m.text() == null ? context : context == null ? m.text() : m.text() + " (" + context + ")";
        return switch (m.reason()) {
            case DEVICE_GONE -> new DeviceGoneException(call, device, errno, detail);
            case BUSY -> new DeviceBusyException(call, device, errno, detail);
            default -> new V4l2Exception(call, device, errno, m.reason(), detail);
        };
    }

    /** What {@code errno} means whatever the call. */
    static Meaning shared(int errno) {
        return switch (errno) {
            case Errno.ENODEV -> new Meaning(Reason.DEVICE_GONE, "the device is gone (unplugged, or its driver unbound)");
            case Errno.EBUSY -> new Meaning(Reason.BUSY, "the device is busy");
            case Errno.EACCES, Errno.EPERM -> new Meaning(Reason.PERMISSION, null);
            case Errno.ENOTTY -> new Meaning(Reason.NOT_SUPPORTED, "the device does not support this call");
            case Errno.EOPNOTSUPP -> new Meaning(Reason.NOT_SUPPORTED, null);
            case Errno.EIO -> new Meaning(Reason.OTHER, "an I/O error in the driver");
            case Errno.ENOMEM -> new Meaning(Reason.NO_MEMORY, "the kernel could not allocate memory for it");
            case Errno.EFAULT -> new Meaning(Reason.REFUSED, "the kernel could not access the memory given to it");
            case Errno.EINVAL, Errno.ERANGE, Errno.E2BIG, Errno.EPIPE, Errno.EAGAIN, Errno.ENOSPC, Errno.ENOENT,
                 Errno.ENXIO, Errno.ENODATA -> new Meaning(Reason.REFUSED, null);
            default -> new Meaning(Reason.OTHER, null);
        };
    }
}
