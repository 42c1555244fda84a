package io.github.v4l2ffm;

import io.github.v4l2ffm.internal.Libc;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the buffers of a {@link Memory#USERPTR} or {@link Memory#DMABUF} queue come from.
 *
 * <p>{@link UserptrAllocator} hands out page-aligned memory (USERPTR); {@link DmaHeapAllocator}
 * and {@link UdmabufAllocator} hand out dma-bufs (DMABUF). A capture loop switches between them
 * by changing the allocator it passes to {@link BufferQueue#allocate(int, BufferAllocator)}:
 * nothing else changes.
 *
 * <p><b>Ownership.</b> An allocator owns all the memory it hands out, and a {@link BufferSet}
 * holds its blocks for as long as the kernel may use them: until the set is closed and the
 * kernel has let go of them ({@code VIDIOC_REQBUFS} with count 0, or, after an unplug, the
 * device's descriptor closed). Only then does a block return to the allocator's pool, and the
 * next set gets it under a fresh scope: segments taken from a closed set never reach it.
 * Closing the allocator frees its pooled blocks at once and each lent block when its set gives it
 * back, so closing it too early is safe: memory is never freed under the kernel.
 *
 * <p>The set of allocators is closed ({@code sealed}): memory the library did not allocate could
 * be freed while the kernel writes into it.
 */
public abstract sealed class BufferAllocator implements AutoCloseable permits UserptrAllocator, DmaBufAllocator {
    private final Map<Long, ArrayDeque<Block>> pool = new HashMap<>();
    private int made;
    private int lent;
    private boolean closed;

    BufferAllocator() {
    }

    /**
     * One block of memory.
     *
     * @param memory the block as the CPU sees it, in the allocator's own scope: never handed to users as is
     * @param dmaBuf the dma-buf behind it, or {@code null} for USERPTR memory
     */
    record Block(MemorySegment memory, DmaBuf dmaBuf) {
        long size() {
            return memory.byteSize();
        }
    }

    /** The memory type of the blocks: {@link Memory#USERPTR} or {@link Memory#DMABUF}. */
    public abstract Memory memory();

    /** Makes a new block of {@code size} bytes (a multiple of the page size). */
    abstract Block create(long size);

    /** Frees a block for good. */
    abstract void destroy(Block block);

    /** A block of at least {@code size} bytes, from the pool or new. */
    final synchronized Block take(long size) {
        if (closed) throw new IllegalStateException(this + " is closed");
        if (size <= 0) throw new IllegalArgumentException("block size must be positive: " + size);
        long rounded = roundUp(size);
        ArrayDeque<Block> free = pool.get(rounded);
        Block b = free == null ? null : free.poll();
        if (b == null) {
            b = create(rounded);
            made++;
        }
        lent++;
        return b;
    }

    /** Takes a block back (its buffer set is closed and the kernel has let go of it). */
    final synchronized void giveBack(Block block) {
        lent--;
        if (closed) {
            destroy(block);
        } else {
            pool.computeIfAbsent(block.size(), k -> new ArrayDeque<>()).add(block);
        }
    }

    /** How many blocks this allocator has made (pooled reuse does not count). */
    public final synchronized int blocksAllocated() {
        return made;
    }

    /** How many blocks are lent to buffer sets now (the kernel may be using them). */
    public final synchronized int blocksInUse() {
        return lent;
    }

    /** Whether {@link #close()} has not been called. */
    public final synchronized boolean isOpen() {
        return !closed;
    }

    /**
     * Frees the pooled blocks now and each block still lent to a buffer set when that set gives it
     * back; no more blocks can be taken. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
            pool.values().forEach(q -> q.forEach(this::destroy));
            pool.clear();
        }
    }

    static long roundUp(long size) {
        return (size + Libc.PAGE_SIZE - 1) / Libc.PAGE_SIZE * Libc.PAGE_SIZE;
    }
}
