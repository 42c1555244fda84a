package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.Capabilities;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.V4l2Devices;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The virtual devices the suite runs against, found by what VIDIOC_QUERYCAP says, never by
 * /dev number. A device that is missing fails the test that needs it (it is never skipped).
 */
final class LabDevices {
    private LabDevices() {}

    /** vivid's single-planar capture node (loaded with multiplanar=1 for its first instance). */
    static DeviceInfo vividSinglePlanar() {
        return require("vivid single-planar capture", c -> c.driver().equals("vivid") && c.has(io.github.v4l2ffm.Capability.VIDEO_CAPTURE));
    }

    /** vivid's multi-planar capture node (multiplanar=2 for its second instance). */
    static DeviceInfo vividMultiPlanar() {
        return require("vivid multi-planar capture", c -> c.driver().equals("vivid") && c.has(io.github.v4l2ffm.Capability.VIDEO_CAPTURE_MPLANE));
    }

    static DeviceInfo require(String what, Predicate<Capabilities> predicate) {
        List<DeviceInfo> all = V4l2Devices.list();
        return all.stream().filter(d -> predicate.test(d.capabilities())).findFirst().orElseGet(() -> fail(
                "no " + what + " among the V4L2 nodes of this machine (" + System.getProperty("os.version") + "): "
                        + all.stream().map(d -> d.path() + "=" + d.capabilities().driver() + "/" + d.capabilities().card())
                        .collect(Collectors.joining(", "))
                        + ". Load the drivers: modprobe vivid n_devs=2 node_types=0x1,0x1 multiplanar=1,2; modprobe vim2m vicodec vimc"));
    }

    /**
     * Number of this process's open descriptors on V4L2 devices, dma-bufs, DMA heaps, udmabuf,
     * memfds and eventfds: what the library opens, leaving out the JVM's own files, which come
     * and go (jars, class data).
     */
    static long openFds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(LabDevices::target).filter(t -> t.startsWith("/dev/video") || t.startsWith("/dev/media")
                    || t.startsWith("/dev/udmabuf") || t.startsWith("/dev/dma_heap") || t.contains("dmabuf")
                    || t.startsWith("/memfd:") || t.contains("[eventfd]")).count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String target(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return ""; // closed meanwhile (the listing's own descriptor)
        }
    }

    /**
     * Number of this process's mappings of V4L2 buffers and dma-bufs (device nodes, dma-buf and
     * memfd mappings), leaving out the JVM's own, which come and go.
     */
    static long mappings() {
        try (Stream<String> s = Files.lines(Path.of("/proc/self/maps"))) {
            return s.filter(l -> l.contains("/dev/video") || l.contains("dmabuf") || l.contains("memfd:v4l2-ffm")
                    || l.contains("/dev/udmabuf") || l.contains("/dev/dma_heap")).count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs {@code body} and fails if it changed the number of open descriptors. */
    static void assertNoFdLeak(String what, Runnable body) {
        long before = openFds();
        body.run();
        assertEquals(before, openFds(), "file descriptors leaked by " + what);
    }
}
