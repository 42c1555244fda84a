package io.github.v4l2ffm.vivid.container;

import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.vivid.Vim2mChecks;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.vivid.Sequences;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.DriverEnvironment;
import io.github.v4l2ffm.junit.Strategy;
import io.github.v4l2ffm.junit.Vim2m;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container strategy, as a user's test sees it: the lab VM boots with no V4L2 driver
 * loaded and a Docker engine running (vivid-tests/lab/run-suite.sh container), and the extension
 * has a privileged container load vivid and vim2m.
 */
@WithV4l2Drivers(vivid = @Vivid, vim2m = @Vim2m)
class ContainerCaptureTest {

    @Test
    void capturesFromVividAndConvertsOnVim2m(@Driver("vivid") V4l2Device camera, @Driver("vim2m") DeviceInfo scaler,
                                             DriverEnvironment env) throws IOException {
        assertEquals(Strategy.CONTAINER, env.strategy(), env.detail());
        // one load for the whole test plan: this class runs first in the container stage (classes by name) and asks
        // for one instance, yet vivid has ContainerMultiplanarTest's two, the first shared with this class
        assertTrue(env.modules().get("vivid").startsWith("n_devs=2 node_types=0x1,0x1 multiplanar=1,2 allocators=0,0"),
                env.modules().toString());
        // the container made the new nodes usable by every user (devtmpfs creates them 0600)
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(camera.path());
        assertTrue(mode.contains(PosixFilePermission.OTHERS_READ) && mode.contains(PosixFilePermission.OTHERS_WRITE), mode.toString());

        camera.captureQueue().setFormat(320, 180, PixelFormat.RGB24);
        byte[] frame = null;
        try (BufferSet set = camera.captureQueue().allocate(3); Streaming s = set.start()) {
            Sequences order = new Sequences();
            for (int i = 0; i < 5; i++) {
                V4l2Buffer b = s.dequeue(10_000);
                assertNotNull(b, "frame " + i);
                order.next(b); // sequence numbers grow
                assertEquals(320 * 180 * 3, b.bytesUsed(0));
                if (i == 4) frame = b.segment(0).asSlice(0, b.bytesUsed(0)).toArray(ValueLayout.JAVA_BYTE);
                s.queue(b);
            }
        }
        assertTrue(Vim2mChecks.assertConvertsRgbToBgr(scaler, 320, 180, frame) > 1000,
                "vivid's colour bars have pixels whose red and blue differ");
    }
}
