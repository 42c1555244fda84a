package io.github.v4l2ffm;

import io.github.v4l2ffm.bindings.Videodev2;
import io.github.v4l2ffm.bindings.dma_heap_allocation_data;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errors;
import io.github.v4l2ffm.internal.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * dma-bufs from a DMA heap ({@code /dev/dma_heap/system} and others), for {@link Memory#DMABUF}
 * queues. Needs Linux 5.6 or later with the heap enabled.
 */
public final class DmaHeapAllocator extends DmaBufAllocator {
    private final DeviceFd heap;

    private DmaHeapAllocator(DeviceFd heap) {
        this.heap = heap;
    }

    /** The system heap, {@code /dev/dma_heap/system}. */
    public static DmaHeapAllocator system() {
        return open(Path.of("/dev/dma_heap/system"));
    }

    /** The heap at {@code path}. */
    public static DmaHeapAllocator open(Path path) {
        return new DmaHeapAllocator(DeviceFd.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, false));
    }

    @Override
    DmaBuf createDmaBuf(long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(dma_heap_allocation_data.layout());
            dma_heap_allocation_data.len(a, size);
            dma_heap_allocation_data.fd_flags(a, Libc.O_RDWR | Libc.O_CLOEXEC);
            heap.ioctl("DMA_HEAP_IOCTL_ALLOC", Videodev2.DMA_HEAP_IOCTL_ALLOC(), a);
            return DmaBuf.adopt(dma_heap_allocation_data.fd(a), size, heap.path() + " dma-buf");
        }
    }

    /**
     * Closes the pooled dma-bufs and the allocator's device; dma-bufs still lent to buffer sets
     * are closed when the sets give them back.
     */
    @Override
    public void close() {
        super.close();
        heap.close();
    }

    @Override
    public String toString() {
        return "DmaHeapAllocator[" + heap.path() + "]";
    }
}
