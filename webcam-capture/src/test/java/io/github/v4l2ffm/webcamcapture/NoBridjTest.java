package io.github.v4l2ffm.webcamcapture;

import com.github.sarxos.webcam.Webcam;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With BridJ on the class path (as in an application that declares webcam-capture itself),
 * setting this driver and listing webcams loads none of it: no BridJ native library is mapped.
 * On a machine without cameras (a build machine) the list is empty; on one with cameras it lists
 * them, which the device tests check.
 */
class NoBridjTest {
    @AfterEach
    void reset() {
        Webcam.resetDriver();
    }

    @Test
    void settingTheDriverAndListingWebcamsLoadsNoBridj() throws IOException {
        assertNotNull(getClass().getClassLoader().getResource("org/bridj/BridJ.class"), "BridJ is on the test class path");
        Webcam.setDriver(new V4l2Driver(Duration.ofMillis(100))); // a short scan: resetDriver() waits one out
        List<Webcam> webcams = Webcam.getWebcams();
        if (!Files.exists(Path.of("/dev/video0"))) assertTrue(webcams.isEmpty(), webcams.toString());
        for (Webcam w : webcams) assertTrue(w.getName().contains(" /dev/video"), w.getName());
        assertFalse(Files.readString(Path.of("/proc/self/maps")).toLowerCase().contains("bridj"), "a BridJ library is mapped");
    }
}
