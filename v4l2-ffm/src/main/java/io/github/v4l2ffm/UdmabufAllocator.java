package io.github.v4l2ffm;

import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errors;
import io.github.v4l2ffm.internal.Libc;
import io.github.v4l2ffm.internal.ioctl.DmaBufIoctls;

import java.lang.foreign.Arena;
import java.nio.file.Path;

/**
 * dma-bufs made from ordinary memory ({@code memfd}) by {@code /dev/udmabuf}, for
 * {@link Memory#DMABUF} queues: mappable, exportable, no special heap needed.
 */
public final class UdmabufAllocator extends DmaBufAllocator {
    private final DeviceFd udmabuf;

    private UdmabufAllocator(DeviceFd udmabuf) {
        this.udmabuf = udmabuf;
    }

    /** Opens {@code /dev/udmabuf}. */
    public static UdmabufAllocator open() {
        return new UdmabufAllocator(DeviceFd.open(Path.of("/dev/udmabuf"), Libc.O_RDWR | Libc.O_CLOEXEC, false));
    }

    @Override
    DmaBuf createDmaBuf(long size) {
        try (Arena arena = Arena.ofConfined()) {
            int memfd = Libc.memfdCreate(arena.allocateFrom("v4l2-ffm"), Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING);
            if (memfd < 0) throw Errors.failure("memfd_create", udmabuf.path(), Libc.errno(), null);
            try {
                if (Libc.ftruncate(memfd, size) < 0) throw Errors.failure("ftruncate", "memfd", Libc.errno(), null);
                if (Libc.fcntl(memfd, Libc.F_ADD_SEALS, Libc.F_SEAL_SHRINK) < 0) {
                    throw Errors.failure("fcntl(F_ADD_SEALS)", "memfd", Libc.errno(), null);
                }
                int fd = DmaBufIoctls.udmabufCreate(udmabuf, memfd, size);
                return DmaBuf.adopt(fd, size, udmabuf.path() + " dma-buf");
            } finally {
                Libc.close(memfd); // the dma-buf keeps the pages
            }
        }
    }

    /**
     * Closes the pooled dma-bufs and the allocator's device; dma-bufs still lent to buffer sets
     * are closed when the sets give them back.
     */
    @Override
    public void close() {
        super.close();
        udmabuf.close();
    }

    @Override
    public String toString() {
        return "UdmabufAllocator[" + udmabuf.path() + "]";
    }
}
