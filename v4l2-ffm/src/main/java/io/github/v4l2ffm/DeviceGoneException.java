package io.github.v4l2ffm;

/**
 * The device is gone: unplugged, or its driver unbound ({@code ENODEV}, reason
 * {@link V4l2Exception.Reason#DEVICE_GONE}).
 *
 * <p>Every thread waiting on the device (a {@code dequeue}, an {@code await}, an event wait) is
 * woken with it, and every later call on the same {@link V4l2Device} fails at once with it.
 * Closing the streams, buffer sets and the device afterwards never throws and releases every
 * descriptor and mapping. To go on, open the device again once it is back.
 */
public final class DeviceGoneException extends V4l2Exception {
    private static final long serialVersionUID = 1L;

    public DeviceGoneException(String operation, String device, int errno, String detail) {
        super(operation, device, errno, Reason.DEVICE_GONE, detail);
    }
}
