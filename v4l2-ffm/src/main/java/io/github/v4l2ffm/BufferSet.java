package io.github.v4l2ffm;

import io.github.v4l2ffm.bindings.v4l2_buffer;
import io.github.v4l2ffm.bindings.v4l2_exportbuffer;
import io.github.v4l2ffm.bindings.v4l2_plane;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Libc;
import io.github.v4l2ffm.internal.Mappings;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static io.github.v4l2ffm.bindings.Videodev2.*;

/**
 * A queue with buffers allocated: the second state of a {@link BufferQueue}.
 *
 * <p>{@link #start()} starts streaming. {@link #close()} stops streaming if needed, frees the
 * buffers ({@code VIDIOC_REQBUFS} with count 0), unmaps MMAP planes and gives allocator blocks
 * back: every segment of its buffers is unusable afterwards, and the queue can be given new
 * buffers.
 */
public final class BufferSet implements AutoCloseable {
    private final BufferQueue queue;
    private final DeviceFd fd;
    private final Memory memory;
    private final VideoFormat format;
    private final int planeCount;
    private final Arena arena = Arena.ofShared();
    private volatile List<V4l2Buffer> buffers;
    private final BufferAllocator allocator; // null for MMAP and imports
    private final List<BufferAllocator.Block> blocks = new ArrayList<>();
    private Streaming streaming;
    private volatile boolean closed;

    private BufferSet(BufferQueue queue, Memory memory, VideoFormat format, int count, BufferAllocator allocator,
                      List<DmaBuf> imports) {
        this.queue = queue;
        this.fd = queue.fd();
        this.memory = memory;
        this.format = format;
        this.allocator = allocator;
        this.planeCount = queue.type().isMultiplanar() ? format.planes().size() : 1;
        List<V4l2Buffer> list = new ArrayList<>();
        boolean ok = false;
        try {
            if (allocator != null) {
                // allocate and check every block before the kernel sees any
                for (int i = 0; i < count * planeCount; i++) {
                    BufferAllocator.Block b = allocator.allocate(format.planes().get(i % planeCount).sizeImage());
                    blocks.add(b);
                    check(b.memory(), i / planeCount, i % planeCount);
                }
            }
            if (imports != null) {
                for (int i = 0; i < imports.size(); i++) {
                    long need = format.planes().getFirst().sizeImage();
                    if (imports.get(i).size() < need) {
                        throw new IllegalArgumentException("dma-buf " + i + " (" + imports.get(i).origin() + ") holds "
                                + imports.get(i).size() + " bytes; " + format + " needs " + need);
                    }
                }
            }
            int granted = queue.requestBuffers(count, memory, false);
            int n = Math.min(granted, count);
            for (int i = 0; i < n; i++) {
                list.add(switch (memory) {
                    case MMAP -> mapBuffer(i);
                    case USERPTR, DMABUF -> blockBuffer(i, imports);
                });
            }
            ok = true;
        } finally {
            if (!ok) {
                if (fd.isOpen()) {
                    try {
                        queue.requestBuffers(0, memory, false);
                    } catch (RuntimeException ignored) {
                        // the original failure is what matters
                    }
                }
                arena.close();
                blocks.forEach(allocator::release);
            }
        }
        this.buffers = Collections.unmodifiableList(list);
    }

    static BufferSet mmap(BufferQueue queue, int count) {
        checkCount(count);
        return new BufferSet(queue, Memory.MMAP, queue.format(), count, null, null);
    }

    static BufferSet fromAllocator(BufferQueue queue, int count, BufferAllocator allocator) {
        checkCount(count);
        if (allocator.memory() == Memory.MMAP) throw new IllegalArgumentException("MMAP buffers come from the driver: use allocate(count)");
        return new BufferSet(queue, allocator.memory(), queue.format(), count, allocator, null);
    }

    static BufferSet imported(BufferQueue queue, List<DmaBuf> dmaBufs) {
        checkCount(dmaBufs.size());
        VideoFormat f = queue.format();
        if (queue.type().isMultiplanar() && f.planes().size() != 1) {
            throw new IllegalArgumentException("importDmaBufs takes one dma-buf per buffer; " + f + " has " + f.planes().size() + " planes");
        }
        return new BufferSet(queue, Memory.DMABUF, f, dmaBufs.size(), null, List.copyOf(dmaBufs));
    }

    private static void checkCount(int count) {
        if (count < 1 || count > 64) throw new IllegalArgumentException("buffer count must be 1..64: " + count);
    }

    private void check(MemorySegment s, int buffer, int plane) {
        long need = format.planes().get(plane).sizeImage();
        if (memory == Memory.USERPTR && s.address() % Libc.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("USERPTR buffer " + buffer + " plane " + plane + " at 0x"
                    + Long.toHexString(s.address()) + " is not page-aligned (" + Libc.PAGE_SIZE + " bytes)");
        }
        if (s.byteSize() < need) {
            throw new IllegalArgumentException(memory + " buffer " + buffer + " plane " + plane + " holds " + s.byteSize()
                    + " bytes; " + format + " needs " + need);
        }
    }

    private V4l2Buffer mapBuffer(int index) {
        MemorySegment b = arena.allocate(v4l2_buffer.layout());
        MemorySegment planes = arena.allocate(v4l2_plane.layout(), planeCount);
        v4l2_buffer.index(b, index);
        v4l2_buffer.type(b, queue.type().value());
        v4l2_buffer.memory(b, Memory.MMAP.value());
        if (queue.type().isMultiplanar()) {
            v4l2_buffer.m.planes(v4l2_buffer.m(b), planes);
            v4l2_buffer.length(b, planeCount);
        }
        fd.ioctl("VIDIOC_QUERYBUF", VIDIOC_QUERYBUF(), b);
        MemorySegment[] segments = new MemorySegment[planeCount];
        long[] lengths = new long[planeCount];
        int f = fd.acquire();
        try {
            for (int p = 0; p < planeCount; p++) {
                long offset;
                if (queue.type().isMultiplanar()) {
                    MemorySegment pl = v4l2_plane.asSlice(planes, p);
                    lengths[p] = Integer.toUnsignedLong(v4l2_plane.length(pl));
                    offset = Integer.toUnsignedLong(v4l2_plane.m.mem_offset(v4l2_plane.m(pl)));
                } else {
                    lengths[p] = Integer.toUnsignedLong(v4l2_buffer.length(b));
                    offset = Integer.toUnsignedLong(v4l2_buffer.m.offset(v4l2_buffer.m(b)));
                }
                segments[p] = Mappings.map(f, lengths[p], offset, arena, fd.path() + " buffer " + index + " plane " + p);
            }
        } finally {
            fd.release();
        }
        return new V4l2Buffer(this, index, segments, null, lengths);
    }

    private V4l2Buffer blockBuffer(int index, List<DmaBuf> imports) {
        MemorySegment[] segments = new MemorySegment[planeCount];
        long[] lengths = new long[planeCount];
        DmaBuf[] dmaBufs = memory == Memory.DMABUF ? new DmaBuf[planeCount] : null;
        for (int p = 0; p < planeCount; p++) {
            if (imports != null) {
                dmaBufs[p] = imports.get(index);
                lengths[p] = dmaBufs[p].size();
                segments[p] = dmaBufs[p].segment();
            } else {
                BufferAllocator.Block block = blocks.get(index * planeCount + p);
                segments[p] = block.memory();
                lengths[p] = block.memory().byteSize();
                if (dmaBufs != null) dmaBufs[p] = block.dmaBuf();
            }
        }
        return new V4l2Buffer(this, index, segments, dmaBufs, lengths);
    }

    /**
     * Adds {@code count} buffers of the set's format and memory type ({@code VIDIOC_CREATE_BUFS}),
     * also while streaming; the new buffers start in the application's hands (queue them).
     *
     * @return the new buffers
     * @throws IllegalArgumentException for imported dma-buf sets (import more with a new set)
     */
    public synchronized List<V4l2Buffer> addBuffers(int count) {
        checkOpen();
        checkCount(count);
        if (memory == Memory.DMABUF && allocator == null) {
            throw new IllegalArgumentException("imported dma-buf sets cannot grow: import into a new buffer set");
        }
        int first;
        int created;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment c = a.allocate(io.github.v4l2ffm.bindings.v4l2_create_buffers.layout());
            io.github.v4l2ffm.bindings.v4l2_create_buffers.count(c, count);
            io.github.v4l2ffm.bindings.v4l2_create_buffers.memory(c, memory.value());
            FormatIoctls.encode(io.github.v4l2ffm.bindings.v4l2_create_buffers.format(c), format);
            fd.ioctl("VIDIOC_CREATE_BUFS", VIDIOC_CREATE_BUFS(), c);
            first = io.github.v4l2ffm.bindings.v4l2_create_buffers.index(c);
            created = io.github.v4l2ffm.bindings.v4l2_create_buffers.count(c);
        }
        if (first != buffers.size()) {
            throw new IllegalStateException("VIDIOC_CREATE_BUFS on " + queue + " gave index " + first + ", expected " + buffers.size());
        }
        List<V4l2Buffer> added = new ArrayList<>();
        for (int i = first; i < first + created; i++) {
            if (allocator != null) {
                for (int p = 0; p < planeCount; p++) {
                    BufferAllocator.Block b = allocator.allocate(format.planes().get(p).sizeImage());
                    blocks.add(b);
                    check(b.memory(), i, p);
                }
            }
            added.add(memory == Memory.MMAP ? mapBuffer(i) : blockBuffer(i, null));
        }
        List<V4l2Buffer> all = new ArrayList<>(buffers);
        all.addAll(added);
        buffers = Collections.unmodifiableList(all);
        return List.copyOf(added);
    }

    /** The queue these buffers belong to. */
    public BufferQueue queue() {
        return queue;
    }

    /** The memory type of these buffers. */
    public Memory memory() {
        return memory;
    }

    /** The format the buffers were sized for. */
    public VideoFormat format() {
        return format;
    }

    /** Number of buffers. */
    public int count() {
        return buffers.size();
    }

    /** Number of memory planes per buffer. */
    public int planeCount() {
        return planeCount;
    }

    /** The buffers, by index. */
    public List<V4l2Buffer> buffers() {
        checkOpen();
        return buffers;
    }

    /** V4l2Buffer {@code index}. */
    public V4l2Buffer buffer(int index) {
        checkOpen();
        if (index < 0 || index >= buffers.size()) {
            throw new IndexOutOfBoundsException("buffer index " + index + " out of 0.." + (buffers.size() - 1) + " on " + queue);
        }
        return buffers.get(index);
    }

    /**
     * Exports plane {@code plane} of MMAP buffer {@code index} as a dma-buf ({@code VIDIOC_EXPBUF}),
     * for another device or queue to import. The caller owns (closes) the returned dma-buf; it
     * stays valid after this buffer set is closed.
     */
    public DmaBuf export(int index, int plane) {
        V4l2Buffer b = buffer(index);
        if (memory != Memory.MMAP) throw new IllegalStateException("only MMAP buffers can be exported; these are " + memory);
        if (plane < 0 || plane >= planeCount) throw new IndexOutOfBoundsException("plane " + plane + " of " + planeCount);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = a.allocate(v4l2_exportbuffer.layout());
            v4l2_exportbuffer.type(e, queue.type().value());
            v4l2_exportbuffer.index(e, index);
            v4l2_exportbuffer.plane(e, plane);
            v4l2_exportbuffer.flags(e, Libc.O_RDWR | Libc.O_CLOEXEC);
            fd.ioctl("VIDIOC_EXPBUF", VIDIOC_EXPBUF(), e);
            return DmaBuf.adopt(v4l2_exportbuffer.fd(e), b.length(plane), fd.path() + " " + queue.type() + " buffer " + index + " plane " + plane);
        }
    }

    /**
     * Starts streaming ({@code VIDIOC_STREAMON}). For a capture queue every buffer is queued
     * first; for an output queue none is (fill and {@link Streaming#queue(V4l2Buffer)} them).
     *
     * @throws IllegalStateException if already streaming or closed
     */
    public synchronized Streaming start() {
        checkOpen();
        if (streaming != null) throw new IllegalStateException(queue + " is already streaming");
        streaming = new Streaming(this, arena);
        boolean ok = false;
        try {
            if (!queue.type().isOutput()) {
                for (V4l2Buffer b : buffers) streaming.queue(b);
            }
            streaming.streamOn();
            ok = true;
        } finally {
            if (!ok) {
                streaming.close();
            }
        }
        return streaming;
    }

    /** The streaming state, while streaming. */
    public synchronized java.util.Optional<Streaming> streaming() {
        return java.util.Optional.ofNullable(streaming);
    }

    synchronized void streamingClosed(Streaming s) {
        if (streaming == s) streaming = null;
    }

    DeviceFd fd() {
        return fd;
    }

    void checkOpen() {
        if (closed) throw new IllegalStateException("the buffers of " + queue + " are freed");
    }

    /** Whether {@link #close()} has not been called. */
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Stops streaming if needed, frees the buffers and unmaps them. Idempotent.
     */
    @Override
    public void close() {
        Streaming s;
        synchronized (this) {
            if (closed) return;
            s = streaming;
        }
        if (s != null) s.close();
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        try {
            if (fd.isOpen()) queue.requestBuffers(0, memory, false);
        } finally {
            arena.close();
            if (allocator != null) blocks.forEach(allocator::release);
            queue.released(this);
        }
    }

    @Override
    public String toString() {
        return count() + " " + memory + " buffers of " + queue + (closed ? " (freed)" : "");
    }
}
