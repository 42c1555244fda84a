package io.github.v4l2ffm.vivid;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Runs v4l-utils' {@code v4l2-ctl}, the peer the suite checks the library against. */
final class V4l2Ctl {
    private V4l2Ctl() {}

    static String run(String... args) throws IOException, InterruptedException {
        return run(true, args);
    }

    /**
     * Runs v4l2-ctl; with {@code checkExit} false its output is returned whatever its exit status
     * (v4l-utils 1.22 exits non-zero on --info for vivid's second instance after printing the
     * driver information, complaining about the media topology).
     */
    static String run(boolean checkExit, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("v4l2-ctl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        if (checkExit) assertEquals(0, rc, () -> String.join(" ", cmd) + " failed:\n" + out);
        return out;
    }
}
