package io.github.v4l2ffm.image;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Row converters to ARGB on the Vector API, for the Y'CbCr layouts. Each handles whole vectors
 * of pixel pairs and returns how far it got; {@link ScalarRows} does the rest of the row. Loaded
 * only when the {@code jdk.incubator.vector} module is present (see {@link Kernels}).
 */
final class VectorRows {
    private VectorRows() {}

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Int lanes: one pixel pair each. */
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int N = I.length();
    /** As many short lanes as int lanes: one luma pair or one chroma pair each. */
    private static final VectorSpecies<Short> S = speciesOrNull(short.class, N * 16);
    /** As many byte lanes as int lanes (planar chroma), if the platform has such a shape. */
    private static final VectorSpecies<Byte> B = speciesOrNull(byte.class, N * 8);
    /** Lane indexes that interleave even and odd pixels: the first and second half of a pair vector. */
    private static final IntVector LO, HI;

    static {
        int[] lo = new int[N], hi = new int[N];
        for (int i = 0; i < N; i++) {
            lo[i] = (i & 1) == 0 ? i / 2 : N + i / 2;
            hi[i] = (i & 1) == 0 ? N / 2 + i / 2 : N + N / 2 + i / 2;
        }
        LO = IntVector.fromArray(I, lo, 0);
        HI = IntVector.fromArray(I, hi, 0);
    }

    @SuppressWarnings("unchecked")
    private static <E> VectorSpecies<E> speciesOrNull(Class<E> type, int bits) {
        try {
            return VectorSpecies.of(type, VectorShape.forBitSize(bits));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Whether the vector path pays on this CPU: vectors of at least 256 bits (AVX2, AVX-512,
     * SVE). On 128-bit SSE2-only CPUs (and emulators such as QEMU's qemu64) the JIT does not
     * compile every operation used here into vector instructions and the scalar path is faster.
     */
    static boolean pays() {
        return I.vectorBitSize() >= 256;
    }

    /** Whether semi-planar rows have a vector path here. */
    static boolean semiPlanarSupported() {
        return S != null && N >= 4;
    }

    /** Whether planar rows have a vector path here. */
    static boolean planarSupported() {
        return S != null && B != null && N >= 4;
    }

    /** Packed 4:2:2: returns the pixel pairs converted. */
    static int packed422(MemorySegment s, long row, int w, Layout.Kind k, Coefficients c, int[] dst, int d) {
        int pairs = w / 2, p = 0;
        for (; p + N <= pairs; p += N) {
            IntVector v = IntVector.fromMemorySegment(I, s, row + 4L * p, LE);
            IntVector cb = field(v, k.u).sub(128), cr = field(v, k.v).sub(128);
            store(c, field(v, k.y0), field(v, k.y1), cb, cr, dst, d + 2 * p);
        }
        return p;
    }

    /** Semi-planar from pixel 0: returns the pixels converted (a multiple of 2N). */
    static int semiPlanar(MemorySegment ys, long yRow, MemorySegment cs, long cRow, boolean crFirst, int w,
                          Coefficients c, int[] dst, int d) {
        int x = 0;
        for (; x + 2 * N <= w; x += 2 * N) {
            IntVector yy = (IntVector) ShortVector.fromMemorySegment(S, ys, yRow + x, LE).convertShape(VectorOperators.S2I, I, 0);
            IntVector cc = (IntVector) ShortVector.fromMemorySegment(S, cs, cRow + x, LE).convertShape(VectorOperators.S2I, I, 0);
            IntVector a = cc.and(0xFF).sub(128), b = cc.lanewise(VectorOperators.LSHR, 8).and(0xFF).sub(128);
            store(c, yy.and(0xFF), yy.lanewise(VectorOperators.LSHR, 8).and(0xFF), crFirst ? b : a, crFirst ? a : b, dst, d + x);
        }
        return x;
    }

    /** Planar from pixel 0: returns the pixels converted (a multiple of 2N). */
    static int planar(MemorySegment ys, long yRow, MemorySegment us, long uRow, MemorySegment vs, long vRow, int w,
                      Coefficients c, int[] dst, int d) {
        int x = 0;
        for (; x + 2 * N <= w; x += 2 * N) {
            IntVector yy = (IntVector) ShortVector.fromMemorySegment(S, ys, yRow + x, LE).convertShape(VectorOperators.S2I, I, 0);
            IntVector cb = ((IntVector) ByteVector.fromMemorySegment(B, us, uRow + x / 2, LE).convertShape(VectorOperators.B2I, I, 0)).and(0xFF).sub(128);
            IntVector cr = ((IntVector) ByteVector.fromMemorySegment(B, vs, vRow + x / 2, LE).convertShape(VectorOperators.B2I, I, 0)).and(0xFF).sub(128);
            store(c, yy.and(0xFF), yy.lanewise(VectorOperators.LSHR, 8).and(0xFF), cb, cr, dst, d + x);
        }
        return x;
    }

    private static IntVector field(IntVector v, int shift) {
        return (shift == 0 ? v : v.lanewise(VectorOperators.LSHR, shift)).and(0xFF);
    }

    /** Converts N pixel pairs (even luma, odd luma, shared chroma) and stores 2N ARGB pixels in order. */
    private static void store(Coefficients c, IntVector y0, IntVector y1, IntVector cb, IntVector cr, int[] dst, int d) {
        IntVector rt = cr.mul(c.rv());
        IntVector gt = cb.mul(c.gu()).add(cr.mul(c.gv()));
        IntVector bt = cb.mul(c.bu());
        IntVector even = argb(y0, c, rt, gt, bt), odd = argb(y1, c, rt, gt, bt);
        LO.selectFrom(even, odd).intoArray(dst, d);
        HI.selectFrom(even, odd).intoArray(dst, d + N);
    }

    private static IntVector argb(IntVector y, Coefficients c, IntVector rt, IntVector gt, IntVector bt) {
        IntVector t = y.sub(c.yOffset()).mul(c.yMul()).add(Coefficients.HALF);
        IntVector r = channel(t.add(rt)), g = channel(t.add(gt)), b = channel(t.add(bt));
        return r.lanewise(VectorOperators.LSHL, 16).or(g.lanewise(VectorOperators.LSHL, 8)).or(b).or(0xFF000000);
    }

    private static IntVector channel(IntVector v) {
        return v.lanewise(VectorOperators.ASHR, 16).max(0).min(255);
    }
}
