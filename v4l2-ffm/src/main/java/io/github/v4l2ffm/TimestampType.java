package io.github.v4l2ffm;

/** Which clock a buffer's timestamp is on ({@code V4L2_BUF_FLAG_TIMESTAMP_*}). */
public enum TimestampType {
    /** The driver did not say. */
    UNKNOWN,
    /** {@code CLOCK_MONOTONIC}, as {@code System.nanoTime()} is on Linux. */
    MONOTONIC,
    /** Copied from the OUTPUT buffer that produced it (mem-to-mem devices). */
    COPY;

    static TimestampType ofFlags(int flags) {
        return switch (flags & 0xe000) {
            case 0x2000 -> MONOTONIC;
            case 0x4000 -> COPY;
            default -> UNKNOWN;
        };
    }
}
