package io.github.v4l2ffm;

import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errors;
import io.github.v4l2ffm.internal.Libc;
import io.github.v4l2ffm.internal.Mappings;
import io.github.v4l2ffm.internal.ioctl.DmaBufIoctls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A dma-buf: a buffer shared between devices (and the CPU) through a file descriptor.
 *
 * <p>Made by {@link BufferSet#export(int, int)} (a queue's MMAP buffer, {@code VIDIOC_EXPBUF}),
 * by {@link DmaHeapAllocator} and {@link UdmabufAllocator}, or adopted from elsewhere with
 * {@link #adopt(int, long, String)}. A queue using {@link Memory#DMABUF} imports it by its fd.
 *
 * <p>{@link #segment()} maps it for the CPU, once; bracket CPU access with
 * {@link #beginCpuAccess(boolean, boolean)} and {@link #endCpuAccess(boolean, boolean)}
 * ({@code DMA_BUF_IOCTL_SYNC}) so caches stay coherent with the devices. {@link #close()} unmaps
 * it and closes the descriptor; the segment is unusable afterwards. Closing it while a queue
 * that imported it still uses it is safe: a buffer set holds its own reference.
 */
public final class DmaBuf implements AutoCloseable {
    private final DeviceFd fd;
    private final long size;
    private final String origin;
    private final Arena arena = Arena.ofShared();
    private MemorySegment mapping;
    private boolean closed;

    private DmaBuf(int fd, long size, String origin) {
        this.fd = DeviceFd.adopt(fd, origin);
        this.size = size;
        this.origin = origin;
    }

    /**
     * Takes ownership of a dma-buf descriptor made elsewhere: it is closed with this object.
     *
     * @param fd the dma-buf's file descriptor
     * @param size its size in bytes
     * @param origin where it came from, for messages (for example {@code "/dev/video0 buffer 2"})
     */
    public static DmaBuf adopt(int fd, long size, String origin) {
        if (fd < 0) throw new IllegalArgumentException("not a file descriptor: " + fd);
        if (size <= 0) throw new IllegalArgumentException("dma-buf size must be positive: " + size);
        return new DmaBuf(fd, size, origin);
    }

    /** A second handle on the same buffer ({@code dup}), closed on its own. */
    DmaBuf duplicate(String why) {
        int f = fd.acquire();
        try {
            int d = Libc.dup(f);
            if (d < 0) throw Errors.failure("dup", origin, Libc.errno(), why);
            return new DmaBuf(d, size, origin);
        } finally {
            fd.release();
        }
    }

    /**
     * The file descriptor, valid until {@link #close()}: to pass to another API. The library's
     * own calls hold the descriptor for their duration instead.
     *
     * @throws IllegalStateException if closed
     */
    public int fd() {
        int f = fd.acquire();
        fd.release();
        return f;
    }

    /** Runs a call with the descriptor held open for its duration. */
    DeviceFd handle() {
        return fd;
    }

    /** The size in bytes. */
    public long size() {
        return size;
    }

    /** Where this buffer came from. */
    public String origin() {
        return origin;
    }

    /** The buffer mapped for the CPU (mapped on first use); it becomes unusable when this buffer is closed. */
    public synchronized MemorySegment segment() {
        check();
        if (mapping == null) {
            int f = fd.acquire();
            try {
                mapping = Mappings.map(f, size, 0, arena, origin);
            } finally {
                fd.release();
            }
        }
        return mapping;
    }

    /** Starts CPU access ({@code DMA_BUF_IOCTL_SYNC} with {@code DMA_BUF_SYNC_START}). */
    public void beginCpuAccess(boolean read, boolean write) {
        sync(true, read, write);
    }

    /** Ends CPU access ({@code DMA_BUF_IOCTL_SYNC} with {@code DMA_BUF_SYNC_END}). */
    public void endCpuAccess(boolean read, boolean write) {
        sync(false, read, write);
    }

    private void sync(boolean start, boolean read, boolean write) {
        check();
        if (!read && !write) throw new IllegalArgumentException("CPU access must read, write or both");
        DmaBufIoctls.sync(fd, start, read, write);
    }

    private synchronized void check() {
        if (closed) throw new IllegalStateException("dma-buf " + origin + " is closed");
    }

    /** Whether {@link #close()} has not been called. */
    public synchronized boolean isOpen() {
        return !closed;
    }

    /** Unmaps the buffer and closes its descriptor. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        arena.close();
        fd.close();
    }

    @Override
    public synchronized String toString() {
        return "DmaBuf[" + origin + ", " + size + " bytes" + (closed ? ", closed]" : "]");
    }
}
