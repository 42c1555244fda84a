package io.github.v4l2ffm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Arguments the library refuses at the call, before any kernel sees them. */
class BadInputTest {

    @Test
    void fourccsAreFourPrintableAsciiCharacters() {
        assertEquals("YUYV", PixelFormat.of("YUYV").fourcc());
        assertEquals("Y16 ", PixelFormat.of("Y16 ").fourcc());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PixelFormat.of("YUY\u00e9"));
        assertTrue(e.getMessage().contains("U+00E9"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PixelFormat.of("YU\u0000V"));
        assertThrows(IllegalArgumentException.class, () -> PixelFormat.of("YUV"));
        assertThrows(IllegalArgumentException.class, () -> PixelFormat.of("\uD83D\uDCF7AB"));
    }

    @Test
    void formatSizesAreNotNegative() {
        assertThrows(IllegalArgumentException.class, () -> VideoFormat.of(BufferType.VIDEO_CAPTURE, -1, 480, PixelFormat.YUYV));
        assertThrows(IllegalArgumentException.class, () -> VideoFormat.of(BufferType.VIDEO_CAPTURE, 640, 480, PixelFormat.MJPEG, -5));
        assertEquals(640, VideoFormat.of(BufferType.VIDEO_CAPTURE, 640, 480, PixelFormat.YUYV).width());
    }

    @Test
    void allocatorsRefuseBlocksOnceClosed() {
        UserptrAllocator a = new UserptrAllocator();
        assertTrue(a.isOpen());
        a.close();
        a.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> a.take(4096));
        assertEquals(0, a.blocksAllocated());
    }

    @Test
    void userptrBlocksArePageAlignedPooledAndFreedOnlyWhenGivenBack() {
        try (UserptrAllocator a = new UserptrAllocator()) {
            BufferAllocator.Block b = a.take(1000);
            assertEquals(0, b.memory().address() % 4096);
            assertEquals(4096, b.size());
            assertThrows(IllegalArgumentException.class, () -> a.take(0));
            a.close(); // while the block is lent: it stays usable
            b.memory().set(java.lang.foreign.ValueLayout.JAVA_BYTE, 10, (byte) 1);
            assertEquals(1, a.blocksInUse());
            a.giveBack(b); // now it is freed
            assertEquals(0, a.blocksInUse());
            assertThrows(IllegalStateException.class, () -> b.memory().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 10));
        }
    }

    @Test
    void dmaBufsNeedADescriptorAndASize() {
        assertThrows(IllegalArgumentException.class, () -> DmaBuf.adopt(-1, 4096, "nothing"));
        assertThrows(IllegalArgumentException.class, () -> DmaBuf.adopt(0, 0, "empty"));
    }
}
