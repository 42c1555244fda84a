package io.github.v4l2ffm.vivid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the library holds in this process, counted from /proc: descriptors and mappings, so
 * that a test can check nothing leaks.
 */
final class LabDevices {
    private LabDevices() {}

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
