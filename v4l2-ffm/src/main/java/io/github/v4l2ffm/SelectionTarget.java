package io.github.v4l2ffm;

/** A selection rectangle of a queue ({@code V4L2_SEL_TGT_*}). */
public enum SelectionTarget {
    CROP(0x0000), CROP_DEFAULT(0x0001), CROP_BOUNDS(0x0002), NATIVE_SIZE(0x0003),
    COMPOSE(0x0100), COMPOSE_DEFAULT(0x0101), COMPOSE_BOUNDS(0x0102), COMPOSE_PADDED(0x0103);

    private final int value;

    SelectionTarget(int value) {
        this.value = value;
    }

    /** The kernel's value. */
    public int value() {
        return value;
    }
}
