package io.github.v4l2ffm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the V4L2 device nodes on the system.
 *
 * <pre>{@code
 * for (DeviceInfo d : V4l2Devices.list()) {
 *     System.out.println(d.path() + ": " + d.capabilities().card());
 * }
 * DeviceInfo vivid = V4l2Devices.findByDriver("vivid").orElseThrow();
 * }</pre>
 *
 * Devices are best identified by driver, card and bus info: the {@code /dev/videoN} numbers
 * depend on the order in which drivers were loaded.
 */
public final class V4l2Devices {
    private static final Pattern NODE = Pattern.compile("(video|vbi|radio|swradio|v4l-touch)(\\d+)");

    private V4l2Devices() {}

    /** The V4L2 nodes under {@code /dev} that could be opened and queried, in node order. */
    public static List<DeviceInfo> list() {
        return list(Path.of("/dev"));
    }

    /**
     * The V4L2 nodes in {@code dir} (video, vbi, radio, swradio and touch nodes) that could be opened and
     * queried, ordered by kind and number. Nodes that cannot be opened (busy, no permission) are
     * left out; open them with {@link V4l2Device#open} to learn why.
     */
    public static List<DeviceInfo> list(Path dir) {
        List<Path> nodes;
        try (Stream<Path> s = Files.list(dir)) {
            nodes = s.filter(p -> NODE.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparing((Path p) -> kind(p)).thenComparingInt(V4l2Devices::number))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        List<DeviceInfo> found = new ArrayList<>();
        for (Path node : nodes) {
            try (V4l2Device dev = V4l2Device.open(node)) {
                found.add(new DeviceInfo(node, dev.capabilities()));
            } catch (V4l2Exception e) {
                // not openable or not V4L2: not listed
            }
        }
        return List.copyOf(found);
    }

    /** The first node (in {@link #list()} order) whose capabilities match. */
    public static Optional<DeviceInfo> find(Predicate<Capabilities> predicate) {
        return list().stream().filter(d -> predicate.test(d.capabilities())).findFirst();
    }

    /** The first node whose driver name is {@code driver}, such as {@code "vivid"}. */
    public static Optional<DeviceInfo> findByDriver(String driver) {
        return find(c -> c.driver().equals(driver));
    }

    /** The first node with this driver name whose card name starts with {@code cardPrefix}. */
    public static Optional<DeviceInfo> findByDriverAndCard(String driver, String cardPrefix) {
        return find(c -> c.driver().equals(driver) && c.card().startsWith(cardPrefix));
    }

    /** The first node that captures video and is not a mem-to-mem device. */
    public static Optional<DeviceInfo> firstCaptureDevice() {
        return find(c -> c.isVideoCapture() && !c.isMemToMem());
    }

    private static String kind(Path p) {
        Matcher m = NODE.matcher(p.getFileName().toString());
        return m.matches() ? m.group(1) : "";
    }

    private static int number(Path p) {
        Matcher m = NODE.matcher(p.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(2)) : Integer.MAX_VALUE;
    }
}
