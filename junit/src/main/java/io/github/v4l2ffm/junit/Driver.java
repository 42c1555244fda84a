package io.github.v4l2ffm.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test parameter that receives a device of a driver declared by {@link WithV4l2Drivers}: a
 * {@link io.github.v4l2ffm.DeviceInfo}, or a {@link io.github.v4l2ffm.V4l2Device} opened for the
 * test and closed after it. Devices are found by {@code VIDIOC_QUERYCAP} driver name, never by
 * {@code /dev} number.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
public @interface Driver {
    /** The driver name, such as {@code "vivid"}. */
    String value();

    /** Which of that driver's capture-capable nodes: any, single-planar only, or multi-planar only. */
    Planes planes() default Planes.ANY;

    /** Node selection by planar API. */
    enum Planes { ANY, SINGLE, MULTI }
}
