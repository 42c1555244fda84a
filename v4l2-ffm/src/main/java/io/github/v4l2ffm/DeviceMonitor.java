package io.github.v4l2ffm;

import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errors;
import io.github.v4l2ffm.internal.Libc;
import io.github.v4l2ffm.internal.PollSet;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Reports V4L2 nodes as they come and go: cameras plugged in and unplugged.
 *
 * <pre>{@code
 * try (DeviceMonitor monitor = DeviceMonitor.open()) {
 *     while (true) {
 *         DeviceMonitor.Change c = monitor.next(Streaming.FOREVER);
 *         if (c instanceof DeviceMonitor.Added a) System.out.println("plugged in: " + a.node() + " " + a.camera());
 *         if (c instanceof DeviceMonitor.Removed r) System.out.println("unplugged: " + r.node());
 *     }
 * }
 * }</pre>
 *
 * <p>It listens to the kernel's uevents on a {@code NETLINK_KOBJECT_UEVENT} socket (no udev
 * library, no daemon), for the {@code video4linux} subsystem. Where uevents do not reach the
 * process (a container in its own network namespace receives none), it watches {@code /dev}
 * with inotify instead ({@link #source()} says which): the same changes, seen when the node file
 * appears or disappears.
 */
public final class DeviceMonitor implements AutoCloseable {
    private static final int NETLINK_KOBJECT_UEVENT = 15;
    private static final Pattern VIDEO = Pattern.compile("video\\d+");

    /** A change: a node added or removed. */
    public sealed interface Change {
        /** The node, such as {@code /dev/video2}. */
        Path node();
    }

    /**
     * A node appeared.
     *
     * @param node the node
     * @param camera the camera it belongs to, as sysfs described it when the change was read
     */
    public record Added(Path node, Optional<Camera> camera) implements Change {
    }

    /** A node disappeared: its camera was unplugged or its driver unbound. */
    public record Removed(Path node) implements Change {
    }

    private final DeviceFd netlink;       // null with inotify
    private final WatchService inotify;   // null with netlink
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(8192);
    private final PollSet pollSet = new PollSet(arena, "device monitor", false);
    private final ArrayDeque<Change> ready = new ArrayDeque<>();

    private DeviceMonitor(DeviceFd netlink, WatchService inotify) {
        this.netlink = netlink;
        this.inotify = inotify;
    }

    /** A monitor on kernel uevents, or on {@code /dev} where uevents cannot be had. */
    public static DeviceMonitor open() {
        DeviceFd fd = openNetlink();
        if (fd != null) return new DeviceMonitor(fd, null);
        try {
            WatchService w = FileSystems.getDefault().newWatchService();
            Path.of("/dev").register(w, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE);
            return new DeviceMonitor(null, w);
        } catch (IOException e) {
            throw new IllegalStateException("neither kernel uevents nor inotify on /dev are available", e);
        }
    }

    private static DeviceFd openNetlink() {
        if (Boolean.getBoolean("v4l2.monitor.inotify")) return null;
        int fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
        if (fd < 0) return null;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = a.allocate(12, 4); // struct sockaddr_nl
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_NETLINK);
            addr.set(ValueLayout.JAVA_INT, 8, 1);   // nl_groups: the kernel's uevents
            if (Libc.bind(fd, addr, 12) < 0) {
                Libc.close(fd);
                return null;
            }
        }
        return DeviceFd.adoptWaitable(fd, "uevent socket");
    }

    /** Where the changes come from: {@code "netlink uevents"} or {@code "inotify on /dev"}. */
    public String source() {
        return netlink != null ? "netlink uevents" : "inotify on /dev";
    }

    /**
     * The next change, waiting up to {@code timeoutMillis} (0: none; {@link Streaming#FOREVER}).
     *
     * @return the change, or {@code null} if the time ran out
     * @throws IllegalStateException if the monitor is closed, also by another thread while waiting
     */
    public Change next(long timeoutMillis) {
        long deadline = Streaming.deadline(timeoutMillis);
        synchronized (ready) {
            while (true) {
                Change c = ready.poll();
                if (c != null) return c;
                int left = Streaming.remaining(deadline);
                boolean read = netlink != null ? readUevent(left) : readInotify(left);
                if (!read && left >= 0 && Streaming.remaining(deadline) == 0) return null;
            }
        }
    }

    /** Waits up to {@code timeoutMillis} (-1: for ever) for a uevent and queues the change it reports; false on timeout. */
    private boolean readUevent(int timeoutMillis) {
        int revents = netlink.poll(pollSet, Libc.POLLIN, -1, timeoutMillis);
        if (revents == 0) return false;
        if ((revents & DeviceFd.WOKEN) != 0) { // only close() signals it: acquire throws
            netlink.acquire();
            netlink.release();
        }
        if ((revents & Libc.POLLIN) == 0) return true;
        long n;
        int f = netlink.acquire();
        try {
            n = Libc.read(f, buffer, buffer.byteSize());
            if (n < 0) {
                int errno = Libc.errno();
                if (errno == Libc.EAGAIN) return true;
                throw Errors.failure("recv", netlink.path(), errno, null);
            }
        } finally {
            netlink.release();
        }
        Map<String, String> env = new HashMap<>();
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (buffer.get(ValueLayout.JAVA_BYTE, i) == 0) {
                String field = new String(buffer.asSlice(start, i - start).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
                int eq = field.indexOf('=');
                if (eq > 0) env.put(field.substring(0, eq), field.substring(eq + 1));
                start = i + 1;
            }
        }
        String name = env.get("DEVNAME");
        if (!"video4linux".equals(env.get("SUBSYSTEM")) || name == null) return true;
        Path node = name.startsWith("/") ? Path.of(name) : Path.of("/dev", name);
        switch (env.getOrDefault("ACTION", "")) {
            case "add" -> ready.add(new Added(node, cameraOf(node)));
            case "remove" -> ready.add(new Removed(node));
            default -> { }
        }
        return true;
    }

    private boolean readInotify(int timeoutMillis) {
        WatchKey key;
        try {
            key = timeoutMillis < 0 ? inotify.take() : inotify.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ClosedWatchServiceException e) {
            throw new IllegalStateException("the device monitor is closed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a device change", e);
        }
        if (key == null) return false;
        for (WatchEvent<?> e : key.pollEvents()) {
            if (!(e.context() instanceof Path name) || !VIDEO.matcher(name.toString()).matches()) continue;
            Path node = Path.of("/dev").resolve(name);
            if (e.kind() == StandardWatchEventKinds.ENTRY_CREATE) ready.add(new Added(node, cameraOf(node)));
            else if (e.kind() == StandardWatchEventKinds.ENTRY_DELETE) ready.add(new Removed(node));
        }
        key.reset();
        return true;
    }

    private static Optional<Camera> cameraOf(Path node) {
        return Camera.list().stream().filter(c -> c.nodes().stream().anyMatch(n -> n.path().equals(node))).findFirst();
    }

    /** Stops monitoring and wakes a thread waiting in {@link #next}. Idempotent, never throws. */
    @Override
    public void close() {
        if (netlink != null) {
            netlink.close();
        } else {
            try {
                inotify.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
        synchronized (ready) {
            pollSet.close();
            if (arena.scope().isAlive()) arena.close();
        }
    }
}
