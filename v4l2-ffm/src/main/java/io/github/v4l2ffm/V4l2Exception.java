package io.github.v4l2ffm;

import io.github.v4l2ffm.internal.Errno;

/**
 * A system call on a V4L2 device failed.
 *
 * <p>The one exception type the library throws for kernel errors. Its message names the
 * operation (an ioctl such as {@code VIDIOC_S_FMT}, or {@code open}, {@code mmap}...), the device
 * path, and the errno with its number, symbolic name and text, for example:
 * <pre>VIDIOC_QUERYCAP on /dev/null failed: ENOTTY (25, Inappropriate ioctl for device): not a V4L2 device</pre>
 * Misuse that the library detects before calling the kernel (a closed device, a queue in the
 * wrong state) is reported with {@link IllegalStateException} or {@link IllegalArgumentException}
 * instead.
 */
public class V4l2Exception extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final String device;
    private final int errno;

    /**
     * @param operation the failed call, such as {@code "VIDIOC_QBUF"} or {@code "open"}
     * @param device the device path the call was made on
     * @param errno the errno the kernel returned
     * @param detail what it means in context, or {@code null}
     */
    public V4l2Exception(String operation, String device, int errno, String detail) {
        super(operation + " on " + device + " failed: " + Errno.name(errno) + " (" + errno + ", "
                + Errno.text(errno) + ")" + (detail == null ? "" : ": " + detail));
        this.operation = operation;
        this.device = device;
        this.errno = errno;
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
}
