package io.github.v4l2ffm.internal;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stream's timer is armed and read once per timeout, from code the JIT leaves in the
 * interpreter or C1: the JDK customizes such a method handle at its 128th call, spinning a class
 * for it (some 65 KB of heap at once). The library has that happen when the first stream's wait
 * set is made ({@link Libc#customizeColdHandles}), not minutes into a capture. Each case runs in a
 * fresh JVM ({@link ColdHandlesProbe}): in this one, other tests may have called the handles already.
 */
class ColdHandlesTest {

    @Test
    void withoutAStreamsWaitSetTheTimersCallsSpinAClassAtThe128thCall() throws Exception {
        long[] r = probe("without");
        assertTrue(r[0] > 16_384, "the JDK's customization is visible: the most one round allocated: " + r[0] + " bytes");
        assertEquals(Libc.CUSTOMIZED_AFTER - 1, r[1], "at the 128th call");
    }

    @Test
    void afterAStreamsWaitSetIsMadeNoTimerCallAllocates() throws Exception {
        long[] r = probe("with-wait-set");
        assertTrue(r[0] < 1024, "the most one round allocated: " + r[0] + " bytes, at round " + r[1]);
    }

    private static long[] probe(String mode) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // the library's and the tests' classes, wherever the test run put them, on a plain class path
        String cp = String.join(File.pathSeparator, System.getProperty("jdk.module.path", ""), System.getProperty("java.class.path", ""));
        Process p = new ProcessBuilder(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", cp, ColdHandlesProbe.class.getName(), mode))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), "the probe ended badly: " + out);
        String[] f = out.substring(out.lastIndexOf('\n') + 1).split(" ");
        return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
    }
}
