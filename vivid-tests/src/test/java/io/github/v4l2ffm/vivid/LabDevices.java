package io.github.v4l2ffm.vivid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.opentest4j.TestAbortedException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the library holds in this process, counted from /proc: descriptors and mappings, so
 * that a test can check nothing leaks; and what the kernel has, for tests that need a device
 * some kernels lack.
 */
final class LabDevices {
    private LabDevices() {}

    /**
     * How the message of a test aborted for something its kernel lacks starts: run-suite.sh
     * counts such tests as not applicable (and any other aborted test as a failure of the run).
     */
    static final String NOT_APPLICABLE = "not applicable on Linux ";

    /** Aborts the test as not applicable where the kernel has no udmabuf and is known to lack it. */
    static void assumeUdmabuf() {
        if (!hasUdmabuf()) throw notApplicable(UDMABUF);
    }

    /** Aborts the test as not applicable where the kernel has no DMA heaps and is known to lack them. */
    static void assumeDmaHeaps() {
        if (!hasDmaHeaps()) throw notApplicable(DMA_HEAP);
    }

    static boolean hasUdmabuf() {
        return has(UDMABUF);
    }

    static boolean hasDmaHeaps() {
        return has(DMA_HEAP);
    }

    /** Something a kernel may lack: its name in V4L2_LAB_LACKS, the node it would make, why not. */
    record Feature(String name, Path node, String why) {}

    static final Feature UDMABUF = new Feature("udmabuf", Path.of("/dev/udmabuf"), "CONFIG_UDMABUF not set");
    static final Feature DMA_HEAP = new Feature("dma_heap", Path.of("/dev/dma_heap/system"), "CONFIG_DMABUF_HEAPS not set");

    /**
     * Whether the kernel has {@code f}'s node. Its absence is only accepted where the lab says
     * this kernel lacks it (V4L2_LAB_LACKS, set per kernel by lab.sh): anywhere else a missing node
     * is a failure, and so is a node the lab says the kernel lacks.
     */
    static boolean has(Feature f) {
        boolean present = Files.exists(f.node());
        boolean lacks = lacks().contains(f.name());
        if (present && lacks) {
            throw new AssertionError(f.node() + " exists on Linux " + kernel() + ", but V4L2_LAB_LACKS says this kernel lacks "
                    + f.name() + ": update the kernel's LACKS in lab.sh");
        }
        if (!present && !lacks) {
            throw new AssertionError("no " + f.node() + " on Linux " + kernel() + ", and the lab does not expect this kernel to lack "
                    + f.name() + " (V4L2_LAB_LACKS=\"" + String.join(" ", lacks()) + "\")");
        }
        return present;
    }

    static TestAbortedException notApplicable(Feature f) {
        return new TestAbortedException(NOT_APPLICABLE + kernel() + ": no " + f.node() + " (" + f.why() + ")");
    }

    private static List<String> lacks() {
        String v = System.getenv().getOrDefault("V4L2_LAB_LACKS", "").strip();
        return v.isEmpty() ? List.of() : Arrays.asList(v.split("\\s+"));
    }

    static String kernel() {
        return System.getProperty("os.version");
    }

    /** Whether the running kernel is at least {@code major.minor} (from os.version, e.g. 6.1.0-57-amd64). */
    static boolean kernelAtLeast(int major, int minor) {
        String[] v = kernel().split("[.-]");
        int ma = Integer.parseInt(v[0]), mi = Integer.parseInt(v[1]);
        return ma > major || ma == major && mi >= minor;
    }

    /**
     * Number of this process's open descriptors on V4L2 devices, dma-bufs, DMA heaps, udmabuf,
     * memfds and eventfds: what the library opens, leaving out the JVM's own files, which come
     * and go (jars, class data).
     */
    static long openFds() {
        return openFdTargets().size();
    }

    /** What {@link #openFds()} counts: each descriptor's target, sorted (for a message on a leak). */
    static List<String> openFdTargets() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(LabDevices::target).filter(t -> t.startsWith("/dev/video") || t.startsWith("/dev/media")
                    || t.startsWith("/dev/udmabuf") || t.startsWith("/dev/dma_heap") || t.contains("dmabuf")
                    || t.startsWith("/memfd:") || t.contains("[eventfd]")).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Number of this process's epoll instances. Kept apart from {@link #openFds()}: the JDK makes
     * its own for selectors and sockets on virtual threads, and the library's virtual-thread
     * poller keeps one for the JVM's life once made; tests of capture loops and of waits on
     * virtual threads count them around what they do.
     */
    static long epolls() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(LabDevices::target).filter(t -> t.contains("[eventpoll]")).count();
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
