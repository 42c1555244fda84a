package io.github.v4l2ffm.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** {@code io.github.v4l2ffm.SequenceGap}: frames the driver dropped between two dequeues of a capture queue. */
@Name(SequenceGapEvent.NAME)
@Label("V4L2 Sequence Gap")
@Category("V4L2")
@Description("Frames lost between two dequeues of a capture queue: the sequence number jumped (the driver had no buffer to fill, or dropped frames)")
@StackTrace(false)
public final class SequenceGapEvent extends jdk.jfr.Event {
    public static final String NAME = "io.github.v4l2ffm.SequenceGap";

    @Label("Device")
    @Description("The device node the queue belongs to")
    public String device;

    @Label("Queue")
    @Description("The queue's buffer type (VIDEO_CAPTURE, VIDEO_CAPTURE_MPLANE...)")
    public String queue;

    @Label("Previous Sequence")
    @Description("The sequence number of the frame dequeued before the gap")
    public long previousSequence;

    @Label("Sequence")
    @Description("The sequence number of the frame dequeued after the gap")
    public long sequence;

    @Label("Frames Lost")
    @Description("Frames missing between the two: Sequence - Previous Sequence - 1")
    public long lost;

    @Label("Time Between")
    @Description("The driver's time between the two frames' timestamps; N/A unless both are on CLOCK_MONOTONIC")
    @Timespan(Timespan.NANOSECONDS)
    public long interval;
}
