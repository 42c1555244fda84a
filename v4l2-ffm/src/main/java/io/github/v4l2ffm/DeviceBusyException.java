package io.github.v4l2ffm;

/**
 * The device or one of its queues is in use by another file handle, usually another application
 * ({@code EBUSY}, reason {@link V4l2Exception.Reason#BUSY}). Nothing was changed: retry later, or
 * ask the user to close the other application.
 */
public final class DeviceBusyException extends V4l2Exception {
    private static final long serialVersionUID = 1L;

    public DeviceBusyException(String operation, String device, int errno, String detail) {
        super(operation, device, errno, Reason.BUSY, detail);
    }
}
