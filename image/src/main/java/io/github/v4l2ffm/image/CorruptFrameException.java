package io.github.v4l2ffm.image;

/**
 * A frame whose data cannot be converted: an MJPEG frame that is damaged, truncated or not a
 * JPEG at all, or of another size than its format says, or a raw frame shorter than its format
 * needs (a USB camera that lost part of a frame). Cameras send such frames now and then: skip
 * the frame and take the next one.
 */
public class CorruptFrameException extends RuntimeException {
    /**
     * @param message what is wrong with the frame
     */
    public CorruptFrameException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong with the frame
     * @param cause what the decoder said
     */
    public CorruptFrameException(String message, Throwable cause) {
        super(message, cause);
    }
}
