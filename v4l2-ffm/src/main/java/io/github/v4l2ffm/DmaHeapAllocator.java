package io.github.v4l2ffm;

import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Libc;
import io.github.v4l2ffm.internal.ioctl.DmaBufIoctls;

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
        int fd = DmaBufIoctls.heapAlloc(heap, size, Libc.O_RDWR | Libc.O_CLOEXEC);
        return DmaBuf.adopt(fd, size, heap.path() + " dma-buf");
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
