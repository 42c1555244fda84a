package io.github.v4l2ffm.benchmarks;

import io.github.v4l2ffm.bindings.Videodev2;
import io.github.v4l2ffm.bindings.v4l2_buffer;
import io.github.v4l2ffm.bindings.v4l2_captureparm;
import io.github.v4l2ffm.bindings.v4l2_format;
import io.github.v4l2ffm.bindings.v4l2_fract;
import io.github.v4l2ffm.bindings.v4l2_pix_format;
import io.github.v4l2ffm.bindings.v4l2_requestbuffers;
import io.github.v4l2ffm.bindings.v4l2_streamparm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The minimal C loop ({@code benchmarks/native/capture-loop.c}, MMAP, single-planar) written in
 * Java with nothing but FFM downcalls: poll, DQBUF, QBUF a frame on static final method handles,
 * no errno capture, no use counts, no locks, no library. What the JVM itself costs a frame next
 * to C, below which no Java library can go; the library's own cost is the rest.
 */
final class PlainFfmLoop implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = handle("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle IOCTL = handle("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    /** The same ioctl without the thread-state transitions around it (for DQBUF and QBUF, which do not block on a non-blocking descriptor). */
    private static final MethodHandle IOCTL_CRITICAL = handle("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2), Linker.Option.critical(false));
    private static final MethodHandle POLL = handle("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle EPOLL_CREATE1 = handle("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = handle("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT = handle("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD = handle("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle TIMERFD_CREATE = handle("timerfd_create", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle TIMERFD_SETTIME = handle("timerfd_settime", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle READ = handle("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final long DQBUF = Videodev2.VIDIOC_DQBUF(), QBUF = Videodev2.VIDIOC_QBUF();
    private static final int BUFFERS = 4;

    private static MethodHandle handle(String name, FunctionDescriptor d, Linker.Option... options) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d, options);
    }

    private final Arena arena = Arena.ofConfined();
    private final int fd;
    private final MemorySegment pollFd, buf;
    private final boolean critical;
    /** With the library's wait: epoll_wait on the device, an eventfd and a 5 s timerfd; -1 for poll(2) as the C loop. */
    private final int epoll, timer, stop;
    private final MemorySegment events, fiveSeconds;
    private long lastSequence = -1, gaps;

    /**
     * Opens {@code device} and streams 640x480 YUYV at 60 fps from 4 MMAP buffers (never mapped:
     * the loop reads no pixel); {@code critical}: DQBUF and QBUF are linked with
     * {@link Linker.Option#critical(boolean)}, without the thread-state transitions (what those cost).
     */
    PlainFfmLoop(Path device, boolean critical) throws Throwable {
        this(device, critical, false);
    }

    /**
     * {@code epoll}: the wait is the library's stream's (and the C loop's {@code +epoll}):
     * {@code epoll_wait(2)} with no timeout on an epoll instance holding the device, an eventfd
     * nobody signals and a timerfd armed for 5 s and armed again when it fires.
     */
    PlainFfmLoop(Path device, boolean critical, boolean epoll) throws Throwable {
        this.critical = critical;
        fd = (int) OPEN.invokeExact(arena.allocateFrom(device.toString()), 2 | 0x800 | 0x80000, 0); // O_RDWR | O_NONBLOCK | O_CLOEXEC
        if (fd < 0) throw new IllegalStateException("open " + device);
        int type = Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE();
        MemorySegment fmt = arena.allocate(v4l2_format.layout());
        v4l2_format.type(fmt, type);
        MemorySegment pix = v4l2_format.fmt.pix(v4l2_format.fmt(fmt));
        v4l2_pix_format.width(pix, 640);
        v4l2_pix_format.height(pix, 480);
        v4l2_pix_format.pixelformat(pix, Videodev2.V4L2_PIX_FMT_YUYV());
        v4l2_pix_format.field(pix, Videodev2.V4L2_FIELD_NONE());
        check("S_FMT", Videodev2.VIDIOC_S_FMT(), fmt);
        MemorySegment parm = arena.allocate(v4l2_streamparm.layout());
        v4l2_streamparm.type(parm, type);
        MemorySegment perFrame = v4l2_captureparm.timeperframe(v4l2_streamparm.parm.capture(v4l2_streamparm.parm(parm)));
        v4l2_fract.numerator(perFrame, 1);
        v4l2_fract.denominator(perFrame, 60);
        check("S_PARM", Videodev2.VIDIOC_S_PARM(), parm);
        MemorySegment req = arena.allocate(v4l2_requestbuffers.layout());
        v4l2_requestbuffers.count(req, BUFFERS);
        v4l2_requestbuffers.type(req, type);
        v4l2_requestbuffers.memory(req, Videodev2.V4L2_MEMORY_MMAP());
        check("REQBUFS", Videodev2.VIDIOC_REQBUFS(), req);
        buf = arena.allocate(v4l2_buffer.layout());
        v4l2_buffer.type(buf, type);
        v4l2_buffer.memory(buf, Videodev2.V4L2_MEMORY_MMAP());
        for (int i = 0; i < v4l2_requestbuffers.count(req); i++) {
            v4l2_buffer.index(buf, i);
            check("QBUF", QBUF, buf);
        }
        MemorySegment t = arena.allocate(JAVA_INT);
        t.set(JAVA_INT, 0, type);
        check("STREAMON", Videodev2.VIDIOC_STREAMON(), t);
        pollFd = arena.allocate(8);
        pollFd.set(JAVA_INT, 0, fd);
        pollFd.set(ValueLayout.JAVA_SHORT, 4, (short) 1); // POLLIN
        events = arena.allocate(12L * 3);
        fiveSeconds = arena.allocate(32); // struct itimerspec: no interval, 5 s
        fiveSeconds.set(JAVA_LONG, 16, 5);
        if (epoll) {
            this.epoll = (int) EPOLL_CREATE1.invokeExact(0x80000); // EPOLL_CLOEXEC
            stop = (int) EVENTFD.invokeExact(0, 0x80000);
            timer = (int) TIMERFD_CREATE.invokeExact(1, 0x80000 | 0x800); // CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK
            if (this.epoll < 0 || stop < 0 || timer < 0) throw new IllegalStateException("epoll_create1, eventfd, timerfd_create");
            int[] members = {fd, stop, timer};
            for (int k = 0; k < 3; k++) {
                events.set(JAVA_INT, 0, 1); // EPOLLIN
                events.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, k);
                if ((int) EPOLL_CTL.invokeExact(this.epoll, 1, members[k], events) < 0) throw new IllegalStateException("epoll_ctl"); // EPOLL_CTL_ADD
            }
            if ((int) TIMERFD_SETTIME.invokeExact(timer, 0, fiveSeconds, MemorySegment.NULL) < 0) throw new IllegalStateException("timerfd_settime");
        } else {
            this.epoll = -1;
            timer = -1;
            stop = -1;
        }
    }

    private void check(String what, long request, MemorySegment arg) throws Throwable {
        if ((int) IOCTL.invokeExact(fd, request, arg) < 0) throw new IllegalStateException(what + " failed");
    }

    /** {@code n} frames: poll, DQBUF, QBUF each, as the C loop. */
    void frames(long n) {
        try {
            for (long i = 0; i < n; i++) frame();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t); // the downcalls declare Throwable
        }
    }

    /**
     * One frame, in a method of its own: the JIT's optimizing compiler takes a method once it was
     * called some 5,000 times (a loop's body only after some 40,000 turns), as it takes the
     * library's per-frame methods.
     */
    private void frame() throws Throwable {
        if (epoll >= 0) {
            waitInEpoll();
        } else if ((int) POLL.invokeExact(pollFd, 1L, 5000) <= 0) {
            throw new IllegalStateException("poll: no frame within 5 s");
        }
        if (ioctl(DQBUF) < 0) throw new IllegalStateException("DQBUF failed");
        long q = v4l2_buffer.sequence(buf) & 0xFFFFFFFFL;
        if (lastSequence >= 0 && q > lastSequence + 1) gaps += q - lastSequence - 1;
        lastSequence = q;
        if (ioctl(QBUF) < 0) throw new IllegalStateException("QBUF failed");
    }

    /** For {@code SideBySide split}: the wait and DQBUF of {@link #frame()}, without its QBUF (epoll only). */
    void waitAndDequeue() throws Throwable {
        waitInEpoll();
        if (ioctl(DQBUF) < 0) throw new IllegalStateException("DQBUF failed");
    }

    /** For {@code SideBySide split}: the QBUF of {@link #frame()}, of the buffer {@link #waitAndDequeue()} dequeued. */
    void requeue() throws Throwable {
        if (ioctl(QBUF) < 0) throw new IllegalStateException("QBUF failed");
    }

    /** Until the device is ready: the timer's firing (every 5 s) is read and the timer armed again. */
    private void waitInEpoll() throws Throwable {
        while (true) {
            int r = (int) EPOLL_WAIT.invokeExact(epoll, events, 3, -1);
            if (r <= 0) throw new IllegalStateException("epoll_wait");
            boolean ready = false;
            for (int k = 0; k < r; k++) {
                long data = events.get(ValueLayout.JAVA_LONG_UNALIGNED, 12L * k + 4);
                if (data == 0) {
                    ready = true;
                } else if (data == 2) {
                    long unused = (long) READ.invokeExact(timer, fiveSeconds, 8L); // into the spec's interval, which stays 0
                    fiveSeconds.set(JAVA_LONG, 0, 0);
                    if ((int) TIMERFD_SETTIME.invokeExact(timer, 0, fiveSeconds, MemorySegment.NULL) < 0) throw new IllegalStateException("timerfd_settime");
                }
            }
            if (ready) return;
        }
    }

    private int ioctl(long request) throws Throwable {
        // each invokeExact cast on its own: the cast gives the call its exact type
        if (critical) return (int) IOCTL_CRITICAL.invokeExact(fd, request, buf);
        return (int) IOCTL.invokeExact(fd, request, buf);
    }

    long gaps() {
        return gaps;
    }

    @Override
    public void close() {
        int r;
        try {
            for (int other : new int[] {epoll, timer, stop}) {
                if (other >= 0) {
                    int unused = (int) CLOSE.invokeExact(other);
                }
            }
            r = (int) CLOSE.invokeExact(fd); // stops streaming and frees the buffers
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            arena.close();
        }
        if (r < 0) throw new IllegalStateException("close failed");
    }
}
