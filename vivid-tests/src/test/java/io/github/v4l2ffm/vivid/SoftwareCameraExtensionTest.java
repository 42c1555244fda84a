package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.ControlInfo;
import io.github.v4l2ffm.ControlType;
import io.github.v4l2ffm.FormatDescription;
import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.FrameInterval;
import io.github.v4l2ffm.FrameSize;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.softcam.SoftwareCamera;
import io.github.v4l2ffm.softcam.WithSoftwareCamera;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A user's test of a webcam application, given a software camera by the extension. */
@WithSoftwareCamera
class SoftwareCameraExtensionTest {

    @Test
    void theExtensionPlugsACameraAndOpensItsNode(V4l2Device webcam, SoftwareCamera cam) {
        assertEquals("uvcvideo", webcam.capabilities().driver());
        assertTrue(cam.isPlugged());
        UsbCameraTest.capture(webcam, PixelFormat.YUYV, 160, 120, 10);
        assertTrue(cam.framesSent() >= 10);
    }

    @Test
    @WithSoftwareCamera(mjpeg = {"320x240", "640x480"}, fps = {15}, controls = {"brightness", "gain"})
    void aTestDeclaresTheCamerasModesAndControls(V4l2Device webcam) {
        assertEquals(List.of("Brightness", "Gain"), webcam.controls().list().stream()
                .filter(c -> c.type() != ControlType.CTRL_CLASS).map(ControlInfo::name).toList());
        assertEquals(List.of(PixelFormat.MJPEG),
                webcam.formats(webcam.captureQueue().type()).stream().map(FormatDescription::pixelFormat).toList());
        assertEquals(List.of(new FrameSize.Discrete(320, 240), new FrameSize.Discrete(640, 480)),
                webcam.frameSizes(PixelFormat.MJPEG));
        assertEquals(List.of(new FrameInterval.Discrete(new io.github.v4l2ffm.Fraction(1, 15))),
                webcam.frameIntervals(PixelFormat.MJPEG, 640, 480));
    }
}
