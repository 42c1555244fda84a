package io.github.v4l2ffm.softcam;

import io.github.v4l2ffm.internal.Libc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A USB Video Class camera emulated in this process and plugged into this machine's kernel over
 * USB/IP, so that the kernel's own {@code uvcvideo} driver serves it as {@code /dev/videoN}: a
 * real webcam's path (UVC descriptors and controls, probe and commit, MJPEG, payload headers,
 * unplug) with deterministic frames.
 *
 * <pre>{@code
 * try (SoftwareCamera cam = SoftwareCamera.plug(CameraSpec.webcam("cam-1"))) {
 *     Path node = cam.awaitNode(Duration.ofSeconds(30));     // uvcvideo's capture node
 *     ... capture from node; FramePattern.numberFromYuyv(...) reads each frame's number ...
 *     cam.unplug();                                          // as if the cable were pulled
 * }
 * }</pre>
 *
 * <p>How: a {@code socketpair(AF_UNIX, SOCK_STREAM)}; one end is handed to the USB/IP virtual host
 * controller by writing {@code "<port> <fd> <devid> <speed>"} to
 * {@code /sys/devices/platform/vhci_hcd.0/attach}; this object serves the USB/IP protocol on the
 * other end (CMD_SUBMIT answered with RET_SUBMIT, CMD_UNLINK with RET_UNLINK): standard and UVC
 * control requests on endpoint 0, video payloads on a bulk IN endpoint. Writing the port to
 * {@code .../detach} is an unplug. Needs root and the modules {@code vhci-hcd} and
 * {@code uvcvideo} ({@link #loadModules()}).
 *
 * <p>The test drives it: {@link #unplug()}, {@link #replug()}, the {@link #controlRequests()} it
 * received, and faults on demand ({@link #stallControls(int)}, {@link #truncateNextFrame()},
 * {@link #dropNextFrame()}, {@link #pause()}).
 */
public final class SoftwareCamera implements AutoCloseable {
    private static final Path VHCI = Path.of("/sys/devices/platform/vhci_hcd.0");
    private static final int USB_SPEED_HIGH = 3;
    private static final int MAX_PAYLOAD = 16384; // dwMaxPayloadTransferSize: uvcvideo's bulk URBs are this size
    private static final int HEADER = 12;         // payload header with PTS and SCR
    private static final int EPIPE = -32, ECONNRESET = -104;

    private final CameraSpec spec;
    private final byte[] deviceDescriptor;
    private final byte[] configDescriptor;
    private final List<UvcControl> controls;
    private final ConcurrentLinkedQueue<ControlRequest> requests = new ConcurrentLinkedQueue<>();
    private final AtomicInteger framesSent = new AtomicInteger();
    private final AtomicInteger frameNumber = new AtomicInteger();
    private volatile int stallCode;
    private volatile boolean truncateNext, dropNext, paused;
    private Connection connection;
    private final Attacher attacher; // null: this process attaches itself (root)

    private SoftwareCamera(CameraSpec spec, Attacher attacher) {
        this.spec = spec;
        this.attacher = attacher;
        this.controls = UvcControl.of(spec);
        this.deviceDescriptor = UvcDescriptors.device(spec);
        this.configDescriptor = UvcDescriptors.configuration(spec);
    }

    /** Plugs a camera of {@code spec} into this machine's USB/IP host controller. */
    public static SoftwareCamera plug(CameraSpec spec) {
        SoftwareCamera cam = new SoftwareCamera(spec, null);
        cam.replug();
        return cam;
    }

    /**
     * Plugs a camera in through {@code attacher}, for a process that may not write to
     * {@code vhci_hcd} itself: the camera serves USB/IP on a loopback TCP port, and the attacher
     * connects to it and hands the connection to the kernel. Unplugging closes the connection,
     * which the kernel takes as the device going away.
     */
    public static SoftwareCamera plug(CameraSpec spec, Attacher attacher) {
        SoftwareCamera cam = new SoftwareCamera(spec, java.util.Objects.requireNonNull(attacher, "attacher"));
        cam.replug();
        return cam;
    }

    /**
     * Loads {@code vhci-hcd} and {@code uvcvideo} with {@code modprobe} if they are not loaded
     * (uvcvideo with {@code nodrop=1}, so that damaged frames reach the application flagged
     * instead of being dropped silently). Needs root.
     */
    public static void loadModules() {
        for (String[] m : new String[][] {{"vhci_hcd", "vhci-hcd"}, {"uvcvideo", "uvcvideo", "nodrop=1"}}) {
            if (Files.isDirectory(Path.of("/sys/module", m[0]))) continue;
            List<String> cmd = new ArrayList<>(List.of("modprobe", m[1]));
            for (int i = 2; i < m.length; i++) cmd.add(m[i]);
            try {
                Process p = new ProcessBuilder(cmd).inheritIO().start();
                if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed (root needed)");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** What this camera presents. */
    public CameraSpec spec() {
        return spec;
    }

    /** Whether the camera is plugged in now. */
    public synchronized boolean isPlugged() {
        return connection != null && connection.isOpen();
    }

    /** Plugs the camera in again after {@link #unplug()} (or the first time); the host enumerates it anew. */
    public synchronized void replug() {
        if (isPlugged()) throw new IllegalStateException("the camera is plugged in already");
        connection = new Connection();
    }

    /**
     * Unplugs the camera: the USB/IP port is detached, as if the cable were pulled. uvcvideo
     * unregisters its nodes; the camera can be {@linkplain #replug() plugged in} again.
     */
    public synchronized void unplug() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    /**
     * The camera's video capture node once uvcvideo has bound it, waiting up to {@code timeout}.
     *
     * @throws IllegalStateException if no node appeared in time
     */
    public Path awaitNode(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Path> node = node();
            if (node.isPresent()) {
                if (attacher != null) usable(node.get());
                return node.get();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no uvcvideo node for " + spec.serial() + " within " + timeout
                        + " (is uvcvideo loaded? dmesg tells why it did not bind)");
            }
            sleep(50);
        }
    }

    /** The camera's video capture node, if uvcvideo has bound it now. */
    public Optional<Path> node() {
        try (Stream<Path> nodes = Files.list(Path.of("/sys/class/video4linux"))) {
            return nodes.filter(n -> n.getFileName().toString().startsWith("video"))
                    .filter(n -> "0".equals(read(n.resolve("index"))))
                    .filter(n -> spec.serial().equals(read(n.resolve("device/../serial"))))
                    .map(n -> Path.of("/dev", n.getFileName().toString()))
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Has the attacher make the camera's nodes (video and metadata) usable by this process. */
    private void usable(Path video) {
        try (Stream<Path> nodes = Files.list(Path.of("/sys/class/video4linux"))) {
            nodes.filter(n -> spec.serial().equals(read(n.resolve("device/../serial"))))
                    .forEach(n -> attacher.makeUsable(Path.of("/dev", n.getFileName().toString())));
        } catch (IOException e) {
            attacher.makeUsable(video);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).trim();
        } catch (IOException e) {
            return null;
        }
    }

    /** Every {@code SET_CUR} the camera received on a UVC control, in order. */
    public List<ControlRequest> controlRequests() {
        return List.copyOf(requests);
    }

    /** The current value of a control, by the name in {@link ControlRequest#control()}. */
    public long controlValue(String name) {
        return controls.stream().filter(c -> c.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no control " + name)).cur;
    }

    /**
     * Makes control requests (GET_CUR and SET_CUR of the UVC controls) stall from now on, and the
     * request error code control report {@code uvcErrorCode} (4: out of range, 6: invalid
     * control...); 0 ends the stall.
     */
    public void stallControls(int uvcErrorCode) {
        stallCode = uvcErrorCode;
    }

    /** Sends only the first half of the next frame (its payload ends early). */
    public void truncateNextFrame() {
        truncateNext = true;
    }

    /** Skips the next frame: its number is never sent. */
    public void dropNextFrame() {
        dropNext = true;
    }

    /** Stops sending frames (the host's requests stay pending) until {@link #resume()}. */
    public void pause() {
        paused = true;
    }

    /** Sends frames again after {@link #pause()}. */
    public void resume() {
        paused = false;
    }

    /** How many whole frames the camera has sent since it was made. */
    public int framesSent() {
        return framesSent.get();
    }

    /**
     * Plugs a webcam in for a while, to try it by hand: {@code java -cp ... SoftwareCamera [seconds] [serial]}
     * (root); prints its node, then unplugs it after the given time (default 60 s).
     */
    public static void main(String[] args) throws InterruptedException {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 60;
        loadModules();
        try (SoftwareCamera cam = plug(CameraSpec.webcam(args.length > 1 ? args[1] : "softcam-" + ProcessHandle.current().pid()))) {
            System.out.println("softcam: " + cam.awaitNode(Duration.ofSeconds(60)) + " for " + seconds + " s");
            Thread.sleep(seconds * 1000);
            System.out.println("softcam: " + cam.framesSent() + " frames sent; unplugging");
        }
    }

    /** Unplugs the camera if it is plugged in. */
    @Override
    public void close() {
        unplug();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- one plug: the USB/IP connection -------------------------------------------------

    /** A pending bulk IN request of the host. */
    private record Urb(int seq, int length) {
    }

    private final class Connection {
        private final int port;
        private final int fd;
        private final Arena arena = Arena.ofShared();
        private final MemorySegment readBuffer = arena.allocate(64 * 1024);
        private final MemorySegment writeBuffer = arena.allocate(MAX_PAYLOAD + 64);
        private final Object writeLock = new Object();
        private final ArrayDeque<Urb> pending = new ArrayDeque<>();
        private final Thread server, streamer;
        private volatile boolean open = true;

        // the stream, as the last COMMIT set it; guarded by pending
        private CameraSpec.Mode mode;
        private long intervalNanos;
        private byte[] probe = probe(1, 1, 0);
        private int lastError;

        // the frame being sent; touched by the streamer only
        private byte[] frame;
        private final byte[] yuyv = new byte[spec.modes().stream().mapToInt(CameraSpec.Mode::frameBytes).max().orElseThrow()];
        private int frameLength, offset, fid;
        private long nextFrameAt;
        private volatile boolean restart;

        Connection() {
            this.port = freePort();
            int devid = (1 << 16) | (port + 2);
            if (attacher == null) {
                int[] pair = socketPair();
                this.fd = pair[0];
                try {
                    Files.writeString(VHCI.resolve("attach"), port + " " + pair[1] + " " + devid + " " + USB_SPEED_HIGH);
                } catch (IOException e) {
                    Libc.close(pair[0]);
                    Libc.close(pair[1]);
                    arena.close();
                    throw new UncheckedIOException("attaching to vhci_hcd port " + port + " failed (root and vhci-hcd needed)", e);
                }
                Libc.close(pair[1]); // the kernel holds its own reference to its end
            } else {
                this.fd = acceptFromAttacher(devid);
            }
            server = Thread.ofPlatform().daemon().name("softcam-usbip-" + spec.serial()).start(this::serve);
            streamer = Thread.ofPlatform().daemon().name("softcam-stream-" + spec.serial()).start(this::stream);
        }

        boolean isOpen() {
            return open;
        }

        /** Listens on a loopback TCP port, has the attacher connect and hand the connection to vhci, and accepts it. */
        private int acceptFromAttacher(int devid) {
            int listener = Libc.socket(Libc.AF_INET, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
            if (listener < 0) throw new IllegalStateException("socket failed: errno " + Libc.errno());
            try (Arena a = Arena.ofConfined()) {
                MemorySegment addr = a.allocate(16, 4); // sockaddr_in 127.0.0.1, any port
                addr.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_INET);
                addr.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 4, 0x7f000001);
                MemorySegment len = a.allocateFrom(ValueLayout.JAVA_INT, 16);
                if (Libc.bind(listener, addr, 16) < 0 || Libc.listen(listener, 1) < 0 || Libc.getsockname(listener, addr, len) < 0) {
                    throw new IllegalStateException("listening on loopback failed: errno " + Libc.errno());
                }
                int tcpPort = Short.toUnsignedInt(addr.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 2));
                // on a thread of its own: the common pool may be busy with the application's tasks
                var attached = java.util.concurrent.CompletableFuture.runAsync(() -> attacher.attach(port, tcpPort, devid),
                        task -> Thread.ofPlatform().daemon().name("softcam-attach").start(task));
                MemorySegment pfd = a.allocate(Libc.POLLFD);
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (true) { // the attacher connects first, then attaches; it may fail before connecting
                    pfd.set(ValueLayout.JAVA_INT, 0, listener);
                    pfd.set(ValueLayout.JAVA_SHORT, 4, Libc.POLLIN);
                    pfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                    if (Libc.poll(pfd, 1, 500) > 0) break;
                    if (attached.isDone()) attached.join(); // throws what the attacher threw
                    if (attached.isDone() || System.nanoTime() > deadline) {
                        throw new IllegalStateException("the attacher did not connect to the camera's port " + tcpPort);
                    }
                }
                int conn = Libc.accept(listener, Libc.SOCK_CLOEXEC);
                if (conn < 0) throw new IllegalStateException("accept failed: errno " + Libc.errno());
                try {
                    attached.get(120, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    Libc.close(conn);
                    throw new IllegalStateException("the attacher did not attach port " + port + ": " + e.getMessage(), e);
                }
                return conn;
            } finally {
                Libc.close(listener);
            }
        }

        void close() {
            if (attacher == null) {
                try {
                    Files.writeString(VHCI.resolve("detach"), String.valueOf(port));
                } catch (IOException e) {
                    // detached already (the kernel dropped the connection)
                }
            } // else: closing the connection below is the unplug
            open = false;
            Libc.shutdown(fd, Libc.SHUT_RDWR);
            synchronized (pending) {
                pending.notifyAll();
            }
            join(server);
            join(streamer);
            Libc.close(fd);
            arena.close();
        }

        private void join(Thread t) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        // ---- reading commands ----

        private void serve() {
            try {
                while (open) {
                    if (!readFully(48)) break;
                    int cmd = beInt(0), seq = beInt(4), direction = beInt(12), ep = beInt(16);
                    if (cmd == 1) { // CMD_SUBMIT
                        int length = beInt(24), packets = beInt(32);
                        byte[] setup = new byte[8];
                        MemorySegment.copy(readBuffer, ValueLayout.JAVA_BYTE, 40, setup, 0, 8);
                        byte[] out = new byte[0];
                        if (direction == 0 && length > 0) {
                            if (!readFully(length)) break;
                            out = readBuffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE);
                        }
                        if (packets > 0 && packets != -1 && !readFully(16 * packets)) break;
                        if (ep == 0) {
                            control(seq, direction, setup, out);
                        } else if (ep == 1 && direction == 1) {
                            synchronized (pending) {
                                pending.add(new Urb(seq, length));
                                pending.notifyAll();
                            }
                        } else {
                            retSubmit(seq, EPIPE, null, 0);
                        }
                    } else if (cmd == 2) { // CMD_UNLINK
                        int victim = beInt(20);
                        synchronized (pending) { // ordered with the streamer's answers: see stream()
                            boolean found = pending.removeIf(u -> u.seq() == victim);
                            retUnlink(seq, found ? ECONNRESET : 0);
                        }
                    } else {
                        break;
                    }
                }
            } finally {
                open = false;
                synchronized (pending) {
                    pending.notifyAll();
                }
            }
        }

        private boolean readFully(int n) {
            long got = 0;
            while (got < n) {
                long r = Libc.read(fd, readBuffer.asSlice(got, n - got), n - got);
                if (r <= 0) return false;
                got += r;
            }
            return true;
        }

        private int beInt(long at) {
            return readBuffer.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), at);
        }

        // ---- endpoint 0 ----

        private void control(int seq, int direction, byte[] setup, byte[] out) {
            int requestType = setup[0] & 0xff, request = setup[1] & 0xff;
            int value = (setup[2] & 0xff) | (setup[3] & 0xff) << 8, index = (setup[4] & 0xff) | (setup[5] & 0xff) << 8;
            int length = (setup[6] & 0xff) | (setup[7] & 0xff) << 8;
            byte[] answer = switch (requestType >> 5 & 3) {
                case 0 -> standard(request, value);
                case 1 -> uvc(request, value, index, out);
                default -> null;
            };
            if (answer == null) {
                retSubmit(seq, EPIPE, null, 0);
            } else if (direction == 1) {
                retSubmit(seq, 0, answer.length > length ? java.util.Arrays.copyOf(answer, length) : answer, 0);
            } else {
                retSubmit(seq, 0, null, out.length); // an OUT transfer: actual_length is what was taken
            }
        }

        private byte[] standard(int request, int value) {
            return switch (request) {
                case 6 -> switch (value >> 8) { // GET_DESCRIPTOR
                    case 1 -> deviceDescriptor;
                    case 2 -> configDescriptor;
                    case 3 -> UvcDescriptors.string(spec, value & 0xff);
                    default -> null; // no device qualifier, no BOS: stall, as a high-speed-only device does
                };
                case 0 -> new byte[] {0, 0};                 // GET_STATUS
                case 8 -> new byte[] {1};                    // GET_CONFIGURATION
                case 10 -> new byte[] {0};                   // GET_INTERFACE
                case 1, 3, 9, 11 -> new byte[0];             // CLEAR_FEATURE, SET_FEATURE, SET_CONFIGURATION, SET_INTERFACE
                default -> null;
            };
        }

        private byte[] uvc(int request, int value, int index, byte[] out) {
            int iface = index & 0xff, entity = index >> 8, selector = value >> 8;
            if (iface == UvcDescriptors.VS_INTERFACE) return streamingControl(request, selector, out);
            if (iface != UvcDescriptors.VC_INTERFACE) return null;
            if (entity == 0) { // the interface's own controls: the request error code
                return selector == 0x02 && request == 0x81 ? new byte[] {(byte) lastError} : request == 0x86 ? new byte[] {1} : null;
            }
            UvcControl c = controls.stream().filter(x -> x.unit == entity && x.selector == selector).findFirst().orElse(null);
            if (c == null) {
                lastError = 6; // invalid control
                return null;
            }
            int stall = stallCode;
            if (stall != 0 && (request == 0x01 || request == 0x81)) {
                if (request == 0x01) requests.add(new ControlRequest(c.name, entity, selector, c.decode(out), false));
                lastError = stall;
                return null;
            }
            lastError = 0;
            return switch (request) {
                case 0x01 -> {
                    long v = c.decode(out);
                    requests.add(new ControlRequest(c.name, entity, selector, v, true));
                    c.cur = v;
                    yield new byte[0];
                }
                case 0x81 -> c.encode(c.cur);
                case 0x82 -> c.encode(c.min);
                case 0x83 -> c.encode(c.max);
                case 0x84 -> c.encode(c.res);
                case 0x85 -> new byte[] {(byte) c.size, 0};
                case 0x86 -> new byte[] {0x03}; // GET and SET supported
                case 0x87 -> c.encode(c.def);
                default -> null;
            };
        }

        /** VS_PROBE_CONTROL (1) and VS_COMMIT_CONTROL (2), UVC 1.0's 26 bytes. */
        private byte[] streamingControl(int request, int selector, byte[] out) {
            if (selector != 1 && selector != 2) return null;
            synchronized (pending) {
                switch (request) {
                    case 0x01 -> { // SET_CUR
                        int format = out.length > 2 ? out[2] & 0xff : 1, frameIndex = out.length > 3 ? out[3] & 0xff : 1;
                        long interval = out.length >= 8 ? (out[4] & 0xffL) | (out[5] & 0xffL) << 8 | (out[6] & 0xffL) << 16 | (out[7] & 0xffL) << 24 : 0;
                        probe = probe(format, frameIndex, interval);
                        if (selector == 2) commit();
                        return new byte[0];
                    }
                    case 0x81, 0x82, 0x83 -> {
                        return probe.clone();
                    }
                    case 0x87 -> {
                        return probe(1, 1, 0);
                    }
                    case 0x85 -> {
                        return new byte[] {26, 0};
                    }
                    case 0x86 -> {
                        return new byte[] {0x03};
                    }
                    default -> {
                        return null;
                    }
                }
            }
        }

        /** The encodings in descriptor order: format index 1, 2... */
        private List<CameraSpec.Encoding> encodings() {
            List<CameraSpec.Encoding> e = new ArrayList<>();
            for (CameraSpec.Encoding x : CameraSpec.Encoding.values()) if (!spec.modes(x).isEmpty()) e.add(x);
            return e;
        }

        private CameraSpec.Mode modeOf(int format, int frameIndex) {
            List<CameraSpec.Encoding> encodings = encodings();
            CameraSpec.Encoding enc = encodings.get(Math.clamp(format, 1, encodings.size()) - 1);
            List<CameraSpec.Mode> modes = spec.modes(enc);
            return modes.get(Math.clamp(frameIndex, 1, modes.size()) - 1);
        }

        /** The probe structure for a format, frame and interval (0 or one not offered: the frame's default). */
        private byte[] probe(int format, int frameIndex, long interval) {
            List<CameraSpec.Encoding> encodings = encodings();
            format = Math.clamp(format, 1, encodings.size());
            frameIndex = Math.clamp(frameIndex, 1, spec.modes(encodings.get(format - 1)).size());
            CameraSpec.Mode m = modeOf(format, frameIndex);
            long chosen = UvcDescriptors.interval(m.fps().getFirst());
            for (int fps : m.fps()) if (UvcDescriptors.interval(fps) == interval) chosen = interval;
            byte[] p = new byte[26];
            p[2] = (byte) format;
            p[3] = (byte) frameIndex;
            putLe(p, 4, chosen, 4);
            putLe(p, 18, m.frameBytes(), 4); // dwMaxVideoFrameSize: a JPEG frame is never larger than its YUYV twin here
            putLe(p, 22, MAX_PAYLOAD, 4);
            return p;
        }

        private static void putLe(byte[] b, int at, long v, int n) {
            for (int i = 0; i < n; i++) b[at + i] = (byte) (v >>> (8 * i));
        }

        /** COMMIT: the stream's format from now on; a new stream starts with a new frame. */
        private void commit() {
            mode = modeOf(probe[2], probe[3]);
            long interval = (probe[4] & 0xffL) | (probe[5] & 0xffL) << 8 | (probe[6] & 0xffL) << 16 | (probe[7] & 0xffL) << 24;
            intervalNanos = interval * 100;
            restart = true; // the streamer starts a new frame
            pending.notifyAll();
        }

        // ---- the bulk endpoint ----

        private void stream() {
            try {
                while (open) {
                    Urb urb;
                    synchronized (pending) {
                        while (open && (pending.isEmpty() || mode == null || paused)) pending.wait(paused ? 20 : 200);
                        if (!open) return;
                        urb = pending.peek();
                    }
                    byte[] payload = nextPayload(Math.min(urb.length(), MAX_PAYLOAD));
                    // answered under the lock that CMD_UNLINK takes too: an unlinked request is never
                    // answered (vhci drops the whole connection on a RET_SUBMIT it does not know)
                    synchronized (pending) {
                        if (removeIdentical(urb)) retSubmit(urb.seq(), 0, payload, 0);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private boolean removeIdentical(Urb urb) {
            for (Iterator<Urb> it = pending.iterator(); it.hasNext(); ) {
                if (it.next() == urb) {
                    it.remove();
                    return true;
                }
            }
            return false;
        }

        /** The next payload of at most {@code room} bytes: a 12-byte header and the next piece of the frame. */
        private byte[] nextPayload(int room) throws InterruptedException {
            CameraSpec.Mode m;
            synchronized (pending) {
                m = mode;
            }
            if (restart) {
                restart = false;
                frame = null;
            }
            if (frame == null || offset >= frameLength) startFrame(m);
            int n = Math.min(room - HEADER, frameLength - offset);
            boolean end = offset + n >= frameLength;
            long now = System.nanoTime();
            long pts = now / 1000 * (UvcDescriptors.CLOCK_HZ / 1_000_000);
            byte[] p = new byte[HEADER + n];
            p[0] = HEADER;
            p[1] = (byte) (0x80 | 0x04 | 0x08 | fid | (end ? 0x02 : 0)); // EOH, PTS, SCR, FID, EOF
            putLe(p, 2, pts, 4);
            putLe(p, 6, pts, 4);
            putLe(p, 10, (now / 1_000_000) & 0x7ff, 2);
            System.arraycopy(frame, offset, p, HEADER, n);
            offset += n;
            if (end) {
                fid ^= 1;
                framesSent.incrementAndGet();
            }
            return p;
        }

        /** Paces to the frame rate, then makes the next frame (skipping one on {@link #dropNextFrame()}). */
        private void startFrame(CameraSpec.Mode m) throws InterruptedException {
            long now = System.nanoTime();
            if (nextFrameAt == 0 || now - nextFrameAt > intervalNanos) nextFrameAt = now;
            long wait = nextFrameAt - now;
            if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            nextFrameAt += intervalNanos;
            int number = frameNumber.getAndIncrement();
            if (dropNext) {
                dropNext = false;
                number = frameNumber.getAndIncrement();
            }
            if (m.encoding() == CameraSpec.Encoding.YUYV) {
                FramePattern.yuyv(yuyv, m.width(), m.height(), number);
                frame = yuyv;
                frameLength = m.frameBytes();
            } else {
                frame = FramePattern.mjpeg(m.width(), m.height(), number);
                frameLength = frame.length;
            }
            if (truncateNext) {
                truncateNext = false;
                frameLength /= 2;
            }
            offset = 0;
        }

        // ---- writing answers ----

        private void retSubmit(int seq, int status, byte[] data, int outLength) {
            int actual = data != null ? data.length : outLength;
            synchronized (writeLock) {
                writeBuffer.fill((byte) 0);
                var be = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
                writeBuffer.set(be, 0, 3);       // USBIP_RET_SUBMIT
                writeBuffer.set(be, 4, seq);
                writeBuffer.set(be, 20, status);
                writeBuffer.set(be, 24, actual);
                int n = 48;
                if (data != null && data.length > 0) {
                    MemorySegment.copy(data, 0, writeBuffer, ValueLayout.JAVA_BYTE, 48, data.length);
                    n += data.length;
                }
                writeFully(n);
            }
        }

        private void retUnlink(int seq, int status) {
            synchronized (writeLock) {
                writeBuffer.asSlice(0, 48).fill((byte) 0);
                var be = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
                writeBuffer.set(be, 0, 4);       // USBIP_RET_UNLINK
                writeBuffer.set(be, 4, seq);
                writeBuffer.set(be, 20, status);
                writeFully(48);
            }
        }

        private void writeFully(int n) {
            long done = 0;
            while (done < n) {
                long w = Libc.write(fd, writeBuffer.asSlice(done, n - done), n - done);
                if (w <= 0) {
                    open = false; // the host went away (unplugged)
                    return;
                }
                done += w;
            }
        }
    }

    /** A free high-speed port of vhci_hcd, from its status file. */
    private static int freePort() {
        try {
            for (String line : Files.readAllLines(VHCI.resolve("status"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 3 && f[0].equals("hs") && f[2].equals("004")) return Integer.parseInt(f[1]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("no vhci_hcd (modprobe vhci-hcd)", e);
        }
        throw new IllegalStateException("no free high-speed port on vhci_hcd");
    }

    private static int[] socketPair() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(ValueLayout.JAVA_INT, 2);
            if (Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, fds) < 0) {
                throw new IllegalStateException("socketpair failed: errno " + Libc.errno());
            }
            return new int[] {fds.get(ValueLayout.JAVA_INT, 0), fds.get(ValueLayout.JAVA_INT, 4)};
        }
    }
}
