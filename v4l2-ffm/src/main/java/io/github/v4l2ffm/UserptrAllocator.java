package io.github.v4l2ffm;

import io.github.v4l2ffm.internal.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Page-aligned off-heap memory for {@link Memory#USERPTR} queues, owned by an {@link Arena} the
 * caller controls and pooled by size: blocks given back by a closed {@link BufferSet} are handed
 * out again, so repeated allocate/free cycles do not grow memory.
 *
 * <pre>{@code
 * try (Arena arena = Arena.ofShared()) {
 *     var allocator = new UserptrAllocator(arena);
 *     try (BufferSet buffers = queue.allocate(4, allocator)) { ... }
 * }
 * }</pre>
 * Close the arena only after every buffer set using its memory is closed.
 */
public final class UserptrAllocator implements BufferAllocator {
    private final Arena arena;
    private final Map<Long, ArrayDeque<MemorySegment>> pool = new HashMap<>();
    private int allocated;

    /** An allocator whose memory lives as long as {@code arena}. */
    public UserptrAllocator(Arena arena) {
        this.arena = arena;
    }

    @Override
    public Memory memory() {
        return Memory.USERPTR;
    }

    /** Sizes are rounded up to whole pages. */
    @Override
    public synchronized Block allocate(long size) {
        long rounded = roundUp(size);
        ArrayDeque<MemorySegment> free = pool.get(rounded);
        MemorySegment s = free == null ? null : free.poll();
        if (s == null) {
            s = arena.allocate(rounded, Libc.PAGE_SIZE);
            allocated++;
        }
        return new Block(s, null);
    }

    @Override
    public synchronized void release(Block block) {
        pool.computeIfAbsent(block.memory().byteSize(), k -> new ArrayDeque<>()).add(block.memory());
    }

    /** How many distinct blocks this allocator has taken from its arena (pooled reuse does not count). */
    public synchronized int blocksAllocated() {
        return allocated;
    }

    static long roundUp(long size) {
        return (size + Libc.PAGE_SIZE - 1) / Libc.PAGE_SIZE * Libc.PAGE_SIZE;
    }
}
