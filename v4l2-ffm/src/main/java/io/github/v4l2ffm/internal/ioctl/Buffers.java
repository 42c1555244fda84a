package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.V4l2Exception.Reason;
import io.github.v4l2ffm.internal.Errors.Meaning;

/** Meanings the buffer ioctls share. */
final class Buffers {
    private Buffers() {}

    static final Meaning QUEUE_BUSY = new Meaning(Reason.BUSY,
            "the queue is owned by another file handle (another application, or another handle in this one, is using the camera)");
    static final Meaning QUEUE_ERROR = new Meaning(Reason.QUEUE_ERROR,
            "the driver reported a fatal streaming error: close the Streaming (STREAMOFF) and start again");
}
