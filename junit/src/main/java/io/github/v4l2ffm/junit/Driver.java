package io.github.v4l2ffm.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test parameter that receives a device node of a driver declared by {@link WithV4l2Drivers}:
 * a {@link io.github.v4l2ffm.DeviceInfo}, or a {@link io.github.v4l2ffm.V4l2Device} opened for
 * the test and closed after it. Nodes are found by {@code VIDIOC_QUERYCAP} driver, bus and
 * capabilities, never by {@code /dev} number.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
public @interface Driver {
    /** The driver name: {@code "vivid"}, {@code "vim2m"}, {@code "vicodec"} or {@code "vimc"}. */
    String value();

    /** For vivid: which of the declaring annotation's {@link Vivid} instances (0 for the first). */
    int instance() default 0;

    /** For vivid: which of the instance's nodes. */
    VividNode node() default VividNode.VIDEO_CAPTURE;

    /**
     * A text the node's name must contain, to choose among a driver's nodes: the name the driver
     * gives the node, as {@code /sys/class/video4linux/<node>/name} shows it. For vicodec
     * {@code "stateful-encoder"}, {@code "stateful-decoder"} or {@code "stateless-decoder"}; for
     * vimc {@code "Raw Capture 0"} or {@code "RGB/YUV Capture"}. Empty: the driver's first video
     * node.
     */
    String name() default "";
}
