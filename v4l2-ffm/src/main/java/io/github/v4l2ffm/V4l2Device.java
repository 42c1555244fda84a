package io.github.v4l2ffm;

import io.github.v4l2ffm.bindings.Videodev2;
import io.github.v4l2ffm.bindings.v4l2_capability;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * An open V4L2 device node, such as {@code /dev/video0}.
 *
 * <pre>{@code
 * try (V4l2Device dev = V4l2Device.open(Path.of("/dev/video0"))) {
 *     Capabilities caps = dev.capabilities();
 *     System.out.println(caps.driver() + " " + caps.card() + " " + caps.deviceCaps());
 * }
 * }</pre>
 *
 * <p>The node is opened read-write and non-blocking. {@link #open} checks that the file is a
 * V4L2 device ({@code VIDIOC_QUERYCAP} succeeds) and closes it again if not. After
 * {@link #close()} every method throws {@link IllegalStateException}. A device may be used from
 * several threads; closing it while another thread is inside a call is safe (the descriptor is
 * released when that call returns).
 */
public final class V4l2Device implements AutoCloseable {
    private final DeviceFd fd;
    private final Capabilities capabilities;

    private V4l2Device(DeviceFd fd, Capabilities capabilities) {
        this.fd = fd;
        this.capabilities = capabilities;
    }

    /**
     * Opens a V4L2 device node.
     *
     * @throws V4l2Exception if the node cannot be opened ({@code ENOENT}, {@code EACCES}...) or is
     *         not a V4L2 device ({@code ENOTTY} from {@code VIDIOC_QUERYCAP})
     */
    public static V4l2Device open(Path path) {
        DeviceFd fd = DeviceFd.open(path);
        try {
            return new V4l2Device(fd, queryCapabilities(fd));
        } catch (RuntimeException | Error e) {
            fd.close();
            throw e;
        }
    }

    /** Opens a V4L2 device node by its path string, such as {@code "/dev/video0"}. */
    public static V4l2Device open(String path) {
        return open(Path.of(path));
    }

    static Capabilities queryCapabilities(DeviceFd fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cap = arena.allocate(v4l2_capability.layout());
            int r = fd.tryIoctl(Videodev2.VIDIOC_QUERYCAP(), cap);
            if (r < 0) {
                throw fd.failure("VIDIOC_QUERYCAP", -r, -r == Errno.ENOTTY ? "not a V4L2 device" : null);
            }
            int caps = v4l2_capability.capabilities(cap);
            int deviceCaps = (caps & Videodev2.V4L2_CAP_DEVICE_CAPS()) != 0 ? v4l2_capability.device_caps(cap) : caps;
            return new Capabilities(string(v4l2_capability.driver(cap)), string(v4l2_capability.card(cap)),
                    string(v4l2_capability.bus_info(cap)), v4l2_capability.version(cap), caps, deviceCaps);
        }
    }

    /** A NUL-terminated UTF-8 string in a fixed-size char array. */
    static String string(MemorySegment chars) {
        long n = 0;
        while (n < chars.byteSize() && chars.get(java.lang.foreign.ValueLayout.JAVA_BYTE, n) != 0) n++;
        return new String(chars.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /** The path this device was opened from. */
    public Path path() {
        return Path.of(fd.path());
    }

    /**
     * The node's capabilities, read by {@code VIDIOC_QUERYCAP} when it was opened.
     *
     * @throws IllegalStateException if the device is closed
     */
    public Capabilities capabilities() {
        checkOpen();
        return capabilities;
    }

    /**
     * Reads the capabilities from the kernel again.
     *
     * @throws IllegalStateException if the device is closed
     */
    public Capabilities queryCapabilities() {
        return queryCapabilities(fd);
    }

    /** Whether {@link #close()} has not been called yet. */
    public boolean isOpen() {
        return fd.isOpen();
    }

    private void checkOpen() {
        if (!fd.isOpen()) throw new IllegalStateException(fd.path() + " is closed");
    }

    /** The descriptor, for the library's other types. */
    DeviceFd fd() {
        return fd;
    }

    /** Closes the device. Idempotent. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "V4l2Device[" + fd + ", " + capabilities.driver() + ", " + capabilities.card() + "]";
    }
}
