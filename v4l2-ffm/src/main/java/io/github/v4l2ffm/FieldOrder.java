package io.github.v4l2ffm;

/** Field order of interlaced video ({@code enum v4l2_field}). */
public enum FieldOrder {
    /** Let the driver choose (only in requests). */
    ANY, NONE, TOP, BOTTOM, INTERLACED, SEQ_TB, SEQ_BT, ALTERNATE, INTERLACED_TB, INTERLACED_BT;

    /** The kernel's value. */
    public int value() {
        return ordinal();
    }

    /** The field for the kernel's value {@code value}. */
    public static FieldOrder of(int value) {
        FieldOrder[] all = values();
        if (value < 0 || value >= all.length) throw new IllegalArgumentException("unknown field " + value);
        return all[value];
    }
}
