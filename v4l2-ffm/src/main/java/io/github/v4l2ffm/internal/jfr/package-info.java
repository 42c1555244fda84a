/**
 * The library's JDK Flight Recorder events ({@code io.github.v4l2ffm.Frame},
 * {@code io.github.v4l2ffm.SequenceGap}, {@code io.github.v4l2ffm.BufferHeld}, category "V4L2")
 * and {@link io.github.v4l2ffm.internal.jfr.FrameTelemetry}, which the streaming queue calls at
 * each dequeue and queue. One event object per stream (and per buffer for {@code BufferHeld}) is
 * made when streaming starts and committed again for every frame: nothing is allocated per frame,
 * and with no recording (or the events disabled) each call is a check of {@code isEnabled()}.
 */
package io.github.v4l2ffm.internal.jfr;
