package io.github.v4l2ffm.examples;

import io.github.v4l2ffm.PixelFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The main job's options: what capture.sh checks before it boots a VM for them. */
class CaptureOptionsTest {
    @Test
    void parsesEveryOption() {
        Capture.Options o = Capture.Options.parse(new String[] {"--device", "/dev/video3", "--format", "NV12", "--size", "1280x720",
                "--fps", "15", "--memory", "userptr", "--frames", "60", "--out", "/tmp/x", "--raw", "--writers", "3", "--queue", "20",
                "--png-level", "0"});
        assertEquals(Path.of("/dev/video3"), o.device());
        assertEquals(PixelFormat.NV12, o.format());
        assertEquals(1280, o.width());
        assertEquals(720, o.height());
        assertEquals(15, o.fps());
        assertEquals("userptr", o.memory());
        assertEquals(60, o.frames());
        assertEquals(Path.of("/tmp/x"), o.out());
        assertTrue(o.raw());
        assertEquals(3, o.writers());
        assertEquals(20, o.queue());
        assertEquals(0, o.pngLevel());
    }

    @Test
    void defaults() {
        Capture.Options o = Capture.Options.parse(new String[0]);
        assertEquals(10, o.frames());
        assertEquals("mmap", o.memory());
        assertEquals(1, o.pngLevel());
        assertEquals(Path.of("frames"), o.out());
        assertEquals(0, o.queue());
        assertEquals(10, Capture.slots(o, 640 * 480 * 2), "every frame of a short run may wait for the writers");
    }

    @Test
    void theQueueIsBoundedByAQuarterOfTheHeap() {
        long frame = 1920 * 1080 * 2;
        Capture.Options many = Capture.Options.parse(new String[] {"--frames", "1000000"});
        int slots = Capture.slots(many, frame);
        assertTrue(slots >= 8, "at least 8: " + slots);
        assertTrue(slots <= Math.max(8, Runtime.getRuntime().maxMemory() / 4 / frame), slots + " slots of " + frame + " bytes");
        assertEquals(3, Capture.slots(Capture.Options.parse(new String[] {"--queue", "3"}), frame), "--queue says how many");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--frames|0|--frames must be a positive number", "--frames|ten|--frames must be a positive number",
            "--size|640|--size is WIDTHxHEIGHT", "--size|640x-1|--size height must be a positive number",
            "--memory|dma|--memory is mmap", "--png-level|10|--png-level is 0 to 9", "--format|TOOLONG|a FourCC has 4 characters",
            "--colour|red|unknown option --colour"})
    void refusesMalformedValuesAndUnknownOptions(String option, String value, String message) {
        var e = assertThrows(IllegalArgumentException.class, () -> Capture.Options.parse(new String[] {option, value}));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void refusesAMissingValueAndContradictions() {
        assertThrows(IllegalArgumentException.class, () -> Capture.Options.parse(new String[] {"--frames"}));
        assertThrows(IllegalArgumentException.class, () -> Capture.Options.parse(new String[] {"stray"}));
        assertThrows(IllegalArgumentException.class, () -> Capture.Options.parse(new String[] {"--device", "/dev/video0", "--driver", "vivid"}));
        assertThrows(Capture.Help.class, () -> Capture.Options.parse(new String[] {"--help"}));
    }
}
