package io.github.v4l2ffm.softcam;

import io.github.v4l2ffm.V4l2Device;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.EventConditions;
import org.junit.platform.testkit.engine.TestExecutionResultConditions;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * What {@link WithSoftwareCamera} does on a machine that cannot plug one in (this build host: its
 * kernel loads no modules): the test fails with what to do, or is aborted when it says so.
 */
class UnavailableCameraTest {

    @WithSoftwareCamera
    static class NeedsACamera {
        @Test
        void runs(V4l2Device webcam) {
        }
    }

    @WithSoftwareCamera(skipIfUnavailable = true)
    static class WouldRatherSkip {
        @Test
        void runs(SoftwareCamera cam) {
        }
    }

    private static void onAHostWithoutUsbIp() {
        assumeFalse(Files.isDirectory(Path.of("/sys/devices/platform/vhci_hcd.0")), "this host can plug a camera in");
    }

    @Test
    void aTestFailsWithTheCommandsToRun() {
        onAHostWithoutUsbIp();
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(NeedsACamera.class)).execute()
                .testEvents().assertStatistics(st -> st.failed(1).aborted(0).succeeded(0))
                .assertThatEvents().haveExactly(1, EventConditions.finishedWithFailure(TestExecutionResultConditions.message(m ->
                        m.contains("sudo modprobe vhci-hcd && sudo modprobe uvcvideo nodrop=1"))));
    }

    @Test
    void aTestThatMaySkipIsAborted() {
        onAHostWithoutUsbIp();
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(WouldRatherSkip.class)).execute()
                .testEvents().assertStatistics(st -> st.failed(0).aborted(1).succeeded(0));
    }
}
