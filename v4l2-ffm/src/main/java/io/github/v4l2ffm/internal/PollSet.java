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
 * <p>A wait site that waits over and over on the same descriptors (a stream, once a frame) is
 * made {@code steady}: its platform threads' waits on a device and its linked stop eventfd
 * ({@link DeviceFd#pollLinkedHeld}) block in {@code epoll_wait(2)} on the epoll instance too, whose
 * descriptors are registered once, where {@code poll(2)} would register and unregister
 * every descriptor with the kernel on every wait. Counted in instructions in the lab (vivid,
 * {@code benchmarks/side-by-side.sh --icount}): a C loop's frame costs some 500 fewer waiting in
 * {@code epoll_wait} on the device and an eventfd than in {@code poll(2)} on both, fewer even than
 * in {@code poll(2)} on the device alone. Such a wait ({@link #awaitLinked}) checks that the
 * instance holds its two descriptors and waits, with no pollfd array to fill and read back. Other
 * wait sites (a wait for an event, the device monitor) keep {@code poll(2)} on platform threads
 * and make no epoll instance for them.
 *
 * <p>Such a wait ends at its deadline by a timerfd of the set's own, a third member of the epoll
 * instance, not by {@code epoll_wait}'s timeout (see {@link #awaitLinked}).
 *
 * <p>The epoll instance is made on the first wait that needs it, the timer on the first such wait
 * with a deadline. {@link #close()} closes both (after the last wait in flight).
 */
public final class PollSet implements AutoCloseable {
    /** At most this many descriptors: a device, its wake eventfd and one more; a stream's device, stop eventfd and timer. */
    static final int MAX = 3;
    private static final int TIMER_INDEX = 2; // the timer's entry, and its epoll data
    private static final long NOT_ARMED = Long.MIN_VALUE;

    final MemorySegment pollFds;
    private final String what;
    private final boolean steady;
    private volatile DeviceFd epoll;               // made on the first wait that needs it
    private int epollNumber;                       // its descriptor's number, for the virtual-thread waiter
    private VirtualWait.Waiter waiter;
    private final int[] wantedFd = new int[MAX];   // what put() wrote into the pollfd array
    private final int[] wantedEvents = new int[MAX];
    private final int[] memberFd = {-1, -1, -1};   // what the epoll instance holds now
    private final int[] memberEvents = new int[MAX];
    private final int[] memberIndex = new int[MAX]; // the entry each was added as: its epoll data
    private final MemorySegment event;
    private final MemorySegment ready; // what epoll_wait reports: up to MAX events
    private int linkedDevice = -1, linkedEvents, linkedExtra = -1; // what awaitLinked left in the epoll instance
    private DeviceFd timer;                        // awaitLinked's timerfd, made on the first bounded wait
    private int timerNumber = -1;
    private long timerAt = NOT_ARMED;              // when it fires, in System.nanoTime() terms
    private final MemorySegment timerSpec;
    private boolean closed;

    /**
     * A poll set whose native memory lives in {@code arena}; {@code what} names it in messages.
     * {@code steady}: platform threads wait on its epoll instance too (see above).
     */
    public PollSet(Arena arena, String what, boolean steady) {
        this.pollFds = arena.allocate(Libc.POLLFD, MAX);
        this.event = arena.allocate(Libc.EPOLL_EVENT);
        this.ready = steady ? arena.allocate(Libc.EPOLL_EVENT, MAX) : null;
        this.timerSpec = steady ? arena.allocate(Libc.ITIMERSPEC) : null;
        this.what = what;
        this.steady = steady;
        if (steady) ColdHandles.customized();
    }

    /** The handles a stream's waits call from cold code, customized once, with the first stream (see {@link Libc#customizeColdHandles}). */
    private static final class ColdHandles {
        static {
            Libc.customizeColdHandles();
        }

        static void customized() {
            // the class's initialization did it
        }
    }

    /** Whether platform threads wait on the epoll instance ({@link #awaitLinked}). */
    boolean steady() {
        return steady;
    }

    /** Sets entry {@code i} of the pollfd array: descriptor {@code fd}, {@code events}, no revents. */
    void put(int i, int fd, short events) {
        wantedFd[i] = fd;
        wantedEvents[i] = Short.toUnsignedInt(events);
        pollFds.set(ValueLayout.JAVA_INT, 8L * i, fd);
        pollFds.set(ValueLayout.JAVA_SHORT, 8L * i + 4, events);
        pollFds.set(ValueLayout.JAVA_SHORT, 8L * i + 6, (short) 0);
    }

    /** The revents of entry {@code i} after a wait. */
    short revents(int i) {
        return pollFds.get(ValueLayout.JAVA_SHORT, 8L * i + 6);
    }

    /** The epoll instance, made on first use. */
    private synchronized DeviceFd epoll() {
        if (closed) throw new IllegalStateException(what + " is closed");
        if (epoll == null) {
            int f = Libc.epollCreate1(Libc.EPOLL_CLOEXEC);
            if (f < 0) throw Errors.failure("epoll_create1", what, Libc.errno(), null);
            epoll = DeviceFd.adopt(f, what + " epoll");
            epollNumber = f;
        }
        return epoll;
    }

    /**
     * Waits on the calling (platform) thread, in {@code epoll_wait(2)}, for the wait a stream
     * makes once a frame: descriptor {@code fd} for {@code events} (or an error) and
     * {@code linkedFd} (its stop eventfd) for reading, both acquired by the caller, until one is
     * ready or the deadline passes. The epoll instance already holds them after the first such
     * wait, so this only checks that and waits: no pollfd array to fill and read back. Only for a
     * {@code steady} set.
     *
     * <p>The deadline is kept by a timerfd in the same epoll instance, not by {@code epoll_wait}'s
     * timeout, which arms and cancels a kernel timer on every wait: some 800 instructions a frame
     * in the lab ({@code --icount}), more than the library's own work a frame. The timer is armed
     * for a wait's deadline only when it is not armed already for an earlier one: a stream whose
     * frames come with the same timeout each time arms it once per timeout (at 60 fps and 5 s,
     * once every 300 frames), when it fires and the next wait arms it again. A wait woken by the
     * timer before its own deadline reports 0, as a timeout would, and its caller, seeing time
     * left, waits again.
     *
     * @param deadline when to give up, in {@link System#nanoTime()} terms; {@link Long#MAX_VALUE}: never
     * @return {@code fd}'s events, with {@link DeviceFd#EXTRA} if {@code linkedFd} is readable; 0
     *         when the timer fired (or on EINTR)
     */
    int awaitLinked(int fd, short events, int linkedFd, long deadline) {
        DeviceFd ep = epoll; // set once, under the lock; one thread waits at a time
        if (ep == null) ep = epoll();
        int e = ep.acquire(); // IllegalStateException once closed
        try {
            if (deadline != Long.MAX_VALUE && (timerAt == NOT_ARMED || deadline - timerAt < 0)) arm(deadline);
            int ev = Short.toUnsignedInt(events);
            if (fd != linkedDevice || ev != linkedEvents || linkedFd != linkedExtra) {
                put(0, fd, events);
                put(1, linkedFd, Libc.POLLIN);
                if (timer != null) put(TIMER_INDEX, timerNumber, Libc.POLLIN);
                sync(e, timer != null ? 3 : 2);
                linkedDevice = fd;
                linkedEvents = ev;
                linkedExtra = linkedFd;
            }
            int r = Libc.epollWait(e, ready, MAX, -1);
            if (r < 0) throw Errors.failure("epoll_wait", what, Libc.errno(), null);
            int result = 0;
            for (int k = 0; k < r; k++) {
                long at = Libc.EPOLL_EVENT.byteSize() * k;
                int got = ready.get(ValueLayout.JAVA_INT, at);
                long data = ready.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 4);
                if (data == 0) result |= got & 0xffff;
                else if (data == TIMER_INDEX) fired();
                else result |= DeviceFd.EXTRA;
            }
            return result;
        } finally {
            ep.release();
        }
    }

    /** Arms the timer (made on first use) to fire at {@code deadline}. */
    private void arm(long deadline) {
        if (timer == null) {
            int f = Libc.timerfdCreate(Libc.CLOCK_MONOTONIC, Libc.TFD_CLOEXEC | Libc.TFD_NONBLOCK);
            if (f < 0) throw Errors.failure("timerfd_create", what, Libc.errno(), "making the timer that ends a wait at its deadline");
            timer = DeviceFd.adopt(f, what + " timerfd");
            timerNumber = f;
            linkedDevice = -1; // awaitLinked registers it with the others, right after this
        }
        int f = timer.acquire();
        try {
            long in = Math.max(1, deadline - System.nanoTime());
            if (Libc.timerfdSetRelative(f, timerSpec, in) < 0) {
                throw Errors.failure("timerfd_settime", what, Libc.errno(), "arming the timer that ends a wait at its deadline");
            }
            timerAt = deadline;
        } finally {
            timer.release();
        }
    }

    /** The timer fired: reads its count, so that it is no longer ready, and marks it unarmed. */
    private void fired() {
        int f = timer.acquire();
        try {
            Libc.readIgnoringErrno(f, timerSpec, 8); // into the spec's first 8 bytes, which arming writes anyway; EAGAIN if already read: the same outcome
        } finally {
            timer.release();
        }
        timerAt = NOT_ARMED;
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
            ep = epoll();
            if (waiter == null) waiter = new VirtualWait.Waiter(epollNumber);
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
        linkedDevice = -1; // awaitLinked checks again
        // drop members that are not wanted any more (by number and events)
        for (int m = 0; m < MAX; m++) {
            if (memberFd[m] < 0) continue;
            boolean keep = false;
            for (int i = 0; i < n && !keep; i++) keep = fd(i) == memberFd[m] && events(i) == memberEvents[m] && i == memberIndex[m];
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
                    memberIndex[m] = i;
                    break;
                }
            }
        }
    }

    private int fd(int i) {
        return wantedFd[i];
    }

    private int events(int i) {
        return wantedEvents[i];
    }

    /** Closes the epoll instance and the timer, if they were made, once no wait uses them. Idempotent. */
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
        DeviceFd t = timer; // written only by awaitLinked, which the owner never runs alongside close()
        if (t != null) t.close();
    }
}
