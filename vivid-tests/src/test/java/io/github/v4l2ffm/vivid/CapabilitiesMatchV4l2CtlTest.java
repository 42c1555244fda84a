package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.Capabilities;
import io.github.v4l2ffm.Capability;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Devices;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Planes;
import io.github.v4l2ffm.junit.Vicodec;
import io.github.v4l2ffm.junit.Vim2m;
import io.github.v4l2ffm.junit.Vimc;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * VIDIOC_QUERYCAP through the library, checked against what {@code v4l2-ctl --info} prints for
 * the same node, for every node of vivid, vim2m, vicodec and vimc.
 */
@WithV4l2Drivers(vivid = {@Vivid, @Vivid(planes = Planes.MULTI)}, vim2m = @Vim2m, vicodec = @Vicodec, vimc = @Vimc)
class CapabilitiesMatchV4l2CtlTest {

    @Test
    void everyLabDriverIsPresent(@Driver("vivid") DeviceInfo single, @Driver(value = "vivid", instance = 1) DeviceInfo multi) {
        List<DeviceInfo> all = V4l2Devices.list();
        Map<String, Long> perDriver = all.stream().collect(Collectors.groupingBy(d -> d.capabilities().driver(), Collectors.counting()));
        System.out.println("V4L2 nodes on " + System.getProperty("os.name") + " " + System.getProperty("os.version") + ": " + perDriver);
        assertEquals(6, perDriver.getOrDefault("vivid", 0L),
                "vivid nodes (the lab's four instances: single-planar capture and output, multi-planar capture and output, two single-planar captures)");
        assertEquals(1, perDriver.getOrDefault("vim2m", 0L), "vim2m nodes");
        assertEquals(3, perDriver.getOrDefault("vicodec", 0L), "vicodec nodes (encoder, stateful and stateless decoder)");
        assertEquals(3, perDriver.getOrDefault("vimc", 0L), "vimc capture nodes");
        assertTrue(single.capabilities().has(Capability.VIDEO_CAPTURE));
        assertTrue(multi.capabilities().has(Capability.VIDEO_CAPTURE_MPLANE));
    }

    @TestFactory
    List<DynamicTest> querycapMatchesV4l2Ctl() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DeviceInfo d : V4l2Devices.list()) {
            Capabilities c = d.capabilities();
            if (!Set.of("vivid", "vim2m", "vicodec", "vimc").contains(c.driver())) continue;
            tests.add(DynamicTest.dynamicTest(d.path() + " " + c.driver() + "/" + c.card(), () -> compare(d)));
        }
        assertTrue(tests.size() >= 13, "expected the 13 lab nodes, found " + tests.size());
        return tests;
    }

    private static void compare(DeviceInfo d) throws IOException, InterruptedException {
        Map<String, String> info = new LinkedHashMap<>();
        Map<String, Set<String>> flags = new LinkedHashMap<>();
        parseDriverInfo(V4l2Ctl.run(false, "--info", "-d", d.path().toString()), info, flags);

        Capabilities c;
        try (V4l2Device dev = V4l2Device.open(d.path())) {
            c = dev.queryCapabilities();
        }
        assertEquals(info.get("Driver name"), c.driver(), "driver");
        assertEquals(info.get("Card type"), c.card(), "card");
        assertEquals(info.get("Bus info"), c.busInfo(), "bus info");
        assertEquals(info.get("Driver version"), c.versionString(), "driver version");
        assertEquals(info.get("Capabilities"), hex(c.capabilitiesBits()), "capabilities");
        assertEquals(info.get("Device Caps"), hex(c.deviceCapsBits()), "device caps");
        assertEquals(flags.get("Capabilities"), namesV4l2CtlPrints(c.capabilities()), "capability names");
        assertEquals(flags.get("Device Caps"), namesV4l2CtlPrints(c.deviceCaps()), "device caps names");
    }

    private static String hex(int bits) {
        return String.format("0x%08x", bits);
    }

    /**
     * Our flag names, less the one flag v4l-utils 1.22 does not name: V4L2_CAP_IO_MC ("I/O MC",
     * Linux 5.8). The hexadecimal words, compared above, cover that bit exactly.
     */
    private static Set<String> namesV4l2CtlPrints(Set<Capability> caps) {
        return caps.stream().filter(c -> c != Capability.IO_MC).map(Capability::description)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Reads the "Driver Info:" block of {@code v4l2-ctl --info}: "key : value" lines and the flag lists under the hex words. */
    static void parseDriverInfo(String out, Map<String, String> info, Map<String, Set<String>> flags) {
        boolean inBlock = false;
        String lastKey = null;
        for (String line : out.split("\n")) {
            if (!line.startsWith("\t")) {
                inBlock = line.startsWith("Driver Info");
                continue;
            }
            if (!inBlock) continue;
            if (line.startsWith("\t\t")) {
                flags.computeIfAbsent(lastKey, k -> new TreeSet<>()).add(line.trim());
            } else {
                int colon = line.indexOf(':');
                lastKey = line.substring(0, colon).trim();
                info.put(lastKey, line.substring(colon + 1).trim());
            }
        }
        assertTrue(info.containsKey("Driver name") && info.containsKey("Device Caps"), "no Driver Info block in:\n" + out);
    }
}
