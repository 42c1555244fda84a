package io.github.v4l2ffm;

import io.github.v4l2ffm.bindings.v4l2_requestbuffers;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static io.github.v4l2ffm.bindings.Videodev2.*;

/**
 * One queue of a device (its CAPTURE or OUTPUT side), in its first state: no buffers.
 *
 * <p>The queue's states are types:
 * <ul>
 *   <li>{@code BufferQueue}: set the format, then allocate buffers with {@link #allocate(int)} (MMAP)
 *       or {@link #allocate(int, BufferAllocator)} (USERPTR / DMABUF), or import dma-bufs with
 *       {@link #importDmaBufs(List)};</li>
 *   <li>{@link BufferSet}: buffers allocated (and mapped); {@link BufferSet#start()} starts streaming;
 *       closing it frees the buffers;</li>
 *   <li>{@link Streaming}: streaming; dequeue and queue buffers; closing it stops streaming.</li>
 * </ul>
 * A queue has at most one buffer set at a time: allocating again before closing it is refused.
 *
 * <pre>{@code
 * BufferQueue q = device.queue(BufferType.VIDEO_CAPTURE);
 * q.setFormat(640, 480, PixelFormat.YUYV);
 * try (BufferSet buffers = q.allocate(4); Streaming s = buffers.start()) {
 *     V4l2Buffer b = s.dequeue(1000);           // null on timeout
 *     MemorySegment frame = b.segment(0);   // b.bytesUsed(0) bytes of YUYV
 *     s.queue(b);
 * }
 * }</pre>
 */
public final class BufferQueue {
    private final V4l2Device device;
    private final DeviceFd fd;
    private final BufferType type;
    private BufferSet buffers;
    private int bufferCapabilities = -1;

    BufferQueue(V4l2Device device, DeviceFd fd, BufferType type) {
        this.device = device;
        this.fd = fd;
        this.type = type;
    }

    /** The device. */
    public V4l2Device device() {
        return device;
    }

    /** The queue's buffer type. */
    public BufferType type() {
        return type;
    }

    /** The pixel formats this queue offers ({@code VIDIOC_ENUM_FMT}). */
    public List<FormatDescription> formats() {
        return device.formats(type);
    }

    /** The current format ({@code VIDIOC_G_FMT}). */
    public VideoFormat format() {
        return device.format(type);
    }

    /**
     * Sets the format ({@code VIDIOC_S_FMT}) and returns the one the driver chose.
     *
     * @throws IllegalStateException if the queue has buffers (the kernel forbids format changes then)
     */
    public VideoFormat setFormat(VideoFormat format) {
        if (format.type() != type) throw new IllegalArgumentException("format for " + format.type() + " given to the " + type + " queue");
        synchronized (this) {
            if (buffers != null) {
                throw new IllegalStateException("cannot change the format of " + this + " while it has buffers: close its BufferSet first");
            }
        }
        return device.setFormat(format);
    }

    /** Sets {@code width x height} in {@code pixelFormat}; returns the format the driver chose. */
    public VideoFormat setFormat(int width, int height, PixelFormat pixelFormat) {
        return setFormat(VideoFormat.of(type, width, height, pixelFormat));
    }

    /** The memory types the queue supports ({@code VIDIOC_REQBUFS} capabilities, Linux 4.20 and later). */
    public synchronized Set<Memory> supportedMemory() {
        if (bufferCapabilities < 0) {
            if (buffers != null) throw new IllegalStateException("query supportedMemory() before allocating buffers on " + this);
            bufferCapabilities = requestBuffers(0, Memory.MMAP, true); // count 0 with no buffers: a pure query
        }
        int caps = bufferCapabilities;
        EnumSet<Memory> set = EnumSet.noneOf(Memory.class);
        if ((caps & V4L2_BUF_CAP_SUPPORTS_MMAP()) != 0) set.add(Memory.MMAP);
        if ((caps & V4L2_BUF_CAP_SUPPORTS_USERPTR()) != 0) set.add(Memory.USERPTR);
        if ((caps & V4L2_BUF_CAP_SUPPORTS_DMABUF()) != 0) set.add(Memory.DMABUF);
        return set;
    }

    private Set<Memory> supportedMemoryOrNull() {
        try {
            return supportedMemory();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Allocates {@code count} driver buffers (MMAP), each plane mapped into this process. */
    public synchronized BufferSet allocate(int count) {
        checkNoBuffers();
        buffers = BufferSet.mmap(this, count);
        return buffers;
    }

    /**
     * Allocates {@code count} buffers from {@code allocator}: USERPTR memory or dma-bufs, sized
     * from the current format. The set holds the allocator's blocks while the kernel may use them
     * (see {@link BufferAllocator}).
     */
    public synchronized BufferSet allocate(int count, BufferAllocator allocator) {
        checkNoBuffers();
        buffers = BufferSet.fromAllocator(this, count, allocator);
        return buffers;
    }

    /**
     * Uses the given dma-bufs as this queue's buffers (DMABUF import), one per buffer, each
     * holding a single plane. The dma-bufs stay owned by the caller, who may close them at any
     * time: the set holds its own reference to each ({@code dup}) until the kernel lets go.
     */
    public synchronized BufferSet importDmaBufs(List<DmaBuf> dmaBufs) {
        checkNoBuffers();
        buffers = BufferSet.imported(this, dmaBufs);
        return buffers;
    }

    /** The queue's buffer set, if it has one. */
    public synchronized Optional<BufferSet> buffers() {
        return Optional.ofNullable(buffers);
    }

    private void checkNoBuffers() {
        if (!fd.isOpen()) throw new IllegalStateException(fd.path() + " is closed");
        if (fd.isGone()) throw fd.goneException(null);
        if (buffers != null) {
            throw new IllegalStateException(this + " already has " + buffers.count() + " buffers: close its BufferSet first");
        }
    }

    synchronized void released(BufferSet set) {
        if (buffers == set) buffers = null;
    }

    /** Closes the buffer set, if any (the device is closing). */
    void closeBuffers() {
        BufferSet b;
        synchronized (this) {
            b = buffers;
        }
        if (b != null) b.close();
    }

    DeviceFd fd() {
        return fd;
    }

    /**
     * VIDIOC_REQBUFS; returns the count the driver granted, or the capabilities when
     * {@code wantCapabilities}.
     */
    int requestBuffers(int count, Memory memory, boolean wantCapabilities) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment r = arena.allocate(v4l2_requestbuffers.layout());
            v4l2_requestbuffers.count(r, count);
            v4l2_requestbuffers.type(r, type.value());
            v4l2_requestbuffers.memory(r, memory.value());
            int rc = fd.tryIoctl(VIDIOC_REQBUFS(), r);
            if (rc < 0) {
                String detail = null;
                if (-rc == Errno.EINVAL && count > 0) {
                    Set<Memory> supported = supportedMemoryOrNull();
                    detail = supported != null && !supported.contains(memory)
                            ? "the " + type + " queue does not support " + memory + " buffers (it supports " + supported + ")"
                            : "the driver refused " + count + " " + memory + " buffers for the current format";
                }
                throw fd.failure("VIDIOC_REQBUFS", -rc, detail);
            }
            return wantCapabilities ? v4l2_requestbuffers.capabilities(r) : v4l2_requestbuffers.count(r);
        }
    }

    @Override
    public String toString() {
        return "queue " + type + " of " + fd.path();
    }
}
