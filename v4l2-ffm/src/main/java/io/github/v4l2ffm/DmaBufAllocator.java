package io.github.v4l2ffm;

/**
 * The dma-buf allocators: blocks are dma-bufs, pooled by size and closed with the allocator (a
 * lent one when its buffer set gives it back).
 */
abstract sealed class DmaBufAllocator extends BufferAllocator permits DmaHeapAllocator, UdmabufAllocator {
    @Override
    public final Memory memory() {
        return Memory.DMABUF;
    }

    @Override
    final Block create(long size) {
        DmaBuf b = createDmaBuf(size);
        try {
            return new Block(b.segment(), b);
        } catch (RuntimeException | Error e) {
            b.close();
            throw e;
        }
    }

    /** Makes a new dma-buf of {@code size} bytes (a multiple of the page size). */
    abstract DmaBuf createDmaBuf(long size);

    @Override
    final void destroy(Block block) {
        block.dmaBuf().close();
    }
}
