package io.github.v4l2ffm;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opening things that are not usable V4L2 devices, on this host's real kernel: each gives a
 * {@link V4l2Exception} naming the call, the path and the errno, and leaves no descriptor open.
 */
class OpenErrorsTest {

    static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static V4l2Exception openFails(String path) throws IOException {
        long before = openFds();
        V4l2Exception e = assertThrows(V4l2Exception.class, () -> V4l2Device.open(path));
        assertEquals(before, openFds(), "descriptors leaked by a failed open of " + path);
        assertEquals(path, e.device());
        assertTrue(e.getMessage().contains(path) && e.getMessage().contains(e.errnoName())
                && e.getMessage().contains(e.operation()), e.getMessage());
        return e;
    }

    @Test
    void missingPathIsEnoent() throws IOException {
        V4l2Exception e = openFails("/dev/video-does-not-exist");
        assertEquals("open", e.operation());
        assertEquals("ENOENT", e.errnoName());
        assertEquals(2, e.errno());
        assertEquals(V4l2Exception.Reason.NOT_FOUND, e.reason());
    }

    @Test
    void nonV4l2FileIsEnottyFromQuerycap() throws IOException {
        V4l2Exception e = openFails("/dev/null");
        assertEquals("VIDIOC_QUERYCAP", e.operation());
        assertEquals("ENOTTY", e.errnoName());
        assertTrue(e.getMessage().endsWith("not a V4L2 device"), e.getMessage());
        assertEquals(V4l2Exception.Reason.NOT_SUPPORTED, e.reason());
    }

    @Test
    void permissionDeniedIsEacces() throws IOException {
        // sysctl files refuse writers without write permission even to root, so this holds in the lab too
        V4l2Exception e = openFails("/proc/sys/kernel/version");
        assertEquals("open", e.operation());
        assertEquals("EACCES", e.errnoName());
        assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
        assertEquals(V4l2Exception.Reason.PERMISSION, e.reason());
    }

    @Test
    void directoryIsEisdir() throws IOException {
        assertEquals("EISDIR", openFails("/dev").errnoName());
    }

    @Test
    void listingFindsOnlyV4l2Nodes(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        // a directory with files named like V4L2 nodes that are not devices: none is listed
        Files.createFile(dir.resolve("video0"));
        Files.createSymbolicLink(dir.resolve("video1"), Path.of("/dev/null"));
        long before = openFds();
        assertEquals(0, V4l2Devices.list(dir).size());
        assertEquals(before, openFds());
    }
}
