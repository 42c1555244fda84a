package io.github.v4l2ffm.examples;

import io.github.v4l2ffm.Capabilities;
import io.github.v4l2ffm.Capability;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.V4l2Devices;

import java.util.stream.Collectors;

/**
 * Lists the V4L2 device nodes on this machine with their driver, card, bus and capabilities.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp ... io.github.v4l2ffm.examples.ListDevices</pre>
 */
public final class ListDevices {
    private ListDevices() {}

    public static void main(String[] args) {
        var devices = V4l2Devices.list();
        if (devices.isEmpty()) {
            System.out.println("no V4L2 devices found under /dev");
            return;
        }
        for (DeviceInfo d : devices) {
            Capabilities c = d.capabilities();
            System.out.printf("%-12s %-10s %-32s %-24s %s%n", d.path(), c.driver(), c.card(), c.busInfo(),
                    c.deviceCaps().stream().filter(cap -> cap != Capability.DEVICE_CAPS)
                            .map(Capability::description).collect(Collectors.joining(", ")));
        }
    }
}
