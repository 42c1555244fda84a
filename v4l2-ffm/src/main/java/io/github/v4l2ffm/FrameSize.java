package io.github.v4l2ffm;

/**
 * What {@code VIDIOC_ENUM_FRAMESIZES} reports for a pixel format: a list of discrete sizes, or
 * one stepwise or continuous range.
 */
public sealed interface FrameSize {
    /** One size a device offers. */
    record Discrete(int width, int height) implements FrameSize {
        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    /**
     * A range of sizes; {@code continuous} when every size in it is possible (steps of 1).
     */
    record Stepwise(int minWidth, int maxWidth, int stepWidth, int minHeight, int maxHeight, int stepHeight,
                    boolean continuous) implements FrameSize {
        /** Whether {@code width x height} lies in this range on its steps. */
        public boolean contains(int width, int height) {
            return width >= minWidth && width <= maxWidth && height >= minHeight && height <= maxHeight
                    && (width - minWidth) % Math.max(1, stepWidth) == 0 && (height - minHeight) % Math.max(1, stepHeight) == 0;
        }
    }
}
