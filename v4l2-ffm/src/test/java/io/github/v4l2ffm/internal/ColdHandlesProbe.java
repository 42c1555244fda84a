package io.github.v4l2ffm.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;

/**
 * Run in a JVM of its own by {@link ColdHandlesTest}: arms and reads a timerfd through the stream
 * timer's calls {@code 2 * CUSTOMIZED_AFTER} times from this cold loop, after making a stream's
 * wait set first (argument {@code with-wait-set}) or not, and prints the most heap bytes one
 * round allocated and the round it was.
 */
public final class ColdHandlesProbe {
    public static void main(String[] args) throws ReflectiveOperationException {
        if (args[0].equals("with-wait-set")) new PollSet(Arena.ofAuto(), "probe", true);
        // com.sun.management.ThreadMXBean by reflection: the library's module does not read java.management
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        Method allocated = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        // core reflection calls through a method handle too: its own customization comes before the measuring
        for (int i = 0; i < 2 * Libc.CUSTOMIZED_AFTER; i++) allocated.invoke(threads);
        int fd = Libc.timerfdCreate(Libc.CLOCK_MONOTONIC, Libc.TFD_CLOEXEC | Libc.TFD_NONBLOCK);
        if (fd < 0) throw new IllegalStateException("timerfd_create: errno " + Libc.errno());
        MemorySegment spec = Arena.ofAuto().allocate(Libc.ITIMERSPEC);
        long most = -1;
        int at = -1;
        for (int i = 0; i < 2 * Libc.CUSTOMIZED_AFTER; i++) {
            long before = (Long) allocated.invoke(threads);
            if (Libc.timerfdSetRelative(fd, spec, 60_000_000_000L) < 0) throw new IllegalStateException("timerfd_settime: errno " + Libc.errno());
            Libc.readIgnoringErrno(fd, spec, 8); // EAGAIN: not fired
            long bytes = (Long) allocated.invoke(threads) - before; // (with the reflective call's own few bytes)
            if (i > 0 && bytes > most) { // the first round links the calls
                most = bytes;
                at = i;
            }
        }
        Libc.close(fd);
        System.out.println(most + " " + at);
    }
}
