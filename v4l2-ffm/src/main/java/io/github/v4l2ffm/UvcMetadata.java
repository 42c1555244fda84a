package io.github.v4l2ffm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The metadata uvcvideo delivers on a USB camera's metadata node ({@link PixelFormat#UVC_METADATA},
 * {@code V4L2_META_FMT_UVC}): for the payloads of a frame, when each arrived and the camera's
 * payload header (its presentation time stamp and source clock reference), so that a program can
 * relate frames to the camera's clock.
 *
 * <pre>{@code
 * BufferQueue meta = metadataDevice.metadataQueue();   // the camera's second node
 * ... dequeue a buffer m ...
 * for (UvcMetadata.Block b : UvcMetadata.parse(m.segment(0), m.bytesUsed(0))) System.out.println(b.pts());
 * }</pre>
 */
public final class UvcMetadata {
    private UvcMetadata() {}

    /** {@code bmHeaderInfo} bits. */
    public static final int FID = 0x01, EOF = 0x02, PTS = 0x04, SCR = 0x08, ERR = 0x40, EOH = 0x80;

    /**
     * One payload's metadata ({@code struct uvc_meta_buf}).
     *
     * @param timestampNanos when the payload arrived, on {@code CLOCK_MONOTONIC}
     * @param sof the USB frame number when it arrived
     * @param headerInfo the payload header's {@code bmHeaderInfo}
     * @param pts the presentation time stamp in the camera's clock, or -1 if the header has none
     * @param scrStc the source clock reference's system time clock, or -1
     * @param scrSof the source clock reference's USB frame number, or -1
     */
    public record Block(long timestampNanos, int sof, int headerInfo, long pts, long scrStc, int scrSof) {
        /** Whether the header says the payload is in error. */
        public boolean isError() {
            return (headerInfo & ERR) != 0;
        }
    }

    /**
     * The blocks in a metadata buffer's first {@code bytesUsed} bytes.
     *
     * @throws IllegalArgumentException if a block runs past the data (not UVC metadata)
     */
    public static List<Block> parse(MemorySegment data, int bytesUsed) {
        if (bytesUsed < 0 || bytesUsed > data.byteSize()) throw new IllegalArgumentException("bytes used " + bytesUsed + " of " + data.byteSize());
        ValueLayout.OfLong u64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        ValueLayout.OfShort u16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        ValueLayout.OfInt u32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        List<Block> blocks = new ArrayList<>();
        long at = 0;
        while (at + 12 <= bytesUsed) {
            long ns = data.get(u64, at);
            int sof = Short.toUnsignedInt(data.get(u16, at + 8));
            int length = Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, at + 10)); // the payload header's bHeaderLength
            int info = Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, at + 11));
            if (length < 2 || at + 10 + length > bytesUsed) {
                throw new IllegalArgumentException("UVC metadata block at " + at + " with header length " + length + " runs past " + bytesUsed);
            }
            long rest = at + 12; // the header after its first two bytes
            long pts = -1, stc = -1;
            int scrSof = -1;
            if ((info & PTS) != 0 && length >= 6) {
                pts = Integer.toUnsignedLong(data.get(u32, rest));
                rest += 4;
            }
            if ((info & SCR) != 0 && rest + 6 <= at + 10 + length) {
                stc = Integer.toUnsignedLong(data.get(u32, rest));
                scrSof = Short.toUnsignedInt(data.get(u16, rest + 4)) & 0x7ff;
            }
            blocks.add(new Block(ns, sof, info, pts, stc, scrSof));
            at += 10 + length;
        }
        return List.copyOf(blocks);
    }
}
