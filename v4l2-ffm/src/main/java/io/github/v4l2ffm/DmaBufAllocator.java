package io.github.v4l2ffm;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pooling shared by the dma-buf allocators: blocks are dma-bufs, kept by size for reuse and
 * closed with the allocator.
 */
abstract sealed class DmaBufAllocator implements BufferAllocator, AutoCloseable permits DmaHeapAllocator, UdmabufAllocator {
    private final Map<Long, ArrayDeque<DmaBuf>> pool = new HashMap<>();
    private final List<DmaBuf> all = new ArrayList<>();
    private boolean closed;

    @Override
    public final Memory memory() {
        return Memory.DMABUF;
    }

    @Override
    public final synchronized Block allocate(long size) {
        if (closed) throw new IllegalStateException(this + " is closed");
        long rounded = UserptrAllocator.roundUp(size);
        ArrayDeque<DmaBuf> free = pool.get(rounded);
        DmaBuf b = free == null ? null : free.poll();
        if (b == null) {
            b = create(rounded);
            all.add(b);
        }
        return new Block(b.segment(), b);
    }

    /** Makes a new dma-buf of {@code size} bytes (a multiple of the page size). */
    abstract DmaBuf create(long size);

    @Override
    public final synchronized void release(Block block) {
        if (closed) {
            block.dmaBuf().close();
            return;
        }
        pool.computeIfAbsent(block.dmaBuf().size(), k -> new ArrayDeque<>()).add(block.dmaBuf());
    }

    /** How many dma-bufs this allocator has made (pooled reuse does not count). */
    public final synchronized int blocksAllocated() {
        return all.size();
    }

    /** Closes every dma-buf this allocator made; buffer sets using them must be closed first. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        all.forEach(DmaBuf::close);
        all.clear();
        pool.clear();
    }
}
