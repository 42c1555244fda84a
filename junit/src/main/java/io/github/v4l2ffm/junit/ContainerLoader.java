package io.github.v4l2ffm.junit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import org.testcontainers.dockerclient.DockerClientProviderStrategy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Loads kernel modules from a privileged Docker container: the {@link Strategy#CONTAINER}
 * strategy.
 *
 * <p>The Docker engine is found as Testcontainers finds it ({@code DOCKER_HOST}, Docker
 * contexts, {@code ~/.testcontainers.properties}, the usual sockets). The image is built here,
 * from a Dockerfile {@code FROM scratch} holding a static busybox (this machine's, or the
 * {@code busybox-static} package's) and {@code loader.sh}; it is tagged with a hash of both and
 * reused by later runs, so no registry is needed. The container shares the host's PID namespace
 * and watches the test JVM: if the JVM dies without unloading, the container unloads. Because of
 * that, and because Testcontainers' own reaper container would leave the modules loaded (and
 * needs a registry), the container is removed by this class, not by the reaper.
 */
final class ContainerLoader implements AutoCloseable {
    static final String LABEL = "io.github.v4l2ffm.module-loader";
    private static final String IMAGE = "v4l2-ffm-module-loader";

    private final DockerClient docker;
    private final String containerId;
    private final Image image;

    /** The loader image: its tag, and whether this run built it (else an earlier run's is reused). */
    private record Image(String tag, boolean built) {}

    private ContainerLoader(DockerClient docker, String containerId, Image image) {
        this.docker = docker;
        this.containerId = containerId;
        this.image = image;
    }

    /** Why this strategy cannot load these modules here, or null if it can try. */
    static String unavailableReason(Set<String> modules) {
        if ("false".equals(System.getProperty("v4l2.drivers.container"))) {
            return "the container strategy is turned off (-Dv4l2.drivers.container=false)";
        }
        if (!Kernel.loadsModules()) return "this kernel cannot load modules (it has no /proc/modules)";
        List<String> missing = modules.stream().filter(m -> !Kernel.moduleTreeHas(m)).toList();
        if (!missing.isEmpty()) {
            return "/lib/modules/" + Kernel.release() + " has no " + String.join(", ", missing)
                    + " module (on Ubuntu: sudo apt-get install linux-modules-extra-" + Kernel.release() + ")";
        }
        return null;
    }

    /** Connects to Docker, builds the image if it is not there yet, and starts the container. */
    static ContainerLoader start() {
        DockerClient docker;
        try {
            List<DockerClientProviderStrategy> strategies = new ArrayList<>();
            ServiceLoader.load(DockerClientProviderStrategy.class, ContainerLoader.class.getClassLoader())
                    .forEach(strategies::add);
            docker = DockerClientProviderStrategy.getFirstValidStrategy(strategies).getDockerClient();
        } catch (RuntimeException e) {
            throw new IllegalStateException("no Docker engine is reachable (" + e.getMessage() + ")", e);
        }
        Image image = image(docker);
        ProcessHandle self = ProcessHandle.current();
        HostConfig host = HostConfig.newHostConfig()
                .withPrivileged(true)
                .withPidMode("host")
                .withNetworkMode("host") // a software camera's USB/IP port is on the test JVM's loopback
                .withAutoRemove(true)
                .withBinds(new Bind("/lib/modules", new Volume("/lib/modules"), AccessMode.ro),
                        new Bind("/dev", new Volume("/hostdev")));
        String id = docker.createContainerCmd(image.tag())
                .withName("v4l2-ffm-module-loader-" + self.pid() + "-" + Math.floorMod(System.nanoTime(), 100_000))
                .withLabels(Map.of(LABEL, "true"))
                .withHostConfig(host)
                .withCmd("watch", Long.toString(self.pid()), startTime())
                .exec().getId();
        docker.startContainerCmd(id).exec();
        return new ContainerLoader(docker, id, image);
    }

    String image() {
        return image.tag();
    }

    /** Whether this run built the image (else an earlier run's image was reused). */
    boolean builtImage() {
        return image.built();
    }

    String containerId() {
        return containerId.substring(0, 12);
    }

    /** {@code modprobe module params...} in the container. */
    void load(String module, String parameters) {
        List<String> cmd = new ArrayList<>(List.of("/bin/busybox", "sh", "/loader.sh", "load", module));
        if (!parameters.isBlank()) cmd.addAll(List.of(parameters.strip().split("\\s+")));
        exec(cmd, "modprobe " + module + " " + parameters);
    }

    /** Makes these /dev nodes (names relative to /dev) readable and writable by every user. */
    void chmod(List<String> nodes) {
        if (nodes.isEmpty()) return;
        List<String> cmd = new ArrayList<>(List.of("/bin/busybox", "sh", "/loader.sh", "chmod"));
        cmd.addAll(nodes);
        exec(cmd, "chmod of " + nodes);
    }

    /**
     * Connects to the test JVM's {@code 127.0.0.1:tcpPort} and hands that socket to
     * {@code vhci_hcd}'s port {@code vhciPort}, as {@code usbip attach} does: a software camera
     * is plugged in.
     */
    void attach(int vhciPort, int tcpPort, int devid) {
        exec(List.of("/bin/busybox", "sh", "/loader.sh", "attach", Integer.toString(vhciPort), Integer.toString(tcpPort),
                Integer.toString(devid)), "attach of vhci port " + vhciPort + " to 127.0.0.1:" + tcpPort);
    }

    /**
     * Unloads the modules this container loaded, then removes the container.
     *
     * @return what the loader printed: a "left:" line for each dependency the kernel keeps
     *         referenced although no module uses it
     */
    String unloadAndRemove() {
        try {
            return exec(List.of("/bin/busybox", "sh", "/loader.sh", "unload"), "unloading the modules");
        } finally {
            try {
                docker.removeContainerCmd(containerId).withForce(true).exec();
            } catch (NotFoundException e) {
                // removed already (auto-remove)
            }
        }
    }

    /** Removes the container, unloading first. */
    @Override
    public void close() {
        unloadAndRemove();
    }

    private String exec(List<String> cmd, String what) {
        String execId = docker.execCreateCmd(containerId).withCmd(cmd.toArray(String[]::new))
                .withAttachStdout(true).withAttachStderr(true).exec().getId();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            boolean done = docker.execStartCmd(execId).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    out.writeBytes(frame.getPayload());
                }
            }).awaitCompletion(120, TimeUnit.SECONDS);
            if (!done) throw new IllegalStateException(what + " in the module-loader container did not finish in 120 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " was interrupted", e);
        }
        Long code = docker.inspectExecCmd(execId).exec().getExitCodeLong();
        String output = out.toString(StandardCharsets.UTF_8).strip();
        if (code == null || code != 0) {
            throw new IllegalStateException(what + " failed in the module-loader container (exit " + code + ")"
                    + (output.isEmpty() ? "" : ": " + output));
        }
        return output;
    }

    /** The loader image, built from busybox and loader.sh unless an image of the same content is there. */
    private static Image image(DockerClient docker) {
        try {
            byte[] busybox = Files.readAllBytes(Busybox.find());
            byte[] loader = resource("loader.sh");
            byte[] dockerfile = resource("Dockerfile");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(busybox);
            sha.update(loader);
            sha.update(dockerfile);
            String tag = IMAGE + ":" + HexFormat.of().formatHex(sha.digest()).substring(0, 16);
            try {
                docker.inspectImageCmd(tag).exec();
                return new Image(tag, false);
            } catch (NotFoundException e) {
                // not built yet
            }
            Path dir = Files.createTempDirectory("v4l2-ffm-loader");
            try {
                Files.write(dir.resolve("busybox"), busybox);
                Files.write(dir.resolve("loader.sh"), loader);
                Files.write(dir.resolve("Dockerfile"), dockerfile);
                dir.resolve("busybox").toFile().setExecutable(true, false);
                docker.buildImageCmd(dir.toFile()).withTags(Set.of(tag)).withPull(false)
                        .exec(new BuildImageResultCallback()).awaitImageId(300, TimeUnit.SECONDS);
            } finally {
                for (String f : List.of("busybox", "loader.sh", "Dockerfile")) Files.deleteIfExists(dir.resolve(f));
                Files.deleteIfExists(dir);
            }
            return new Image(tag, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the module-loader image", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ContainerLoader.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("resource " + name + " is missing");
            return in.readAllBytes();
        }
    }

    /** Field 22 of /proc/self/stat: when this process started, in clock ticks after boot. */
    private static String startTime() {
        String stat = Kernel.read(Path.of("/proc/self/stat"));
        String[] rest = stat.substring(stat.lastIndexOf(") ") + 2).split(" ");
        return rest[19];
    }

    /** Finding a statically linked busybox for the image. */
    static final class Busybox {
        private Busybox() {}

        /**
         * The {@code v4l2.drivers.busybox} system property, else this machine's busybox if it is
         * static, else the one in Debian's or Ubuntu's {@code busybox-static} package, fetched
         * with {@code apt-get download} (no root needed) into a cache directory.
         */
        static Path find() throws IOException {
            String configured = System.getProperty("v4l2.drivers.busybox");
            if (configured != null) {
                Path p = Path.of(configured);
                if (!isStatic(p)) throw new IOException(p + " (v4l2.drivers.busybox) is not a statically linked x86-64 or arm64 program");
                return p;
            }
            for (String c : List.of("/bin/busybox", "/usr/bin/busybox", "/usr/local/bin/busybox")) {
                Path p = Path.of(c);
                if (Files.isRegularFile(p) && isStatic(p)) return p;
            }
            Path cache = Path.of(System.getProperty("user.home"), ".cache", "v4l2-ffm", "busybox-static");
            Path bin = cache.resolve("bin/busybox");
            if (Files.isRegularFile(bin) && isStatic(bin)) return bin;
            Files.createDirectories(cache);
            run(cache, "apt-get", "download", "busybox-static");
            try (var debs = Files.list(cache)) {
                Path deb = debs.filter(f -> f.getFileName().toString().endsWith(".deb")).findFirst()
                        .orElseThrow(() -> new IOException("apt-get download busybox-static gave no package"));
                Path root = cache.resolve("root");
                run(cache, "dpkg-deb", "-x", deb.toString(), root.toString());
                for (String c : List.of("bin/busybox", "usr/bin/busybox")) {
                    if (Files.isRegularFile(root.resolve(c))) {
                        Files.createDirectories(bin.getParent());
                        Files.copy(root.resolve(c), bin, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        return bin;
                    }
                }
            }
            throw new IOException("the busybox-static package holds no busybox");
        }

        /** Whether an ELF file has no program interpreter (no PT_INTERP): a static program. */
        static boolean isStatic(Path p) throws IOException {
            byte[] b = Files.readAllBytes(p);
            if (b.length < 64 || b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F' || b[4] != 2) return false;
            ByteBuffer bb = ByteBuffer.wrap(b).order(b[5] == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
            long phoff = bb.getLong(0x20);
            int phentsize = Short.toUnsignedInt(bb.getShort(0x36));
            int phnum = Short.toUnsignedInt(bb.getShort(0x38));
            for (int i = 0; i < phnum; i++) {
                long at = phoff + (long) i * phentsize;
                if (at + 4 > b.length) return false;
                if (bb.getInt((int) at) == 3) return false; // PT_INTERP
            }
            return true;
        }

        private static void run(Path dir, String... cmd) throws IOException {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                if (p.waitFor() != 0) {
                    throw new IOException(String.join(" ", cmd) + " failed: " + out.strip()
                            + " (install a static busybox, or set -Dv4l2.drivers.busybox=PATH)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }
}
