package io.github.v4l2ffm;

import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errno;
import io.github.v4l2ffm.internal.Libc;
import io.github.v4l2ffm.internal.Mappings;
import io.github.v4l2ffm.internal.ioctl.CreateBufs;
import io.github.v4l2ffm.internal.ioctl.Expbuf;
import io.github.v4l2ffm.internal.ioctl.Querybuf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;


/**
 * A queue with buffers allocated: the second state of a {@link BufferQueue}.
 *
 * <p>{@link #start()} starts streaming. {@link #close()} stops streaming if needed, unmaps the
 * MMAP planes, frees the buffers ({@code VIDIOC_REQBUFS} with count 0) and gives the memory it
 * holds back: every segment of its buffers is unusable afterwards, and the queue can be given new
 * buffers.
 *
 * <p><b>Ownership.</b> The set holds the memory it lends to the kernel: USERPTR blocks and
 * dma-bufs from an allocator, and its own reference to each imported dma-buf. It gives them back
 * only once the kernel has let go of them: after {@code VIDIOC_REQBUFS(0)}, or, when that cannot
 * be done (the device is gone or closed), once the device's descriptor is really closed. Every
 * segment it hands out lives in the set's own scope and dies with it, whatever the memory type.
 */
public final class BufferSet implements AutoCloseable {
    private final BufferQueue queue;
    private final DeviceFd fd;
    private final Memory memory;
    private final VideoFormat format;
    private final int planeCount;
    private final Arena arena = Arena.ofShared();
    private volatile List<V4l2Buffer> buffers;
    private volatile V4l2Buffer[] byIndex; // the same, for the frame path: an array read, where List.get is an interface call
    private final BufferAllocator allocator; // null for MMAP and imports
    private final List<BufferAllocator.Block> blocks = new ArrayList<>(); // lent by the allocator
    private final List<DmaBuf> imports = new ArrayList<>();               // our references to imported dma-bufs
    private final List<DmaBuf> held = new ArrayList<>(); // dma-bufs whose descriptor a buffer's memoryRefs names: held open until given back
    private Streaming streaming;
    private volatile boolean closed;

    private BufferSet(BufferQueue queue, Memory memory, VideoFormat format, int count, BufferAllocator allocator,
                      List<DmaBuf> imported) {
        this.queue = queue;
        this.fd = queue.fd();
        this.memory = memory;
        this.format = format;
        this.allocator = allocator;
        this.planeCount = queue.type().isMultiplanar() ? format.planes().size() : 1;
        if (planeCount < 1) throw new IllegalStateException("the format of " + queue + " has no planes: " + format);
        List<V4l2Buffer> list = new ArrayList<>();
        boolean requested = false;
        boolean ok = false;
        try {
            if (imported != null) {
                long need = format.planes().getFirst().sizeImage();
                for (int i = 0; i < imported.size(); i++) {
                    DmaBuf d = imported.get(i);
                    if (d.size() < need) {
                        throw new IllegalArgumentException("dma-buf " + i + " (" + d.origin() + ") holds " + d.size() + " bytes; "
                                + format + " needs " + need);
                    }
                    imports.add(d.duplicate("importing it into " + queue));
                }
            }
            int granted = queue.requestBuffers(count, memory);
            requested = true;
            // the driver may grant more than asked (its minimum) or fewer (its maximum): use what it granted
            int n = imported != null ? Math.min(granted, imported.size()) : granted;
            if (n == 0) throw fd.failure("VIDIOC_REQBUFS", Errno.ENOMEM, "the driver granted no buffer of the " + count + " asked for");
            for (int i = 0; i < n; i++) {
                list.add(switch (memory) {
                    case MMAP -> mapBuffer(i);
                    case USERPTR, DMABUF -> blockBuffer(i);
                });
            }
            ok = true;
        } finally {
            if (!ok) {
                arena.close();
                releaseMemory(!requested || freeKernelBuffers());
            }
        }
        this.buffers = Collections.unmodifiableList(list);
        this.byIndex = list.toArray(new V4l2Buffer[0]);
    }

    static BufferSet mmap(BufferQueue queue, int count) {
        checkCount(count);
        return new BufferSet(queue, Memory.MMAP, queue.format(), count, null, null);
    }

    static BufferSet fromAllocator(BufferQueue queue, int count, BufferAllocator allocator) {
        checkCount(count);
        if (!allocator.isOpen()) throw new IllegalArgumentException(allocator + " is closed");
        return new BufferSet(queue, allocator.memory(), queue.format(), count, allocator, null);
    }

    static BufferSet imported(BufferQueue queue, List<DmaBuf> dmaBufs) {
        checkCount(dmaBufs.size());
        for (DmaBuf d : dmaBufs) {
            if (!d.isOpen()) throw new IllegalArgumentException(d + " is closed");
        }
        VideoFormat f = queue.format();
        if (queue.type().isMultiplanar() && f.planes().size() != 1) {
            throw new IllegalArgumentException("importDmaBufs takes one dma-buf per buffer; " + f + " has " + f.planes().size() + " planes");
        }
        return new BufferSet(queue, Memory.DMABUF, f, dmaBufs.size(), null, List.copyOf(dmaBufs));
    }

    private static void checkCount(int count) {
        if (count < 1 || count > 64) throw new IllegalArgumentException("buffer count must be 1..64: " + count);
    }

    private V4l2Buffer mapBuffer(int index) {
        Querybuf.Plane[] planes = Querybuf.querybuf(fd, queue.type(), index, planeCount);
        MemorySegment[] segments = new MemorySegment[planeCount];
        long[] lengths = new long[planeCount];
        int f = fd.acquire();
        try {
            for (int p = 0; p < planeCount; p++) {
                lengths[p] = planes[p].length();
                segments[p] = Mappings.map(f, lengths[p], planes[p].offset(), arena, fd.path() + " buffer " + index + " plane " + p);
            }
        } finally {
            fd.release();
        }
        return new V4l2Buffer(this, index, segments, null, lengths, new long[planeCount]); // MMAP: QBUF names no memory
    }

    /** A USERPTR or DMABUF buffer: its memory taken from the allocator (or the imports), seen through this set's scope. */
    private V4l2Buffer blockBuffer(int index) {
        MemorySegment[] segments = new MemorySegment[planeCount];
        long[] lengths = new long[planeCount];
        DmaBuf[] dmaBufs = memory == Memory.DMABUF ? new DmaBuf[planeCount] : null;
        long[] memoryRefs = new long[planeCount];
        for (int p = 0; p < planeCount; p++) {
            MemorySegment own;
            if (allocator == null) {
                dmaBufs[p] = imports.get(index);
                own = dmaBufs[p].segment();
            } else {
                BufferAllocator.Block block = allocator.take(format.planes().get(p).sizeImage());
                blocks.add(block);
                own = block.memory();
                if (dmaBufs != null) dmaBufs[p] = block.dmaBuf();
            }
            lengths[p] = own.byteSize();
            segments[p] = MemorySegment.ofAddress(own.address()).reinterpret(own.byteSize(), arena, null);
            if (dmaBufs != null) {
                // the descriptor QBUF names stays open until the set gives the dma-buf back (releaseMemory),
                // whoever closes the DmaBuf meanwhile: a number closed and reused would import another buffer
                int f = dmaBufs[p].handle().acquire();
                held.add(dmaBufs[p]);
                memoryRefs[p] = V4l2Buffer.unionOfFd(f);
            } else {
                memoryRefs[p] = own.address();
            }
        }
        return new V4l2Buffer(this, index, segments, dmaBufs, lengths, memoryRefs);
    }

    /** VIDIOC_REQBUFS(0); whether the kernel let go of the buffers (false when the device is gone or closed). */
    private boolean freeKernelBuffers() {
        if (!fd.isUsable()) return false;
        try {
            queue.requestBuffers(0, memory);
            return true;
        } catch (RuntimeException e) {
            return false; // the kernel lets go when the descriptor is closed
        }
    }

    /**
     * Gives back the memory this set lent to the kernel: now if the kernel let go of it, else once
     * the device's descriptor is closed (until then the driver may still write into it).
     */
    private void releaseMemory(boolean kernelLetGo) {
        List<BufferAllocator.Block> b = List.copyOf(blocks);
        List<DmaBuf> d = List.copyOf(imports);
        List<DmaBuf> h = List.copyOf(held);
        blocks.clear();
        imports.clear();
        held.clear();
        if (b.isEmpty() && d.isEmpty() && h.isEmpty()) return;
        Runnable giveBack = () -> {
            for (DmaBuf dmaBuf : h) dmaBuf.handle().release();
            for (BufferAllocator.Block block : b) allocator.giveBack(block);
            d.forEach(DmaBuf::close);
        };
        if (kernelLetGo) giveBack.run();
        else fd.whenReleased(giveBack);
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
        if (buffers.size() + count > 64) throw new IllegalArgumentException("a queue has at most 64 buffers: " + buffers.size() + " + " + count);
        if (allocator != null && !allocator.isOpen()) throw new IllegalStateException(allocator + " is closed");
        if (memory == Memory.DMABUF && allocator == null) {
            throw new IllegalArgumentException("imported dma-buf sets cannot grow: import into a new buffer set");
        }
        CreateBufs.Created c = CreateBufs.createBufs(fd, memory, count, format);
        int first = c.first(), created = c.count();
        if (first != buffers.size()) {
            throw new IllegalStateException("VIDIOC_CREATE_BUFS on " + queue + " gave index " + first + ", expected " + buffers.size());
        }
        List<V4l2Buffer> added = new ArrayList<>();
        for (int i = first; i < first + created; i++) {
            added.add(memory == Memory.MMAP ? mapBuffer(i) : blockBuffer(i));
        }
        List<V4l2Buffer> all = new ArrayList<>(buffers);
        all.addAll(added);
        byIndex = all.toArray(new V4l2Buffer[0]); // before the list: a buffer in the list is in the array
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

    /** Buffer {@code index}. */
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
        String what = fd.path() + " " + queue.type() + " buffer " + index + " plane " + plane;
        int dmaBufFd = Expbuf.expbuf(fd, queue.type(), index, plane, Libc.O_RDWR | Libc.O_CLOEXEC, what);
        return DmaBuf.adopt(dmaBufFd, b.length(plane), what);
    }

    /**
     * Starts streaming ({@code VIDIOC_STREAMON}). For a capture queue every buffer is queued
     * first; for an output queue none is (fill and {@link Streaming#queue(V4l2Buffer)} them).
     *
     * <p>If the driver refuses (a QBUF or STREAMON error: {@code ENOSPC} when a USB camera lacks
     * bandwidth, a driver's start error), the buffers are taken back from the kernel and this set
     * is as before: start again, change the format after closing it, or close it.
     *
     * @throws IllegalStateException if already streaming or closed
     * @throws V4l2Exception if the driver refuses to start
     */
    public synchronized Streaming start() {
        checkOpen();
        if (streaming != null) throw new IllegalStateException(queue + " is already streaming");
        Streaming s = new Streaming(this);
        streaming = s;
        boolean ok = false;
        try {
            if (!queue.type().isOutput()) {
                for (V4l2Buffer b : buffers) s.queue(b);
            }
            s.streamOn();
            ok = true;
        } finally {
            if (!ok) s.close(); // STREAMOFF: the kernel gives back what was queued
        }
        return s;
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

    /** The buffers, for the library, also once closed. */
    List<V4l2Buffer> bufferList() {
        return buffers;
    }

    /** Buffer {@code index}, for the library's frame path (an index the driver gave), also once closed. */
    V4l2Buffer bufferAt(int index) {
        return byIndex[index];
    }

    void checkOpen() {
        if (closed) throw new IllegalStateException("the buffers of " + queue + " are freed");
        if (fd.isGone()) throw fd.goneException(null);
    }

    /** Whether {@link #close()} has not been called. */
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Stops streaming if needed, unmaps the buffers, frees them ({@code VIDIOC_REQBUFS} with
     * count 0) and gives their memory back (see the class comment). Never throws: after an
     * unplug or with the device closed, what the kernel still holds is given back when the
     * device's descriptor is closed. Idempotent.
     */
    @Override
    public void close() {
        Streaming s;
        synchronized (this) {
            if (closed) return;
            closed = true;
            s = streaming;
        }
        try {
            if (s != null) s.close();
        } finally {
            try {
                arena.close(); // unmap before REQBUFS(0): kernels without orphaned buffers free them only then
            } finally {
                releaseMemory(freeKernelBuffers());
                queue.released(this);
            }
        }
    }

    @Override
    public String toString() {
        return buffers.size() + " " + memory + " buffers of " + queue + (closed ? " (freed)" : "");
    }
}
