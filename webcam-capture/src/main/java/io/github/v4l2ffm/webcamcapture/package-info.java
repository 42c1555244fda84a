/**
 * A driver for sarxos' webcam-capture ({@code com.github.sarxos:webcam-capture} 0.3.12) backed by
 * v4l2-ffm: {@code Webcam.setDriver(new V4l2Driver())} makes an existing webcam-capture
 * application capture from Linux V4L2 cameras through the FFM API, with no native library.
 * {@link io.github.v4l2ffm.webcamcapture.V4l2Driver} finds the cameras;
 * {@link io.github.v4l2ffm.webcamcapture.V4l2WebcamDevice} is one of them.
 */
package io.github.v4l2ffm.webcamcapture;
