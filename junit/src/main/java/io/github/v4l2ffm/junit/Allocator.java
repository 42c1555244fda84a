package io.github.v4l2ffm.junit;

/** vivid's videobuf2 allocator (its {@code allocators} module parameter). */
public enum Allocator {
    /** vmalloc ({@code 0}): MMAP, USERPTR and DMABUF import. */
    VMALLOC,
    /** dma-contig ({@code 1}): physically contiguous buffers; no USERPTR. */
    DMA_CONTIG
}
