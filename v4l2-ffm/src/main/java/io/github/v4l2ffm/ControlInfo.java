package io.github.v4l2ffm;

import java.util.List;

/**
 * A control as {@code VIDIOC_QUERY_EXT_CTRL} describes it, with its menu items.
 *
 * @param id the control ID ({@code V4L2_CID_*} or a driver's private ID)
 * @param type its type
 * @param typeCode the kernel's type value (useful for compound types this library does not name)
 * @param name its name, such as {@code "Brightness"}
 * @param minimum the minimum (the minimum length for strings)
 * @param maximum the maximum (the maximum length for strings)
 * @param step the step
 * @param defaultValue the default value
 * @param flags {@code V4L2_CTRL_FLAG_*}
 * @param elementSize bytes per element
 * @param elements number of elements (arrays)
 * @param dimensions the array dimensions, empty for a scalar
 * @param menu for menu and integer-menu controls, their items (gaps in the index are skipped items)
 */
public record ControlInfo(int id, ControlType type, int typeCode, String name, long minimum, long maximum, long step,
                          long defaultValue, int flags, int elementSize, int elements, List<Integer> dimensions,
                          List<MenuItem> menu) {
    public static final int FLAG_DISABLED = 0x0001;
    public static final int FLAG_GRABBED = 0x0002;
    public static final int FLAG_READ_ONLY = 0x0004;
    public static final int FLAG_UPDATE = 0x0008;
    public static final int FLAG_INACTIVE = 0x0010;
    public static final int FLAG_SLIDER = 0x0020;
    public static final int FLAG_WRITE_ONLY = 0x0040;
    public static final int FLAG_VOLATILE = 0x0080;
    public static final int FLAG_HAS_PAYLOAD = 0x0100;
    public static final int FLAG_EXECUTE_ON_WRITE = 0x0200;
    public static final int FLAG_MODIFY_LAYOUT = 0x0400;
    public static final int FLAG_DYNAMIC_ARRAY = 0x0800;

    /**
     * One menu item.
     *
     * @param index its index (the control's value when selected)
     * @param name its name, for menu controls ({@code null} for integer menus)
     * @param value its value, for integer-menu controls
     */
    public record MenuItem(int index, String name, long value) {
    }

    /** The control class, the upper 16 bits of the ID ({@code V4L2_CTRL_ID2CLASS}), such as {@code 0x00980000} (user controls). */
    public int controlClass() {
        return id & 0x0fff0000;
    }

    /** Whether a flag ({@code FLAG_*}) is set. */
    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /**
     * Whether the value is held in memory (strings, arrays, compound types: read and write it with
     * {@link Controls#getString}/{@link Controls#getBytes}), not in a 64-bit integer.
     */
    public boolean hasPayload() {
        return has(FLAG_HAS_PAYLOAD) || !dimensions.isEmpty() || type == ControlType.STRING || typeCode >= 0x0100;
    }

    /** Whether the control can be written. */
    public boolean isWritable() {
        return !has(FLAG_READ_ONLY) && !has(FLAG_DISABLED) && type != ControlType.CTRL_CLASS;
    }

    /**
     * The name as {@code v4l2-ctl} writes it on its command line: lower case, runs of anything but
     * letters and digits turned into one underscore ({@code "Test Pattern"} is {@code test_pattern}).
     */
    public String key() {
        StringBuilder s = new StringBuilder();
        boolean pendingUnderscore = false;
        for (char c : name.toCharArray()) {
            if (Character.isLetterOrDigit(c)) {
                if (pendingUnderscore && !s.isEmpty()) s.append('_');
                pendingUnderscore = false;
                s.append(Character.toLowerCase(c));
            } else {
                pendingUnderscore = true;
            }
        }
        return s.toString();
    }

    /** The menu item with this index. */
    public java.util.Optional<MenuItem> menuItem(int index) {
        return menu.stream().filter(m -> m.index() == index).findFirst();
    }

    /** The index of the menu item named {@code name}. */
    public java.util.OptionalInt menuIndex(String name) {
        return menu.stream().filter(m -> name.equals(m.name())).mapToInt(MenuItem::index).findFirst();
    }
}
