package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.BufferAllocator;
import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.DmaHeapAllocator;
import io.github.v4l2ffm.Memory;
import io.github.v4l2ffm.UdmabufAllocator;
import io.github.v4l2ffm.UserptrAllocator;

/** The four ways a capture queue's buffers can be backed, as the device tests run them. */
enum Backing {
    MMAP, USERPTR, DMABUF_HEAP, DMABUF_UDMABUF;

    /**
     * A new allocator for this backing; {@code null} for MMAP (the driver allocates). Aborts the
     * test as not applicable where the kernel lacks the allocator's device and the lab expects it
     * to (6.1: no udmabuf, no DMA heaps), and fails where the device is missing otherwise.
     */
    BufferAllocator allocator() {
        return switch (this) {
            case MMAP -> null;
            case USERPTR -> new UserptrAllocator();
            case DMABUF_HEAP -> {
                LabDevices.assumeDmaHeaps();
                yield DmaHeapAllocator.system();
            }
            case DMABUF_UDMABUF -> {
                LabDevices.assumeUdmabuf();
                yield UdmabufAllocator.open();
            }
        };
    }

    /** Whether this kernel has this backing's allocator (see {@link #allocator()} for a missing one). */
    boolean available() {
        return switch (this) {
            case MMAP, USERPTR -> true;
            case DMABUF_HEAP -> LabDevices.hasDmaHeaps();
            case DMABUF_UDMABUF -> LabDevices.hasUdmabuf();
        };
    }

    /**
     * A new allocator for this backing, or a USERPTR one where the kernel lacks this backing's
     * device (and the lab expects it to): for tests that mix allocators and are about something
     * else than which ones there are.
     */
    BufferAllocator allocatorOrUserptr() {
        return this == MMAP || available() ? allocator() : new UserptrAllocator();
    }

    /** {@code count} buffers on {@code q} from {@code allocator} (null: MMAP). */
    static BufferSet allocate(BufferQueue q, int count, BufferAllocator allocator) {
        return allocator == null ? q.allocate(count) : q.allocate(count, allocator);
    }

    Memory memory() {
        return switch (this) {
            case MMAP -> Memory.MMAP;
            case USERPTR -> Memory.USERPTR;
            case DMABUF_HEAP, DMABUF_UDMABUF -> Memory.DMABUF;
        };
    }
}
