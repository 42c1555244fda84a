package io.github.v4l2ffm.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares the kernel's virtual V4L2 drivers a test needs; parameters annotated with
 * {@link Driver} receive their devices.
 *
 * <pre>{@code
 * @WithV4l2Drivers({"vivid", "vim2m"})
 * class MyCameraTest {
 *     @Test
 *     void captures(@Driver("vivid") V4l2Device camera, @Driver("vim2m") DeviceInfo scaler) { ... }
 * }
 * }</pre>
 *
 * <p>Where the drivers come from, in this order: nodes already present (a workstation after
 * {@code modprobe}, the project's lab VM); otherwise the test fails with a message that says
 * what to install or load, or, with {@link #skipIfUnavailable()}, is aborted (reported as
 * skipped, never as passed). The strategy used is published as a report entry.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(V4l2DriversExtension.class)
public @interface WithV4l2Drivers {
    /** Driver names: {@code vivid}, {@code vim2m}, {@code vicodec}, {@code vimc}. */
    String[] value();

    /** vivid's module parameters, for the message that says how to load it. */
    String vividParameters() default "n_devs=2 node_types=0x1,0x1 multiplanar=1,2";

    /** Abort (skip) instead of failing when the drivers cannot be had. */
    boolean skipIfUnavailable() default false;
}
