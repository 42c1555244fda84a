package io.github.v4l2ffm;

/**
 * How a queue's buffers are backed ({@code enum v4l2_memory}).
 */
public enum Memory {
    /** Buffers allocated by the driver and mapped into the process ({@code V4L2_MEMORY_MMAP}). */
    MMAP(1),
    /** Buffers in the application's memory, passed by address ({@code V4L2_MEMORY_USERPTR}). */
    USERPTR(2),
    /** Buffers shared between devices as dma-buf file descriptors ({@code V4L2_MEMORY_DMABUF}). */
    DMABUF(4);

    private final int value;

    Memory(int value) {
        this.value = value;
    }

    /** The kernel's value. */
    public int value() {
        return value;
    }
}
