package io.github.v4l2ffm;

import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errors;
import io.github.v4l2ffm.internal.Libc;
import io.github.v4l2ffm.internal.VirtualWait;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One thread serving many capture streams: it waits for all of them at once ({@code epoll}),
 * dequeues each frame, hands it to that stream's {@link FrameHandler}, and queues the buffer
 * again when the handler returns. Events of the streams' devices ({@link V4l2Device#events()}
 * subscriptions) go to the same handler.
 *
 * <pre>{@code
 * try (CaptureLoop loop = CaptureLoop.start()) {
 *     for (Streaming s : streams) {
 *         loop.add(s, (source, frame) -> process(frame));    // on the loop's thread; queued again after
 *     }
 *     ...
 * }   // every stream is taken out of the loop; the streams themselves stay open (the application owns them)
 * }</pre>
 *
 * <p><b>Threading.</b> Every handler call runs on the loop's thread, one at a time, in the order
 * the frames are ready: a handler that takes long delays the other streams (hand the work to
 * another thread, {@linkplain Registration#hold holding} the buffer, if it does). {@link #add},
 * {@link Registration#close()} and {@link #close()} may be called from any thread, also from a
 * handler; the loop's own eventfd wakes it for them. A stream served by a loop is not dequeued
 * by anyone else: {@link Streaming#dequeue} and {@link Streaming#await} throw
 * {@link IllegalStateException} while it is registered. {@link Streaming#queue} may be called
 * from any thread (to give back a held buffer).
 *
 * <p><b>Failures are per stream.</b> When a stream ends, its registration ends and its handler's
 * {@link FrameHandler#onEnded onEnded} is told why; the other streams go on. The reasons:
 * <ul>
 *   <li>{@link DeviceGoneException}: the device was unplugged;</li>
 *   <li>{@link StreamEndedException}: the stream was {@linkplain Streaming#stop() stopped} or
 *       closed (by any thread, or by closing its buffer set or device);</li>
 *   <li>a {@link V4l2Exception}: the driver failed a dequeue or a queue ({@code QUEUE_ERROR}
 *       for a fatal streaming error);</li>
 *   <li>the {@link RuntimeException} the handler itself threw (its buffer is queued again, unless held);</li>
 *   <li>{@code null}: the registration was {@linkplain Registration#close() closed} or the loop
 *       was closed; the stream goes on, and may be dequeued again or added to a loop.</li>
 * </ul>
 * A stream in error is taken out of the loop at once: the loop never spins on a descriptor that
 * reports errors, and never blocks on one. By the time {@code onEnded} runs the loop holds no
 * descriptor of that stream any more, so the handler may close the stream or its device there.
 *
 * <p><b>Virtual threads.</b> The loop runs on a platform thread by default. Given a virtual
 * thread ({@link #start(ThreadFactory)}), it waits without pinning its carrier, as
 * {@link Streaming#dequeue} does on virtual threads.
 *
 * <p>Nothing is allocated on the Java heap per frame: the epoll events are read from native
 * memory made once and the streams' {@link V4l2Buffer}s are reused.
 */
public final class CaptureLoop implements AutoCloseable {
    /**
     * What a stream's frames and events are given to, on the loop's thread.
     */
    @FunctionalInterface
    public interface FrameHandler {
        /**
         * A frame of {@code source}'s stream. The buffer's data is valid until the handler returns;
         * then the loop queues it again, unless the handler called
         * {@link Registration#hold(V4l2Buffer) source.hold(frame)}.
         */
        void onFrame(Registration source, V4l2Buffer frame);

        /** An event of the stream's device (subscribe with {@link V4l2Device#events()}). Does nothing by default. */
        default void onEvent(Registration source, V4l2Event event) {
        }

        /**
         * The registration ended: the loop will call this handler no more for it, and holds none of
         * its descriptors. Called once, on the loop's thread. Does nothing by default.
         *
         * @param reason why (see {@link CaptureLoop}); {@code null} when the registration or the loop was closed
         */
        default void onEnded(Registration source, RuntimeException reason) {
        }
    }

    private static final System.Logger LOG = System.getLogger(CaptureLoop.class.getName());
    private static final AtomicInteger GENERATIONS = new AtomicInteger();
    private static final int BATCH = 32;
    private static final long WAKE_DATA = -1L;
    private static final int KIND_DEVICE = 0, KIND_WAKE = 1, KIND_STOP = 2;

    private final String name;
    private final DeviceFd epoll;
    private final DeviceFd wake;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private volatile boolean closing;
    private volatile boolean done;
    private Registration[] slots = new Registration[8]; // the loop thread's
    private int active;                                   // the loop thread's
    private MemorySegment event;                          // the loop thread's: one epoll_event for epoll_ctl

    private CaptureLoop(ThreadFactory factory) {
        int ep = Libc.epollCreate1(Libc.EPOLL_CLOEXEC);
        if (ep < 0) throw Errors.failure("epoll_create1", "capture loop", Libc.errno(), null);
        epoll = DeviceFd.adopt(ep, "capture loop epoll");
        DeviceFd w = null;
        try {
            w = DeviceFd.eventFd("capture loop wake eventfd");
            try (Arena a = Arena.ofConfined()) {
                MemorySegment e = a.allocate(Libc.EPOLL_EVENT);
                e.set(ValueLayout.JAVA_INT, 0, Libc.EPOLLIN);
                e.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, WAKE_DATA);
                int wf = w.acquire();
                try {
                    if (Libc.epollCtl(ep, Libc.EPOLL_CTL_ADD, wf, e) < 0) {
                        throw Errors.failure("epoll_ctl", "capture loop", Libc.errno(), "adding its wake eventfd");
                    }
                } finally {
                    w.release();
                }
            }
            Thread t = factory.newThread(this::run);
            if (t == null) throw new IllegalArgumentException("the thread factory made no thread");
            thread = t;
            name = "capture loop on " + t.getName();
        } catch (RuntimeException | Error e) {
            if (w != null) w.close();
            epoll.close();
            throw e;
        }
        wake = w;
    }

    /** Starts a loop on a new platform daemon thread named {@code v4l2-capture-loop}. */
    public static CaptureLoop start() {
        return start("v4l2-capture-loop");
    }

    /** Starts a loop on a new platform daemon thread named {@code threadName}. */
    public static CaptureLoop start(String threadName) {
        Objects.requireNonNull(threadName, "threadName");
        return start(Thread.ofPlatform().name(threadName).daemon().factory());
    }

    /**
     * Starts a loop on a thread {@code factory} makes (a platform thread with a priority, a
     * virtual thread...).
     *
     * @throws V4l2Exception if the epoll or eventfd descriptor cannot be made ({@code EMFILE}...)
     */
    public static CaptureLoop start(ThreadFactory factory) {
        Objects.requireNonNull(factory, "factory");
        CaptureLoop loop = new CaptureLoop(factory);
        try {
            loop.thread.start();
        } catch (RuntimeException | Error e) {
            loop.wake.close();
            loop.epoll.close();
            throw e;
        }
        return loop;
    }

    /**
     * Adds a capture stream: from now on the loop dequeues its frames and gives them, and its
     * device's events, to {@code handler}. Returns once the stream is in the loop; from any thread.
     *
     * @return the registration: {@link Registration#close()} takes the stream out of the loop again
     * @throws IllegalArgumentException if the stream is an output stream, or is already served by a loop
     * @throws IllegalStateException if this loop is closed, or the stream has ended ({@link StreamEndedException})
     * @throws DeviceGoneException if the stream's device is gone
     */
    public Registration add(Streaming stream, FrameHandler handler) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(handler, "handler");
        if (stream.bufferSet().queue().type().isOutput()) {
            throw new IllegalArgumentException(stream + " is an output stream: a capture loop serves capture streams");
        }
        Registration r = new Registration(stream, handler);
        if (Thread.currentThread() == thread) {
            register(r);
            return r;
        }
        CompletableFuture<Void> added = new CompletableFuture<>();
        submit(() -> {
            try {
                register(r);
                added.complete(null);
            } catch (RuntimeException | Error e) {
                added.completeExceptionally(e);
            }
        }, () -> added.completeExceptionally(closedException()));
        try {
            added.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
        return r;
    }

    /** Runs {@code command} on the loop's thread; {@code ifClosed} instead when the loop has ended. */
    private void submit(Runnable command, Runnable ifClosed) {
        if (done) {
            ifClosed.run();
            return;
        }
        commands.add(command);
        wake.signal();
        // the loop drains its commands after it set done: whatever it did not take is ours
        if (done && commands.remove(command)) ifClosed.run();
    }

    private IllegalStateException closedException() {
        return new IllegalStateException(name + " is closed");
    }

    /** Whether the loop is running: not closed, and its thread has not stopped. */
    public boolean isOpen() {
        return !closing && !done;
    }

    /** The loop's thread. */
    public Thread thread() {
        return thread;
    }

    /**
     * Stops the loop: every registration ends (its handler's {@code onEnded} gets {@code null}),
     * the loop's thread ends, and its descriptors are closed. Waits for that (for the handler call
     * in progress too) unless called on the loop's thread, from a handler: then the loop stops
     * when the handler returns. The streams stay open and streaming: the application owns them.
     * Never throws; idempotent.
     */
    @Override
    public void close() {
        closing = true;
        wake.signal();
        if (Thread.currentThread() == thread) return;
        boolean interrupted = false;
        while (true) {
            try {
                thread.join(); // its registrations ended and its descriptors closed before it did
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    @Override
    public String toString() {
        return name + (isOpen() ? "" : " (closed)");
    }

    // ---- the loop's thread ----

    private void run() {
        Throwable fatal = null;
        int ep = epoll.acquire();
        int wk = wake.acquire();
        VirtualWait.Waiter virtualWait = null;
        Arena arena = Arena.ofConfined();
        try {
            MemorySegment events = arena.allocate(Libc.EPOLL_EVENT, BATCH);
            MemorySegment counter = arena.allocate(ValueLayout.JAVA_LONG);
            event = arena.allocate(Libc.EPOLL_EVENT);
            long stride = Libc.EPOLL_EVENT.byteSize();
            if (Thread.currentThread().isVirtual()) virtualWait = new VirtualWait.Waiter(ep);
            while (!closing) {
                int n;
                if (virtualWait == null) {
                    n = Libc.epollWait(ep, events, BATCH, -1);
                } else {
                    n = Libc.epollWait(ep, events, BATCH, 0);
                    if (n == 0) {
                        virtualWait.await(-1);
                        n = Libc.epollWait(ep, events, BATCH, 0);
                    }
                }
                if (n < 0) throw Errors.failure("epoll_wait", name, Libc.errno(), null);
                for (int i = 0; i < n && !closing; i++) {
                    int ev = events.get(ValueLayout.JAVA_INT, i * stride);
                    long data = events.get(ValueLayout.JAVA_LONG_UNALIGNED, i * stride + 4);
                    if (data == WAKE_DATA) {
                        Libc.read(wk, counter, 8); // resets the eventfd (non-blocking)
                        runCommands();
                    } else {
                        dispatch(data, ev);
                    }
                }
            }
        } catch (Throwable t) {
            fatal = t;
        } finally {
            try {
                RuntimeException reason = fatal == null ? null
                        : new IllegalStateException(name + " stopped: " + fatal, fatal);
                for (Registration r : slots) {
                    if (r != null) end(r, reason);
                }
                done = true;
                Runnable c;
                while ((c = commands.poll()) != null) c.run(); // adds fail (closed), closes find their registration ended
            } finally {
                if (virtualWait != null) virtualWait.close();
                arena.close();
                wake.release();
                epoll.release();
                wake.close();
                epoll.close();
            }
        }
        if (fatal instanceof Error e) throw e;
        if (fatal instanceof RuntimeException e) throw e;
    }

    private void runCommands() {
        Runnable c;
        while ((c = commands.poll()) != null) c.run();
    }

    private void register(Registration r) {
        if (closing || done) throw closedException();
        Streaming s = r.stream;
        synchronized (s) { // two loops adding the same stream at once
            if (s.servedBy != null) throw new IllegalArgumentException(s + " is already served by " + s.servedBy);
            s.checkWaitable(); // ended or gone: says so
            DeviceFd dev = s.fd();
            DeviceFd stop = s.stopFd();
            int devFd = dev.acquire();
            int stopFd;
            try {
                stopFd = stop.acquire();
            } catch (RuntimeException e) {
                dev.release();
                throw s.isClosed() || s.isStopped() ? endedException(s, e) : e;
            }
            int slot = freeSlot();
            int wakeFd = dev.wakeFd();
            int added = 0;
            try {
                ctl(Libc.EPOLL_CTL_ADD, devFd, Libc.EPOLLIN | Libc.EPOLLPRI, r.data(slot, KIND_DEVICE), s);
                added++;
                if (wakeFd >= 0) ctl(Libc.EPOLL_CTL_ADD, wakeFd, Libc.EPOLLIN, r.data(slot, KIND_WAKE), s);
                added++;
                ctl(Libc.EPOLL_CTL_ADD, stopFd, Libc.EPOLLIN, r.data(slot, KIND_STOP), s);
                added++;
            } catch (RuntimeException e) {
                if (added > 0) Libc.epollCtl(epollFd(), Libc.EPOLL_CTL_DEL, devFd, MemorySegment.NULL);
                if (added > 1 && wakeFd >= 0) Libc.epollCtl(epollFd(), Libc.EPOLL_CTL_DEL, wakeFd, MemorySegment.NULL);
                stop.release();
                dev.release();
                throw e;
            }
            r.slot = slot;
            r.devFd = devFd;
            r.wakeFd = wakeFd;
            r.stopFd = stopFd;
            r.active = true;
            slots[slot] = r;
            active++;
            s.servedBy = this;
        }
    }

    private static RuntimeException endedException(Streaming s, RuntimeException cause) {
        try {
            s.checkWaitable();
        } catch (RuntimeException e) {
            return e;
        }
        return cause;
    }

    private int epollFd() {
        int f = epoll.acquire(); // held by the loop thread for its life: the number stays valid
        epoll.release();
        return f;
    }

    private void ctl(int op, int fd, int events, long data, Streaming s) {
        event.set(ValueLayout.JAVA_INT, 0, events);
        event.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, data);
        if (Libc.epollCtl(epollFd(), op, fd, event) < 0) {
            int errno = Libc.errno();
            if (errno == io.github.v4l2ffm.internal.Errno.EEXIST) {
                throw new IllegalArgumentException(s + ": its device handle is already in " + name + " (one stream per device handle)");
            }
            throw Errors.failure("epoll_ctl", name, errno, "adding " + s);
        }
    }

    private int freeSlot() {
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] == null) return i;
        }
        int i = slots.length;
        slots = Arrays.copyOf(slots, slots.length * 2);
        return i;
    }

    private void dispatch(long data, int ev) {
        int slot = (int) (data >>> 2) & 0x3fffffff;
        int kind = (int) (data & 3);
        int gen = (int) (data >>> 32);
        Registration r = slot < slots.length ? slots[slot] : null;
        if (r == null || r.gen != gen || !r.active) return; // an event for a registration that ended in this batch
        Streaming s = r.stream;
        if (kind != KIND_DEVICE) {
            // stop()/close() of the stream, close of the device, or the device gone: the stream says which
            try {
                s.checkWaitable();
            } catch (RuntimeException e) {
                end(r, e);
                return;
            }
            end(r, new IllegalStateException(s + ": its " + (kind == KIND_STOP ? "stop" : "wake") + " eventfd fired, yet it goes on"));
            return;
        }
        if ((ev & (Libc.EPOLLIN | Libc.EPOLLERR | Libc.EPOLLHUP)) != 0) {
            V4l2Buffer b;
            try {
                b = s.dequeueIfReady();
                if (b == null && (ev & (Libc.EPOLLERR | Libc.EPOLLHUP)) != 0) throw s.pollError(ev);
            } catch (RuntimeException e) {
                end(r, e);
                return;
            }
            if (b != null) deliver(r, b);
        }
        if (r.active && (ev & Libc.EPOLLPRI) != 0) {
            V4l2Event e;
            try {
                e = io.github.v4l2ffm.internal.ioctl.Events.dqevent(s.fd());
            } catch (RuntimeException ex) {
                end(r, ex);
                return;
            }
            if (e != null) {
                try {
                    r.handler.onEvent(r, e);
                } catch (RuntimeException ex) {
                    end(r, ex);
                }
            }
        }
    }

    private void deliver(Registration r, V4l2Buffer b) {
        r.current = b;
        r.held = false;
        try {
            r.handler.onFrame(r, b);
        } catch (RuntimeException e) {
            r.current = null;
            if (!r.held) requeueQuietly(r, b);
            end(r, e);
            return;
        } catch (Error e) {
            r.current = null;
            throw e;
        }
        r.current = null;
        if (!r.held) {
            try {
                r.stream.queue(b);
            } catch (RuntimeException e) {
                end(r, e); // closed meanwhile, gone, or the driver refused the buffer
            }
        }
    }

    private static void requeueQuietly(Registration r, V4l2Buffer b) {
        try {
            r.stream.queue(b);
        } catch (RuntimeException ignored) {
            // the stream ended as well: the registration ends with the handler's exception anyway
        }
    }

    /** Takes {@code r} out of the epoll set, lets go of its descriptors, and tells its handler. */
    private void end(Registration r, RuntimeException reason) {
        if (!r.active) return;
        r.active = false;
        slots[r.slot] = null;
        active--;
        int ep = epollFd();
        Libc.epollCtl(ep, Libc.EPOLL_CTL_DEL, r.devFd, MemorySegment.NULL);
        if (r.wakeFd >= 0) Libc.epollCtl(ep, Libc.EPOLL_CTL_DEL, r.wakeFd, MemorySegment.NULL);
        Libc.epollCtl(ep, Libc.EPOLL_CTL_DEL, r.stopFd, MemorySegment.NULL);
        Streaming s = r.stream;
        s.stopFd().release();
        s.fd().release(); // the device's descriptor is closed now if the application closed it
        synchronized (s) {
            if (s.servedBy == this) s.servedBy = null;
        }
        r.reason = reason;
        try {
            r.handler.onEnded(r, reason);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "onEnded of " + r + " threw", e);
        } finally {
            r.ended.complete(null);
        }
    }

    /**
     * A stream's place in the loop. {@link #close()} takes it out; the stream itself stays open.
     */
    public final class Registration implements AutoCloseable {
        private final Streaming stream;
        private final FrameHandler handler;
        private final int gen = GENERATIONS.incrementAndGet();
        private final CompletableFuture<Void> ended = new CompletableFuture<>();
        private volatile boolean active;
        private volatile RuntimeException reason;
        private int slot, devFd, wakeFd, stopFd; // the loop thread's
        private V4l2Buffer current;              // the frame being handed to onFrame
        private boolean held;

        private Registration(Streaming stream, FrameHandler handler) {
            this.stream = stream;
            this.handler = handler;
        }

        long data(int slot, int kind) {
            return ((long) gen << 32) | ((long) slot << 2) | kind;
        }

        /** The stream this registration serves. */
        public Streaming streaming() {
            return stream;
        }

        /** The loop. */
        public CaptureLoop loop() {
            return CaptureLoop.this;
        }

        /**
         * Keeps {@code frame}, the frame being handed to {@link FrameHandler#onFrame}, after the
         * handler returns: the loop does not queue it again. Give it back with
         * {@link Streaming#queue(V4l2Buffer) streaming().queue(frame)}, from any thread; until
         * then the driver has one buffer less to fill (with none left, the stream pauses).
         *
         * @throws IllegalStateException if not called from {@code onFrame} for this frame
         */
        public void hold(V4l2Buffer frame) {
            if (Thread.currentThread() != thread || current == null || current != frame) {
                throw new IllegalStateException("hold(frame) is for onFrame's own frame, on the loop's thread: " + frame);
            }
            held = true;
        }

        /** Whether the loop still serves this stream. */
        public boolean isActive() {
            return active;
        }

        /** Why the registration ended (see {@link FrameHandler#onEnded}); {@code null} while active or when closed. */
        public RuntimeException endReason() {
            return reason;
        }

        /**
         * Takes the stream out of the loop: no handler call follows once this returns (except
         * {@code onEnded}, which has run by then), and the stream may be dequeued directly again.
         * Waits for the handler call in progress unless called on the loop's thread. Never throws;
         * idempotent.
         */
        @Override
        public void close() {
            if (Thread.currentThread() == thread) {
                end(this, null);
                return;
            }
            submit(() -> end(this, null), () -> {});
            ended.join();
        }

        @Override
        public String toString() {
            return stream + " in " + name + (active ? "" : " (ended)");
        }
    }
}
