package io.github.v4l2ffm;

import io.github.v4l2ffm.internal.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Page-aligned memory for {@link Memory#USERPTR} queues, owned by the allocator and pooled by
 * size: blocks given back by a closed {@link BufferSet} are handed out again, so repeated
 * allocate/free cycles do not grow memory.
 *
 * <pre>{@code
 * try (var allocator = new UserptrAllocator();
 *      BufferSet buffers = queue.allocate(4, allocator)) { ... }
 * }</pre>
 * The memory is freed only when the kernel can no longer write into it (see
 * {@link BufferAllocator}): closing the allocator while a set still streams from it is safe.
 */
public final class UserptrAllocator extends BufferAllocator {
    private final Map<MemorySegment, Arena> arenas = new IdentityHashMap<>();

    /** An allocator with no memory yet. */
    public UserptrAllocator() {
    }

    @Override
    public Memory memory() {
        return Memory.USERPTR;
    }

    @Override
    synchronized Block create(long size) {
        Arena arena = Arena.ofShared();
        MemorySegment s = arena.allocate(size, Libc.PAGE_SIZE);
        arenas.put(s, arena);
        return new Block(s, null);
    }

    @Override
    synchronized void destroy(Block block) {
        Arena arena = arenas.remove(block.memory());
        if (arena != null) arena.close();
    }

    @Override
    public String toString() {
        return "UserptrAllocator[" + blocksAllocated() + " blocks, " + blocksInUse() + " in use]";
    }
}
