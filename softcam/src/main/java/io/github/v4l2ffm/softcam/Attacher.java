package io.github.v4l2ffm.softcam;

import java.nio.file.Path;

/**
 * Hands a {@link SoftwareCamera}'s USB/IP connection to the kernel where this process may not:
 * the way {@code usbip attach} does, a privileged helper connects to the camera's loopback TCP
 * port and gives that socket to {@code vhci_hcd}. The JUnit module's container strategy provides
 * one (a privileged container that also loads {@code vhci-hcd} and {@code uvcvideo}); it is found
 * with {@link java.util.ServiceLoader}.
 */
public interface Attacher {
    /** Whether this attacher can work on this machine now (say why not through {@link #unavailableReason()}). */
    boolean isAvailable();

    /** Why {@link #isAvailable()} is false; null when it is true. */
    String unavailableReason();

    /** Loads {@code vhci-hcd} and {@code uvcvideo} into the kernel if they are not loaded. */
    void loadModules();

    /**
     * Connects to {@code 127.0.0.1:tcpPort} and hands the connection to {@code vhci_hcd}'s port
     * {@code vhciPort} as a high-speed device {@code devid}; returns once that is done.
     */
    void attach(int vhciPort, int tcpPort, int devid);

    /** Makes a node of the camera readable and writable by this process. */
    void makeUsable(Path node);
}
