package io.github.v4l2ffm;

import io.github.v4l2ffm.internal.Errno;

/**
 * A system call on a V4L2 device (or a dma-buf, a DMA heap...) failed.
 *
 * <p>Its message names the operation (an ioctl such as {@code VIDIOC_S_FMT}, or {@code open},
 * {@code mmap}...), the device path, the errno with its number, symbolic name and text, and what
 * that errno means for that call, for example:
 * <pre>VIDIOC_REQBUFS on /dev/video0 failed: EBUSY (16, Device or resource busy): the queue is owned by another file handle (another application is using the camera)</pre>
 *
 * <p>{@link #reason()} classifies the failure so that a program can react to it without reading
 * errno numbers; the two reasons a camera program most often handles have their own types:
 * <ul>
 *   <li>{@link DeviceGoneException} ({@link Reason#DEVICE_GONE}): the device was unplugged or its
 *       driver unbound. Every later call on the same handle fails at once with it; close the
 *       device (closing never throws) and open it again when it comes back.</li>
 *   <li>{@link DeviceBusyException} ({@link Reason#BUSY}): another file handle, usually another
 *       application, owns the device or its queue.</li>
 * </ul>
 * Misuse that the library detects before calling the kernel (a closed device, a queue in the
 * wrong state, a bad argument) is reported with {@link IllegalStateException} or
 * {@link IllegalArgumentException} instead.
 */
public class V4l2Exception extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What a failure means, whatever the call. */
    public enum Reason {
        /** The device is gone: unplugged, or its driver unbound ({@code ENODEV}). */
        DEVICE_GONE,
        /** The device or queue is in use by another file handle or application ({@code EBUSY}). */
        BUSY,
        /** Not enough bus bandwidth to start streaming ({@code ENOSPC} from {@code VIDIOC_STREAMON}, USB cameras). */
        NO_BANDWIDTH,
        /** The user may not open the device ({@code EACCES}, {@code EPERM}). */
        PERMISSION,
        /** No such device node ({@code ENOENT}, {@code ENXIO}). */
        NOT_FOUND,
        /** The device does not support the call ({@code ENOTTY}, {@code EOPNOTSUPP}). */
        NOT_SUPPORTED,
        /** The driver refused the arguments or the call in the queue's current state ({@code EINVAL}, {@code ERANGE}...). */
        REFUSED,
        /** The driver reported a fatal streaming error ({@code EIO} on the queue): stop streaming and start again. */
        QUEUE_ERROR,
        /** The kernel ran out of memory ({@code ENOMEM}). */
        NO_MEMORY,
        /** Any other errno. */
        OTHER
    }

    private final String operation;
    private final String device;
    private final int errno;
    private final Reason reason;

    /**
     * @param operation the failed call, such as {@code "VIDIOC_QBUF"} or {@code "open"}
     * @param device the device path the call was made on
     * @param errno the errno the kernel returned
     * @param reason what the failure means
     * @param detail what it means in context, or {@code null}
     */
    public V4l2Exception(String operation, String device, int errno, Reason reason, String detail) {
        super(operation + " on " + device + " failed: " + Errno.name(errno) + " (" + errno + ", "
                + Errno.text(errno) + ")" + (detail == null ? "" : ": " + detail));
        this.operation = operation;
        this.device = device;
        this.errno = errno;
        this.reason = reason;
    }

    /** The failed call: an ioctl name such as {@code "VIDIOC_S_FMT"}, or a libc function name. */
    public String operation() {
        return operation;
    }

    /** The path of the device the call was made on. */
    public String device() {
        return device;
    }

    /** The errno number, such as 22 for {@code EINVAL}. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, such as {@code "EINVAL"}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** What the failure means. */
    public Reason reason() {
        return reason;
    }
}
