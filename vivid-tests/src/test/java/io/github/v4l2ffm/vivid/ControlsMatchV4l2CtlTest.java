package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.ControlInfo;
import io.github.v4l2ffm.ControlType;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Devices;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control list of every vivid, vim2m, vicodec and vimc node, control for control (ID, name,
 * type, range, step, default, flags, dimensions, menu items), against what
 * {@code v4l2-ctl --list-ctrls-menus} prints for the same node.
 */
class ControlsMatchV4l2CtlTest {
    private static final Pattern CONTROL = Pattern.compile("^\\s*(\\w+) (0x[0-9a-f]{8}) \\(([\\w-]+)\\)\\s*:\\s?(.*)$");
    private static final Pattern FIELD = Pattern.compile("(?:^| )(min|max|step|default)=(\\S+)");
    private static final Pattern DIMS = Pattern.compile("dims=((?:\\[\\d+\\])+)");
    private static final Pattern MENU_ITEM = Pattern.compile("^\\t+(\\d+): (.*)$");
    private static final Pattern GET_ERROR = Pattern.compile("^error \\d+ getting ctrl (.*)$");

    /** One control as v4l2-ctl printed it. */
    record Printed(int id, String key, String type, Map<String, String> fields, List<Integer> dims, Set<String> flags,
                   Map<Integer, String> menu) {
    }

    static Map<Integer, Printed> parse(String out, List<String> notReadable) {
        Map<Integer, Printed> controls = new LinkedHashMap<>();
        Printed last = null;
        for (String line : out.split("\n")) {
            Matcher m = CONTROL.matcher(line);
            Matcher item = MENU_ITEM.matcher(line);
            Matcher err = GET_ERROR.matcher(line);
            if (m.matches()) {
                String rest = m.group(4);
                String flagText = rest.contains("flags=") ? rest.substring(rest.indexOf("flags=") + 6) : "";
                String head = rest.contains(" value=") || rest.startsWith("value=") ? rest.substring(0, rest.indexOf("value=")) : rest;
                Map<String, String> fields = new LinkedHashMap<>();
                Matcher f = FIELD.matcher(head);
                while (f.find()) fields.put(f.group(1), f.group(2));
                List<Integer> dims = new ArrayList<>();
                Matcher d = DIMS.matcher(rest);
                if (d.find()) for (String n : d.group(1).replace("]", "").split("\\[")) if (!n.isEmpty()) dims.add(Integer.parseInt(n));
                Set<String> flags = new TreeSet<>();
                for (String fl : flagText.split(",")) if (!fl.isBlank()) flags.add(fl.trim());
                last = new Printed(Integer.parseUnsignedInt(m.group(2).substring(2), 16), m.group(1), m.group(3), fields, dims,
                        flags, new LinkedHashMap<>());
                controls.put(last.id(), last);
            } else if (item.matches() && last != null) {
                last.menu().put(Integer.parseInt(item.group(1)), item.group(2));
            } else if (err.matches()) {
                notReadable.add(err.group(1));
            }
        }
        return controls;
    }

    /** The flag names v4l2-ctl 1.22 prints; bits it does not name are printed in hexadecimal. */
    static Set<String> flagNames(int flags) {
        String[] names = {"disabled", "grabbed", "read-only", "update", "inactive", "slider", "write-only", "volatile",
                "has-payload", "execute-on-write", "modify-layout"};
        Set<String> s = new TreeSet<>();
        int known = 0;
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1 << i)) != 0) s.add(names[i]);
            known |= 1 << i;
        }
        if ((flags & ~known) != 0) s.add(String.format("0x%08x", flags & ~known));
        return s;
    }

    @TestFactory
    List<DynamicTest> controlListsMatchV4l2Ctl() {
        List<DynamicTest> tests = new ArrayList<>();
        int[] compared = {0};
        for (DeviceInfo d : V4l2Devices.list()) {
            if (!Set.of("vivid", "vim2m", "vicodec", "vimc").contains(d.capabilities().driver())) continue;
            tests.add(DynamicTest.dynamicTest(d.path() + " " + d.capabilities().driver(), () -> compared[0] += compare(d)));
        }
        assertTrue(tests.size() >= 9, "lab nodes: " + tests.size());
        tests.add(DynamicTest.dynamicTest("enough controls were compared", () ->
                assertTrue(compared[0] > 150, "only " + compared[0] + " controls compared")));
        return tests;
    }

    /** Compares every control of {@code d} with what v4l2-ctl lists; how many were compared. */
    static int compare(DeviceInfo d) throws Exception {
        List<String> notReadable = new ArrayList<>();
        Map<Integer, Printed> printed = parse(V4l2Ctl.run("--list-ctrls-menus", "-d", d.path().toString()), notReadable);
        List<ControlInfo> ours;
        try (V4l2Device dev = d.open()) {
            ours = dev.controls().list().stream().filter(c -> c.type() != ControlType.CTRL_CLASS).toList();
        }
        for (ControlInfo c : ours) {
            Printed p = printed.get(c.id());
            String where = d.path() + String.format(" control 0x%08x %s", c.id(), c.name());
            if (p == null) {
                // v4l2-ctl leaves out controls whose value it failed to read, and says so
                assertTrue(notReadable.contains(c.name()), where + " is not listed by v4l2-ctl");
                continue;
            }
            assertEquals(p.key(), c.key(), where + ": name");
            String type = c.type().shortName();
            if (type != null) {
                assertEquals(p.type(), type, where + ": type");
            } else {
                assertTrue(c.typeCode() >= 0x100, where + ": a compound type, printed as " + p.type());
            }
            Map<String, String> f = p.fields();
            if (c.type() == ControlType.BITMASK) {
                assertEquals(f.get("max"), String.format("0x%08x", c.maximum()), where + ": max");
                assertEquals(f.get("default"), String.format("0x%08x", c.defaultValue()), where + ": default");
            } else {
                if (f.containsKey("min")) assertEquals(Long.parseLong(f.get("min")), c.minimum(), where + ": min");
                if (f.containsKey("max")) assertEquals(Long.parseLong(f.get("max")), c.maximum(), where + ": max");
                if (f.containsKey("step")) assertEquals(Long.parseLong(f.get("step")), c.step(), where + ": step");
                if (f.containsKey("default")) assertEquals(Long.parseLong(f.get("default")), c.defaultValue(), where + ": default");
            }
            assertEquals(p.dims(), c.dimensions(), where + ": dims");
            assertEquals(p.flags(), flagNames(c.flags()), where + ": flags");
            Map<Integer, String> menu = new LinkedHashMap<>();
            for (ControlInfo.MenuItem m : c.menu()) {
                menu.put(m.index(), m.name() != null ? m.name() : m.value() + " (0x" + Long.toHexString(m.value()) + ")");
            }
            assertEquals(p.menu(), menu, where + ": menu items");
        }
        long ourIds = ours.stream().filter(c -> printed.containsKey(c.id())).count();
        assertEquals(printed.size(), ourIds, d.path() + ": every control v4l2-ctl lists is in ours");
        for (Printed p : printed.values()) assertNotNull(p.key());
        return printed.size();
    }
}
