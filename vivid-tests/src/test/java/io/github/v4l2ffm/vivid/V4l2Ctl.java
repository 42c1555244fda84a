package io.github.v4l2ffm.vivid;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Runs v4l-utils' {@code v4l2-ctl}, the peer the suite checks the library against. */
final class V4l2Ctl {
    private V4l2Ctl() {}

    static String run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("v4l2-ctl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), () -> String.join(" ", cmd) + " failed:\n" + out);
        return out;
    }
}
