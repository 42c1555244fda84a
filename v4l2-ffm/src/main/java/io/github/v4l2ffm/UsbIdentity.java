package io.github.v4l2ffm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Who a USB camera is, from sysfs: vendor and product IDs, serial number, and the port it is
 * plugged into. Vendor, product and serial follow the camera from port to port; the port path
 * tells apart two cameras of a model without serial numbers (most cheap webcams have none).
 *
 * @param vendorId {@code idVendor}
 * @param productId {@code idProduct}
 * @param serial the serial number string, or {@code null} if the camera has none
 * @param portPath the USB port path, such as {@code 3-1.2} (bus 3, port 1, then port 2 of a hub)
 * @param manufacturer the manufacturer string, or {@code null}
 * @param product the product string, or {@code null}
 */
public record UsbIdentity(int vendorId, int productId, String serial, String portPath, String manufacturer, String product) {

    /**
     * What a program remembers to find its camera again: vendor and product, and the serial number
     * or the port path when given (null: any).
     */
    public record Match(int vendorId, int productId, String serial, String portPath) {
        /** Vendor, product and serial. */
        public Match(int vendorId, int productId, String serial) {
            this(vendorId, productId, serial, null);
        }

        /** Whether {@code id} is this camera. */
        public boolean matches(UsbIdentity id) {
            return id.vendorId() == vendorId && id.productId() == productId
                    && (serial == null || serial.equals(id.serial())) && (portPath == null || portPath.equals(id.portPath()));
        }
    }

    /** What matches this camera wherever it is plugged in (by serial, or by port when it has none). */
    public Match match() {
        return serial != null ? new Match(vendorId, productId, serial) : new Match(vendorId, productId, null, portPath);
    }

    /**
     * The USB identity of the device a V4L2 node belongs to: {@code device} is the node's sysfs
     * device (for uvcvideo, a USB interface, whose parent is the USB device).
     */
    static Optional<UsbIdentity> of(Path device) {
        for (Path d = device; d != null && d.getNameCount() > 2; d = d.getParent()) {
            if (Files.exists(d.resolve("idVendor"))) {
                try {
                    int vendor = Integer.parseInt(Camera.read(d.resolve("idVendor")), 16);
                    int product = Integer.parseInt(Camera.read(d.resolve("idProduct")), 16);
                    return Optional.of(new UsbIdentity(vendor, product, Camera.read(d.resolve("serial")), d.getFileName().toString(),
                            Camera.read(d.resolve("manufacturer")), Camera.read(d.resolve("product"))));
                } catch (NumberFormatException | NullPointerException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return String.format("%04x:%04x", vendorId, productId) + (serial != null ? " serial " + serial : "") + " at port " + portPath
                + (product != null ? " (" + product + ")" : "");
    }
}
