package io.github.v4l2ffm;

import java.nio.file.Path;

/**
 * A V4L2 device node found on the system, with the capabilities it reported.
 *
 * @param path the node, such as {@code /dev/video0}
 * @param capabilities what {@code VIDIOC_QUERYCAP} returned for it
 */
public record DeviceInfo(Path path, Capabilities capabilities) {
    /** Opens this node. */
    public V4l2Device open() {
        return V4l2Device.open(path);
    }
}
