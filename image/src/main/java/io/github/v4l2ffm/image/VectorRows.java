package io.github.v4l2ffm.image;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.ROR;

/**
 * Row converters to ARGB on the Vector API, for the Y'CbCr layouts. Each handles whole vectors
 * of pixel pairs and returns how far it got; {@link ScalarRows} does the rest of the row. Loaded
 * only when the {@code jdk.incubator.vector} module is present.
 *
 * <p>Per pixel pair (one int lane): the luma terms {@code Y yMul} and the chroma terms with their
 * constants folded in ({@link Coefficients#rConst()} ...) are added in 32 bits, exactly as
 * {@link Coefficients#argb} does; the top 16 bits of each sum, of the even pixel and the odd one,
 * are put side by side in one int lane and clamped to 0..255 as two short lanes; blue with green
 * and red with alpha make one short each, and one two-vector shuffle per output vector interleaves
 * them into ARGB ints in pixel order.
 *
 * <p>The conversion is written out in each loop, not in a helper method: C2 inlines a helper that
 * takes vectors only until the helper has been compiled on its own (during warm-up), after which
 * every call boxes its vectors, ten times slower.
 */
final class VectorRows {
    private VectorRows() {}

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Int lanes: one pixel pair each. */
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int N = I.length();
    /** The same vector as shorts: the even and the odd pixel of a pair. */
    private static final VectorSpecies<Short> S2 = ShortVector.SPECIES_PREFERRED;
    /** As many short lanes as int lanes: one luma pair or one chroma pair each. */
    private static final VectorSpecies<Short> S = speciesOrNull(short.class, N * 16);
    /** As many byte lanes as int lanes (planar chroma), if the platform has such a shape. */
    private static final VectorSpecies<Byte> B = speciesOrNull(byte.class, N * 8);
    /**
     * Short lane indexes that interleave blue-green shorts (first vector) with red-alpha shorts
     * (second vector) into the first and second half of the pixels.
     */
    private static final ShortVector LO, HI;

    /**
     * Whether the interleave is one short shuffle per output vector (AVX-512's vpermi2w), else
     * the even and odd pixels are made whole ints and interleaved by an int shuffle, which
     * AVX2 does with fewer instructions (8% faster there).
     */
    private static final boolean SHORT_SHUFFLE = I.vectorBitSize() >= 512;
    /** Int lane indexes that interleave even pixels (first vector) with odd pixels (second). */
    private static final IntVector INT_LO, INT_HI;

    static {
        int[] lo = new int[N], hi = new int[N];
        for (int i = 0; i < N; i++) {
            lo[i] = (i & 1) == 0 ? i / 2 : N + i / 2;
            hi[i] = (i & 1) == 0 ? N / 2 + i / 2 : N + N / 2 + i / 2;
        }
        INT_LO = IntVector.fromArray(I, lo, 0);
        INT_HI = IntVector.fromArray(I, hi, 0);
    }

    static {
        int n = S2.length();   // 2N
        short[] lo = new short[n], hi = new short[n];
        for (int j = 0; j < n; j++) {
            lo[j] = (short) ((j & 1) == 0 ? j / 2 : n + j / 2);
            hi[j] = (short) ((j & 1) == 0 ? n / 2 + j / 2 : n + n / 2 + j / 2);
        }
        LO = ShortVector.fromArray(S2, lo, 0);
        HI = ShortVector.fromArray(S2, hi, 0);
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

    /** Whether packed rows have a vector path here. */
    static boolean packedSupported() {
        return N >= 4 && S2.length() == 2 * N;
    }

    /** Whether semi-planar rows have a vector path here. */
    static boolean semiPlanarSupported() {
        return S != null && packedSupported();
    }

    /** Whether planar rows have a vector path here. */
    static boolean planarSupported() {
        return S != null && B != null && packedSupported();
    }

    /**
     * Packed 4:2:2: returns the pixel pairs converted. Each pair's int is rotated twice, to put
     * its luma samples in bytes 0 and 2 and its Cb and Cr in bytes 1 and 3 (as YUYV has them), so
     * that the samples come out with constant shifts: fewer instructions than shifting by the
     * format's positions (10% faster at 1920x1080 here).
     */
    static int packed422(MemorySegment s, long row, int w, Layout.Kind k, Coefficients c, int[] dst, int d) {
        int pairs = w / 2, p = 0;
        int lumaRotation = k.y0, chromaRotation = (k.u - 8) & 31;
        int ym = c.yMul(), rv = c.rv(), gu = c.gu(), gv = c.gv(), bu = c.bu();
        int rc = c.rConst(), gc = c.gConst(), bc = c.bConst();
        for (; p + N <= pairs; p += N) {
            IntVector q = IntVector.fromMemorySegment(I, s, row + 4L * p, LE);
            IntVector ql = q.lanewise(ROR, lumaRotation), qc = q.lanewise(ROR, chromaRotation);
            IntVector cb = qc.lanewise(LSHR, 8).and(0xFF), cr = qc.lanewise(LSHR, 24);
            IntVector ye = ql.and(0xFF).mul(ym), yo = ql.lanewise(LSHR, 16).and(0xFF).mul(ym);
            // ---- the conversion (the same in the three loops) ----
            IntVector rt = cr.mul(rv).add(rc), gt = cb.mul(gu).add(cr.mul(gv)).add(gc), bt = cb.mul(bu).add(bc);
            IntVector r = ye.add(rt).lanewise(LSHR, 16).or(yo.add(rt).and(0xFFFF0000));
            IntVector g = ye.add(gt).lanewise(LSHR, 16).or(yo.add(gt).and(0xFFFF0000));
            IntVector b = ye.add(bt).lanewise(LSHR, 16).or(yo.add(bt).and(0xFFFF0000));
            r = r.reinterpretAsShorts().max((short) 0).min((short) 255).reinterpretAsInts();
            g = g.reinterpretAsShorts().max((short) 0).min((short) 255).reinterpretAsInts();
            b = b.reinterpretAsShorts().max((short) 0).min((short) 255).reinterpretAsInts();
            IntVector bg = b.or(g.lanewise(LSHL, 8)), ra = r.or(0xFF00FF00);
            if (SHORT_SHUFFLE) {
                LO.selectFrom(bg.reinterpretAsShorts(), ra.reinterpretAsShorts()).reinterpretAsInts().intoArray(dst, d + 2 * p);
                HI.selectFrom(bg.reinterpretAsShorts(), ra.reinterpretAsShorts()).reinterpretAsInts().intoArray(dst, d + 2 * p + N);
            } else {
                IntVector even = bg.and(0xFFFF).or(ra.lanewise(LSHL, 16)), odd = bg.lanewise(LSHR, 16).or(ra.and(0xFFFF0000));
                INT_LO.selectFrom(even, odd).intoArray(dst, d + 2 * p);
                INT_HI.selectFrom(even, odd).intoArray(dst, d + 2 * p + N);
            }
        }
        return p;
    }

    /**
     * Semi-planar from pixel 0: returns the pixels converted (a multiple of 2N). The chroma
     * pair's first and second byte become Cb and Cr, or Cr and Cb, by a blend under a constant
     * mask.
     */
    static int semiPlanar(MemorySegment ys, long yRow, MemorySegment cs, long cRow, boolean crFirst, int w,
                          Coefficients c, int[] dst, int d) {
        int x = 0;
        int ym = c.yMul(), rv = c.rv(), gu = c.gu(), gv = c.gv(), bu = c.bu();
        int rc = c.rConst(), gc = c.gConst(), bc = c.bConst();
        VectorMask<Integer> swap = I.maskAll(crFirst);
        for (; x + 2 * N <= w; x += 2 * N) {
            IntVector yy = (IntVector) ShortVector.fromMemorySegment(S, ys, yRow + x, LE).convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0);
            IntVector cc = (IntVector) ShortVector.fromMemorySegment(S, cs, cRow + x, LE).convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0);
            IntVector first = cc.and(0xFF), second = cc.lanewise(LSHR, 8);
            IntVector cb = first.blend(second, swap), cr = second.blend(first, swap);
            IntVector ye = yy.and(0xFF).mul(ym), yo = yy.lanewise(LSHR, 8).mul(ym);
            // ---- the conversion (the same in the three loops) ----
            IntVector rt = cr.mul(rv).add(rc), gt = cb.mul(gu).add(cr.mul(gv)).add(gc), bt = cb.mul(bu).add(bc);
            IntVector r = ye.add(rt).lanewise(LSHR, 16).or(yo.add(rt).and(0xFFFF0000));
            IntVector g = ye.add(gt).lanewise(LSHR, 16).or(yo.add(gt).and(0xFFFF0000));
            IntVector b = ye.add(bt).lanewise(LSHR, 16).or(yo.add(bt).and(0xFFFF0000));
            r = r.reinterpretAsShorts().max((short) 0).min((short) 255).reinterpretAsInts();
            g = g.reinterpretAsShorts().max((short) 0).min((short) 255).reinterpretAsInts();
            b = b.reinterpretAsShorts().max((short) 0).min((short) 255).reinterpretAsInts();
            IntVector bg = b.or(g.lanewise(LSHL, 8)), ra = r.or(0xFF00FF00);
            if (SHORT_SHUFFLE) {
                LO.selectFrom(bg.reinterpretAsShorts(), ra.reinterpretAsShorts()).reinterpretAsInts().intoArray(dst, d + x);
                HI.selectFrom(bg.reinterpretAsShorts(), ra.reinterpretAsShorts()).reinterpretAsInts().intoArray(dst, d + x + N);
            } else {
                IntVector even = bg.and(0xFFFF).or(ra.lanewise(LSHL, 16)), odd = bg.lanewise(LSHR, 16).or(ra.and(0xFFFF0000));
                INT_LO.selectFrom(even, odd).intoArray(dst, d + x);
                INT_HI.selectFrom(even, odd).intoArray(dst, d + x + N);
            }
        }
        return x;
    }

    /** Planar from pixel 0: returns the pixels converted (a multiple of 2N). */
    static int planar(MemorySegment ys, long yRow, MemorySegment us, long uRow, MemorySegment vs, long vRow, int w,
                      Coefficients c, int[] dst, int d) {
        int x = 0;
        int ym = c.yMul(), rv = c.rv(), gu = c.gu(), gv = c.gv(), bu = c.bu();
        int rc = c.rConst(), gc = c.gConst(), bc = c.bConst();
        for (; x + 2 * N <= w; x += 2 * N) {
            IntVector yy = (IntVector) ShortVector.fromMemorySegment(S, ys, yRow + x, LE).convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0);
            IntVector cb = (IntVector) ByteVector.fromMemorySegment(B, us, uRow + x / 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            IntVector cr = (IntVector) ByteVector.fromMemorySegment(B, vs, vRow + x / 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            IntVector ye = yy.and(0xFF).mul(ym), yo = yy.lanewise(LSHR, 8).mul(ym);
            // ---- the conversion (the same in the three loops) ----
            IntVector rt = cr.mul(rv).add(rc), gt = cb.mul(gu).add(cr.mul(gv)).add(gc), bt = cb.mul(bu).add(bc);
            IntVector r = ye.add(rt).lanewise(LSHR, 16).or(yo.add(rt).and(0xFFFF0000));
            IntVector g = ye.add(gt).lanewise(LSHR, 16).or(yo.add(gt).and(0xFFFF0000));
            IntVector b = ye.add(bt).lanewise(LSHR, 16).or(yo.add(bt).and(0xFFFF0000));
            r = r.reinterpretAsShorts().max((short) 0).min((short) 255).reinterpretAsInts();
            g = g.reinterpretAsShorts().max((short) 0).min((short) 255).reinterpretAsInts();
            b = b.reinterpretAsShorts().max((short) 0).min((short) 255).reinterpretAsInts();
            IntVector bg = b.or(g.lanewise(LSHL, 8)), ra = r.or(0xFF00FF00);
            if (SHORT_SHUFFLE) {
                LO.selectFrom(bg.reinterpretAsShorts(), ra.reinterpretAsShorts()).reinterpretAsInts().intoArray(dst, d + x);
                HI.selectFrom(bg.reinterpretAsShorts(), ra.reinterpretAsShorts()).reinterpretAsInts().intoArray(dst, d + x + N);
            } else {
                IntVector even = bg.and(0xFFFF).or(ra.lanewise(LSHL, 16)), odd = bg.lanewise(LSHR, 16).or(ra.and(0xFFFF0000));
                INT_LO.selectFrom(even, odd).intoArray(dst, d + x);
                INT_HI.selectFrom(even, odd).intoArray(dst, d + x + N);
            }
        }
        return x;
    }
}
