package io.github.v4l2ffm.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The descriptors one wait site polls ({@link DeviceFd#poll}): the {@code struct pollfd} array,
 * made once, and, for waits on virtual threads, an epoll instance holding the same descriptors,
 * which {@link VirtualWait} watches while the virtual thread is parked. Made by the object that
 * waits (a stream, an event wait, the device monitor); one thread waits on it at a time.
 *
 * <p>The epoll instance is made on the first wait of a virtual thread: platform threads never
 * pay for it. {@link #close()} closes it (after the last wait in flight).
 */
public final class PollSet implements AutoCloseable {
    /** At most this many descriptors: a device, its wake eventfd and one more. */
    static final int MAX = 3;

    final MemorySegment pollFds;
    private final String what;
    private DeviceFd epoll;                        // made on the first virtual-thread wait
    private VirtualWait.Waiter waiter;
    private final int[] memberFd = {-1, -1, -1};   // what the epoll instance holds now
    private final int[] memberEvents = new int[MAX];
    private final MemorySegment event;
    private boolean closed;

    /** A poll set whose native memory lives in {@code arena}; {@code what} names it in messages. */
    public PollSet(Arena arena, String what) {
        this.pollFds = arena.allocate(Libc.POLLFD, MAX);
        this.event = arena.allocate(Libc.EPOLL_EVENT);
        this.what = what;
    }

    /**
     * Parks the calling virtual thread until one of the first {@code n} descriptors of
     * {@link #pollFds} shows one of its events (or an error), or {@code timeoutMillis} ran out
     * ({@code -1}: no limit). The descriptors must be valid for the whole call (acquired).
     *
     * @return false on timeout; true otherwise (then poll them without blocking: the readiness may be gone)
     */
    boolean awaitVirtual(int n, int timeoutMillis) {
        DeviceFd ep;
        VirtualWait.Waiter w;
        synchronized (this) {
            if (closed) throw new IllegalStateException(what + " is closed");
            if (epoll == null) {
                int f = Libc.epollCreate1(Libc.EPOLL_CLOEXEC);
                if (f < 0) throw Errors.failure("epoll_create1", what, Libc.errno(), null);
                epoll = DeviceFd.adopt(f, what + " epoll");
                waiter = new VirtualWait.Waiter(f);
            }
            ep = epoll;
            w = waiter;
        }
        int e = ep.acquire();
        try {
            sync(e, n);
            return w.await(timeoutMillis);
        } finally {
            ep.release();
        }
    }

    /** Makes the epoll instance hold exactly the first {@code n} descriptors of the pollfd array with their events. */
    private void sync(int epfd, int n) {
        // drop members that are not wanted any more (by number and events)
        for (int m = 0; m < MAX; m++) {
            if (memberFd[m] < 0) continue;
            boolean keep = false;
            for (int i = 0; i < n && !keep; i++) keep = fd(i) == memberFd[m] && events(i) == memberEvents[m];
            if (!keep) {
                Libc.epollCtl(epfd, Libc.EPOLL_CTL_DEL, memberFd[m], event); // ENOENT if closed meanwhile: gone anyway
                memberFd[m] = -1;
            }
        }
        for (int i = 0; i < n; i++) {
            int fd = fd(i), ev = events(i);
            boolean present = false;
            for (int m = 0; m < MAX && !present; m++) present = memberFd[m] == fd;
            if (present) continue;
            event.set(ValueLayout.JAVA_INT, 0, ev);
            event.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, i);
            if (Libc.epollCtl(epfd, Libc.EPOLL_CTL_ADD, fd, event) < 0) {
                throw Errors.failure("epoll_ctl", what, Libc.errno(), "adding descriptor " + fd + " to the wait set");
            }
            for (int m = 0; m < MAX; m++) {
                if (memberFd[m] < 0) {
                    memberFd[m] = fd;
                    memberEvents[m] = ev;
                    break;
                }
            }
        }
    }

    private int fd(int i) {
        return pollFds.get(ValueLayout.JAVA_INT, 8L * i);
    }

    private int events(int i) {
        return Short.toUnsignedInt(pollFds.get(ValueLayout.JAVA_SHORT, 8L * i + 4));
    }

    /** Closes the epoll instance, if one was made, once no wait uses it. Idempotent. */
    @Override
    public void close() {
        DeviceFd ep;
        VirtualWait.Waiter w;
        synchronized (this) {
            if (closed) return;
            closed = true;
            ep = epoll;
            w = waiter;
        }
        if (w != null) w.close();
        if (ep != null) ep.close();
    }
}
