package io.github.v4l2ffm;

import java.util.Set;

/**
 * What {@code VIDIOC_QUERYCAP} reports about a device node.
 *
 * @param driver the driver's name, such as {@code "vivid"} or {@code "uvcvideo"}
 * @param card the device's name, such as {@code "vivid"} or the camera's model
 * @param busInfo where the device sits, such as {@code "platform:vivid-000"} or {@code "usb-0000:00:14.0-1"}
 * @param version the kernel version the driver reports, encoded as {@code KERNEL_VERSION(a, b, c)}
 * @param capabilitiesBits the capabilities of the physical device as a whole (all its nodes)
 * @param deviceCapsBits the capabilities of this node; equal to {@code capabilitiesBits} for
 *        drivers that do not report per-node capabilities
 */
public record Capabilities(String driver, String card, String busInfo, int version,
                           int capabilitiesBits, int deviceCapsBits) {

    /** The capabilities of the physical device (all its nodes), as a typed set. */
    public Set<Capability> capabilities() {
        return Capability.of(capabilitiesBits);
    }

    /** The capabilities of this node, as a typed set. This is what an application should test. */
    public Set<Capability> deviceCaps() {
        return Capability.of(deviceCapsBits);
    }

    /** Whether this node has {@code capability}. */
    public boolean has(Capability capability) {
        return (deviceCapsBits & capability.bit()) != 0;
    }

    /** The driver version as {@code "major.minor.patch"}, as {@code v4l2-ctl} prints it. */
    public String versionString() {
        return (version >>> 16) + "." + ((version >>> 8) & 0xff) + "." + (version & 0xff);
    }

    /** Whether this node captures video (single- or multi-planar), not counting mem-to-mem devices. */
    public boolean isVideoCapture() {
        return has(Capability.VIDEO_CAPTURE) || has(Capability.VIDEO_CAPTURE_MPLANE);
    }

    /** Whether this node is a mem-to-mem device (single- or multi-planar). */
    public boolean isMemToMem() {
        return has(Capability.VIDEO_M2M) || has(Capability.VIDEO_M2M_MPLANE);
    }

    /** Whether this node uses the multi-planar API. */
    public boolean isMultiplanar() {
        return has(Capability.VIDEO_CAPTURE_MPLANE) || has(Capability.VIDEO_OUTPUT_MPLANE)
                || has(Capability.VIDEO_M2M_MPLANE);
    }
}
