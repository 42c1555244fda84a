package io.github.v4l2ffm.internal.ioctl;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The last answer of a query as its bytes and the immutable record made from them, so that asking
 * again allocates nothing while the answer stays the same. Used under its owner's lock.
 *
 * <p>The bytes are kept in a {@code long[]} and compared eight at a time: on the lab's emulated
 * CPU (SSE2 only) {@link MemorySegment#mismatch} took some 270 instructions for a 208-byte
 * {@code v4l2_format} after its {@code VIDIOC_G_FMT}, a loop over the 56 bytes a single-planar
 * answer is made from some 140 (counted under {@code --icount}).
 */
final class KeptAnswer<T> {
    private final long[] words;
    private T record;

    /** Room for an answer of {@code size} bytes, a multiple of 8. */
    KeptAnswer(long size) {
        if (size % 8 != 0) throw new IllegalArgumentException("size " + size + " is not a multiple of 8");
        words = new long[(int) (size / 8)];
    }

    /**
     * The kept record if the first {@code length} bytes of {@code answer} (a multiple of 8, at most
     * the size) are the kept ones, else {@code null}; {@code null} too before anything was kept.
     */
    T match(MemorySegment answer, long length) {
        T r = record;
        if (r == null) return null;
        long[] w = words;
        int n = (int) (length >>> 3);
        for (int i = 0; i < n; i++) {
            if (answer.get(JAVA_LONG_UNALIGNED, (long) i << 3) != w[i]) return null;
        }
        return r;
    }

    /** Keeps {@code answer}'s bytes (as many as this holds) and the record made from them. */
    void keep(MemorySegment answer, T r) {
        MemorySegment.copy(answer, JAVA_LONG_UNALIGNED, 0, words, 0, words.length);
        record = r;
    }
}
