package io.github.v4l2ffm;

import java.lang.foreign.MemorySegment;

/**
 * Where the buffers of a {@link Memory#USERPTR} or {@link Memory#DMABUF} queue come from.
 *
 * <p>{@link UserptrAllocator} hands out page-aligned off-heap memory (USERPTR);
 * {@link DmaHeapAllocator} and {@link UdmabufAllocator} hand out dma-bufs (DMABUF). A capture
 * loop switches between them by changing the allocator it passes to
 * {@link BufferQueue#allocate(int, BufferAllocator)}: nothing else changes.
 *
 * <p>Allocators pool their blocks: a {@link BufferSet} returns its blocks when it is closed and
 * the next one reuses them.
 */
public interface BufferAllocator {
    /** The memory type of the blocks: {@link Memory#USERPTR} or {@link Memory#DMABUF}. */
    Memory memory();

    /** A block of at least {@code size} bytes (page-aligned; for DMABUF, a whole dma-buf). */
    Block allocate(long size);

    /** Gives a block back for reuse. */
    void release(Block block);

    /**
     * One allocated block.
     *
     * @param memory the block as the CPU sees it
     * @param dmaBuf the dma-buf behind it, or {@code null} for USERPTR memory
     */
    record Block(MemorySegment memory, DmaBuf dmaBuf) {
    }
}
