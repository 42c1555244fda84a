package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.DeviceBusyException;
import io.github.v4l2ffm.DeviceGoneException;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.FrameInterval;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.image.ImageCamera;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import io.github.v4l2ffm.softcam.FramePattern;
import io.github.v4l2ffm.softcam.SoftwareCamera;
import io.github.v4l2ffm.softcam.WithSoftwareCamera;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three-line camera: format choice, grabbed pixels, and its failure paths, on vivid and on a USB camera. */
class ImageCameraTest {
    /** vivid's 75% colour bars, left to right. */
    static final int[][] BARS = {{191, 191, 191}, {191, 191, 0}, {0, 191, 191}, {0, 191, 0},
            {191, 0, 191}, {191, 0, 0}, {0, 0, 191}, {0, 0, 0}};

    static void assertBars(BufferedImage img) {
        int w = img.getWidth(), y = img.getHeight() * 3 / 4;   // below vivid's on-screen text
        for (int i = 0; i < BARS.length; i++) {
            int x = w * (2 * i + 1) / 16, v = img.getRGB(x, y);
            int[] got = {v >> 16 & 0xFF, v >> 8 & 0xFF, v & 0xFF};
            for (int c = 0; c < 3; c++) {
                // vivid rounds the bars to 8-bit Y'CbCr: they come back within 4 levels of the RGB values
                assertTrue(Math.abs(got[c] - BARS[i][c]) <= 4, "bar " + i + " at (" + x + "," + y + "): "
                        + java.util.Arrays.toString(got) + " instead of " + java.util.Arrays.toString(BARS[i]));
            }
        }
    }

    @Nested
    @WithV4l2Drivers(vivid = @Vivid)
    @ExtendWith(NothingLeaks.class)
    class OnVivid {
        @Test
        void opensByPathChoosesYuyvAndGrabsTheColourBars(@Driver("vivid") DeviceInfo info) {
            VividErrors.defaultPicture(info); // other classes, in whatever order they ran, may have left them changed
            try (ImageCamera cam = ImageCamera.open(info.path(), 640, 480, 30)) {
                assertEquals(PixelFormat.YUYV, cam.format().pixelFormat(), "vivid offers YUYV first at that size");
                assertEquals(640, cam.format().width());
                assertEquals(480, cam.format().height());
                BufferedImage img = cam.grab();
                assertEquals(640, img.getWidth());
                assertBars(img);
                long first = cam.lastSequence();
                int[] argb = new int[640 * 480];
                cam.grab(argb);
                assertTrue(cam.lastSequence() > first, "a later frame: " + first + " then " + cam.lastSequence());
                assertEquals(img.getRGB(320, 400), argb[400 * 640 + 320]);
                BufferedImage reused = cam.converter().newImage(BufferedImage.TYPE_3BYTE_BGR);
                cam.grab(reused);
                assertBars(reused);
                assertEquals("vivid", cam.device().capabilities().driver(), "the full API is one call away");
            }
        }

        @Test
        void chosenIntervalIsTheOfferedOneNearestTheWantedRate(@Driver("vivid") DeviceInfo info) {
            try (V4l2Device dev = info.open()) {
                ImageCamera.Choice c = ImageCamera.choose(dev, 640, 480, 30);
                List<Fraction> offered = dev.frameIntervals(c.pixelFormat(), 640, 480).stream()
                        .map(i -> ((FrameInterval.Discrete) i).interval()).toList();
                assertTrue(offered.contains(c.frameInterval()), c + " among " + offered);
                for (Fraction f : offered) {
                    assertTrue(Math.abs(1 / c.frameInterval().toDouble() - 30) <= Math.abs(1 / f.toDouble() - 30) + 1e-9, c + " vs " + f);
                }
                ImageCamera.Choice odd = ImageCamera.choose(dev, 700, 500, 30);
                assertEquals(640, odd.width(), "the nearest offered size: " + odd);
                assertEquals(480, odd.height());
            }
        }

        @Test
        void opensByNameAndRefusesUnknownNames(@Driver("vivid") DeviceInfo info) {
            try (ImageCamera cam = ImageCamera.open("VIVID", 320, 180, 30)) {
                assertEquals("vivid", cam.device().capabilities().driver());
                assertEquals(320, cam.grab().getWidth());
            }
            var e = assertThrows(NoSuchElementException.class, () -> ImageCamera.open("no such camera", 320, 180, 30));
            assertTrue(e.getMessage().contains("vivid"), "the message lists the cameras there are: " + e.getMessage());
            assertThrows(NoSuchElementException.class, () -> ImageCamera.open("/dev/video99", 320, 180, 30));
            assertThrows(IllegalArgumentException.class, () -> ImageCamera.open(info.path(), 0, 180, 30));
        }

        @Test
        void aSecondOpenOfABusyCameraThrowsBusyAndLeaksNothing(@Driver("vivid") DeviceInfo info) {
            try (ImageCamera cam = ImageCamera.open(info.path(), 320, 180, 30)) {
                long fds = LabDevices.openFds();
                assertThrows(DeviceBusyException.class, () -> ImageCamera.open(info.path(), 320, 180, 30));
                assertEquals(fds, LabDevices.openFds(), "the second open closed its descriptor");
                cam.grab();
            }
        }
    }

    @Nested
    @WithSoftwareCamera(yuyv = {"320x240"}, mjpeg = {"320x240", "640x480"}, fps = {30})
    class OnAUsbCamera {
        @Test
        void takesMjpegWhereTheSizeIsOnlyCompressedAndReadsTheFrameNumbers(SoftwareCamera sc) throws Exception {
            var node = sc.awaitNode(Duration.ofSeconds(30));
            try (ImageCamera cam = ImageCamera.open(node, 640, 480, 30)) {
                assertEquals(PixelFormat.MJPEG, cam.format().pixelFormat());
                assertEquals("libjpeg-turbo", cam.converter().jpegDecoder());
                int a = FramePattern.numberFromImage(cam.grab()), b = FramePattern.numberFromImage(cam.grab());
                assertTrue(b > a, "frame numbers go up: " + a + ", " + b);
            }
            try (ImageCamera cam = ImageCamera.open(node, 320, 240, 30)) {
                assertEquals(PixelFormat.YUYV, cam.format().pixelFormat(), "uncompressed where it has the size and rate");
                int a = FramePattern.numberFromImage(cam.grab());
                assertTrue(a >= 0);
            }
        }

        @Test
        void anUnplugWhileGrabbingThrowsDeviceGoneAndCloseDoesNot(SoftwareCamera sc) throws Exception {
            var node = sc.awaitNode(Duration.ofSeconds(30));
            long fds = LabDevices.openFds();
            ImageCamera cam = ImageCamera.open(node, 320, 240, 30);
            try {
                cam.grab();
                sc.unplug();
                assertThrows(DeviceGoneException.class, () -> {
                    for (int i = 0; i < 100; i++) cam.grab();   // frames already queued may still come first
                });
            } finally {
                cam.close();
            }
            cam.close();
            assertEquals(fds, LabDevices.openFds(), "every descriptor released after the unplug");
        }
    }
}
