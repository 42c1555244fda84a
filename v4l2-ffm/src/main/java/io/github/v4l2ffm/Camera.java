package io.github.v4l2ffm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One physical camera (or other V4L2 device) and all its nodes, found from sysfs without opening
 * any node: a USB webcam's video node and its metadata node are one camera.
 *
 * <pre>{@code
 * for (Camera c : Camera.list()) System.out.println(c.name() + " " + c.usb().map(UsbIdentity::toString).orElse(c.busPath()));
 * Camera mine = Camera.find(new UsbIdentity.Match(0x046d, 0x0825, "A1B2C3D4")).orElseThrow();
 * try (V4l2Device dev = V4l2Device.open(mine.videoNode())) { ... }
 * }</pre>
 *
 * @param name the name the driver gives the main node (for uvcvideo, the camera's product name)
 * @param busPath the sysfs path of the device the nodes belong to: stable for a port, and the
 *        grouping key
 * @param usb the USB identity, for USB devices
 * @param nodes the device's V4L2 nodes, main node (sysfs {@code index} 0) first
 */
public record Camera(String name, String busPath, Optional<UsbIdentity> usb, List<Node> nodes) {

    /**
     * One V4L2 node of a camera.
     *
     * @param path the device node, such as {@code /dev/video0}
     * @param index the node's index within its device ({@code 0}: the main video node; uvcvideo's
     *        metadata node has {@code 1})
     * @param name the node's name as the driver gives it
     */
    public record Node(Path path, int index, String name) {
    }

    public Camera {
        nodes = List.copyOf(nodes);
    }

    /** The main node: the video node for a camera. */
    public Path videoNode() {
        return nodes.getFirst().path();
    }

    /** The node after the main one, such as uvcvideo's metadata node. */
    public Optional<Path> metadataNode() {
        return nodes.size() > 1 ? Optional.of(nodes.get(1).path()) : Optional.empty();
    }

    /** Every camera on the system, from {@code /sys/class/video4linux}. */
    public static List<Camera> list() {
        return list(Path.of("/sys/class/video4linux"), Path.of("/dev"));
    }

    /** The first camera whose USB identity matches. */
    public static Optional<Camera> find(UsbIdentity.Match match) {
        return list().stream().filter(c -> c.usb().map(match::matches).orElse(false)).findFirst();
    }

    /** Every camera described under {@code sysClass} (nodes named as in {@code dev}). */
    static List<Camera> list(Path sysClass, Path dev) {
        Map<String, List<Node>> byDevice = new LinkedHashMap<>();
        Map<String, Path> deviceDirs = new LinkedHashMap<>();
        List<Path> entries;
        try (Stream<Path> s = Files.list(sysClass)) {
            entries = s.sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            return List.of();
        }
        for (Path entry : entries) {
            Path device;
            try {
                device = entry.resolve("device").toRealPath();
            } catch (IOException e) {
                continue; // gone meanwhile
            }
            String node = entry.getFileName().toString();
            int index = parseInt(read(entry.resolve("index")), 0);
            String key = device.toString();
            deviceDirs.put(key, device);
            byDevice.computeIfAbsent(key, k -> new ArrayList<>()).add(new Node(dev.resolve(node), index,
                    Optional.ofNullable(read(entry.resolve("name"))).orElse(node)));
        }
        List<Camera> cameras = new ArrayList<>();
        for (var e : byDevice.entrySet()) {
            List<Node> nodes = new ArrayList<>(e.getValue());
            nodes.sort(Comparator.comparingInt(Node::index).thenComparing(n -> n.path().toString()));
            Path device = deviceDirs.get(e.getKey());
            cameras.add(new Camera(nodes.getFirst().name(), e.getKey(), UsbIdentity.of(device), nodes));
        }
        return List.copyOf(cameras);
    }

    static String read(Path p) {
        try {
            return Files.readString(p).trim();
        } catch (IOException e) {
            return null;
        }
    }

    private static int parseInt(String s, int otherwise) {
        try {
            return s == null ? otherwise : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
