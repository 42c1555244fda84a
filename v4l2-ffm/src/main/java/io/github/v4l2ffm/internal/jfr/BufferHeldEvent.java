package io.github.v4l2ffm.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Threshold;

/**
 * {@code io.github.v4l2ffm.BufferHeld}: a capture buffer the application kept from its dequeue
 * to its queue-back for longer than the threshold (20 ms unless configured).
 */
@Name(BufferHeldEvent.NAME)
@Label("V4L2 Buffer Held")
@Category("V4L2")
@Description("A capture buffer the application held from its dequeue until it queued it back for longer than the threshold; "
        + "while the application holds buffers the driver has fewer to fill, and drops frames when it has none")
@Threshold(BufferHeldEvent.DEFAULT_THRESHOLD)
public final class BufferHeldEvent extends jdk.jfr.Event {
    public static final String NAME = "io.github.v4l2ffm.BufferHeld";
    public static final String DEFAULT_THRESHOLD = "20 ms";

    @Label("Device")
    @Description("The device node the queue belongs to")
    public String device;

    @Label("Queue")
    @Description("The queue's buffer type (VIDEO_CAPTURE, VIDEO_CAPTURE_MPLANE...)")
    public String queue;

    @Label("Buffer Index")
    @Description("The buffer's index in its queue")
    public int index;

    @Label("Sequence")
    @Description("The sequence number of the frame the buffer held")
    public long sequence;

    @Label("Buffers Queued")
    @Description("Buffers the driver had when this one was queued back: 0 means it had none to fill, and was dropping frames")
    public int queued;
}
