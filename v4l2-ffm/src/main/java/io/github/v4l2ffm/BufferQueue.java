package io.github.v4l2ffm;

import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.ioctl.Reqbufs;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;


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
            bufferCapabilities = Reqbufs.reqbufs(fd, type, Memory.MMAP, 0).capabilities(); // count 0, no buffers: a pure query
        }
        EnumSet<Memory> set = EnumSet.noneOf(Memory.class);
        for (Memory m : Memory.values()) if (Reqbufs.supports(bufferCapabilities, m)) set.add(m);
        return set;
    }

    /** Refuses a memory type the queue says it does not support (kernels before 4.20 say nothing: then the driver decides). */
    private void checkSupports(Memory memory) {
        Set<Memory> supported = supportedMemory();
        if (!supported.isEmpty() && !supported.contains(memory)) {
            throw new IllegalArgumentException("the " + type + " queue of " + fd.path() + " does not support " + memory
                    + " buffers (it supports " + supported + ")");
        }
    }

    /** Allocates {@code count} driver buffers (MMAP), each plane mapped into this process. */
    public synchronized BufferSet allocate(int count) {
        checkNoBuffers();
        checkSupports(Memory.MMAP);
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
        checkSupports(allocator.memory());
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
        checkSupports(Memory.DMABUF);
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

    /** VIDIOC_REQBUFS; the count the driver granted. */
    int requestBuffers(int count, Memory memory) {
        return Reqbufs.reqbufs(fd, type, memory, count).count();
    }

    @Override
    public String toString() {
        return "queue " + type + " of " + fd.path();
    }
}
