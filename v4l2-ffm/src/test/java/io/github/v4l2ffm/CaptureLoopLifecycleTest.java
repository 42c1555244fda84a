package io.github.v4l2ffm;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A capture loop's own life, with no device: its thread, its descriptors, close from any thread. (The device suite tests it with cameras.) */
class CaptureLoopLifecycleTest {

    private static long loopDescriptors() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(p -> {
                try {
                    return Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    return "";
                }
            }).filter(t -> t.contains("[eventpoll]") || t.contains("[eventfd]")).count();
        }
    }

    @Test
    void closeStopsTheThreadAndClosesItsDescriptors() throws Exception {
        long before = loopDescriptors();
        CaptureLoop loop = CaptureLoop.start("test-loop");
        assertTrue(loop.isOpen());
        assertEquals("test-loop", loop.thread().getName());
        assertTrue(loop.thread().isDaemon());
        assertEquals(before + 2, loopDescriptors(), "an epoll instance and a wake eventfd");
        loop.close();
        assertFalse(loop.thread().isAlive());
        assertFalse(loop.isOpen());
        assertEquals(before, loopDescriptors());
        loop.close(); // idempotent
        assertTrue(loop.toString().endsWith("(closed)"), loop.toString());
    }

    @Test
    void aVirtualThreadCanRunTheLoopAndAnotherThreadCloseIt() throws Exception {
        CaptureLoop.start(Thread.ofVirtual().factory()).close(); // the virtual-thread poller's epoll instance stays for the JVM's life
        long before = loopDescriptors();
        CaptureLoop loop = CaptureLoop.start(Thread.ofVirtual().name("virtual-loop").factory());
        assertTrue(loop.thread().isVirtual());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (loop.thread().getState() != Thread.State.WAITING) { // parked, not pinned in epoll_wait
            assertTrue(System.nanoTime() < deadline, "the loop's virtual thread is " + loop.thread().getState());
            Thread.sleep(10);
        }
        Thread closer = Thread.ofPlatform().start(loop::close);
        closer.join(10_000);
        assertFalse(closer.isAlive(), "close returned");
        assertFalse(loop.thread().isAlive());
        assertEquals(before, loopDescriptors());
    }

    @Test
    void argumentsAreChecked() {
        assertThrows(NullPointerException.class, () -> CaptureLoop.start((String) null));
        try (CaptureLoop loop = CaptureLoop.start()) {
            assertNotNull(loop.thread());
            assertThrows(NullPointerException.class, () -> loop.add(null, (s, f) -> { }));
        }
    }
}
