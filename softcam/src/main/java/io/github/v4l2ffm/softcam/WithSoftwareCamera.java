package io.github.v4l2ffm.softcam;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives each test a freshly plugged-in {@link SoftwareCamera} (a webcam served by the kernel's
 * uvcvideo), unplugged after the test. Test parameters of type {@link SoftwareCamera} receive
 * the camera; parameters of type {@link io.github.v4l2ffm.V4l2Device} receive its video node,
 * opened for the test and closed after it.
 *
 * <pre>{@code
 * @WithSoftwareCamera
 * class MyWebcamTest {
 *     @Test
 *     void captures(V4l2Device webcam, SoftwareCamera cam) { ... cam.unplug(); ... }
 * }
 * }</pre>
 *
 * <p>Needs root (or the modules loaded and write access to {@code vhci_hcd}'s attach file) and
 * the {@code vhci-hcd} and {@code uvcvideo} modules, which it loads when it can. Where that is
 * not possible the test fails with the commands to run; with {@link #skipIfUnavailable()} it is
 * aborted instead (reported as skipped, never as passed).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(SoftwareCameraExtension.class)
public @interface WithSoftwareCamera {
    /** YUYV frame sizes, such as {@code "320x240"}; with {@link #mjpeg()} both empty: {@link CameraSpec#webcam}'s modes. */
    String[] yuyv() default {};

    /** MJPEG frame sizes, such as {@code "640x480"}. */
    String[] mjpeg() default {};

    /** The frame rates of every size, highest first. */
    int[] fps() default {30, 15};

    /** The UVC controls the camera has, by name ({@link CameraSpec#CONTROLS}); empty: all of them. */
    String[] controls() default {};

    /** Abort (skip) instead of failing when no software camera can be plugged in here. */
    boolean skipIfUnavailable() default false;
}
