package io.github.v4l2ffm.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** {@code io.github.v4l2ffm.Frame}: one buffer dequeued from a streaming queue. */
@Name(FrameEvent.NAME)
@Label("V4L2 Frame")
@Category("V4L2")
@Description("A buffer dequeued from a V4L2 streaming queue (VIDIOC_DQBUF): a filled capture buffer, or an output buffer the device consumed")
@StackTrace(false)
public final class FrameEvent extends jdk.jfr.Event {
    public static final String NAME = "io.github.v4l2ffm.Frame";

    @Label("Device")
    @Description("The device node the queue belongs to")
    public String device;

    @Label("Queue")
    @Description("The queue's buffer type (VIDEO_CAPTURE, VIDEO_OUTPUT_MPLANE...)")
    public String queue;

    @Label("Buffer Index")
    @Description("The buffer's index in its queue")
    public int index;

    @Label("Sequence")
    @Description("The frame's sequence number, as the driver counts it (an unsigned 32-bit counter)")
    public long sequence;

    @Label("Bytes Used")
    @Description("Bytes of data in the buffer, over all its planes")
    @DataAmount
    public long bytesUsed;

    @Label("Flags")
    @Description("The buffer's V4L2_BUF_FLAG_* flags")
    public int flags;

    @Label("Error")
    @Description("Whether the driver flagged the data as possibly corrupt (V4L2_BUF_FLAG_ERROR)")
    public boolean error;

    @Label("Driver Timestamp")
    @Description("The buffer's timestamp in nanoseconds, on the clock Timestamp Clock names")
    public long timestamp;

    @Label("Timestamp Clock")
    @Description("The clock of the driver's timestamp: MONOTONIC (CLOCK_MONOTONIC), COPY (copied from an output buffer) or UNKNOWN")
    public String clock;

    @Label("Dequeue Latency")
    @Description("From the driver's timestamp to the dequeue; N/A unless the timestamp is on CLOCK_MONOTONIC, "
            + "negative if the driver stamps a time after the dequeue (a nominal end of frame)")
    @Timespan(Timespan.NANOSECONDS)
    public long latency;

    @Label("Buffers Queued")
    @Description("Buffers left with the driver after this dequeue: 0 means it has none to fill (capture) or nothing to consume (output)")
    public int queued;
}
