package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.bindings.Videodev2;
import io.github.v4l2ffm.bindings.dma_buf_sync;
import io.github.v4l2ffm.bindings.dma_heap_allocation_data;
import io.github.v4l2ffm.bindings.udmabuf_create;
import io.github.v4l2ffm.internal.DeviceFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The dma-buf ioctls: {@code DMA_BUF_IOCTL_SYNC} (CPU access brackets),
 * {@code DMA_HEAP_IOCTL_ALLOC} (a dma-buf from a heap) and {@code UDMABUF_CREATE} (a dma-buf made
 * from a memfd).
 */
public final class DmaBufIoctls {
    private DmaBufIoctls() {}

    /** DMA_BUF_IOCTL_SYNC with {@code start} (else end) and the access directions. */
    public static void sync(DeviceFd fd, boolean start, boolean read, boolean write) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(dma_buf_sync.layout());
            dma_buf_sync.flags(s, (start ? Videodev2.DMA_BUF_SYNC_START() : Videodev2.DMA_BUF_SYNC_END())
                    | (read ? Videodev2.DMA_BUF_SYNC_READ() : 0) | (write ? Videodev2.DMA_BUF_SYNC_WRITE() : 0));
            fd.ioctl("DMA_BUF_IOCTL_SYNC", Videodev2.DMA_BUF_IOCTL_SYNC(), s);
        }
    }

    /** A new dma-buf of {@code size} bytes from the heap, opened with {@code fdFlags}; its descriptor. */
    public static int heapAlloc(DeviceFd heap, long size, int fdFlags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(dma_heap_allocation_data.layout());
            dma_heap_allocation_data.len(a, size);
            dma_heap_allocation_data.fd_flags(a, fdFlags);
            heap.ioctl("DMA_HEAP_IOCTL_ALLOC", Videodev2.DMA_HEAP_IOCTL_ALLOC(), a);
            return dma_heap_allocation_data.fd(a);
        }
    }

    /** A new dma-buf over {@code size} bytes of {@code memfd} from offset 0, close-on-exec; its descriptor. */
    public static int udmabufCreate(DeviceFd udmabuf, int memfd, long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = arena.allocate(udmabuf_create.layout());
            udmabuf_create.memfd(c, memfd);
            udmabuf_create.flags(c, Videodev2.UDMABUF_FLAGS_CLOEXEC());
            udmabuf_create.offset(c, 0);
            udmabuf_create.size(c, size);
            return udmabuf.ioctl("UDMABUF_CREATE", Videodev2.UDMABUF_CREATE(), c);
        }
    }
}
