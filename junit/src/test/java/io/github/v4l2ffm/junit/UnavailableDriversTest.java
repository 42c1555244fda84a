package io.github.v4l2ffm.junit;

import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.EventConditions;
import org.junit.platform.testkit.engine.TestExecutionResultConditions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * What the extension does on this machine when the drivers cannot be had, and the checks its
 * container strategy makes first. Runs on the build host, against its real kernel and files.
 */
class UnavailableDriversTest {

    /** A vivid instance nobody loads: multi-planar, dma-contig, with a touch node. */
    @WithV4l2Drivers(vivid = @Vivid(planes = Planes.MULTI, allocator = Allocator.DMA_CONTIG,
            nodes = {VividNode.VIDEO_CAPTURE, VividNode.TOUCH_CAPTURE}))
    static class NeedsAnUnusualVivid {
        @Test
        void runs() {
        }
    }

    @Test
    void aTestWhoseDriversCannotBeHadFailsWithTheCommandsToRun() {
        System.setProperty("v4l2.drivers.container", "false");
        try {
            EngineTestKit.engine("junit-jupiter").selectors(selectClass(NeedsAnUnusualVivid.class)).execute()
                    .testEvents().assertStatistics(st -> st.failed(1).skipped(0).aborted(0).succeeded(0))
                    .assertThatEvents().haveExactly(1, EventConditions.finishedWithFailure(TestExecutionResultConditions.message(m ->
                            m.contains("sudo modprobe vivid n_devs=1 node_types=0x80001 multiplanar=2 allocators=1"))));
        } finally {
            System.clearProperty("v4l2.drivers.container");
        }
    }

    @Test
    void theContainerStrategyNamesWhatIsMissing() {
        String reason = ContainerLoader.unavailableReason(Set.of("no_such_module"));
        if (Files.exists(Path.of("/proc/modules"))) {
            assertTrue(reason.contains("/lib/modules/" + Kernel.release() + " has no no_such_module")
                    && reason.contains("linux-modules-extra-" + Kernel.release()), reason);
        } else {
            assertTrue(reason.contains("cannot load modules"), reason);
        }
    }

    @Test
    void staticProgramsAreToldFromDynamicOnes() throws IOException {
        // busybox-static is one of the lab's host packages; /bin/sh is a dynamically linked program
        assertTrue(ContainerLoader.Busybox.isStatic(Path.of("/bin/busybox")), "/bin/busybox from busybox-static");
        assertFalse(ContainerLoader.Busybox.isStatic(Path.of("/bin/sh").toRealPath()), "/bin/sh");
        assertFalse(ContainerLoader.Busybox.isStatic(Path.of("/etc/hostname")), "not an ELF file");
    }
}
