package io.github.v4l2ffm.examples;

import io.github.v4l2ffm.Camera;
import io.github.v4l2ffm.Capabilities;
import io.github.v4l2ffm.Capability;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.V4l2Devices;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Lists the V4L2 device nodes on this machine with their driver, card, the name the driver gives
 * each node (which tells a codec's encoder from its decoders), bus and capabilities; then the
 * media controller nodes with their model.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp examples/target/classes:$(cat examples/target/classpath.txt) io.github.v4l2ffm.examples.ListDevices</pre>
 */
public final class ListDevices {
    private ListDevices() {}

    public static void main(String[] args) {
        var devices = V4l2Devices.list();
        if (devices.isEmpty()) {
            System.out.println("no V4L2 devices found under /dev");
            return;
        }
        Map<Path, String> nodeNames = new HashMap<>();
        for (Camera cam : Camera.list()) for (Camera.Node n : cam.nodes()) nodeNames.put(n.path(), n.name());
        for (DeviceInfo d : devices) {
            Capabilities c = d.capabilities();
            System.out.printf("%-12s %-10s %-24s %-32s %-24s %s%n", d.path(), c.driver(), c.card(),
                    nodeNames.getOrDefault(d.path(), ""), c.busInfo(),
                    c.deviceCaps().stream().filter(cap -> cap != Capability.DEVICE_CAPS)
                            .map(Capability::description).collect(Collectors.joining(", ")));
        }
        try (Stream<Path> media = Files.list(Path.of("/sys/bus/media/devices"))) {
            media.sorted().forEach(m -> System.out.printf("%-12s %-10s %s%n", Path.of("/dev", m.getFileName().toString()),
                    "media", read(m.resolve("model"))));
        } catch (IOException e) {
            // no media controller on this machine
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
