package io.github.v4l2ffm.junit;

import io.github.v4l2ffm.softcam.Attacher;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Plugs software cameras in for a test JVM that may not itself: the extension's privileged
 * container loads {@code vhci-hcd} and {@code uvcvideo}, connects to the camera's loopback port
 * and hands the socket to {@code vhci_hcd} (as {@code usbip attach} does), and makes the
 * camera's nodes usable. Found by {@link io.github.v4l2ffm.softcam.WithSoftwareCamera} through
 * {@link java.util.ServiceLoader}; the modules are unloaded with the container at the end of the
 * run, also if the JVM dies.
 */
public final class ContainerAttacher implements Attacher {

    @Override
    public boolean isAvailable() {
        return unavailableReason() == null;
    }

    @Override
    public String unavailableReason() {
        return ContainerLoader.unavailableReason(Set.of("vhci-hcd", "uvcvideo"));
    }

    @Override
    public void loadModules() {
        Drivers.usbIpContainer();
    }

    @Override
    public void attach(int vhciPort, int tcpPort, int devid) {
        Drivers.usbIpContainer().attach(vhciPort, tcpPort, devid);
    }

    @Override
    public void makeUsable(Path node) {
        Drivers.usbIpContainer().chmod(List.of(node.getFileName().toString()));
    }
}
