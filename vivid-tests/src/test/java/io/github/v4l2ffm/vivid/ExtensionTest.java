package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.DriverEnvironment;
import io.github.v4l2ffm.junit.Planes;
import io.github.v4l2ffm.junit.Strategy;
import io.github.v4l2ffm.junit.Vicodec;
import io.github.v4l2ffm.junit.Vim2m;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.VividNode;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.EventConditions;
import org.junit.platform.testkit.engine.TestExecutionResultConditions;

import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The JUnit 5 extension as a user's test uses it, with the drivers loaded already (the lab VM
 * loads vivid as {@code n_devs=4 node_types=0x101,0x101,0x1,0x1 multiplanar=1,2,1,1}, vim2m, vicodec and vimc).
 */
@WithV4l2Drivers(vivid = @Vivid, vim2m = @Vim2m)
class ExtensionTest {

    @Test
    void capturesFromVividAndConvertsOnVim2m(@Driver("vivid") V4l2Device camera, @Driver("vim2m") DeviceInfo scaler,
                                             DriverEnvironment env) {
        assertEquals(Strategy.PRESENT, env.strategy());
        assertTrue(env.modules().get("vivid").startsWith("n_devs=4 node_types=0x101,0x101,0x1,0x1 multiplanar=1,2,1,1"), env.modules().toString());
        assertEquals("platform:vivid-000", camera.capabilities().busInfo());
        assertFalse(camera.capabilities().isMultiplanar());
        camera.captureQueue().setFormat(320, 180, PixelFormat.RGB24);
        byte[] frame;
        try (BufferSet set = camera.captureQueue().allocate(2); Streaming s = set.start()) {
            V4l2Buffer b = s.dequeue(10_000);
            assertNotNull(b);
            frame = b.segment(0).asSlice(0, b.bytesUsed(0)).toArray(ValueLayout.JAVA_BYTE);
        }
        assertTrue(Vim2mChecks.assertConvertsRgbToBgr(scaler, 320, 180, frame) > 1000, "vivid's colour bars differ in red and blue");
        assertFalse(camera.captureQueue().buffers().isPresent());
    }

    @Test
    @WithV4l2Drivers(vivid = {@Vivid(planes = Planes.MULTI), @Vivid}, vicodec = @Vicodec)
    void aMethodDeclaresItsOwnDriversAndInstancesMapByParameters(@Driver(value = "vivid") DeviceInfo multi,
                                                                  @Driver(value = "vivid", instance = 1) DeviceInfo single,
                                                                  @Driver(value = "vicodec", name = "stateful-encoder") DeviceInfo enc,
                                                                  @Driver(value = "vicodec", name = "stateless-decoder") DeviceInfo dec) {
        assertEquals("platform:vivid-001", multi.capabilities().busInfo());
        assertTrue(multi.capabilities().isMultiplanar());
        assertEquals("platform:vivid-000", single.capabilities().busInfo());
        assertFalse(single.capabilities().isMultiplanar());
        assertEquals("vicodec", enc.capabilities().driver());
        assertFalse(enc.path().equals(dec.path()));
    }

    /** A user's test class that needs a vivid VBI output node, which the lab's vivid does not have. */
    @WithV4l2Drivers(vivid = @Vivid(nodes = {VividNode.VIDEO_CAPTURE, VividNode.VBI_OUTPUT}))
    static class NeedsAVbiOutputNode {
        @Test
        void runs() {
        }
    }

    @Test
    void aModuleLoadedWithOtherParametersFailsWithWhatToDoNotASkip() {
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(NeedsAVbiOutputNode.class)).execute()
                .testEvents().assertStatistics(st -> st.failed(1).skipped(0).aborted(0).succeeded(0))
                .assertThatEvents().haveExactly(1, EventConditions.finishedWithFailure(
                        TestExecutionResultConditions.message(m -> m.contains("vivid is loaded, but not as")
                                && m.contains("no free instance is single-planar, node_types=0xc01")
                                && m.contains("sudo modprobe -r vivid && sudo modprobe vivid n_devs=1 node_types=0xc01 multiplanar=1 allocators=0"))));
    }

    /** The same, opted into skipping. */
    @WithV4l2Drivers(vivid = @Vivid(nodes = VividNode.VBI_OUTPUT), skipIfUnavailable = true)
    static class SkipsWithoutAVbiOutputNode {
        @Test
        void runs() {
        }
    }

    @Test
    void optingInTurnsTheFailureIntoAnAbortNeverAPass() {
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(SkipsWithoutAVbiOutputNode.class)).execute()
                .testEvents().assertStatistics(st -> st.failed(0).aborted(1).succeeded(0));
    }
}
