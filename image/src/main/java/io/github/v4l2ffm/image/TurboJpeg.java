package io.github.v4l2ffm.image;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * libjpeg-turbo's TurboJPEG API ({@code libturbojpeg.so.0}, Debian's {@code libturbojpeg0}),
 * called through FFM: the system library, nothing shipped. It decodes JPEG frames without
 * Huffman tables (as webcams send them) with the standard tables, and writes straight into the
 * caller's Java array (a critical call: no copy).
 */
final class TurboJpeg implements JpegDecoder {
    private static final int TJPF_RGB = 0, TJPF_BGR = 1, TJPF_GRAY = 6, TJPF_BGRA = 8;
    private static final int TJERR_WARNING = 0;

    private static final MethodHandle INIT, DESTROY, HEADER, DECOMPRESS, ERROR_STR, ERROR_CODE;
    private static final String NAME = "libjpeg-turbo";

    static {
        MethodHandle init = null, destroy = null, header = null, decompress = null, errStr = null, errCode = null;
        try {
            SymbolLookup lib = SymbolLookup.libraryLookup("libturbojpeg.so.0", Arena.global());
            Linker l = Linker.nativeLinker();
            Linker.Option heap = Linker.Option.critical(true);
            init = l.downcallHandle(lib.findOrThrow("tjInitDecompress"), FunctionDescriptor.of(ADDRESS));
            destroy = l.downcallHandle(lib.findOrThrow("tjDestroy"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
            header = l.downcallHandle(lib.findOrThrow("tjDecompressHeader3"), FunctionDescriptor.of(JAVA_INT,
                    ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS), heap);
            decompress = l.downcallHandle(lib.findOrThrow("tjDecompress2"), FunctionDescriptor.of(JAVA_INT,
                    ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), heap);
            errStr = l.downcallHandle(lib.findOrThrow("tjGetErrorStr2"), FunctionDescriptor.of(ADDRESS, ADDRESS));
            errCode = l.downcallHandle(lib.findOrThrow("tjGetErrorCode"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
            init = null;   // no libturbojpeg here: ImageIO decodes
        }
        INIT = init;
        DESTROY = destroy;
        HEADER = header;
        DECOMPRESS = decompress;
        ERROR_STR = errStr;
        ERROR_CODE = errCode;
    }

    static boolean available() {
        return INIT != null;
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment handle;
    /** width, height, subsampling, colorspace: tjDecompressHeader3's outputs, made once. */
    private final MemorySegment header;

    TurboJpeg() {
        try {
            handle = (MemorySegment) INIT.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (handle.equals(MemorySegment.NULL)) throw new OutOfMemoryError("tjInitDecompress failed");
        header = arena.allocate(JAVA_INT, 4);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void decodeArgb(MemorySegment jpeg, int w, int h, int[] dst) {
        decode(jpeg, w, h, MemorySegment.ofArray(dst), w * 4, TJPF_BGRA);
    }

    @Override
    public void decodeBytes(MemorySegment jpeg, int w, int h, byte[] dst, Bytes order) {
        int pf = switch (order) {
            case RGB -> TJPF_RGB;
            case BGR -> TJPF_BGR;
            case GREY -> TJPF_GRAY;
        };
        decode(jpeg, w, h, MemorySegment.ofArray(dst), order == Bytes.GREY ? w : w * 3, pf);
    }

    private void decode(MemorySegment jpeg, int w, int h, MemorySegment dst, int pitch, int pixelFormat) {
        try {
            int r = (int) HEADER.invokeExact(handle, jpeg, jpeg.byteSize(), header, header.asSlice(4), header.asSlice(8), header.asSlice(12));
            if (r != 0) throw new CorruptFrameException("not a JPEG frame (" + jpeg.byteSize() + " bytes): " + error());
            int jw = header.getAtIndex(JAVA_INT, 0), jh = header.getAtIndex(JAVA_INT, 1);
            if (jw != w || jh != h) {
                throw new CorruptFrameException("the JPEG frame is " + jw + "x" + jh + ", the format says " + w + "x" + h);
            }
            r = (int) DECOMPRESS.invokeExact(handle, jpeg, jpeg.byteSize(), dst, w, pitch, h, pixelFormat, 0);
            if (r != 0) {
                boolean warning = (int) ERROR_CODE.invokeExact(handle) == TJERR_WARNING;
                throw new CorruptFrameException((warning ? "damaged" : "undecodable") + " JPEG frame (" + jpeg.byteSize()
                        + " bytes): " + error());
            }
        } catch (CorruptFrameException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("libturbojpeg call failed", t);
        }
    }

    private String error() throws Throwable {
        MemorySegment s = (MemorySegment) ERROR_STR.invokeExact(handle);
        return s.equals(MemorySegment.NULL) ? "?" : s.reinterpret(512).getString(0);
    }

    @Override
    public void close() {
        try {
            int ignored = (int) DESTROY.invokeExact(handle);
        } catch (Throwable ignored) {
            // nothing to do: the handle is gone either way
        }
        arena.close();
    }
}
