package io.github.v4l2ffm;

/**
 * An event dequeued from a device ({@code VIDIOC_DQEVENT}).
 *
 * @param type the event type
 * @param id the event's object: the control ID for {@link Type#CTRL}, the pad or 0 otherwise
 * @param sequence the event's sequence number
 * @param timestampNanos when it happened, on {@code CLOCK_MONOTONIC}
 * @param pending how many more events are waiting
 * @param payload what the event says, by type
 */
public record V4l2Event(Type type, int id, int sequence, long timestampNanos, int pending, Payload payload) {

    /** Event types ({@code V4L2_EVENT_*}). */
    public enum Type {
        ALL(0), VSYNC(1), EOS(2), CTRL(3), FRAME_SYNC(4), SOURCE_CHANGE(5), MOTION_DET(6), OTHER(-1);

        private final int code;

        Type(int code) {
            this.code = code;
        }

        /** The kernel's value. */
        public int code() {
            return code;
        }

        /** The type with this kernel value; {@link #OTHER} for any other. */
        public static Type of(int code) {
            for (Type t : values()) {
                if (t.code == code) return t;
            }
            return OTHER;
        }
    }

    /** The type-specific part of an event. */
    public sealed interface Payload permits ControlChange, SourceChange, FrameSync, Vsync, None {
    }

    /**
     * A control changed ({@link Type#CTRL}).
     *
     * @param changes what changed: {@link #CHANGE_VALUE}, {@link #CHANGE_FLAGS}, {@link #CHANGE_RANGE}
     * @param controlType the control's type
     * @param value its new value (for integer-valued controls)
     * @param flags its new flags
     * @param minimum its minimum
     * @param maximum its maximum
     * @param step its step
     * @param defaultValue its default
     */
    public record ControlChange(int changes, ControlType controlType, long value, int flags, int minimum, int maximum,
                                int step, int defaultValue) implements Payload {
        public static final int CHANGE_VALUE = 1, CHANGE_FLAGS = 2, CHANGE_RANGE = 4, CHANGE_DIMENSIONS = 8;

        /** Whether the value changed. */
        public boolean valueChanged() {
            return (changes & CHANGE_VALUE) != 0;
        }
    }

    /**
     * The source changed ({@link Type#SOURCE_CHANGE}): a decoder found a new resolution, an input
     * a new signal.
     *
     * @param changes {@link #RESOLUTION} and others
     */
    public record SourceChange(int changes) implements Payload {
        public static final int RESOLUTION = 1;
    }

    /** A frame started ({@link Type#FRAME_SYNC}). */
    public record FrameSync(int frameSequence) implements Payload {
    }

    /** A vertical sync ({@link Type#VSYNC}), with the field that follows. */
    public record Vsync(int field) implements Payload {
    }

    /** No payload ({@link Type#EOS} and others). */
    public record None() implements Payload {
    }
}
