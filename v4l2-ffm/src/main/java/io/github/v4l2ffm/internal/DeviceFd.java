package io.github.v4l2ffm.internal;

import io.github.v4l2ffm.DeviceGoneException;
import io.github.v4l2ffm.V4l2Exception;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A file descriptor the library owns (a device node, a dma-buf, an eventfd...), safe against use
 * after close.
 *
 * <p>Each call holds a use count for its duration: {@link #close()} marks the descriptor closed at
 * once (new calls fail with {@link IllegalStateException}) and the last call in flight releases it,
 * so a descriptor number is never closed under a running call and never written to after it was
 * reused. An owner that makes many calls may hold one use for longer, and call with the number it
 * holds ({@link #tryIoctlHeld}): a stream holds its device's from its start to its close, which the
 * device's own close runs first. Work that must wait until the kernel has really let go of the file (memory lent to a
 * queue) is registered with {@link #whenReleased(Runnable)}.
 *
 * <p>A device descriptor also has a <em>wake</em> eventfd that every wait on the device polls
 * ({@link #poll}): closing the descriptor, or learning that the device is gone, signals it, so no
 * thread stays blocked on a device that is closed or unplugged. Once a call has failed with
 * {@code ENODEV} the device is {@linkplain #isGone() gone}: every later call fails at once with a
 * {@link DeviceGoneException}, without asking the kernel.
 *
 * <p>This is the one place where errno becomes an exception ({@link #failure}), classified by
 * {@link Errors} for the call that failed.
 */
public final class DeviceFd implements AutoCloseable {
    private static final long CLOSED = 1L << 62;
    private static final long FREED = 1L << 61;

    /** {@link #poll} result bit: the device's descriptor was closed or the device is gone. */
    public static final int WOKEN = 1 << 16;
    /** {@link #poll} result bit: the extra descriptor is readable. */
    public static final int EXTRA = 1 << 17;

    private final int fd;
    private final String path;
    private final int wakeFd; // -1 for descriptors nobody waits on
    private final AtomicLong state = new AtomicLong(); // CLOSED | FREED bits | number of calls in flight
    private volatile boolean gone;
    private final List<Runnable> onRelease = new ArrayList<>();
    private final List<DeviceFd> linkedWakes = new CopyOnWriteArrayList<>(); // eventfds signalled with the wake eventfd

    private DeviceFd(int fd, String path, int wakeFd) {
        this.fd = fd;
        this.path = path;
        this.wakeFd = wakeFd;
    }

    /** Opens a device node read-write, non-blocking and close-on-exec, with a wake eventfd for its waits. */
    public static DeviceFd open(Path path) {
        return open(path, Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC, true);
    }

    /** Opens {@code path} with {@code flags}; {@code waitable}: it gets a wake eventfd. */
    public static DeviceFd open(Path path, int flags, boolean waitable) {
        String p = path.toString();
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = Libc.open(arena.allocateFrom(p), flags);
        }
        if (fd < 0) {
            int errno = Libc.errno();
            throw Errors.failure("open", p, errno, openMeaning(errno), null);
        }
        if (!waitable) return new DeviceFd(fd, p, -1);
        int wake = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (wake < 0) {
            int errno = Libc.errno();
            Libc.close(fd);
            throw Errors.failure("eventfd", p, errno, null);
        }
        return new DeviceFd(fd, p, wake);
    }

    /** What an errno from open(2) means. */
    private static Errors.Meaning openMeaning(int errno) {
        return switch (errno) {
            case Errno.EBUSY -> new Errors.Meaning(V4l2Exception.Reason.BUSY, "the device is busy: another application has it open exclusively");
            case Errno.EACCES, Errno.EPERM -> new Errors.Meaning(V4l2Exception.Reason.PERMISSION,
                    "permission denied (add the user to the 'video' group, or give the node a udev rule)");
            case Errno.ENOENT, Errno.ENXIO -> new Errors.Meaning(V4l2Exception.Reason.NOT_FOUND, "no such device node");
            default -> null;
        };
    }

    /** Takes ownership of a descriptor made elsewhere (a dma-buf, an eventfd); {@code what} names it in messages. */
    public static DeviceFd adopt(int fd, String what) {
        if (fd < 0) throw new IllegalArgumentException("not a file descriptor: " + fd);
        return new DeviceFd(fd, what, -1);
    }

    /** Takes ownership of a descriptor made elsewhere that threads will wait on (with {@link #poll}): it gets a wake eventfd. */
    public static DeviceFd adoptWaitable(int fd, String what) {
        if (fd < 0) throw new IllegalArgumentException("not a file descriptor: " + fd);
        int wake = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (wake < 0) {
            int errno = Libc.errno();
            Libc.close(fd);
            throw Errors.failure("eventfd", what, errno, null);
        }
        return new DeviceFd(fd, what, wake);
    }

    /** A new eventfd (non-blocking, close-on-exec), for waking waiters. */
    public static DeviceFd eventFd(String what) {
        int fd = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (fd < 0) throw Errors.failure("eventfd", what, Libc.errno(), null);
        return new DeviceFd(fd, what, -1);
    }

    /** The device path (or description) this descriptor was opened from. */
    public String path() {
        return path;
    }

    public boolean isOpen() {
        return (state.get() & CLOSED) == 0;
    }

    /** Whether a call on this descriptor found the device gone ({@code ENODEV}): it was unplugged. */
    public boolean isGone() {
        return gone;
    }

    /** Whether calls can still reach the kernel: open and not gone. */
    public boolean isUsable() {
        return isOpen() && !gone;
    }

    /**
     * Starts a call: returns the raw fd, which stays valid until {@link #release()}.
     *
     * @throws IllegalStateException if the descriptor is closed
     * @throws DeviceGoneException if the device is gone
     */
    public int acquire() {
        long s = state.incrementAndGet();
        if ((s & CLOSED) != 0) {
            release();
            throw new IllegalStateException(path + " is closed");
        }
        if (gone) {
            release();
            throw goneException(null);
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
     * Runs an ioctl, throwing the exception {@link Errors} gives for {@code name} on failure.
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
     * is an expected outcome (EAGAIN on DQBUF, EINVAL at the end of an enumeration). An
     * {@code ENODEV} marks the device gone.
     */
    public int tryIoctl(long request, MemorySegment arg) {
        return tryIoctl(request, arg, Libc.threadState());
    }

    /**
     * {@link #tryIoctl(long, MemorySegment)}, capturing errno in {@code errnoState}: the calling
     * thread's, or a call site's own ({@link Libc#errnoState}) that one thread at a time uses.
     */
    public int tryIoctl(long request, MemorySegment arg, MemorySegment errnoState) {
        int f = acquire();
        try {
            return tryIoctlHeld(f, request, arg, errnoState);
        } finally {
            release();
        }
    }

    /**
     * {@link #tryIoctl(long, MemorySegment, MemorySegment)} on {@code held}, the number a caller's
     * own {@link #acquire()} gave and that it keeps for longer than one call (a stream holds its
     * device's for its whole life, so that its frames' calls take no use count each): the number
     * stays this file's until that caller's {@link #release()}. Does not check that the descriptor
     * is still open: a caller that holds it must check what it needs itself.
     */
    public int tryIoctlHeld(int held, long request, MemorySegment arg, MemorySegment errnoState) {
        int r = Libc.ioctl(errnoState, held, request, arg);
        return r >= 0 ? r : failedCall(Libc.errno(errnoState));
    }

    /**
     * {@link #tryIoctlHeld} for a request whose failure changes nothing and can be asked again at
     * once (DQBUF): see {@link Libc#ioctlRepeatable}. Allocates nothing, in any compiled form.
     *
     * <p>Written out beside {@link #tryIoctlHeld}, not shared with it through a flag: a shared
     * method holds both downcalls, C2 compiles it on its own as a method too big to inline into
     * its callers afterwards (5.4 KB), and the frame then runs a call into both paths (some 300
     * instructions a frame more, counted with {@code benchmarks/side-by-side.sh --icount}).
     */
    public int tryIoctlRepeatableHeld(int held, long request, MemorySegment arg) {
        int r = Libc.ioctlRepeatable(held, request, arg);
        return r >= 0 ? r : failedCall(Libc.errno());
    }

    /** {@code -errno} for a call that failed with {@code errno}; an {@code ENODEV} marks the device gone. */
    private int failedCall(int errno) {
        if (errno == Errno.ENODEV) markGone();
        return -errno;
    }

    /** The exception for {@code name} failing with {@code errno} on this descriptor. */
    public V4l2Exception failure(String name, int errno) {
        return failure(name, errno, null);
    }

    /** The exception for {@code name} failing with {@code errno}; {@code context} says what was being done. */
    public V4l2Exception failure(String name, int errno, String context) {
        return failure(name, errno, null, context);
    }

    /**
     * The exception for {@code name} failing with {@code errno}, with what that errno means for
     * that call ({@code null}: the meaning every call shares).
     */
    public V4l2Exception failure(String name, int errno, Errors.Meaning meaning, String context) {
        if (errno == Errno.ENODEV) markGone();
        return Errors.failure(name, path, errno, meaning, context);
    }

    /** A {@link DeviceGoneException} for a call refused because the device is gone. */
    public DeviceGoneException goneException(String name) {
        return (DeviceGoneException) Errors.failure(name == null ? "a call" : name, path, Errno.ENODEV,
                "refused: an earlier call found the device gone");
    }

    /** Marks the device gone and wakes every thread waiting on it. */
    public void markGone() {
        if (gone) return;
        gone = true;
        signalWake();
    }

    private void signalWake() {
        if (wakeFd >= 0) guardedWrite(wakeFd);
        for (DeviceFd e : linkedWakes) e.signal();
    }

    /**
     * Makes closing this descriptor, or finding its device gone, also signal {@code eventFd} (a
     * stream's stop eventfd), at once if that happened already: a wait that polls that eventfd
     * need not poll the wake eventfd too ({@link #pollLinkedHeld}). Undone by {@link #unlinkWake}.
     */
    public void linkWake(DeviceFd eventFd) {
        linkedWakes.add(eventFd);
        if (!isUsable()) eventFd.signal();
    }

    /** Undoes {@link #linkWake}. */
    public void unlinkWake(DeviceFd eventFd) {
        linkedWakes.remove(eventFd);
    }

    /** Writes 1 to {@code target} (this fd or its wake fd) unless the descriptor is released: never to a reused number. */
    private void guardedWrite(int target) {
        long s = state.incrementAndGet();
        try {
            if ((s & FREED) != 0) return;
            try (Arena a = Arena.ofConfined()) {
                Libc.write(target, a.allocateFrom(ValueLayout.JAVA_LONG, 1L), 8);
            }
        } finally {
            release();
        }
    }

    /**
     * Polls this device for {@code events} together with its wake eventfd and, if {@code extraFd}
     * is not negative, that descriptor too (a stream's stop eventfd).
     *
     * <p>On a virtual thread the wait does not block in {@code poll(2)}, which would pin the
     * thread's carrier for the whole wait: it parks the thread until {@link VirtualWait}'s poller
     * sees one of the descriptors ready (at once if one is ready already), then polls without
     * waiting. The outcome is the same as on a platform thread.
     *
     * @param set the wait site's poll set (its pollfd array, its epoll instance for virtual threads)
     * @param timeoutMillis -1 for no limit, 0 not to wait
     * @return the device's revents, with {@link #WOKEN} if the wake eventfd fired and
     *         {@link #EXTRA} if {@code extraFd} is readable; 0 on timeout (and, rarely, when a
     *         virtual thread was woken for readiness that was gone when it polled: callers loop
     *         until their deadline)
     * @throws IllegalStateException if the descriptor is closed
     * @throws DeviceGoneException if the device is gone
     */
    public int poll(PollSet set, short events, int extraFd, int timeoutMillis) {
        return poll(set, events, true, extraFd, timeoutMillis);
    }

    /**
     * {@link #poll}, without the wake eventfd, for a caller that holds this descriptor as
     * {@code held} (see {@link #tryIoctlHeld}): a wait whose {@code linkedFd} was
     * {@linkplain #linkWake linked} to it, so that closing or losing the device signals that one
     * (and the result has {@link #EXTRA}). One descriptor fewer for the kernel to poll per wait.
     * The wait ends at {@code deadline} ({@link System#nanoTime()} terms; {@link Long#MAX_VALUE}:
     * never; {@link Long#MIN_VALUE}: at once, not waiting), {@code now} being the clock read when it
     * started (unused for those two). A steady set's wait on a platform thread
     * ({@link PollSet#awaitLinked}) is kept by a timer of the set's own, with no milliseconds to
     * work out, and takes no use count; any other by {@code poll(2)}'s timeout. Either reports 0
     * when it ends with nothing ready.
     */
    public int pollLinkedHeld(int held, PollSet set, short events, int linkedFd, long deadline, long now) {
        if (linkedFd < 0) throw new IllegalArgumentException("no linked descriptor");
        if (waits(deadline, now) && set.steady() && !Thread.currentThread().isVirtual()) {
            // a stream's wait, once a frame: here, not in poll(), which is too big to inline
            return set.awaitLinked(held, events, linkedFd, deadline);
        }
        return poll(set, events, false, linkedFd, millisLeft(deadline, now));
    }

    /** Whether a wait until {@code deadline} ({@link #pollLinkedHeld}'s terms) that starts at {@code now} waits at all. */
    public static boolean waits(long deadline, long now) {
        return deadline == Long.MAX_VALUE || deadline != Long.MIN_VALUE && deadline - now > 0;
    }

    /** Milliseconds from {@code now} until {@code deadline} for {@code poll(2)}: -1 for none, 0 when passed, rounded up. */
    public static int millisLeft(long deadline, long now) {
        if (deadline == Long.MAX_VALUE) return -1;
        if (deadline == Long.MIN_VALUE) return 0;
        long ns = deadline - now;
        if (ns <= 0) return 0;
        return (int) Math.min((ns + 999_999) / 1_000_000L, Integer.MAX_VALUE);
    }

    private int poll(PollSet set, short events, boolean withWake, int extraFd, int timeoutMillis) {
        MemorySegment pollFds = set.pollFds;
        int f = acquire();
        try {
            int n = 1;
            set.put(0, f, events);
            boolean wake = withWake && wakeFd >= 0;
            if (wake) set.put(n++, wakeFd, Libc.POLLIN);
            int extraAt = -1;
            if (extraFd >= 0) {
                extraAt = n;
                set.put(n++, extraFd, Libc.POLLIN);
            }
            int r;
            if (timeoutMillis != 0 && Thread.currentThread().isVirtual()) {
                // arming the wait reports a descriptor that is ready already at once: no poll before it
                r = set.awaitVirtual(n, timeoutMillis) ? Libc.poll(pollFds, n, 0) : 0;
            } else {
                r = Libc.poll(pollFds, n, timeoutMillis);
            }
            if (r < 0) throw Errors.failure("poll", path, Libc.errno(), null);
            if (r == 0) return 0;
            int result = Short.toUnsignedInt(set.revents(0));
            if (wake && set.revents(1) != 0) result |= WOKEN;
            if (extraAt >= 0 && set.revents(extraAt) != 0) result |= EXTRA;
            return result;
        } finally {
            release();
        }
    }

    /**
     * The number of the wake eventfd, which closing the descriptor or finding the device gone
     * makes readable (for good): valid between {@link #acquire()} and {@link #release()}, like the
     * descriptor's own number; -1 if it has none.
     */
    public int wakeFd() {
        return wakeFd;
    }

    /** Writes 1 to this eventfd, if it is still open (a no-op after close, never a write to a reused number). */
    public void signal() {
        if (isOpen()) guardedWrite(fd);
    }

    /**
     * Runs {@code action} once the descriptor is really closed (every call in flight returned and
     * close(2) done), or now if it already is: for memory the kernel may use until then.
     */
    public void whenReleased(Runnable action) {
        synchronized (onRelease) {
            if ((state.get() & FREED) == 0) {
                onRelease.add(action);
                return;
            }
        }
        action.run();
    }

    /**
     * Marks the descriptor closed and wakes every thread waiting on it; it is released when no
     * call is in flight. Idempotent.
     */
    @Override
    public void close() {
        long s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) return;
        } while (!state.compareAndSet(s, (s | CLOSED) + 1)); // closed, holding one use for the wake-up
        signalWake();
        release();
    }

    /** Closes the fd once: only the caller that moves the state from CLOSED (no calls) to FREED. */
    private void free() {
        if (state.compareAndSet(CLOSED, CLOSED | FREED)) {
            Libc.close(fd);
            if (wakeFd >= 0) Libc.close(wakeFd);
            List<Runnable> actions;
            synchronized (onRelease) {
                actions = List.copyOf(onRelease);
                onRelease.clear();
            }
            actions.forEach(Runnable::run);
        }
    }

    @Override
    public String toString() {
        return path + (isOpen() ? " (fd " + fd + (gone ? ", gone)" : ")") : " (closed)");
    }
}
