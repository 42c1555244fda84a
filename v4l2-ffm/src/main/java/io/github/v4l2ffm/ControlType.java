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

    /** The type for the kernel's value. */
    public static ControlType of(int code) {
        for (ControlType t : values()) {
            if (t.code == code) return t;
        }
        return OTHER;
    }
}
