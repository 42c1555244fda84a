package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.softcam.FramePattern;
import io.github.v4l2ffm.softcam.SoftwareCamera;
import io.github.v4l2ffm.softcam.WithSoftwareCamera;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A user's test of a webcam application, given a software camera by the extension. */
@WithSoftwareCamera
class SoftwareCameraExtensionTest {

    @Test
    void theExtensionPlugsACameraAndOpensItsNode(V4l2Device webcam, SoftwareCamera cam) {
        assertEquals("uvcvideo", webcam.capabilities().driver());
        assertTrue(cam.isPlugged());
        VideoFormat f = webcam.captureQueue().setFormat(160, 120, PixelFormat.YUYV);
        try (BufferSet set = webcam.captureQueue().allocate(3); Streaming s = set.start()) {
            int last = -1;
            for (int i = 0; i < 10; i++) {
                V4l2Buffer b = s.dequeue(10_000);
                assertNotNull(b);
                int n = FramePattern.numberFromYuyv(b.segment(0), f.bytesPerLine());
                if (last >= 0) assertEquals(last + 1, n);
                last = n;
                s.queue(b);
            }
        }
        assertTrue(cam.framesSent() >= 10);
    }

    @Test
    @WithSoftwareCamera(mjpeg = {"320x240", "640x480"}, fps = {15}, controls = {"brightness", "gain"})
    void aTestDeclaresTheCamerasModesAndControls(V4l2Device webcam) {
        assertEquals(java.util.List.of("Brightness", "Gain"), webcam.controls().list().stream()
                .filter(c -> c.type() != io.github.v4l2ffm.ControlType.CTRL_CLASS).map(io.github.v4l2ffm.ControlInfo::name).toList());
        assertEquals(java.util.List.of(PixelFormat.MJPEG),
                webcam.formats(webcam.captureQueue().type()).stream().map(io.github.v4l2ffm.FormatDescription::pixelFormat).toList());
        assertEquals(java.util.List.of(new io.github.v4l2ffm.FrameSize.Discrete(320, 240), new io.github.v4l2ffm.FrameSize.Discrete(640, 480)),
                webcam.frameSizes(PixelFormat.MJPEG));
        assertEquals(java.util.List.of(new io.github.v4l2ffm.FrameInterval.Discrete(new io.github.v4l2ffm.Fraction(1, 15))),
                webcam.frameIntervals(PixelFormat.MJPEG, 640, 480));
    }
}
