package io.github.v4l2ffm.vivid.container;

import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.DeviceGoneException;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.softcam.FramePattern;
import io.github.v4l2ffm.softcam.SoftwareCamera;
import io.github.v4l2ffm.softcam.WithSoftwareCamera;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A software camera for a test JVM that is not root: the extension's privileged container loads
 * vhci-hcd and uvcvideo, connects to the camera's loopback port and hands the socket to the
 * kernel, and makes the nodes usable; unplugging closes the connection.
 */
@WithSoftwareCamera
class ContainerSoftwareCameraTest {

    @Test
    void aNonRootTestGetsAWebcamThroughTheContainer(V4l2Device webcam, SoftwareCamera cam) throws Exception {
        assertNotEquals("root", System.getProperty("user.name"), "this stage runs its tests unprivileged");
        assertEquals("uvcvideo", webcam.capabilities().driver());
        VideoFormat f = webcam.captureQueue().setFormat(160, 120, PixelFormat.YUYV);
        Path node = webcam.path();
        try (BufferSet set = webcam.captureQueue().allocate(3); Streaming s = set.start()) {
            int last = -1, lastSeq = 0;
            for (int i = 0; i < 10; i++) {
                V4l2Buffer b = s.dequeue(10_000);
                assertNotNull(b);
                int n = FramePattern.numberFromYuyv(b.segment(0), f.bytesPerLine());
                // in order; a frame uvcvideo had no buffer for shows as a gap in its sequence too
                if (last >= 0) assertEquals(b.sequence() - lastSeq, n - last, "frame numbers follow uvcvideo's sequence");
                last = n;
                lastSeq = b.sequence();
                s.queue(b);
            }
            cam.unplug(); // the camera closes its connection: the kernel takes the device away
            assertThrows(DeviceGoneException.class, () -> {
                while (true) s.queue(s.dequeue(10_000));
            });
        }
        for (int i = 0; i < 100 && Files.exists(node); i++) Thread.sleep(50);
        assertFalse(Files.exists(node), node + " went with the camera");
    }
}
