package io.github.v4l2ffm.internal;


import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** mmap(2) as a {@link MemorySegment} whose lifetime is an arena's: closing the arena unmaps it. */
public final class Mappings {
    private Mappings() {}

    /**
     * Maps {@code length} bytes of {@code fd} at {@code offset}, shared and read-write.
     *
     * @param what the device or object, for the error message
     */
    public static MemorySegment map(int fd, long length, long offset, Arena arena, String what) {
        long address = Libc.mmap(length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, offset);
        if (address == -1L) {
            throw Errors.failure("mmap", what, Libc.errno(), length + " bytes at offset " + offset);
        }
        return MemorySegment.ofAddress(address).reinterpret(length, arena, s -> Libc.munmap(address, length));
    }
}
