package io.github.v4l2ffm;

/**
 * What {@code VIDIOC_ENUM_FRAMEINTERVALS} reports for a format and size: discrete intervals, or a
 * stepwise or continuous range. Intervals are in seconds: 1/30 is 30 frames per second.
 */
public sealed interface FrameInterval {
    /** One interval a device offers. */
    record Discrete(Fraction interval) implements FrameInterval {
    }

    /** A range of intervals; {@code continuous} when any value in it is possible. */
    record Stepwise(Fraction min, Fraction max, Fraction step, boolean continuous) implements FrameInterval {
    }
}
