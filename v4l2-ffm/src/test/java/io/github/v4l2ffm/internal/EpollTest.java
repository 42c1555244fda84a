package io.github.v4l2ffm.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The epoll downcalls: {@code struct epoll_event} and the constants as gcc sees them, and a round trip through an eventfd. */
class EpollTest {

    @Test
    void epollEventLayoutAndConstantsMatchGcc(@TempDir Path tmp) throws IOException, InterruptedException {
        assertEquals(numbers(Libc.EPOLL_EVENT.byteSize(),
                Libc.EPOLL_EVENT.byteOffset(MemoryLayout.PathElement.groupElement("events")),
                Libc.EPOLL_EVENT.byteOffset(MemoryLayout.PathElement.groupElement("data")),
                Libc.EPOLL_CLOEXEC, Libc.EPOLL_CTL_ADD, Libc.EPOLL_CTL_DEL, Libc.EPOLL_CTL_MOD,
                Libc.EPOLLIN, Libc.EPOLLPRI, Libc.EPOLLOUT, Libc.EPOLLERR, Libc.EPOLLHUP, Libc.EPOLLONESHOT, 0),
                gccPrints(tmp, "sys/epoll.h", "%zu %zu %zu %d %d %d %d %d %d %d %d %d %d %d",
                        "sizeof(struct epoll_event), offsetof(struct epoll_event, events), offsetof(struct epoll_event, data),"
                        + " EPOLL_CLOEXEC, EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD,"
                        + " EPOLLIN, EPOLLPRI, EPOLLOUT, EPOLLERR, EPOLLHUP, (int) EPOLLONESHOT, 0"));
    }

    @Test
    void anEventfdIsReportedWithItsData() {
        int ep = Libc.epollCreate1(Libc.EPOLL_CLOEXEC);
        DeviceFd efd = DeviceFd.eventFd("test eventfd");
        try (Arena a = Arena.ofConfined()) {
            int f = efd.acquire();
            MemorySegment ev = a.allocate(Libc.EPOLL_EVENT, 4);
            ev.set(ValueLayout.JAVA_INT, 0, Libc.EPOLLIN);
            ev.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, 0x1234_5678_9abcL);
            assertEquals(0, Libc.epollCtl(ep, Libc.EPOLL_CTL_ADD, f, ev));
            assertEquals(0, Libc.epollWait(ep, ev, 4, 0), "nothing written yet");
            efd.signal();
            assertEquals(1, Libc.epollWait(ep, ev, 4, 1000));
            assertEquals(Libc.EPOLLIN, ev.get(ValueLayout.JAVA_INT, 0));
            assertEquals(0x1234_5678_9abcL, ev.get(ValueLayout.JAVA_LONG_UNALIGNED, 4));
            assertEquals(0, Libc.epollCtl(ep, Libc.EPOLL_CTL_DEL, f, MemorySegment.NULL));
            assertEquals(0, Libc.epollWait(ep, ev, 4, 0), "removed");
            efd.release();
        } finally {
            efd.close();
            Libc.close(ep);
        }
    }

    @Test
    void timerfdLayoutAndConstantsMatchGcc(@TempDir Path tmp) throws IOException, InterruptedException {
        assertEquals(numbers(Libc.ITIMERSPEC.byteSize(),
                Libc.ITIMERSPEC.byteOffset(MemoryLayout.PathElement.groupElement("interval_sec")),
                Libc.ITIMERSPEC.byteOffset(MemoryLayout.PathElement.groupElement("interval_nsec")),
                Libc.ITIMERSPEC.byteOffset(MemoryLayout.PathElement.groupElement("value_sec")),
                Libc.ITIMERSPEC.byteOffset(MemoryLayout.PathElement.groupElement("value_nsec")),
                Libc.CLOCK_MONOTONIC, Libc.TFD_CLOEXEC, Libc.TFD_NONBLOCK),
                gccPrints(tmp, "sys/timerfd.h", "%zu %zu %zu %zu %zu %d %d %d",
                        "sizeof(struct itimerspec), offsetof(struct itimerspec, it_interval.tv_sec),"
                        + " offsetof(struct itimerspec, it_interval.tv_nsec), offsetof(struct itimerspec, it_value.tv_sec),"
                        + " offsetof(struct itimerspec, it_value.tv_nsec), CLOCK_MONOTONIC, TFD_CLOEXEC, TFD_NONBLOCK"));
    }

    /** The numbers, space-separated, as the probe prints them. */
    private static String numbers(long... values) {
        return String.join(" ", java.util.Arrays.stream(values).mapToObj(String::valueOf).toList());
    }

    /** What a C program including {@code header} prints with {@code printf(format, args)}, built by gcc. */
    private static String gccPrints(Path tmp, String header, String format, String args) throws IOException, InterruptedException {
        Path c = tmp.resolve("probe.c");
        Files.write(c, List.of("#include <stdio.h>", "#include <stddef.h>", "#include <time.h>", "#include <" + header + ">",
                "int main(void) {", "  printf(\"" + format + "\\n\", " + args + ");", "  return 0;", "}"));
        Path exe = tmp.resolve("probe");
        run(tmp, "gcc", "-O0", "-o", exe.toString(), c.toString());
        return run(tmp, exe.toString()).strip();
    }

    @Test
    void aTimerfdFiresOnceAfterItsTimeAndIsReadable() {
        int ep = Libc.epollCreate1(Libc.EPOLL_CLOEXEC);
        int t = Libc.timerfdCreate(Libc.CLOCK_MONOTONIC, Libc.TFD_CLOEXEC | Libc.TFD_NONBLOCK);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment spec = a.allocate(Libc.ITIMERSPEC);
            MemorySegment ev = a.allocate(Libc.EPOLL_EVENT, 4);
            ev.set(ValueLayout.JAVA_INT, 0, Libc.EPOLLIN);
            ev.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, 2);
            assertEquals(0, Libc.epollCtl(ep, Libc.EPOLL_CTL_ADD, t, ev));
            assertEquals(0, Libc.epollWait(ep, ev, 4, 0), "not armed");
            long start = System.nanoTime();
            assertEquals(0, Libc.timerfdSetRelative(t, spec, 1_200_000_000L)); // seconds and nanoseconds both used
            assertEquals(0, Libc.epollWait(ep, ev, 4, 100), "not yet");
            assertEquals(1, Libc.epollWait(ep, ev, 4, 5_000));
            long waited = System.nanoTime() - start;
            assertTrue(waited >= 1_200_000_000L, "fired after " + waited + " ns");
            assertEquals(2L, ev.get(ValueLayout.JAVA_LONG_UNALIGNED, 4));
            assertEquals(8, Libc.read(t, spec, 8));
            assertEquals(1L, spec.get(ValueLayout.JAVA_LONG, 0), "one expiry");
            assertEquals(0, Libc.epollWait(ep, ev, 4, 0), "read: no longer ready");
        } finally {
            Libc.close(t);
            Libc.close(ep);
        }
    }

    private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), () -> String.join(" ", cmd) + " failed:\n" + out);
        return out;
    }
}
