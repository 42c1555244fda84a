package io.github.v4l2ffm.internal;

import io.github.v4l2ffm.V4l2Exception;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An open file descriptor on a device, safe against use after close.
 *
 * <p>Each call holds a use count for its duration: {@link #close()} marks the descriptor closed at
 * once (new calls fail with {@link IllegalStateException}) and the last call in flight releases it,
 * so a descriptor number is never closed under a running ioctl and never reused by accident.
 * This is the one place where errno becomes a {@link V4l2Exception} naming the ioctl and device.
 */
public final class DeviceFd implements AutoCloseable {
    private static final long CLOSED = 1L << 62;
    private static final long FREED = 1L << 61;

    private final int fd;
    private final String path;
    private final AtomicLong state = new AtomicLong(); // CLOSED bit | number of calls in flight

    private DeviceFd(int fd, String path) {
        this.fd = fd;
        this.path = path;
    }

    /** Opens {@code path} read-write, non-blocking and close-on-exec. */
    public static DeviceFd open(Path path) {
        return open(path, Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
    }

    public static DeviceFd open(Path path, int flags) {
        String p = path.toString();
        try (Arena arena = Arena.ofConfined()) {
            int fd = Libc.open(arena.allocateFrom(p), flags);
            if (fd < 0) {
                int errno = Libc.errno();
                throw new V4l2Exception("open", p, errno, switch (errno) {
                    case Errno.ENOENT -> "no such device node";
                    case Errno.EACCES, Errno.EPERM -> "permission denied (is the user in the 'video' group?)";
                    case Errno.EBUSY -> "device is busy";
                    default -> null;
                });
            }
            return new DeviceFd(fd, p);
        }
    }

    /** The device path this descriptor was opened from. */
    public String path() {
        return path;
    }

    public boolean isOpen() {
        return (state.get() & CLOSED) == 0;
    }

    /**
     * Starts a call: returns the raw fd, which stays valid until {@link #release()}.
     *
     * @throws IllegalStateException if the descriptor is closed
     */
    public int acquire() {
        long s = state.incrementAndGet();
        if ((s & CLOSED) != 0) {
            release();
            throw new IllegalStateException(path + " is closed");
        }
        return fd;
    }

    /** Ends a call started by {@link #acquire()}. */
    public void release() {
        if (state.decrementAndGet() == CLOSED) {
            free();
        }
    }

    /**
     * Runs an ioctl, throwing a {@link V4l2Exception} that names it on failure.
     *
     * @return the ioctl's non-negative result
     */
    public int ioctl(String name, long request, MemorySegment arg) {
        int r = tryIoctl(request, arg);
        if (r < 0) {
            throw failure(name, -r);
        }
        return r;
    }

    /**
     * Runs an ioctl and returns its result, or {@code -errno} on failure, for calls where an errno
     * is an expected outcome (EAGAIN on DQBUF, EINVAL at the end of an enumeration).
     */
    public int tryIoctl(long request, MemorySegment arg) {
        int f = acquire();
        try {
            int r = Libc.ioctl(f, request, arg);
            return r < 0 ? -Libc.errno() : r;
        } finally {
            release();
        }
    }

    /** A {@link V4l2Exception} for {@code name} failing with {@code errno} on this device. */
    public V4l2Exception failure(String name, int errno) {
        return failure(name, errno, null);
    }

    public V4l2Exception failure(String name, int errno, String detail) {
        return new V4l2Exception(name, path, errno, detail);
    }

    /** Marks the descriptor closed; it is released when no call is in flight. Idempotent. */
    @Override
    public void close() {
        long s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) return;
        } while (!state.compareAndSet(s, s | CLOSED));
        free();
    }

    /** Closes the fd once: only the caller that moves the state from CLOSED (no calls) to FREED. */
    private void free() {
        if (state.compareAndSet(CLOSED, CLOSED | FREED)) {
            Libc.close(fd);
        }
    }

    @Override
    public String toString() {
        return path + (isOpen() ? " (fd " + fd + ")" : " (closed)");
    }
}
