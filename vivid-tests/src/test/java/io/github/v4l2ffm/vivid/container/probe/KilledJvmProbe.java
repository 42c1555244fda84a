package io.github.v4l2ffm.vivid.container.probe;

import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.DriverEnvironment;
import io.github.v4l2ffm.junit.Strategy;
import io.github.v4l2ffm.junit.Vim2m;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Not a test of the suite (its name does not match JUnit's test class pattern): the container
 * stage (vivid-tests/lab/container-stage.sh) runs it alone, waits for its line, kills its JVM with
 * SIGKILL, and checks that the container, watching the JVM, unloads vim2m and goes away.
 */
@WithV4l2Drivers(vim2m = @Vim2m)
class KilledJvmProbe {

    @Test
    void holdsANodeUntilKilled(@Driver("vim2m") V4l2Device m2m, DriverEnvironment env) throws InterruptedException {
        assertEquals(Strategy.CONTAINER, env.strategy());
        System.out.println("probe: holding " + m2m.path() + " open; waiting to be killed");
        System.out.flush();
        Thread.sleep(600_000);
    }
}
