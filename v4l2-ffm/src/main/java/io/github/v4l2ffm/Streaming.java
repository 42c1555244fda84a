package io.github.v4l2ffm;

import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Libc;
import io.github.v4l2ffm.internal.PollSet;
import io.github.v4l2ffm.internal.ioctl.Dqbuf;
import io.github.v4l2ffm.internal.ioctl.Qbuf;
import io.github.v4l2ffm.internal.ioctl.Streamon;
import io.github.v4l2ffm.internal.jfr.FrameTelemetry;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;


/**
 * A streaming queue: the third state of a {@link BufferQueue}. Made by {@link BufferSet#start()}.
 *
 * <p>{@link #dequeue(long)} waits (with {@code poll}) for a filled capture buffer or a consumed
 * output buffer; {@link #queue(V4l2Buffer)} gives a buffer back to the driver. Neither allocates on
 * the Java heap: the ioctl arguments are kept in native memory made once per stream and the
 * {@link V4l2Buffer} objects are reused.
 *
 * <p><b>Waiting.</b> Every wait takes a timeout in milliseconds: 0 does not wait, a positive value
 * waits up to that long, {@link #FOREVER} ({@code Long.MAX_VALUE}) until something happens; a
 * negative timeout is refused. The time counts from when the wait can start: two threads waiting
 * on one stream wait in turn. What a wait ends with tells what happened, with no further call:
 * <ul>
 *   <li>a buffer: a frame (or a consumed output buffer);</li>
 *   <li>{@code null} (0 from {@link #await(long)}): the time ran out, nothing else;</li>
 *   <li>{@link StreamEndedException}: {@link #stop()} or {@link #close()} was called (from any
 *       thread, or by closing the buffer set or device), or the queue is drained
 *       ({@link StreamEndedException#reason()} says which);</li>
 *   <li>{@link DeviceGoneException}: the device was unplugged; every later call throws it at once;</li>
 *   <li>{@link V4l2Exception} with reason {@link V4l2Exception.Reason#QUEUE_ERROR}: the driver
 *       reported a fatal streaming error; {@link #close()} and {@link BufferSet#start()} again.</li>
 * </ul>
 *
 * <p>One thread may dequeue while others queue. {@link #stop()}, from any thread, wakes a blocked
 * {@code dequeue} at once; {@link #close()} stops streaming ({@code VIDIOC_STREAMOFF}) after any
 * waiting thread has left, returns every buffer to the application, and never throws.
 *
 * <p><b>Virtual threads.</b> A wait on a virtual thread does not block in {@code poll(2)}, which
 * would pin the virtual thread to its carrier for as long as it waits: the thread parks, and the
 * library's poller thread (one for the JVM, made on the first such wait) unparks it when the
 * device, or a stop, close or unplug, is ready. The outcomes are the same as on a platform thread.
 *
 * <p><b>Many streams.</b> A {@link CaptureLoop} serves many capture streams from one thread. While
 * a loop serves this stream, {@link #dequeue} and {@link #await} throw
 * {@link IllegalStateException}: its frames go to the loop's handler.
 *
 * <p><b>Flight Recorder.</b> While a JDK Flight Recorder recording runs, every dequeue is an
 * {@code io.github.v4l2ffm.Frame} event (buffer, sequence, bytes, timestamp, dequeue latency);
 * a capture queue also records {@code io.github.v4l2ffm.SequenceGap} (frames lost between two
 * dequeues) and {@code io.github.v4l2ffm.BufferHeld} (a buffer the application kept longer than
 * the threshold, 20 ms by default). Without a recording this costs a check per frame, and no
 * allocation either way.
 */
public final class Streaming implements AutoCloseable {
    /** The timeout that waits until something happens. */
    public static final long FOREVER = Long.MAX_VALUE;

    private final BufferSet set;
    private final DeviceFd fd;
    private final int held; // fd's number, acquired by the constructor and released by close()
    private final BufferType type;
    private final int planeCount;
    private final String name;
    private final short bufferEvents;
    private final boolean output; // an output queue: QBUF sends a buffer's bytes, field and time

    private final Dqbuf dqbuf;
    private final Qbuf qbuf;
    private final PollSet pollSet;
    private final DeviceFd stopFd;
    private final int stopFdNumber; // valid until close(), which closes stopFd only once no thread waits (under dequeueLock)
    private final FrameTelemetry telemetry; // Flight Recorder events; null without jdk.jfr

    private final Object dequeueLock = new Object();
    private final Object queueLock = new Object();
    private final AtomicInteger queued = new AtomicInteger();
    private volatile boolean stopped;
    private volatile boolean drained;
    private volatile boolean closing;
    private volatile boolean closed;
    private boolean pending; // a buffer dequeued by await's error check, not yet handed out
    volatile CaptureLoop servedBy; // the loop that dequeues for this stream, if any

    Streaming(BufferSet set) {
        this.set = set;
        this.fd = set.fd();
        // held until close(), which runs only once no frame call is in flight (under both locks):
        // the descriptor's number stays the device's for the stream's whole life, and the
        // frame's calls (QBUF, the wait, DQBUF) take no use count each. The device closes its
        // streams (through its buffer sets) before its descriptor
        this.held = fd.acquire();
        try {
            this.type = set.queue().type();
            Memory memory = set.memory();
            this.planeCount = set.planeCount();
            this.name = set.queue().toString();
            this.bufferEvents = type.isOutput() ? Libc.POLLOUT : Libc.POLLIN;
            this.output = type.isOutput();
            // the ioctl and epoll arguments live as long as this object: memory the GC frees, which a
            // downcall keeps alive without the acquire and release that a shared arena's segment
            // costs on every call (some 27 instructions each, three calls a frame)
            Arena arena = Arena.ofAuto();
            dqbuf = new Dqbuf(arena, type, memory, planeCount);
            qbuf = new Qbuf(arena, type, memory, planeCount);
            pollSet = new PollSet(arena, name, true);
            stopFd = DeviceFd.eventFd(name + " stop eventfd");
            stopFdNumber = stopFd.acquire();
            stopFd.release();
            fd.linkWake(stopFd); // closing or losing the device signals it too: waits poll two descriptors, not three
            telemetry = FrameTelemetry.create(fd.path(), type);
        } catch (RuntimeException | Error e) {
            fd.release();
            throw e;
        }
    }

    /** The buffer set being streamed. */
    public BufferSet bufferSet() {
        return set;
    }

    void streamOn() {
        Streamon.streamon(fd, type);
    }

    /**
     * Gives {@code buffer} to the driver ({@code VIDIOC_QBUF}): an empty capture buffer to fill, or
     * an output buffer with its {@link V4l2Buffer#setBytesUsed(int, int) bytes used} per plane,
     * {@link V4l2Buffer#setTimestampNanos(long) timestamp} and {@link V4l2Buffer#setField field}.
     *
     * @throws IllegalArgumentException if the buffer belongs to another buffer set
     * @throws IllegalStateException if it is already queued; {@link StreamEndedException} (an
     *         {@code IllegalStateException}) if streaming has ended
     * @throws V4l2Exception if the driver refuses the buffer ({@link V4l2Exception.Reason#REFUSED}:
     *         for an output buffer, too few bytes for its format or a field its format does not take)
     */
    public void queue(V4l2Buffer buffer) {
        if (buffer.bufferSet() != set) throw new IllegalArgumentException(buffer + " does not belong to " + set);
        synchronized (queueLock) {
            checkStreaming(false);
            if (buffer.state == V4l2Buffer.State.QUEUED) {
                throw new IllegalStateException("buffer " + buffer.index() + " of " + name + " is already queued");
            }
            MemorySegment argument = buffer.queueArgument;
            if (argument == null) argument = argumentFor(buffer);
            if (output) describeOutput(argument, buffer);
            qbuf.queue(fd, held, argument, buffer.index(), name);
            buffer.state = V4l2Buffer.State.QUEUED;
            int before = queued.getAndIncrement();
            if (telemetry != null) telemetry.queued(buffer, before);
        }
    }

    /**
     * A buffer's QBUF argument, made at its first queue and kept with it: what never changes (its
     * index, its planes' lengths and memory) is written once, so a capture buffer is queued with
     * one store. Also kept from one stream of the set to the next (the same type and memory).
     */
    private MemorySegment argumentFor(V4l2Buffer buffer) {
        MemorySegment argument = qbuf.argument(buffer.index(), buffer.length, buffer.memoryRefs);
        buffer.queueArgument = argument;
        return argument;
    }

    /** An output buffer's bytes used per plane, field and time, into its QBUF argument. */
    private void describeOutput(MemorySegment argument, V4l2Buffer buffer) {
        for (int p = 0; p < planeCount; p++) qbuf.outputPlane(argument, p, outputBytes(buffer, p));
        qbuf.outputFrame(argument, outputField(buffer), buffer.timestampNanos);
    }

    /** The field an output buffer is queued with: its own, NONE (progressive) if it has none. */
    private static int outputField(V4l2Buffer b) {
        return b.field == FieldOrder.ANY.value() ? FieldOrder.NONE.value() : b.field;
    }

    private static int outputBytes(V4l2Buffer b, int plane) {
        return b.bytesUsed[plane] > 0 ? b.bytesUsed[plane] : (int) b.length(plane);
    }

    /**
     * Waits up to {@code timeoutMillis} for a buffer the driver is done with and dequeues it
     * ({@code VIDIOC_DQBUF}).
     *
     * @param timeoutMillis 0 to not wait, up to {@link #FOREVER}
     * @return the buffer, with its sequence, timestamp, flags and bytes used filled in; {@code null}
     *         only if the time ran out
     * @throws StreamEndedException if the stream was stopped or closed, or the queue is drained
     * @throws DeviceGoneException if the device was unplugged
     * @throws V4l2Exception if the driver reported an error ({@link V4l2Exception.Reason#QUEUE_ERROR}: a fatal one)
     * @throws IllegalStateException if no buffer is queued (the wait could never end), or a
     *         {@link CaptureLoop} serves this stream
     * @throws IllegalArgumentException if the timeout is negative
     */
    public V4l2Buffer dequeue(long timeoutMillis) {
        checkTimeout(timeoutMillis);
        checkNotServed();
        synchronized (dequeueLock) {
            // the clock is read once, before the first wait, and only for a bounded timeout (not
            // for 0 or FOREVER); again only after a wait that ended with no buffer. The time counts
            // from here: a thread waiting on this stream holds the lock
            long now = clockFor(timeoutMillis);
            long deadline = deadline(timeoutMillis, now);
            // a wait polls before DQBUF: a consumer that keeps up finds no buffer ready, and a DQBUF
            // first would only say EAGAIN (so poll, DQBUF, QBUF a frame, as in C). One that is behind
            // pays a poll that returns at once, small beside the work that put it behind
            boolean dequeueFirst = deadline == Long.MIN_VALUE, first = true, check = true;
            while (true) {
                if (check) checkStreaming(true);
                if (pending || dequeueFirst && tryDequeue()) { // one call site: C2 compiles dequeued() in once
                    pending = false;
                    return dequeued();
                }
                if (queued.get() == 0) {
                    throw new IllegalStateException("no buffer is queued on " + name + ": dequeue would wait for ever");
                }
                if (deadline == Long.MIN_VALUE) return null; // no wait
                long at = deadline == Long.MAX_VALUE ? 0 : first ? now : System.nanoTime(); // the first wait: the clock read on entry
                first = false;
                if (!DeviceFd.waits(deadline, at)) return null;
                int revents = fd.pollLinkedHeld(held, pollSet, bufferEvents, stopFdNumber, deadline, at);
                if ((revents & ERROR_EVENTS) != 0 && (revents & bufferEvents) == 0) return afterPollError(revents);
                // DQBUF only after a wait that found a buffer ready: one that ended with nothing (the
                // stream's timer armed for an earlier deadline, a signal) would only hear EAGAIN
                dequeueFirst = (revents & bufferEvents) != 0;
                // a wait that found a buffer and nothing signalled on the stop eventfd, which stop(),
                // close() and closing or losing the device all signal (for good): the stream's
                // state needs no second look before DQBUF, whose descriptor the stream holds. A
                // close that comes after the wait ends waits for this dequeue (the lock)
                check = !dequeueFirst || (revents & DeviceFd.EXTRA) != 0;
            }
        }
    }

    /**
     * The driver says the queue can give nothing (poll reported an error and no buffer): DQBUF says
     * why, or gives the buffer that became ready meanwhile. Out of {@link #dequeue}'s loop, which
     * C2 then compiles smaller.
     */
    private V4l2Buffer afterPollError(int revents) {
        checkStreaming(true);
        if (tryDequeue()) return dequeued();
        throw pollError(revents);
    }

    private static final int ERROR_EVENTS = Libc.POLLERR | Libc.POLLHUP | Libc.POLLNVAL;

    private void checkNotServed() {
        CaptureLoop loop = servedBy;
        if (loop != null) {
            throw new IllegalStateException(name + " is served by " + loop + ": its frames go to the loop's handler (close the registration first)");
        }
    }

    /**
     * For {@link CaptureLoop}: the next buffer the driver is done with, {@code null} if none is
     * ready now; throws what {@link #dequeue} throws when the stream has ended or failed.
     */
    V4l2Buffer dequeueIfReady() {
        synchronized (dequeueLock) {
            checkStreaming(true);
            if (pending) {
                pending = false;
                return dequeued();
            }
            return tryDequeue() ? dequeued() : null;
        }
    }

    /** For {@link CaptureLoop}: throws what a wait on this stream would throw now (stopped, closed, gone, drained). */
    void checkWaitable() {
        checkStreaming(true);
    }

    /** For {@link CaptureLoop}: the stream's stop eventfd, signalled (for good) by {@link #stop()} and {@link #close()}. */
    DeviceFd stopFd() {
        return stopFd;
    }

    DeviceFd fd() {
        return fd;
    }

    /** DQBUF: true with a buffer in {@code dqbuf}; false when none is ready; throws what any other answer means. */
    private boolean tryDequeue() {
        return switch (dqbuf.dequeue(fd, held, name)) {
            case DEQUEUED -> true;
            case NOT_READY -> false;
            case LAST -> { // a drained mem-to-mem queue: its LAST buffer was dequeued
                drained = true;
                throw new StreamEndedException(StreamEndedException.Reason.DRAINED, name + " is drained: its last buffer was dequeued");
            }
        };
    }

    /** poll reported an error and DQBUF has nothing: the device is gone, or the queue can never give a buffer. */
    RuntimeException pollError(int revents) {
        V4l2Device.queryCapabilities(fd); // throws DeviceGoneException if the device is gone
        return new IllegalStateException("poll reports an error on " + name + " (revents 0x" + Integer.toHexString(revents & 0xffff)
                + ") and DQBUF has no buffer: the driver can give none now (for a mem-to-mem device: is its other queue streaming?)");
    }

    /** {@link #dequeue(long)}, with {@code null} also once the queue is drained: the codecs' convention. */
    V4l2Buffer dequeueUnlessDrained(long timeoutMillis) {
        try {
            return dequeue(timeoutMillis);
        } catch (StreamEndedException e) {
            if (e.reason() == StreamEndedException.Reason.DRAINED) return null;
            throw e;
        }
    }

    /** {@link #await(long)}: a buffer can be dequeued. */
    public static final int READY_BUFFER = 1;
    /** {@link #await(long)}: an event is pending on the device (see {@link V4l2Device#events()}). */
    public static final int READY_EVENT = 2;

    /**
     * Waits up to {@code timeoutMillis} until a buffer can be dequeued or an event is pending, so
     * one thread can serve frames and events together.
     *
     * @param timeoutMillis 0 to not wait, up to {@link #FOREVER}
     * @return {@link #READY_BUFFER} and/or {@link #READY_EVENT}; 0 only if the time ran out
     * @throws StreamEndedException if the stream was stopped or closed, or the queue is drained
     * @throws DeviceGoneException if the device was unplugged
     * @throws V4l2Exception if the driver reported an error on the queue
     * @throws IllegalStateException if a {@link CaptureLoop} serves this stream
     * @throws IllegalArgumentException if the timeout is negative
     */
    public int await(long timeoutMillis) {
        checkTimeout(timeoutMillis);
        checkNotServed();
        synchronized (dequeueLock) {
            long now = clockFor(timeoutMillis); // the time counts from here, as dequeue's
            long deadline = deadline(timeoutMillis, now);
            for (boolean first = true; ; first = false) {
                checkStreaming(true);
                if (pending) return READY_BUFFER;
                long at = first ? now : System.nanoTime(); // the first wait: the clock read on entry
                boolean waits = DeviceFd.waits(deadline, at);
                int revents = fd.pollLinkedHeld(held, pollSet, (short) (bufferEvents | Libc.POLLPRI), stopFdNumber, deadline, at);
                if ((revents & (DeviceFd.WOKEN | DeviceFd.EXTRA)) != 0) continue; // closed, gone or stopped: checked above
                if ((revents & ERROR_EVENTS) != 0 && (revents & bufferEvents) == 0) {
                    if (tryDequeue()) {
                        pending = true;
                        return READY_BUFFER | ((revents & Libc.POLLPRI) != 0 ? READY_EVENT : 0);
                    }
                    throw pollError(revents);
                }
                int ready = ((revents & bufferEvents) != 0 ? READY_BUFFER : 0) | ((revents & Libc.POLLPRI) != 0 ? READY_EVENT : 0);
                if (ready != 0 || !waits) return ready;
                if (!DeviceFd.waits(deadline, System.nanoTime())) return 0;
            }
        }
    }

    /** @throws IllegalArgumentException if {@code timeoutMillis} is negative */
    static void checkTimeout(long timeoutMillis) {
        if (timeoutMillis < 0) throw new IllegalArgumentException("timeout must be 0 or more milliseconds (FOREVER to wait without limit): " + timeoutMillis);
    }

    /** The deadline in {@link System#nanoTime()} terms, {@link Long#MAX_VALUE} for none. */
    static long deadline(long timeoutMillis) {
        checkTimeout(timeoutMillis);
        if (timeoutMillis >= Long.MAX_VALUE / 1_000_000L) return Long.MAX_VALUE;
        long d = System.nanoTime() + timeoutMillis * 1_000_000L;
        return d == Long.MAX_VALUE ? d - 1 : d;
    }

    /**
     * The clock ({@link System#nanoTime()}) if a wait of {@code timeoutMillis} (checked) is
     * bounded, else 0: no wait and {@link #FOREVER} need no reading ({@link #deadline(long, long)}).
     */
    static long clockFor(long timeoutMillis) {
        return timeoutMillis > 0 && timeoutMillis < Long.MAX_VALUE / 1_000_000L ? System.nanoTime() : 0;
    }

    /**
     * The deadline of a wait of {@code timeoutMillis} from {@code now} ({@link #clockFor}):
     * {@link Long#MAX_VALUE} for none, {@link Long#MIN_VALUE} for no wait at all.
     */
    static long deadline(long timeoutMillis, long now) {
        if (timeoutMillis == 0) return Long.MIN_VALUE;
        if (timeoutMillis >= Long.MAX_VALUE / 1_000_000L) return Long.MAX_VALUE;
        long d = now + timeoutMillis * 1_000_000L;
        return d == Long.MAX_VALUE || d == Long.MIN_VALUE ? d - Long.signum(d) : d;
    }

    /** Milliseconds left until {@code deadline} for poll: -1 for none, 0 when passed, rounded up. */
    static int remaining(long deadline) {
        return DeviceFd.millisLeft(deadline, System.nanoTime());
    }

    private V4l2Buffer dequeued() {
        V4l2Buffer b = set.bufferAt(dqbuf.index());
        b.sequence = dqbuf.sequence();
        b.flags = dqbuf.flags();
        b.field = dqbuf.field();
        b.timestampNanos = dqbuf.timestampNanos();
        dqbuf.planes(b.bytesUsed, b.dataOffset);
        b.state = V4l2Buffer.State.DEQUEUED;
        int left = queued.decrementAndGet();
        drained = b.isLast();
        if (telemetry != null) telemetry.dequeued(b, left);
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
        while (queued.get() > 0 && !drained && dequeue(0) != null) n++;
        return n;
    }

    /**
     * Whether this (mem-to-mem capture) queue is drained: its buffer flagged LAST was dequeued,
     * and {@link #dequeue} returns {@code null} at once until the codec is restarted.
     */
    public boolean isDrained() {
        return drained;
    }

    /** A restarted codec (decoder {@code CMD_START}) gives buffers again after its LAST one. */
    void clearDrained() {
        drained = false;
    }

    /** Number of buffers currently queued to the driver. */
    public int queuedCount() {
        return queued.get();
    }

    /**
     * Wakes any thread blocked in {@link #dequeue(long)} or {@link #await(long)} at once; from now
     * on they throw {@link StreamEndedException} ({@code STOPPED}) without waiting. Streaming
     * continues until {@link #close()}. Idempotent, from any thread.
     */
    public void stop() {
        stopped = true;
        stopFd.signal();
    }

    /** Whether {@link #stop()} or {@link #close()} was called. */
    public boolean isStopped() {
        return stopped || closing;
    }

    /** Whether this stream is over: closed (by itself, its buffer set or its device) or its device gone. */
    public boolean isClosed() {
        return closed || !fd.isUsable();
    }

    private void checkStreaming(boolean waiting) {
        if (closed || closing) throw new StreamEndedException(StreamEndedException.Reason.CLOSED, name + " is not streaming (closed)");
        if (fd.isGone()) throw fd.goneException(null);
        if (!fd.isOpen()) throw new StreamEndedException(StreamEndedException.Reason.CLOSED, name + " is not streaming: its device is closed");
        if (waiting && stopped) throw new StreamEndedException(StreamEndedException.Reason.STOPPED, name + " was stopped");
        if (waiting && drained && !pending) {
            throw new StreamEndedException(StreamEndedException.Reason.DRAINED, name + " is drained: its last buffer was dequeued");
        }
    }

    /**
     * Stops streaming ({@code VIDIOC_STREAMOFF}): wakes and waits out a blocked
     * {@link #dequeue}, then takes every buffer back from the driver. Never throws: after an
     * unplug or a driver error there is nothing to stop, and every buffer is the application's.
     * Idempotent.
     */
    @Override
    public void close() {
        closing = true;
        stopFd.signal(); // wakes a waiting thread, which sees the stream closed
        synchronized (dequeueLock) {
            synchronized (queueLock) {
                if (closed) return;
                closed = true;
                try {
                    if (fd.isUsable()) {
                        // also after a refused STREAMON: it takes back the buffers queued before it
                        Streamon.streamoff(fd, type);
                    }
                } catch (RuntimeException ignored) {
                    // gone or closed meanwhile: the kernel lets go of the buffers when the descriptor is closed
                } finally {
                    for (V4l2Buffer b : set.bufferList()) b.state = V4l2Buffer.State.DEQUEUED;
                    queued.set(0);
                    pending = false;
                    fd.unlinkWake(stopFd);
                    stopFd.close();
                    pollSet.close();
                    fd.release(); // the constructor's hold: the last use, if the device was closed meanwhile, closes it
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
