package io.github.v4l2ffm.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares the kernel's virtual V4L2 drivers a test class (or method) needs, with their module
 * parameters; parameters annotated with {@link Driver} receive their devices, and a
 * {@link DriverEnvironment} parameter tells how the drivers were had.
 *
 * <pre>{@code
 * @WithV4l2Drivers(vivid = @Vivid(planes = Planes.MULTI), vim2m = @Vim2m)
 * class MyCameraTest {
 *     @Test
 *     void captures(@Driver("vivid") V4l2Device camera, @Driver("vim2m") DeviceInfo scaler) { ... }
 * }
 * }</pre>
 *
 * <p>Where the drivers come from, tried in this order (the one used is published as a report
 * entry named {@code v4l2-drivers} and printed to standard output):
 * <ol>
 *   <li>{@link Strategy#PRESENT}: the modules are loaded already (a workstation after
 *       {@code modprobe}, the project's lab VM) with parameters that give what is asked for; the
 *       parameters are read from {@code /sys/module/<name>/parameters}.</li>
 *   <li>{@link Strategy#CONTAINER}: a Docker engine on this machine is reachable (found as
 *       Testcontainers finds it) and {@code /lib/modules/$(uname -r)} has the modules: a
 *       privileged container, built locally from a static busybox, loads them into the kernel
 *       with {@code modprobe}, makes the new nodes readable and writable by the test's user, and
 *       unloads at the end of the run only the modules it loaded (also if the JVM dies). Turned
 *       off with the system property {@code v4l2.drivers.container=false}.</li>
 *   <li>Neither: the test fails with a message that says what to install or run; with
 *       {@link #skipIfUnavailable()} it is aborted instead (reported as skipped, never as
 *       passed).</li>
 * </ol>
 *
 * <p>Module parameters are global to the kernel. Before any test runs, the requests of every
 * class in the test plan are merged into one configuration per module (vivid instances are
 * shared where they are the same and added where they differ); a class whose request cannot be
 * merged (vicodec single-planar in one class, multi-planar in another) fails with a message that
 * names the other class, and no module is ever reloaded under another test's open file.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(V4l2DriversExtension.class)
public @interface WithV4l2Drivers {
    /** vivid instances, one annotation per instance; empty when vivid is not needed. */
    Vivid[] vivid() default {};

    /** vim2m, when given (at most one). */
    Vim2m[] vim2m() default {};

    /** vicodec, when given (at most one). */
    Vicodec[] vicodec() default {};

    /** vimc, when given (at most one). */
    Vimc[] vimc() default {};

    /** Abort (skip) instead of failing when the drivers cannot be had. */
    boolean skipIfUnavailable() default false;
}
