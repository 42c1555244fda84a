package io.github.v4l2ffm;

import java.lang.foreign.MemorySegment;

/**
 * One buffer of a {@link BufferSet}: its planes' memory and what the last dequeue said of it.
 *
 * <p>A buffer object is made once per buffer index and reused for every frame: dequeuing fills
 * its fields, so capture allocates nothing per frame. Its data is valid from the
 * {@link Streaming#dequeue} that returned it until it is queued again; its segments become
 * unusable (an {@link IllegalStateException}, never a crash) when its buffer set is closed.
 *
 * <p><b>Output buffers.</b> A producer fills a buffer the driver does not hold
 * ({@link Streaming#freeBuffer(long)}), with {@link #write(int, MemorySegment)} or through
 * {@link #segment(int)}, sets what the frame is with {@link #setBytesUsed(int, int)},
 * {@link #setTimestampNanos(long)} and {@link #setField(FieldOrder)}, and queues it
 * ({@link Streaming#queue(V4l2Buffer)}). What is set stays until set again or until a dequeue
 * of the buffer replaces it with what the driver reports:
 * <pre>{@code
 * V4l2Buffer b = stream.freeBuffer(1000);
 * b.write(0, MemorySegment.ofArray(frame));   // copies the frame, sets bytes used
 * b.setTimestampNanos(System.nanoTime());
 * stream.queue(b);
 * }</pre>
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
    /**
     * Each plane's {@code m} union as QBUF sends it: the USERPTR address, the DMABUF descriptor
     * (held open by the set), 0 for MMAP (whose QBUF the kernel reads no memory from); written
     * once, into the buffer's {@link #queueArgument}.
     */
    final long[] memoryRefs;
    State state = State.DEQUEUED;
    MemorySegment queueArgument; // its VIDIOC_QBUF argument, made at its first queue (Streaming)
    int sequence;
    long timestampNanos;
    int flags;
    int field;

    V4l2Buffer(BufferSet set, int index, MemorySegment[] planes, DmaBuf[] dmaBufs, long[] length, long[] memoryRefs) {
        this.set = set;
        this.index = index;
        this.planes = planes;
        this.dmaBufs = dmaBufs;
        this.length = length;
        this.memoryRefs = memoryRefs;
        this.bytesUsed = new int[planes.length];
        this.dataOffset = new int[planes.length];
    }

    /** The 8-byte {@code m} union holding descriptor {@code fd} in its first 4 bytes (its {@code __s32 fd}), in native order. */
    static long unionOfFd(int fd) {
        return java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN ? fd & 0xFFFF_FFFFL : (long) fd << 32;
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

    /**
     * Sets how many bytes of plane {@code plane} hold data, before queuing an output buffer; 0
     * (a new buffer's value) queues the plane's whole {@link #length(int) length}. The driver may
     * refuse a frame shorter than its format needs: then {@link Streaming#queue(V4l2Buffer)}
     * throws a {@link V4l2Exception} with reason {@link V4l2Exception.Reason#REFUSED}.
     *
     * @throws IllegalArgumentException if {@code bytes} is negative or more than the plane's length
     */
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

    /**
     * Sets the timestamp of an output buffer, in nanoseconds (sent in microseconds, as
     * {@code struct timeval}). A queue whose {@link #timestampType()} is
     * {@link TimestampType#COPY} (codecs, mem-to-mem devices) hands it back on the dequeued
     * buffer and on the frame made from it; a device that times its output itself (such as
     * vivid's video output, {@link TimestampType#MONOTONIC}) reports when it sent the frame
     * instead.
     *
     * @throws IllegalArgumentException if {@code nanos} is negative
     */
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

    /**
     * The field order of the frame: as the last dequeue reported, or as set by
     * {@link #setField(FieldOrder)} since.
     */
    public FieldOrder field() {
        return FieldOrder.of(field);
    }

    /**
     * Sets the field of an output buffer: {@link FieldOrder#NONE} (what a buffer with none set
     * sends) for a progressive frame, {@link FieldOrder#TOP} or {@link FieldOrder#BOTTOM} for one
     * field of a {@link FieldOrder#ALTERNATE} stream, or the order of the two fields in an
     * interlaced frame. The driver checks it against the queue's format when the buffer is
     * queued; a driver whose format fixes the field (any field order but {@code ALTERNATE})
     * may replace it with its own, which the dequeued buffer reports.
     *
     * @throws IllegalArgumentException if {@code field} is {@link FieldOrder#ANY}: an output
     *         buffer holds a definite field
     */
    public void setField(FieldOrder field) {
        if (field == FieldOrder.ANY) throw new IllegalArgumentException("an output buffer's field must be definite, not ANY");
        this.field = field.value();
    }

    /**
     * Copies {@code data} to the start of plane {@code plane} and sets the plane's
     * {@link #setBytesUsed(int, int) bytes used} to its size, before queuing an output buffer.
     * For {@link Memory#DMABUF} buffers the copy is bracketed by
     * {@link #beginCpuAccess(boolean, boolean) CPU write access}, so the device sees it.
     *
     * @throws IllegalArgumentException if {@code data} is larger than the plane
     * @throws IllegalStateException if the buffer is queued (the driver may be reading it) or its
     *         buffer set is closed
     */
    public void write(int plane, MemorySegment data) {
        MemorySegment target = segment(plane);
        if (state == State.QUEUED) throw new IllegalStateException("buffer " + index + " is queued: the driver owns its memory");
        if (data.byteSize() > length[plane]) {
            throw new IllegalArgumentException(data.byteSize() + " bytes do not fit in plane " + plane + " (" + length[plane] + " bytes)");
        }
        if (dmaBufs != null) dmaBufs[plane].beginCpuAccess(false, true);
        try {
            MemorySegment.copy(data, 0, target, 0, data.byteSize());
        } finally {
            if (dmaBufs != null) dmaBufs[plane].endCpuAccess(false, true);
        }
        bytesUsed[plane] = (int) data.byteSize();
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
