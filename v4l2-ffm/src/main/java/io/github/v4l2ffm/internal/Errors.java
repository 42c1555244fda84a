package io.github.v4l2ffm.internal;

import io.github.v4l2ffm.DeviceBusyException;
import io.github.v4l2ffm.DeviceGoneException;
import io.github.v4l2ffm.V4l2Exception;
import io.github.v4l2ffm.V4l2Exception.Reason;

/**
 * The one place that says what an errno means for the call that returned it, and makes the
 * exception for it: {@link DeviceGoneException} for {@code ENODEV} from any call,
 * {@link DeviceBusyException} for {@code EBUSY}, else a {@link V4l2Exception} whose
 * {@link V4l2Exception#reason() reason} and message are those of that call (DQBUF: {@code EIO}
 * is a fatal queue error; STREAMON: {@code ENOSPC} is a lack of USB bandwidth...).
 *
 * <p>Outcomes that are not errors for a call ({@code EAGAIN} from DQBUF: not ready; {@code EPIPE}:
 * the last buffer was dequeued; {@code EINVAL} at the end of an enumeration) are handled by its
 * caller before it gets here.
 */
public final class Errors {
    private Errors() {}

    /** What an errno means for one call. */
    record Meaning(Reason reason, String text) {
    }

    /**
     * The exception for {@code call} failing with {@code errno} on {@code device}.
     *
     * @param context what was being done (a buffer index, a control), or {@code null}
     */
    public static V4l2Exception failure(String call, String device, int errno, String context) {
        Meaning m = meaning(call, errno);
        String detail = m.text() == null ? context : context == null ? m.text() : m.text() + " (" + context + ")";
        return switch (m.reason()) {
            case DEVICE_GONE -> new DeviceGoneException(call, device, errno, detail);
            case BUSY -> new DeviceBusyException(call, device, errno, detail);
            default -> new V4l2Exception(call, device, errno, m.reason(), detail);
        };
    }

    /** What {@code errno} means for {@code call}. */
    static Meaning meaning(String call, int errno) {
        return switch (errno) {
            case Errno.ENODEV -> new Meaning(Reason.DEVICE_GONE, "the device is gone (unplugged, or its driver unbound)");
            case Errno.EBUSY -> new Meaning(Reason.BUSY, switch (call) {
                case "open" -> "the device is busy: another application has it open exclusively";
                case "VIDIOC_REQBUFS", "VIDIOC_CREATE_BUFS", "VIDIOC_S_FMT", "VIDIOC_STREAMON", "VIDIOC_QBUF" ->
                        "the queue is owned by another file handle (another application, or another handle in this one, is using the camera)";
                case "VIDIOC_S_EXT_CTRLS", "VIDIOC_S_CTRL" -> "the control is busy (grabbed while streaming)";
                default -> "the device is busy";
            });
            case Errno.ENOSPC -> call.equals("VIDIOC_STREAMON")
                    ? new Meaning(Reason.NO_BANDWIDTH, "not enough bus bandwidth to stream this format: lower the frame rate or the size,"
                            + " use a compressed format (MJPEG), or move the camera to another USB controller")
                    : new Meaning(Reason.REFUSED, null);
            case Errno.EACCES, Errno.EPERM -> call.equals("open")
                    ? new Meaning(Reason.PERMISSION, "permission denied (add the user to the 'video' group, or give the node a udev rule)")
                    : new Meaning(Reason.PERMISSION, null);
            case Errno.ENOENT, Errno.ENXIO -> call.equals("open") ? new Meaning(Reason.NOT_FOUND, "no such device node")
                    : new Meaning(Reason.REFUSED, null);
            case Errno.ENOTTY -> new Meaning(Reason.NOT_SUPPORTED, call.equals("VIDIOC_QUERYCAP") ? "not a V4L2 device"
                    : "the device does not support this call");
            case Errno.EOPNOTSUPP -> new Meaning(Reason.NOT_SUPPORTED, null);
            case Errno.EIO -> switch (call) {
                case "VIDIOC_DQBUF", "VIDIOC_QBUF", "poll" -> new Meaning(Reason.QUEUE_ERROR,
                        "the driver reported a fatal streaming error: close the Streaming (STREAMOFF) and start again");
                case "VIDIOC_STREAMON" -> new Meaning(Reason.QUEUE_ERROR, "the device could not start streaming");
                default -> new Meaning(Reason.OTHER, "an I/O error in the driver");
            };
            case Errno.ENOMEM -> new Meaning(Reason.NO_MEMORY, "the kernel could not allocate memory for it");
            case Errno.EINVAL -> new Meaning(Reason.REFUSED, switch (call) {
                case "VIDIOC_STREAMON" -> "the driver refused to start streaming";
                case "VIDIOC_QBUF" -> "the driver refused the buffer";
                case "VIDIOC_DQBUF" -> "the queue is not streaming";
                default -> null;
            });
            case Errno.EFAULT -> new Meaning(Reason.REFUSED, "the kernel could not access the memory given to it");
            case Errno.ERANGE, Errno.E2BIG, Errno.EPIPE, Errno.EAGAIN -> new Meaning(Reason.REFUSED, null);
            default -> new Meaning(Reason.OTHER, null);
        };
    }
}
