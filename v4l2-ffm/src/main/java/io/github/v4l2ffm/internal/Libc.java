package io.github.v4l2ffm.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The libc calls the library makes, as downcalls that capture {@code errno}.
 *
 * <p>Every wrapper returns the raw result; a negative result means failure and the errno of
 * that call is then in {@link #errno()} (captured per thread, so no allocation per call). The
 * wrappers retry on {@code EINTR}. Turning a failure into an exception is {@link Errors}'s job.
 */
public final class Libc {
    private Libc() {}

    public static final int O_RDONLY = 0, O_RDWR = 2, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    public static final int PROT_READ = 1, PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final short POLLIN = 1, POLLPRI = 2, POLLOUT = 4, POLLERR = 8, POLLHUP = 16, POLLNVAL = 32;
    public static final int EINTR = 4, EAGAIN = 11;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** Layout of {@code struct pollfd}. */
    public static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents"));

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_INT = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = downcall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle POLL = downcall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    // the same calls without errno capture, for the per-frame path (see ioctlRepeatable)
    private static final MethodHandle IOCTL_NO_ERRNO = LINKER.downcallHandle(symbol("ioctl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle POLL_NO_ERRNO = LINKER.downcallHandle(symbol("poll"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle EPOLL_WAIT_NO_ERRNO = LINKER.downcallHandle(symbol("epoll_wait"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle EVENTFD = downcall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle DUP = downcall("dup", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MEMFD_CREATE = downcall("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FTRUNCATE = downcall("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle FCNTL_INT = downcall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SOCKETPAIR = downcall("socketpair", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle SOCKET = downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SHUTDOWN = downcall("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle LISTEN = downcall("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT = downcall("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = downcall("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETPAGESIZE = downcall("getpagesize", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle EPOLL_CREATE1 = downcall("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = downcall("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT = downcall("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle TIMERFD_CREATE = downcall("timerfd_create", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle TIMERFD_SETTIME = downcall("timerfd_settime",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    // a stream's timer is armed and read once per timeout, code too cold for C2, whose escape
    // analysis alone removes the 40-byte object errno capture makes per call: these go without it
    private static final MethodHandle TIMERFD_SETTIME_NO_ERRNO = LINKER.downcallHandle(symbol("timerfd_settime"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle READ_NO_ERRNO = LINKER.downcallHandle(symbol("read"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));

    /** The system's page size in bytes. */
    public static final long PAGE_SIZE = pageSize();

    private static long pageSize() {
        try {
            return (int) GETPAGESIZE.invokeExact(Arena.global().allocate(CAPTURE));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Per-thread errno capture buffer: allocated once per thread, reused by every call, freed with the thread. */
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE)); // freed with its thread

    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        System.arraycopy(extra, 0, options, 0, extra.length);
        options[extra.length] = CAPTURE_ERRNO;
        return LINKER.downcallHandle(symbol(name), fd, options);
    }

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    /** The errno that the calling thread's last failed call left. */
    public static int errno() {
        return (int) ERRNO.get(STATE.get(), 0L);
    }

    /** The calling thread's capture buffer, which {@link #errno()} reads. */
    public static MemorySegment threadState() {
        return STATE.get();
    }

    public static int open(MemorySegment path, int flags) {
        try {
            int r;
            do {
                r = (int) OPEN.invokeExact(threadState(), path, flags, 0);
            } while (r < 0 && errno() == EINTR);
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** close(2); never retried (on Linux the fd is gone even when EINTR is reported). */
    public static int close(int fd) {
        try {
            return (int) CLOSE.invokeExact(threadState(), fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int ioctl(int fd, long request, MemorySegment arg) {
        return ioctl(threadState(), fd, request, arg);
    }

    /**
     * A capture buffer of the caller's own, in {@code arena}, for {@link #ioctl(MemorySegment, int,
     * long, MemorySegment)}: for a call site that one thread at a time uses (a stream's
     * {@code VIDIOC_QBUF}, under its queue lock), where it saves the thread-local lookup and its
     * checks (some 50 instructions a call).
     */
    public static MemorySegment errnoState(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    /** The errno that the last failed call made with {@code state} left in it. */
    public static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** ioctl(2), capturing errno in {@code state} ({@link #errnoState}, or the thread's). */
    public static int ioctl(MemorySegment state, int fd, long request, MemorySegment arg) {
        try {
            int r;
            do {
                r = (int) IOCTL.invokeExact(state, fd, request, arg);
            } while (r < 0 && errno(state) == EINTR);
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * ioctl(2) for a request whose failure changes nothing and can be asked again at once
     * ({@code VIDIOC_DQBUF} on a non-blocking descriptor): made without errno capture, and when it
     * fails, made once more with capture to learn why (retried on {@code EINTR}), so that
     * {@link #errno()} holds the errno of that second call, or its result is the second call's
     * success (a buffer that became ready meanwhile).
     *
     * <p>The JDK's errno capture creates a 40-byte object per call that only its optimizing
     * compiler removes; without it, the call allocates nothing in the interpreter or in C1's code
     * either. Not for a request whose failure can take long (a USB control transfer that times
     * out: asking again would double the wait) or can be a one-off: a driver's {@code buf_prepare}
     * may refuse one {@code VIDIOC_QBUF} and take the same buffer the next time (vivid's injected
     * error does), and asking again would hide the refusal from the caller.
     */
    public static int ioctlRepeatable(int fd, long request, MemorySegment arg) {
        try {
            int r = (int) IOCTL_NO_ERRNO.invokeExact(fd, request, arg);
            return r >= 0 ? r : ioctl(fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** ioctl(2) whose argument is passed by value as an int. */
    public static int ioctlInt(int fd, long request, int arg) {
        try {
            int r;
            do {
                r = (int) IOCTL_INT.invokeExact(threadState(), fd, request, arg);
            } while (r < 0 && errno() == EINTR);
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** mmap(2); returns the address, or -1 on failure (errno set). */
    public static long mmap(long length, int prot, int flags, int fd, long offset) {
        try {
            MemorySegment r = (MemorySegment) MMAP.invokeExact(threadState(), MemorySegment.NULL, length, prot, flags, fd, offset);
            return r.address();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int munmap(long address, long length) {
        try {
            return (int) MUNMAP.invokeExact(threadState(), MemorySegment.ofAddress(address), length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * poll(2); EINTR is returned to the caller as 0 ready descriptors so it can recheck its deadline.
     * As {@link #ioctlRepeatable}, the wait is made without errno capture, and a failure is asked
     * again, without waiting, with capture: its errno, or the readiness the descriptors have now.
     */
    public static int poll(MemorySegment fds, long nfds, int timeoutMillis) {
        try {
            int r = (int) POLL_NO_ERRNO.invokeExact(fds, nfds, timeoutMillis);
            if (r >= 0) return r;
            r = (int) POLL.invokeExact(threadState(), fds, nfds, 0);
            return r < 0 && errno() == EINTR ? 0 : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long read(int fd, MemorySegment buf, long count) {
        try {
            long r;
            do {
                r = (long) READ.invokeExact(threadState(), fd, buf, count);
            } while (r < 0 && errno() == EINTR);
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long write(int fd, MemorySegment buf, long count) {
        try {
            long r;
            do {
                r = (long) WRITE.invokeExact(threadState(), fd, buf, count);
            } while (r < 0 && errno() == EINTR);
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static final int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;

    public static int eventfd(int initval, int flags) {
        try {
            return (int) EVENTFD.invokeExact(threadState(), initval, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int dup(int fd) {
        try {
            return (int) DUP.invokeExact(threadState(), fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static final int MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;
    public static final int F_ADD_SEALS = 1033, F_SEAL_SHRINK = 2;

    public static int memfdCreate(MemorySegment name, int flags) {
        try {
            return (int) MEMFD_CREATE.invokeExact(threadState(), name, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int ftruncate(int fd, long length) {
        try {
            int r;
            do {
                r = (int) FTRUNCATE.invokeExact(threadState(), fd, length);
            } while (r < 0 && errno() == EINTR);
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int fcntl(int fd, int cmd, int arg) {
        try {
            return (int) FCNTL_INT.invokeExact(threadState(), fd, cmd, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static final int AF_INET = 2;
    public static final int AF_UNIX = 1, AF_NETLINK = 16, SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000;
    public static final int SHUT_RDWR = 2;

    /** socketpair(2): two connected sockets, their descriptors written to {@code fds} (two ints). */
    public static int socketpair(int domain, int type, int protocol, MemorySegment fds) {
        try {
            return (int) SOCKETPAIR.invokeExact(threadState(), domain, type, protocol, fds);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** socket(2). */
    public static int socket(int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(threadState(), domain, type, protocol);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** bind(2). */
    public static int bind(int fd, MemorySegment address, int length) {
        try {
            return (int) BIND.invokeExact(threadState(), fd, address, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** listen(2). */
    public static int listen(int fd, int backlog) {
        try {
            return (int) LISTEN.invokeExact(threadState(), fd, backlog);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** accept4(2), without the peer's address. */
    public static int accept(int fd, int flags) {
        try {
            int r;
            do {
                r = (int) ACCEPT.invokeExact(threadState(), fd, MemorySegment.NULL, MemorySegment.NULL, flags);
            } while (r < 0 && errno() == EINTR);
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getsockname(2); {@code length} holds the address buffer's size (an int) in and out. */
    public static int getsockname(int fd, MemorySegment address, MemorySegment length) {
        try {
            return (int) GETSOCKNAME.invokeExact(threadState(), fd, address, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** shutdown(2): wakes a thread blocked reading the socket. */
    public static int shutdown(int fd, int how) {
        try {
            return (int) SHUTDOWN.invokeExact(threadState(), fd, how);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    /** epoll event bits: the same values as poll's, plus the one-shot flag. */
    public static final int EPOLLIN = 1, EPOLLPRI = 2, EPOLLOUT = 4, EPOLLERR = 8, EPOLLHUP = 16, EPOLLONESHOT = 1 << 30;

    /**
     * Layout of {@code struct epoll_event} on x86-64, where the kernel's header packs it: a 32-bit
     * event mask, then 64 bits of user data at offset 4 (12 bytes, no padding).
     */
    public static final StructLayout EPOLL_EVENT = MemoryLayout.structLayout(
            JAVA_INT.withName("events"), JAVA_LONG_UNALIGNED.withName("data"));

    /** epoll_create1(2). */
    public static int epollCreate1(int flags) {
        try {
            return (int) EPOLL_CREATE1.invokeExact(threadState(), flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** epoll_ctl(2); {@code event} is one {@link #EPOLL_EVENT} (ignored by {@link #EPOLL_CTL_DEL}). */
    public static int epollCtl(int epfd, int op, int fd, MemorySegment event) {
        try {
            return (int) EPOLL_CTL.invokeExact(threadState(), epfd, op, fd, event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static final int CLOCK_MONOTONIC = 1;
    public static final int TFD_CLOEXEC = 0x80000, TFD_NONBLOCK = 0x800;

    /** Layout of {@code struct itimerspec}: the interval, then the first expiry, each a {@code struct timespec} (seconds, nanoseconds). */
    public static final StructLayout ITIMERSPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("interval_sec"), JAVA_LONG.withName("interval_nsec"),
            JAVA_LONG.withName("value_sec"), JAVA_LONG.withName("value_nsec"));

    /** timerfd_create(2). */
    public static int timerfdCreate(int clockId, int flags) {
        try {
            return (int) TIMERFD_CREATE.invokeExact(threadState(), clockId, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * timerfd_settime(2) with relative times: {@code spec} (an {@link #ITIMERSPEC}) is filled in
     * with a single expiry {@code nanos} from now (at least 1 ns; 0 disarms), no interval. Made
     * without errno capture, allocating nothing in any compiled form; when it fails, made again
     * with capture (arming again is harmless), so that {@link #errno()} says why.
     */
    public static int timerfdSetRelative(int fd, MemorySegment spec, long nanos) {
        spec.set(JAVA_LONG, 0, 0L);
        spec.set(JAVA_LONG, 8, 0L);
        spec.set(JAVA_LONG, 16, nanos / 1_000_000_000L);
        spec.set(JAVA_LONG, 24, nanos % 1_000_000_000L);
        try {
            int r = (int) TIMERFD_SETTIME_NO_ERRNO.invokeExact(fd, 0, spec, MemorySegment.NULL);
            return r >= 0 ? r : (int) TIMERFD_SETTIME.invokeExact(threadState(), fd, 0, spec, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * read(2) where a failure needs no reason (a timerfd's expiry count, {@code EAGAIN} when there
     * is none): without errno capture, allocating nothing in any compiled form.
     */
    public static long readIgnoringErrno(int fd, MemorySegment buf, long count) {
        try {
            return (long) READ_NO_ERRNO.invokeExact(fd, buf, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * How many times code outside C2's invokes a method handle before the JDK customizes it
     * ({@code java.lang.invoke.MethodHandle.CUSTOMIZE_THRESHOLD}: 127 by default, at most 127).
     */
    static final int CUSTOMIZED_AFTER = 128;

    /**
     * Has the JDK customize, now, the handles a stream's waits call from code too cold for C2:
     * the timer's arming and reading (once per timeout) and {@code epoll_ctl} (registering a
     * stream's descriptors on its first wait). The 128th call of a method handle from the
     * interpreter or C1's code makes the JDK spin a class of its own for that handle, some 65 KB
     * of heap at once (none for calls from C2's code, where the handle is a constant): a capture
     * with 5 s timeouts met it ten minutes in, in the middle of a frame. Each is called here
     * {@link #CUSTOMIZED_AFTER} times on descriptor -1, which the kernel refuses at once
     * ({@code EBADF}). Called once, when the first stream's wait set is made ({@link PollSet}).
     */
    static void customizeColdHandles() {
        MemorySegment spec = Arena.ofAuto().allocate(ITIMERSPEC);
        MemorySegment state = threadState();
        try {
            for (int i = 0; i < CUSTOMIZED_AFTER; i++) {
                int settime = (int) TIMERFD_SETTIME_NO_ERRNO.invokeExact(-1, 0, spec, MemorySegment.NULL);
                long read = (long) READ_NO_ERRNO.invokeExact(-1, spec, 8L);
                int ctl = (int) EPOLL_CTL.invokeExact(state, -1, EPOLL_CTL_DEL, -1, MemorySegment.NULL);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * epoll_wait(2) into {@code events} (room for {@code max} {@link #EPOLL_EVENT}s); EINTR is
     * returned to the caller as 0 ready descriptors, as for {@link #poll}.
     */
    public static int epollWait(int epfd, MemorySegment events, int max, int timeoutMillis) {
        try {
            int r = (int) EPOLL_WAIT_NO_ERRNO.invokeExact(epfd, events, max, timeoutMillis);
            if (r >= 0) return r;
            r = (int) EPOLL_WAIT.invokeExact(threadState(), epfd, events, max, 0); // as poll: its errno, or what is ready now
            return r < 0 && errno() == EINTR ? 0 : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

}
