package io.github.v4l2ffm.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits of virtual threads for a descriptor to become readable, without pinning their carrier in
 * a native {@code poll}: a virtual thread parks, and one daemon platform thread, in
 * {@code epoll_wait} on every descriptor that virtual threads wait for, unparks it.
 *
 * <p>A native call pins a virtual thread to its carrier for as long as it runs: a virtual thread
 * blocked in {@code poll(2)} would take a carrier away from every other virtual thread until its
 * frame comes. So a wait on a virtual thread polls without blocking, and if nothing is ready it
 * arms its {@link Waiter} here (one-shot, {@code EPOLL_CTL_MOD}: one syscall) and parks. This is
 * what the JDK does for sockets, for descriptors the JDK does not know.
 *
 * <p>The epoll descriptor and the thread ({@code "v4l2-ffm virtual-thread poller"}) are made on
 * the first such wait and stay for the life of the JVM.
 */
public final class VirtualWait {
    private VirtualWait() {}

    private static final int BATCH = 64;

    /** The shared epoll instance and its thread, made on first use. */
    private static final class Poller {
        static final int EPFD = start();

        private static int start() {
            int epfd = Libc.epollCreate1(Libc.EPOLL_CLOEXEC);
            if (epfd < 0) throw Errors.failure("epoll_create1", "the virtual-thread poller", Libc.errno(), null);
            Thread t = Thread.ofPlatform().daemon().name("v4l2-ffm virtual-thread poller").unstarted(() -> run(epfd));
            t.start();
            return epfd;
        }

        private static void run(int epfd) {
            MemorySegment events = Arena.ofAuto().allocate(Libc.EPOLL_EVENT, BATCH);
            long stride = Libc.EPOLL_EVENT.byteSize();
            while (true) {
                int n = Libc.epollWait(epfd, events, BATCH, -1);
                for (int i = 0; i < n; i++) {
                    long data = events.get(ValueLayout.JAVA_LONG_UNALIGNED, i * stride + 4);
                    int slot = (int) (data >>> 32);
                    int seq = (int) data;
                    Waiter[] table = slots;
                    Waiter w = slot < table.length ? table[slot] : null;
                    if (w != null && w.seq == seq) {
                        w.readySeq = seq;
                        Thread th = w.thread;
                        if (th != null) LockSupport.unpark(th);
                    }
                }
            }
        }
    }

    private static volatile Waiter[] slots = new Waiter[16];

    private static synchronized int claim(Waiter w) {
        Waiter[] table = slots;
        for (int i = 0; i < table.length; i++) {
            if (table[i] == null) {
                table[i] = w;
                return i;
            }
        }
        Waiter[] bigger = Arrays.copyOf(table, table.length * 2);
        bigger[table.length] = w;
        slots = bigger;
        return table.length;
    }

    private static synchronized void free(int slot) {
        slots[slot] = null;
    }

    /** Sequence numbers of arms, unique across waiters, so that a stale event for a reused slot is told apart. */
    private static final java.util.concurrent.atomic.AtomicInteger ARMS = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * One descriptor that virtual threads wait on, one thread at a time (a stream's wait set, a
     * capture loop's epoll descriptor). The descriptor must stay open while a thread waits; once
     * it is closed, the kernel takes it out of the poller by itself.
     */
    public static final class Waiter implements AutoCloseable {
        private final int fd;
        private final int slot;
        private final MemorySegment event = Arena.ofAuto().allocate(Libc.EPOLL_EVENT);
        private boolean added;
        private volatile boolean closed;
        volatile int seq;
        volatile int readySeq;
        volatile Thread thread;

        /** A waiter for {@code fd}, which must be pollable for reading (an epoll instance, an eventfd...). */
        public Waiter(int fd) {
            this.fd = fd;
            int unused = Poller.EPFD; // starts the poller
            this.slot = claim(this);
        }

        /**
         * Parks the calling (virtual) thread until the descriptor is readable, the waiter is
         * closed, or {@code timeoutMillis} have passed ({@code -1}: no limit). Interrupts do not
         * end the wait (as for a native poll); the thread's interrupt status is kept. One thread
         * at a time.
         *
         * @return true if the poller saw the descriptor readable or the waiter was closed (the
         *         caller then polls without blocking to see what is ready; the readiness may have
         *         gone meanwhile), false on timeout
         */
        public boolean await(int timeoutMillis) {
            if (closed) return true;
            int s = ARMS.incrementAndGet();
            seq = s;
            thread = Thread.currentThread();
            boolean interrupted = false;
            try {
                event.set(ValueLayout.JAVA_INT, 0, Libc.EPOLLIN | Libc.EPOLLONESHOT);
                event.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, ((long) slot << 32) | (s & 0xffffffffL));
                int r = Libc.epollCtl(Poller.EPFD, added ? Libc.EPOLL_CTL_MOD : Libc.EPOLL_CTL_ADD, fd, event);
                if (r < 0) {
                    if (closed) return true;
                    throw Errors.failure("epoll_ctl", "the virtual-thread poller", Libc.errno(), null);
                }
                added = true;
                long deadline = timeoutMillis < 0 ? 0 : System.nanoTime() + timeoutMillis * 1_000_000L;
                while (readySeq != s && !closed) {
                    if (timeoutMillis < 0) {
                        LockSupport.park(this);
                    } else {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) return false;
                        LockSupport.parkNanos(this, left);
                    }
                    if (Thread.interrupted()) interrupted = true; // else park would return at once, again and again
                }
                return true;
            } finally {
                thread = null;
                if (interrupted) Thread.currentThread().interrupt();
            }
        }

        /**
         * Frees the waiter's slot and wakes a thread waiting in it. The descriptor stays in the
         * poller (disarmed, or armed once more) until it is closed. Idempotent.
         */
        @Override
        public void close() {
            synchronized (this) {
                if (closed) return;
                closed = true;
                free(slot);
            }
            Thread t = thread;
            if (t != null) LockSupport.unpark(t);
        }
    }
}
