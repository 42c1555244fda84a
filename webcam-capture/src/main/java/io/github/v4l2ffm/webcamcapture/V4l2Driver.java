package io.github.v4l2ffm.webcamcapture;

import com.github.sarxos.webcam.WebcamDevice;
import com.github.sarxos.webcam.WebcamDiscoverySupport;
import com.github.sarxos.webcam.WebcamDriver;
import io.github.v4l2ffm.Camera;
import io.github.v4l2ffm.Capabilities;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Devices;
import io.github.v4l2ffm.V4l2Exception;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A webcam-capture driver for Linux V4L2 cameras, on v4l2-ffm: no native library, no JNI, no
 * BridJ. An application switches to it with one line, before it asks for webcams:
 *
 * <pre>{@code
 * Webcam.setDriver(new V4l2Driver());
 * Webcam webcam = Webcam.getDefault();
 * webcam.setViewSize(new Dimension(640, 480));
 * webcam.open();
 * BufferedImage image = webcam.getImage();
 * }</pre>
 *
 * <p><b>Devices</b> ({@link #getDevices()}): every V4L2 video capture node (not mem-to-mem
 * devices, not metadata nodes) offering at least one pixel format that
 * {@link io.github.v4l2ffm.image.FrameConverter} converts, in node order, as
 * {@link V4l2WebcamDevice}s named {@code "<card> <node>"}. Nodes are found in sysfs
 * ({@link Camera#list()}) without opening them; a node is opened once, when first seen, to read
 * its capabilities and modes. The same node keeps its device object from one call to the next
 * while it stays the same device (same sysfs device and node name), so webcam-capture's
 * discovery sees a camera as the same one until it goes away.
 *
 * <p><b>Hot-plug</b> ({@link WebcamDiscoverySupport}): webcam-capture's discovery service calls
 * {@link #getDevices()} every {@link #getScanInterval()} ms (3 s by default; see
 * {@link #V4l2Driver(Duration)}) and reports the cameras that appeared and went away to
 * {@code WebcamDiscoveryListener}s, disposing those that went away. The scan reads sysfs only:
 * it wakes no camera.
 *
 * <p><b>Threads</b>: {@link #isThreadSafe()} is true: webcam-capture then calls the devices from
 * the application's threads directly instead of funnelling every call through its single
 * "atomic processor" thread, and exceptions reach the caller as the device threw them (its
 * processor would wrap them in another {@code WebcamException}). Every method of the driver
 * and of its devices may be called from any thread.
 *
 * <p><b>Dependencies</b>: webcam-capture brings BridJ for its default driver; this driver never
 * loads a class of it (nor its native library), and this artifact excludes it. Calling
 * {@code Webcam.setDriver(new V4l2Driver())} before anything else of webcam-capture matters:
 * {@code Webcam.getDriver()} falls back to the default driver, and so to BridJ, when no driver
 * is set. webcam-capture logs through the SLF4J API; the application chooses the binding.
 */
public final class V4l2Driver implements WebcamDriver, WebcamDiscoverySupport {
    private static final Logger LOG = LoggerFactory.getLogger(V4l2Driver.class);
    private static final Pattern VIDEO_NODE = Pattern.compile("video(\\d+)");

    private static final Path SYS_CLASS = Path.of("/sys/class/video4linux");
    private static final Path DEV = Path.of("/dev");

    private final long scanIntervalMillis;
    /** What was found at each node: guarded by {@code this}. */
    private final Map<Path, Known> known = new HashMap<>();

    /**
     * What a node was when probed.
     *
     * @param identity the sysfs device and node name it had
     * @param device its webcam, or {@code null} when it is no camera (an output, a metadata node...)
     */
    private record Known(String identity, V4l2WebcamDevice device) {
    }

    /** A driver whose discovery scans every {@value WebcamDiscoverySupport#DEFAULT_SCAN_INTERVAL} ms. */
    public V4l2Driver() {
        this(Duration.ofMillis(DEFAULT_SCAN_INTERVAL));
    }

    /**
     * A driver whose discovery scans at {@code scanInterval}: cameras plugged in or unplugged are
     * reported that much later at most. A scan lists {@code /sys/class/video4linux} and opens
     * only nodes not seen before.
     *
     * @param scanInterval the time between two scans of webcam-capture's discovery service
     * @throws IllegalArgumentException if the interval is not positive
     */
    public V4l2Driver(Duration scanInterval) {
        if (scanInterval.isNegative() || scanInterval.isZero()) {
            throw new IllegalArgumentException("scan interval must be positive: " + scanInterval);
        }
        this.scanIntervalMillis = scanInterval.toMillis();
    }

    /**
     * The V4L2 cameras present now, in node order (a new list each call, of the same device objects
     * for nodes that stayed). Never throws: a node that cannot be opened or queried (no permission,
     * vanishing) is left out and tried again at the next call.
     */
    @Override
    public synchronized List<WebcamDevice> getDevices() {
        List<Node> nodes = nodes();
        Set<Path> present = new HashSet<>();
        List<WebcamDevice> devices = new ArrayList<>();
        for (Node n : nodes) {
            present.add(n.path());
            Known k = known.get(n.path());
            if (k == null || !k.identity().equals(n.identity()) || (k.device() != null && k.device().isDisposed())) {
                k = probe(n);
                if (k == null) {
                    known.remove(n.path());
                    continue;
                }
                known.put(n.path(), k);
            }
            if (k.device() != null) devices.add(k.device());
        }
        known.keySet().retainAll(present);
        return devices;
    }

    /** A video node and what identifies the device behind it. */
    private record Node(Path path, int number, String identity) {
    }

    /** The video nodes, from sysfs; from {@code /dev} where sysfs lists none (then every node is probed on each call). */
    private List<Node> nodes() {
        List<Node> nodes = new ArrayList<>();
        if (Files.isDirectory(SYS_CLASS)) {
            for (Camera c : Camera.list()) {
                for (Camera.Node n : c.nodes()) {
                    Matcher m = VIDEO_NODE.matcher(n.path().getFileName().toString());
                    if (m.matches()) {
                        nodes.add(new Node(n.path(), Integer.parseInt(m.group(1)), c.busPath() + "|" + n.index() + "|" + n.name()));
                    }
                }
            }
        }
        if (nodes.isEmpty()) {
            try {
                for (DeviceInfo d : V4l2Devices.list(DEV)) {
                    Matcher m = VIDEO_NODE.matcher(d.path().getFileName().toString());
                    Capabilities c = d.capabilities();
                    if (m.matches()) nodes.add(new Node(d.path(), Integer.parseInt(m.group(1)), c.busInfo() + "|" + c.card()));
                }
            } catch (UncheckedIOException e) {
                LOG.debug("cannot list {}: {}", DEV, e.getMessage());
            }
        }
        nodes.sort(Comparator.comparingInt(Node::number));
        return nodes;
    }

    /** Opens a node to learn whether it is a camera, and its modes; {@code null} when it cannot be queried now. */
    private Known probe(Node n) {
        try (V4l2Device d = V4l2Device.open(n.path())) {
            Capabilities caps = d.capabilities();
            if (!caps.isVideoCapture() || caps.isMemToMem()) return new Known(n.identity(), null);
            Modes modes = Modes.of(d);
            if (modes.isEmpty()) {
                LOG.debug("{} ({}) offers no format this driver converts", n.path(), caps.card());
                return new Known(n.identity(), null);
            }
            return new Known(n.identity(), new V4l2WebcamDevice(n.path(), caps.card(), modes));
        } catch (V4l2Exception e) {
            LOG.debug("{} left out for now: {}", n.path(), e.getMessage());
            return null;
        } catch (RuntimeException e) {
            LOG.warn("{} left out for now", n.path(), e);
            return null;
        }
    }

    /** True: webcam-capture calls the devices from any thread, without its processor thread. */
    @Override
    public boolean isThreadSafe() {
        return true;
    }

    /** The discovery scan interval in milliseconds. */
    @Override
    public long getScanInterval() {
        return scanIntervalMillis;
    }

    /** Whether there is anywhere to look for cameras: sysfs's video4linux class or {@code /dev}. */
    @Override
    public boolean isScanPossible() {
        return Files.isDirectory(SYS_CLASS) || Files.isDirectory(DEV);
    }

    @Override
    public String toString() {
        return "V4l2Driver (v4l2-ffm)";
    }
}
