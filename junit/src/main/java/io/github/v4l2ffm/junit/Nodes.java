package io.github.v4l2ffm.junit;

import io.github.v4l2ffm.Capabilities;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.V4l2Devices;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Finding the device node a {@link Driver} parameter asks for. */
final class Nodes {
    private Nodes() {}

    /** The name the driver gave the node ({@code /sys/class/video4linux/<node>/name}), or "". */
    static String name(Path node) {
        try {
            return Files.readString(Path.of("/sys/class/video4linux", node.getFileName().toString(), "name")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The node for a parameter.
     *
     * @param vividInstance for vivid, the kernel's instance number (from the request's match)
     */
    static Optional<DeviceInfo> find(Driver d, int vividInstance) {
        List<DeviceInfo> all = V4l2Devices.list();
        return all.stream().filter(i -> {
            Capabilities c = i.capabilities();
            if (!c.driver().equals(d.value())) return false;
            if (d.value().equals("vivid")) {
                if (!c.busInfo().equals("platform:vivid-%03d".formatted(vividInstance))) return false;
                if (!d.node().matches(c)) return false;
            }
            return d.name().isEmpty() || name(i.path()).contains(d.name());
        }).findFirst();
    }
}
