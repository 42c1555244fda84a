package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.Capability;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.DmaBuf;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.Memory;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Vim2m;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EXPBUF: vivid's MMAP capture buffers exported as dma-bufs and imported by vim2m's OUTPUT
 * queue. vim2m copies RGB24 to RGB24 unchanged, so its CAPTURE result must hold the very bytes
 * vivid wrote into the exported buffer.
 */
@WithV4l2Drivers(vivid = @Vivid, vim2m = @Vim2m)
class ExpbufTest {

    @Test
    void vividBuffersImportedByVim2mArriveUnchanged(@Driver("vivid") DeviceInfo vividInfo, @Driver("vim2m") DeviceInfo m2mInfo)
            throws Exception {
        VividControls.pattern(vividInfo.path(), "75% Colorbar");
        long fds = LabDevices.openFds(), maps = LabDevices.mappings();
        try (V4l2Device vivid = vividInfo.open(); V4l2Device m2m = m2mInfo.open()) {
            BufferQueue cap = vivid.captureQueue();
            VideoFormat vf = cap.setFormat(320, 180, PixelFormat.RGB24);
            assertEquals(PixelFormat.RGB24, vf.pixelFormat());
            assertEquals(320 * 180 * 3, vf.sizeImage());

            BufferQueue m2mOut = m2m.outputQueue(), m2mCap = m2m.captureQueue();
            VideoFormat of = m2mOut.setFormat(320, 180, PixelFormat.RGB24);
            VideoFormat cf = m2mCap.setFormat(320, 180, PixelFormat.RGB24);
            assertEquals(vf.sizeImage(), of.sizeImage());
            assertEquals(vf.sizeImage(), cf.sizeImage());

            List<DmaBuf> exported = new ArrayList<>();
            try (BufferSet vividBufs = cap.allocate(2)) {
                for (int i = 0; i < vividBufs.count(); i++) exported.add(vividBufs.export(i, 0));
                try (BufferSet in = m2mOut.importDmaBufs(exported); BufferSet out = m2mCap.allocate(2);
                     Streaming vs = vividBufs.start(); Streaming os = in.start(); Streaming cs = out.start()) {
                    assertEquals(Memory.DMABUF, in.memory());
                    for (int frame = 0; frame < 3; frame++) {
                        V4l2Buffer v = vs.dequeue(10_000);
                        assertNotNull(v, "vivid frame");
                        byte[] original = v.segment(0).asSlice(0, v.bytesUsed(0)).toArray(ValueLayout.JAVA_BYTE);

                        V4l2Buffer src = in.buffer(v.index()); // the vim2m buffer that imports the same dma-buf
                        assertEquals(-1L, src.segment(0).asSlice(0, original.length).mismatch(MemorySegment.ofArray(original)),
                                "vim2m's buffer imports the very dma-buf vivid wrote into");
                        src.setBytesUsed(0, v.bytesUsed(0));
                        os.queue(src);
                        V4l2Buffer result = cs.dequeue(10_000);
                        assertNotNull(result, "vim2m result");
                        V4l2Buffer done = os.dequeue(10_000);
                        assertEquals(src.index(), done.index());

                        byte[] converted = result.segment(0).asSlice(0, result.bytesUsed(0)).toArray(ValueLayout.JAVA_BYTE);
                        assertEquals(original.length, converted.length);
                        assertArrayEquals(original, converted, "frame " + frame + ": vim2m did not read the bytes vivid wrote");
                        // and the CPU view of the dma-buf is the same memory as vivid's mapping
                        MemorySegment viaDmaBuf = exported.get(v.index()).segment();
                        assertEquals(-1L, viaDmaBuf.asSlice(0, original.length).mismatch(MemorySegment.ofArray(original)));
                        cs.queue(result);
                        vs.queue(v);
                    }
                }
            } finally {
                exported.forEach(DmaBuf::close);
            }
            assertTrue(m2m.capabilities().has(Capability.VIDEO_M2M) || m2m.capabilities().has(Capability.VIDEO_M2M_MPLANE));
        }
        assertEquals(fds, LabDevices.openFds(), "file descriptors leaked");
        assertEquals(maps, LabDevices.mappings(), "mappings leaked");
    }
}
