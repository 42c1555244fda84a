package io.github.v4l2ffm.examples;

import io.github.v4l2ffm.ControlInfo;
import io.github.v4l2ffm.ControlType;
import io.github.v4l2ffm.Controls;
import io.github.v4l2ffm.V4l2Device;

import java.util.ArrayList;
import java.util.List;

/**
 * Lists a device's controls the way {@code v4l2-ctl --list-ctrls-menus} does, and optionally sets one.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... io.github.v4l2ffm.examples.ListControls /dev/video0 [name=value]
 * </pre>
 */
public final class ListControls {
    private ListControls() {}

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: ListControls DEVICE [name=value]");
            System.exit(2);
        }
        try (V4l2Device dev = V4l2Device.open(args[0])) {
            Controls controls = dev.controls();
            if (args.length > 1) {
                String[] kv = args[1].split("=", 2);
                ControlInfo c = controls.find(kv[0]).orElseThrow(() -> new IllegalArgumentException("no control " + kv[0]));
                if (c.type() == ControlType.STRING) {
                    controls.setString(c.id(), kv[1]);
                    System.out.println(c.key() + " set to '" + controls.getString(c.id()) + "'");
                } else {
                    Controls.SetResult r = controls.set(c.id(), Long.decode(kv[1]));
                    System.out.println(c.key() + " set to " + r.actual() + (r.adjusted() ? " (asked " + r.requested() + ")" : ""));
                }
                return;
            }
            for (ControlInfo c : controls.list()) {
                if (c.type() == ControlType.CTRL_CLASS) {
                    System.out.println();
                    System.out.println(c.name());
                    System.out.println();
                    continue;
                }
                System.out.printf("%31s %#010x (%s)%s : %s%n", c.key(), c.id(), typeName(c), pad(typeName(c)), describe(controls, c));
                for (ControlInfo.MenuItem m : c.menu()) {
                    System.out.printf("\t\t\t\t%d: %s%n", m.index(), m.name() != null ? m.name() : m.value() + " (0x" + Long.toHexString(m.value()) + ")");
                }
            }
        }
    }

    private static String typeName(ControlInfo c) {
        return c.type().shortName() != null ? c.type().shortName() : "0x" + Integer.toHexString(c.typeCode());
    }

    private static String pad(String type) {
        return " ".repeat(Math.max(0, 7 - type.length()));
    }

    private static String describe(Controls controls, ControlInfo c) {
        List<String> parts = new ArrayList<>();
        switch (c.type()) {
            case INTEGER, INTEGER64 -> parts.add("min=" + c.minimum() + " max=" + c.maximum() + " step=" + c.step() + " default=" + c.defaultValue());
            case BOOLEAN -> parts.add("default=" + c.defaultValue());
            case MENU, INTEGER_MENU -> parts.add("min=" + c.minimum() + " max=" + c.maximum() + " default=" + c.defaultValue());
            case STRING -> parts.add("min=" + c.minimum() + " max=" + c.maximum() + " step=" + c.step());
            case BITMASK -> parts.add(String.format("max=0x%08x default=0x%08x", c.maximum(), c.defaultValue()));
            case U8, U16, U32 -> parts.add("min=" + c.minimum() + " max=" + c.maximum() + " step=" + c.step() + " default=" + c.defaultValue());
            default -> { }
        }
        if (c.dimensions().isEmpty() && !c.has(ControlInfo.FLAG_WRITE_ONLY) && c.type() != ControlType.BUTTON) {
            try {
                parts.add(switch (c.type()) {
                    case STRING -> "value='" + controls.getString(c.id()) + "'";
                    case BITMASK -> String.format("value=0x%08x", controls.get(c.id()));
                    case INTEGER, INTEGER64, BOOLEAN -> "value=" + controls.get(c.id());
                    case MENU, INTEGER_MENU -> menuValue(c, controls.get(c.id()));
                    default -> "";
                });
            } catch (RuntimeException e) {
                parts.add("value=<" + e.getMessage() + ">");
            }
        }
        if (!c.dimensions().isEmpty()) parts.add("elems=" + c.elements() + " dims=" + c.dimensions());
        List<String> flags = new ArrayList<>();
        String[] names = {"disabled", "grabbed", "read-only", "update", "inactive", "slider", "write-only", "volatile",
                "has-payload", "execute-on-write", "modify-layout", "dynamic-array"};
        for (int i = 0; i < names.length; i++) if ((c.flags() & (1 << i)) != 0) flags.add(names[i]);
        if (!flags.isEmpty()) parts.add("flags=" + String.join(", ", flags));
        return String.join(" ", parts).trim(); // string values keep their spaces
    }

    /** A menu control's value as v4l2-ctl prints it: {@code value=3 (Menu Item 3)}. */
    private static String menuValue(ControlInfo c, long value) {
        for (ControlInfo.MenuItem m : c.menu()) {
            if (m.index() == value) {
                return "value=" + value + " (" + (m.name() != null ? m.name() : m.value() + " 0x" + Long.toHexString(m.value())) + ")";
            }
        }
        return "value=" + value;
    }
}
