package io.github.v4l2ffm;

import io.github.v4l2ffm.bindings.timeval;
import io.github.v4l2ffm.bindings.v4l2_buffer;
import io.github.v4l2ffm.bindings.v4l2_plane;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errno;
import io.github.v4l2ffm.internal.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.github.v4l2ffm.bindings.Videodev2.*;

/**
 * A streaming queue: the third state of a {@link BufferQueue}. Made by {@link BufferSet#start()}.
 *
 * <p>{@link #dequeue(long)} waits (with {@code poll}) for a filled capture buffer or a consumed
 * output buffer; {@link #queue(V4l2Buffer)} gives a buffer back to the driver. Neither allocates on
 * the Java heap: the ioctl arguments are kept in native memory made once per stream and the
 * {@link V4l2Buffer} objects are reused.
 *
 * <p>One thread may dequeue while others queue. {@link #stop()}, from any thread, wakes a
 * blocked {@code dequeue} at once (it returns {@code null}); {@link #close()} stops streaming
 * ({@code VIDIOC_STREAMOFF}) after any waiting thread has left, and returns every buffer to the
 * application.
 */
public final class Streaming implements AutoCloseable {
    private final BufferSet set;
    private final DeviceFd fd;
    private final BufferType type;
    private final Memory memory;
    private final int planeCount;
    private final String name;

    private final MemorySegment dqBuf, dqM, dqTimestamp;
    private final MemorySegment[] dqPlanes;
    private final MemorySegment qBuf, qM, qTimestamp;
    private final MemorySegment[] qPlanes;
    private final MemorySegment typeArg;
    private final MemorySegment pollFds;
    private final MemorySegment eventValue;
    private final int eventFd;

    private final Object dequeueLock = new Object();
    private final Object queueLock = new Object();
    private final AtomicInteger queued = new AtomicInteger();
    private volatile boolean stopped;
    private volatile boolean drained;
    private volatile boolean closed;
    private boolean on;

    Streaming(BufferSet set, Arena arena) {
        this.set = set;
        this.fd = set.fd();
        this.type = set.queue().type();
        this.memory = set.memory();
        this.planeCount = set.planeCount();
        this.name = set.queue().toString();
        dqBuf = arena.allocate(v4l2_buffer.layout());
        dqM = v4l2_buffer.m(dqBuf);
        dqTimestamp = v4l2_buffer.timestamp(dqBuf);
        dqPlanes = planes(arena, dqBuf, dqM);
        qBuf = arena.allocate(v4l2_buffer.layout());
        qM = v4l2_buffer.m(qBuf);
        qTimestamp = v4l2_buffer.timestamp(qBuf);
        qPlanes = planes(arena, qBuf, qM);
        typeArg = arena.allocateFrom(ValueLayout.JAVA_INT, type.value());
        pollFds = arena.allocate(Libc.POLLFD, 2);
        eventValue = arena.allocateFrom(ValueLayout.JAVA_LONG, 1L);
        eventFd = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (eventFd < 0) throw new V4l2Exception("eventfd", fd.path(), Libc.errno(), null);
    }

    private MemorySegment[] planes(Arena arena, MemorySegment buf, MemorySegment m) {
        v4l2_buffer.type(buf, type.value());
        v4l2_buffer.memory(buf, memory.value());
        if (!type.isMultiplanar()) return null;
        MemorySegment array = arena.allocate(v4l2_plane.layout(), planeCount);
        v4l2_buffer.m.planes(m, array);
        v4l2_buffer.length(buf, planeCount);
        MemorySegment[] slices = new MemorySegment[planeCount];
        for (int p = 0; p < planeCount; p++) slices[p] = v4l2_plane.asSlice(array, p);
        return slices;
    }

    /** The buffer set being streamed. */
    public BufferSet bufferSet() {
        return set;
    }

    void streamOn() {
        fd.ioctl("VIDIOC_STREAMON", VIDIOC_STREAMON(), typeArg);
        on = true;
    }

    /**
     * Gives {@code buffer} to the driver ({@code VIDIOC_QBUF}): an empty capture buffer to fill, or
     * an output buffer whose {@link V4l2Buffer#setBytesUsed(int, int) bytes used} are set.
     *
     * @throws IllegalArgumentException if the buffer belongs to another buffer set
     * @throws IllegalStateException if it is already queued or streaming has ended
     */
    public void queue(V4l2Buffer buffer) {
        if (buffer.bufferSet() != set) throw new IllegalArgumentException(buffer + " does not belong to " + set);
        synchronized (queueLock) {
            checkStreaming();
            if (buffer.state == V4l2Buffer.State.QUEUED) {
                throw new IllegalStateException("buffer " + buffer.index() + " of " + name + " is already queued");
            }
            v4l2_buffer.index(qBuf, buffer.index());
            v4l2_buffer.flags(qBuf, 0);
            v4l2_buffer.field(qBuf, type.isOutput() ? FieldOrder.NONE.value() : 0);
            long ts = type.isOutput() ? buffer.timestampNanos : 0;
            timeval.tv_sec(qTimestamp, ts / 1_000_000_000L);
            timeval.tv_usec(qTimestamp, ts % 1_000_000_000L / 1000L);
            if (type.isMultiplanar()) {
                v4l2_buffer.length(qBuf, planeCount);
                for (int p = 0; p < planeCount; p++) {
                    MemorySegment pl = qPlanes[p];
                    MemorySegment pm = v4l2_plane.m(pl);
                    v4l2_plane.bytesused(pl, type.isOutput() ? outputBytes(buffer, p) : 0);
                    v4l2_plane.length(pl, (int) buffer.length(p));
                    v4l2_plane.data_offset(pl, 0);
                    switch (memory) {
                        case USERPTR -> v4l2_plane.m.userptr(pm, buffer.planes[p].address());
                        case DMABUF -> v4l2_plane.m.fd(pm, buffer.dmaBufs[p].fd());
                        case MMAP -> { }
                    }
                }
            } else {
                v4l2_buffer.bytesused(qBuf, type.isOutput() ? outputBytes(buffer, 0) : 0);
                switch (memory) {
                    case USERPTR -> {
                        v4l2_buffer.m.userptr(qM, buffer.planes[0].address());
                        v4l2_buffer.length(qBuf, (int) buffer.length(0));
                    }
                    case DMABUF -> {
                        v4l2_buffer.m.fd(qM, buffer.dmaBufs[0].fd());
                        v4l2_buffer.length(qBuf, (int) buffer.length(0));
                    }
                    case MMAP -> { }
                }
            }
            int r = fd.tryIoctl(VIDIOC_QBUF(), qBuf);
            if (r < 0) {
                throw fd.failure("VIDIOC_QBUF", -r, "buffer " + buffer.index() + " of " + name);
            }
            buffer.state = V4l2Buffer.State.QUEUED;
            queued.incrementAndGet();
        }
    }

    private static int outputBytes(V4l2Buffer b, int plane) {
        return b.bytesUsed[plane] > 0 ? b.bytesUsed[plane] : (int) b.length(plane);
    }

    /**
     * Waits up to {@code timeoutMillis} (negative: for ever) for a buffer the driver is done with
     * and dequeues it ({@code VIDIOC_DQBUF}).
     *
     * @return the buffer, with its sequence, timestamp, flags and bytes used filled in; or
     *         {@code null} if the time ran out, {@link #stop()} was called, or the queue is
     *         {@link #isDrained() drained}
     * @throws IllegalStateException if streaming has ended, or no buffer is queued (the wait
     *         could never end)
     */
    public V4l2Buffer dequeue(long timeoutMillis) {
        synchronized (dequeueLock) {
            long deadline = timeoutMillis < 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (true) {
                checkStreaming();
                if (stopped) return null;
                if (type.isMultiplanar()) v4l2_buffer.length(dqBuf, planeCount);
                int r = fd.tryIoctl(VIDIOC_DQBUF(), dqBuf);
                if (r >= 0) return dequeued();
                if (r == -Errno.EPIPE) { // a drained mem-to-mem queue: its LAST buffer was dequeued
                    drained = true;
                    return null;
                }
                if (r != -Errno.EAGAIN) throw fd.failure("VIDIOC_DQBUF", -r, name);
                if (queued.get() == 0) {
                    throw new IllegalStateException("no buffer is queued on " + name + ": dequeue would wait for ever");
                }
                long remaining = deadline == Long.MAX_VALUE ? -1 : TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime() + 999_999);
                if (deadline != Long.MAX_VALUE && remaining <= 0) return null;
                if (!await((int) Math.min(remaining, Integer.MAX_VALUE))) {
                    // poll reported an error on the device and DQBUF still has nothing
                    int again = fd.tryIoctl(VIDIOC_DQBUF(), dqBuf);
                    if (again >= 0) return dequeued();
                    throw new IllegalStateException("poll reports an error on " + name
                            + " (not streaming, no buffer queued, or a driver error), and DQBUF returns " + Errno.name(-again));
                }
            }
        }
    }

    /** {@link #await(long)}: a buffer can be dequeued. */
    public static final int READY_BUFFER = 1;
    /** {@link #await(long)}: an event is pending on the device (see {@link V4l2Device#events()}). */
    public static final int READY_EVENT = 2;

    /**
     * Waits up to {@code timeoutMillis} (negative: for ever) until a buffer can be dequeued or an
     * event is pending, so one thread can serve frames and events together.
     *
     * @return {@link #READY_BUFFER} and/or {@link #READY_EVENT}; 0 on timeout or after {@link #stop()}
     */
    public int await(long timeoutMillis) {
        synchronized (dequeueLock) {
            checkStreaming();
            if (stopped) return 0;
            int n = poll((int) Math.min(timeoutMillis < 0 ? -1 : timeoutMillis, Integer.MAX_VALUE), true);
            if (n <= 0 || stopped) return 0;
            short revents = pollFds.get(ValueLayout.JAVA_SHORT, 6);
            short bufferEvents = type.isOutput() ? Libc.POLLOUT : Libc.POLLIN;
            return ((revents & bufferEvents) != 0 ? READY_BUFFER : 0) | ((revents & Libc.POLLPRI) != 0 ? READY_EVENT : 0);
        }
    }

    /** Polls the device and the stop event; false if the device reported POLLERR. */
    private boolean await(int timeoutMillis) {
        poll(timeoutMillis, false);
        short events = type.isOutput() ? Libc.POLLOUT : Libc.POLLIN;
        short revents = pollFds.get(ValueLayout.JAVA_SHORT, 6);
        return (revents & (Libc.POLLERR | Libc.POLLNVAL)) == 0 || (revents & events) != 0;
    }

    private int poll(int timeoutMillis, boolean withEvents) {
        int f = fd.acquire();
        try {
            short events = (short) ((type.isOutput() ? Libc.POLLOUT : Libc.POLLIN) | (withEvents ? Libc.POLLPRI : 0));
            pollFds.set(ValueLayout.JAVA_INT, 0, f);
            pollFds.set(ValueLayout.JAVA_SHORT, 4, events);
            pollFds.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
            pollFds.set(ValueLayout.JAVA_INT, 8, eventFd);
            pollFds.set(ValueLayout.JAVA_SHORT, 12, Libc.POLLIN);
            pollFds.set(ValueLayout.JAVA_SHORT, 14, (short) 0);
            int n = Libc.poll(pollFds, 2, timeoutMillis);
            if (n < 0) throw new V4l2Exception("poll", fd.path(), Libc.errno(), null);
            return n;
        } finally {
            fd.release();
        }
    }

    private V4l2Buffer dequeued() {
        V4l2Buffer b = set.buffers().get(v4l2_buffer.index(dqBuf));
        b.sequence = v4l2_buffer.sequence(dqBuf);
        b.flags = v4l2_buffer.flags(dqBuf);
        b.field = v4l2_buffer.field(dqBuf);
        b.timestampNanos = timeval.tv_sec(dqTimestamp) * 1_000_000_000L + timeval.tv_usec(dqTimestamp) * 1000L;
        if (type.isMultiplanar()) {
            for (int p = 0; p < planeCount; p++) {
                b.bytesUsed[p] = v4l2_plane.bytesused(dqPlanes[p]);
                b.dataOffset[p] = v4l2_plane.data_offset(dqPlanes[p]);
            }
        } else {
            b.bytesUsed[0] = v4l2_buffer.bytesused(dqBuf);
        }
        b.state = V4l2Buffer.State.DEQUEUED;
        queued.decrementAndGet();
        drained = b.isLast();
        return b;
    }

    /**
     * A buffer of this set the application may fill: one not queued to the driver (never queued,
     * or dequeued and not queued again), else the next one the driver is done with, waiting up to
     * {@code timeoutMillis}; {@code null} on timeout.
     */
    public V4l2Buffer freeBuffer(long timeoutMillis) {
        for (V4l2Buffer b : set.buffers()) {
            if (!b.isQueued()) return b;
        }
        return dequeue(timeoutMillis);
    }

    /** Dequeues every buffer the driver is done with, without waiting; how many were dequeued. */
    public int dequeueReady() {
        int n = 0;
        while (queued.get() > 0 && dequeue(0) != null) n++;
        return n;
    }

    /**
     * Whether this (mem-to-mem capture) queue is drained: its buffer flagged LAST was dequeued,
     * and {@link #dequeue} returns {@code null} at once until the codec is restarted.
     */
    public boolean isDrained() {
        return drained;
    }

    /** Number of buffers currently queued to the driver. */
    public int queuedCount() {
        return queued.get();
    }

    /**
     * Wakes any thread blocked in {@link #dequeue(long)} at once; from now on {@code dequeue}
     * returns {@code null} without waiting. Streaming continues until {@link #close()}.
     */
    public void stop() {
        stopped = true;
        if (!closed) {
            Libc.write(eventFd, eventValue, 8);
        }
    }

    /** Whether {@link #stop()} or {@link #close()} was called. */
    public boolean isStopped() {
        return stopped;
    }

    private void checkStreaming() {
        if (closed) throw new IllegalStateException(name + " is not streaming");
    }

    /**
     * Stops streaming ({@code VIDIOC_STREAMOFF}): wakes and waits out a blocked
     * {@link #dequeue}, then takes every buffer back from the driver. Idempotent.
     */
    @Override
    public void close() {
        stop();
        synchronized (dequeueLock) {
            synchronized (queueLock) {
                if (closed) return;
                closed = true;
                try {
                    if (on && fd.isOpen()) fd.ioctl("VIDIOC_STREAMOFF", VIDIOC_STREAMOFF(), typeArg);
                } finally {
                    for (V4l2Buffer b : set.buffers()) b.state = V4l2Buffer.State.DEQUEUED;
                    queued.set(0);
                    Libc.close(eventFd);
                    set.streamingClosed(this);
                }
            }
        }
    }

    @Override
    public String toString() {
        return name + (closed ? " (stopped)" : " (streaming, " + queued.get() + " queued)");
    }
}
