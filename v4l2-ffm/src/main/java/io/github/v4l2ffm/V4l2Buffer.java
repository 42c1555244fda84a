package io.github.v4l2ffm;

import java.lang.foreign.MemorySegment;

/**
 * One buffer of a {@link BufferSet}: its planes' memory and what the last dequeue said of it.
 *
 * <p>A buffer object is made once per buffer index and reused for every frame: dequeuing fills
 * its fields, so capture allocates nothing per frame. Its data is valid from the
 * {@link Streaming#dequeue} that returned it until it is queued again; its segments become
 * unusable (an {@link IllegalStateException}, never a crash) when its buffer set is closed.
 */
public final class V4l2Buffer {
    /** {@code V4L2_BUF_FLAG_KEYFRAME}. */
    public static final int FLAG_KEYFRAME = 0x0008;
    /** {@code V4L2_BUF_FLAG_PFRAME}. */
    public static final int FLAG_PFRAME = 0x0010;
    /** {@code V4L2_BUF_FLAG_BFRAME}. */
    public static final int FLAG_BFRAME = 0x0020;
    /** {@code V4L2_BUF_FLAG_ERROR}: the data may be corrupt. */
    public static final int FLAG_ERROR = 0x0040;
    /** {@code V4L2_BUF_FLAG_LAST}: the last buffer of a drained stream. */
    public static final int FLAG_LAST = 0x00100000;

    enum State { DEQUEUED, QUEUED }

    private final BufferSet set;
    private final int index;
    final MemorySegment[] planes;
    final DmaBuf[] dmaBufs; // DMABUF memory only
    final int[] bytesUsed;
    final int[] dataOffset;
    final long[] length;
    State state = State.DEQUEUED;
    int sequence;
    long timestampNanos;
    int flags;
    int field;

    V4l2Buffer(BufferSet set, int index, MemorySegment[] planes, DmaBuf[] dmaBufs, long[] length) {
        this.set = set;
        this.index = index;
        this.planes = planes;
        this.dmaBufs = dmaBufs;
        this.length = length;
        this.bytesUsed = new int[planes.length];
        this.dataOffset = new int[planes.length];
    }

    /** The buffer set this buffer belongs to. */
    public BufferSet bufferSet() {
        return set;
    }

    /** The buffer's index in its queue. */
    public int index() {
        return index;
    }

    /** Number of memory planes. */
    public int planeCount() {
        return planes.length;
    }

    /**
     * Plane {@code plane}'s whole memory (its allocated length; the data is its first
     * {@link #bytesUsed(int)} bytes, from {@link #dataOffset(int)}).
     *
     * @throws IllegalStateException if the buffer set is closed
     */
    public MemorySegment segment(int plane) {
        set.checkOpen();
        return planes[plane];
    }

    /**
     * Starts CPU access to a {@link Memory#DMABUF} buffer's planes ({@code DMA_BUF_IOCTL_SYNC}), so
     * the CPU sees what the device wrote; a no-op for MMAP and USERPTR buffers, whose caches the
     * kernel keeps coherent at dequeue.
     */
    public void beginCpuAccess(boolean read, boolean write) {
        set.checkOpen();
        if (dmaBufs != null) for (DmaBuf d : dmaBufs) d.beginCpuAccess(read, write);
    }

    /** Ends CPU access started by {@link #beginCpuAccess(boolean, boolean)}. */
    public void endCpuAccess(boolean read, boolean write) {
        set.checkOpen();
        if (dmaBufs != null) for (DmaBuf d : dmaBufs) d.endCpuAccess(read, write);
    }

    /** Bytes of data in plane {@code plane}, as the last dequeue reported (or as set for an output buffer). */
    public int bytesUsed(int plane) {
        return bytesUsed[plane];
    }

    /** Offset of the data in plane {@code plane} (multi-planar only; 0 otherwise). */
    public int dataOffset(int plane) {
        return dataOffset[plane];
    }

    /** The allocated length of plane {@code plane}. */
    public long length(int plane) {
        return length[plane];
    }

    /** Sets how many bytes of plane {@code plane} hold data, before queuing an output buffer. */
    public void setBytesUsed(int plane, int bytes) {
        if (bytes < 0 || bytes > length[plane]) {
            throw new IllegalArgumentException("bytes used " + bytes + " out of 0.." + length[plane] + " for plane " + plane);
        }
        bytesUsed[plane] = bytes;
    }

    /** The frame's sequence number; gaps mean the driver dropped frames. */
    public int sequence() {
        return sequence;
    }

    /** The frame's timestamp in nanoseconds, on the clock {@link #timestampType()} names. */
    public long timestampNanos() {
        return timestampNanos;
    }

    /** Sets the timestamp of an output buffer (a mem-to-mem device copies it to its result). */
    public void setTimestampNanos(long nanos) {
        if (nanos < 0) throw new IllegalArgumentException("timestamp must not be negative: " + nanos);
        timestampNanos = nanos;
    }

    /** The clock of {@link #timestampNanos()}. */
    public TimestampType timestampType() {
        return TimestampType.ofFlags(flags);
    }

    /** The {@code V4L2_BUF_FLAG_*} flags the last dequeue reported. */
    public int flags() {
        return flags;
    }

    /** Whether the driver flagged the data as possibly corrupt. */
    public boolean isError() {
        return (flags & FLAG_ERROR) != 0;
    }

    /** Whether this is the last buffer of a drained stream. */
    public boolean isLast() {
        return (flags & FLAG_LAST) != 0;
    }

    /** Whether this (compressed) buffer holds a keyframe. */
    public boolean isKeyframe() {
        return (flags & FLAG_KEYFRAME) != 0;
    }

    /** The field order of the frame. */
    public FieldOrder field() {
        return FieldOrder.of(field);
    }

    /** Whether the buffer is queued to the driver (its data must not be touched). */
    public boolean isQueued() {
        return state == State.QUEUED;
    }

    @Override
    public String toString() {
        return "V4l2Buffer[" + index + ", seq " + sequence + ", " + bytesUsed[0] + " bytes" + (isQueued() ? ", queued]" : "]");
    }
}
