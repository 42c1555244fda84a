package io.github.v4l2ffm.softcam;

/**
 * A UVC {@code SET_CUR} request the camera received, as the host sent it.
 *
 * @param control the control's name, such as {@code "brightness"}
 * @param unit the unit or terminal ID it was addressed to
 * @param selector the control selector
 * @param value the value, decoded from the request's little-endian bytes
 * @param accepted whether the camera accepted it (false while controls stall)
 */
public record ControlRequest(String control, int unit, int selector, long value, boolean accepted) {
}
