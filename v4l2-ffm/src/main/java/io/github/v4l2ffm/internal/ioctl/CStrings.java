package io.github.v4l2ffm.internal.ioctl;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/** The NUL-terminated strings of fixed-size char arrays in the kernel's structs. */
public final class CStrings {
    private CStrings() {}

    /** The UTF-8 string up to the first NUL (or the whole array). */
    public static String read(MemorySegment chars) {
        long n = 0;
        while (n < chars.byteSize() && chars.get(ValueLayout.JAVA_BYTE, n) != 0) n++;
        return new String(chars.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }
}
