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

    /** A new allocator for this backing; {@code null} for MMAP (the driver allocates). */
    BufferAllocator allocator() {
        return switch (this) {
            case MMAP -> null;
            case USERPTR -> new UserptrAllocator();
            case DMABUF_HEAP -> DmaHeapAllocator.system();
            case DMABUF_UDMABUF -> UdmabufAllocator.open();
        };
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
