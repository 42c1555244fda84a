package io.github.v4l2ffm;

/** The type of a control ({@code enum v4l2_ctrl_type}); compound types not named here are {@link #OTHER}. */
public enum ControlType {
    INTEGER(1), BOOLEAN(2), MENU(3), BUTTON(4), INTEGER64(5), CTRL_CLASS(6), STRING(7), BITMASK(8), INTEGER_MENU(9),
    U8(0x0100), U16(0x0101), U32(0x0102), AREA(0x0106),
    /** A compound type this enum does not name (codec parameters and others): use its raw {@code code}. */
    OTHER(-1);

    private final int code;

    ControlType(int code) {
        this.code = code;
    }

    /** The kernel's value ({@code -1} for {@link #OTHER}: see {@link ControlInfo#typeCode()}). */
    public int code() {
        return code;
    }

    /**
     * The short name {@code v4l2-ctl} prints for the type ({@code "int"}, {@code "bool"},
     * {@code "intmenu"}...); {@code null} for {@link #OTHER}.
     */
    public String shortName() {
        return switch (this) {
            case INTEGER -> "int";
            case BOOLEAN -> "bool";
            case MENU -> "menu";
            case BUTTON -> "button";
            case INTEGER64 -> "int64";
            case CTRL_CLASS -> "ctrl_class";
            case STRING -> "str";
            case BITMASK -> "bitmask";
            case INTEGER_MENU -> "intmenu";
            case U8 -> "u8";
            case U16 -> "u16";
            case U32 -> "u32";
            case AREA -> "area";
            case OTHER -> null;
        };
    }

    /** The type for the kernel's value. */
    public static ControlType of(int code) {
        for (ControlType t : values()) {
            if (t.code == code) return t;
        }
        return OTHER;
    }
}
