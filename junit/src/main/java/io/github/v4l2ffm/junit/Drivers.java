package io.github.v4l2ffm.junit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Gets the drivers a request needs, by the strategies of {@link WithV4l2Drivers} in their
 * order, for the whole JVM: one container, one load per module.
 */
final class Drivers {
    private Drivers() {}

    /** Why a request cannot be served. */
    static final class Unavailable extends Exception {
        /** A conflict between test classes is an error in the tests, never a reason to skip. */
        final boolean conflict;

        Unavailable(String message, boolean conflict) {
            super(message, null, false, false);
            this.conflict = conflict;
        }
    }

    /**
     * A served request.
     *
     * @param vividInstances the kernel's vivid instance for each of the request's vivid instances
     */
    record Outcome(int[] vividInstances, DriverEnvironment environment) {}

    private static ContainerLoader loader;
    private static String containerFailure;
    /** Modules the container was asked to load, with their parameters. */
    private static final Map<String, String> containerLoads = new LinkedHashMap<>();
    /** Every module that came into the kernel with them (dependencies included). */
    private static final Set<String> containerBrought = new LinkedHashSet<>();
    private static boolean hookAdded;
    /** JUnit runs (root contexts) that use the container; the last one to end unloads. */
    private static int users;

    static synchronized Outcome ensure(Request r) throws Unavailable {
        Present.Match m = Present.match(r);
        if (m.ok()) return outcome(r, m);
        for (var e : m.mismatched().entrySet()) {
            String module = e.getKey();
            if (containerLoads.containsKey(module)) {
                mergedFor(r, Set.of(module)); // names the class it conflicts with, when the plan tells
                throw new Unavailable(r.source() + " needs " + module + " loaded otherwise than it was loaded for this run ("
                        + module + " " + containerLoads.get(module) + "): " + e.getValue() + ". Module parameters are global to"
                        + " the kernel, and a module is never reloaded under another test's open file: " + conflictAdvice(), true);
            }
            Configuration own = new Configuration();
            own.merge(r.restrictedTo(Set.of(module)));
            throw new Unavailable(module + " is loaded, but not as " + r.source() + " needs it: " + e.getValue()
                    + ". It was loaded outside this test run, so it is not reloaded here; reload it by hand: sudo modprobe -r "
                    + module + " && " + own.modprobeCommands(), false);
        }
        Set<String> absent = new LinkedHashSet<>(m.absent());
        Configuration config = mergedFor(r, absent);
        String reason = ContainerLoader.unavailableReason(absent);
        if (reason == null) reason = containerFailure;
        if (reason == null) {
            try {
                load(config);
            } catch (RuntimeException e) {
                containerFailure = "the container could not load them: " + e.getMessage();
                reason = containerFailure;
            }
        }
        if (reason == null) {
            m = Present.match(r);
            if (m.ok()) return outcome(r, m);
            reason = "after the container loaded them, this machine's kernel still lacks " + m.absent() + " "
                    + m.mismatched().values() + " (is the Docker engine on another machine?)";
        }
        String why = Character.toUpperCase(reason.charAt(0)) + reason.substring(1);
        throw new Unavailable(r.source() + " needs " + String.join(", ", absent) + ", not loaded here. " + why + ".\n"
                + (Kernel.loadsModules()
                ? "Load them by hand: " + config.modprobeCommands() + " && sudo chmod a+rw /dev/video* /dev/media*"
                + " (on Ubuntu the modules come with linux-modules-extra-$(uname -r)),\n"
                + "or let a Docker engine on this machine load them (see WithV4l2Drivers), "
                : "They load with: " + config.modprobeCommands() + ", on a kernel that can load modules;\n")
                + "or run the tests in v4l2-ffm's lab VM (vivid-tests/lab/lab.sh run -- <your test command>).", false);
    }

    /**
     * The configuration to load for these absent modules: every request of the test plan merged
     * in plan order, this one included (appended when the plan did not list it).
     */
    private static Configuration mergedFor(Request r, Set<String> absent) throws Unavailable {
        Configuration config = new Configuration();
        boolean seen = false;
        for (Request p : DriverPlan.requests()) {
            String conflict = config.merge(p.restrictedTo(absent));
            if (p.source().equals(r.source())) {
                seen = true;
                if (conflict != null) throw new Unavailable(conflict + ": " + conflictAdvice(), true);
            }
        }
        if (!seen) {
            String conflict = config.merge(r.restrictedTo(absent));
            if (conflict != null) throw new Unavailable(conflict + ": " + conflictAdvice(), true);
        }
        return config;
    }

    private static String conflictAdvice() {
        return "give the classes the same parameters, or run them in separate JVMs"
                + " (Maven Surefire: reuseForks=false, or separate executions)";
    }

    private static void load(Configuration config) {
        startLoader();
        Set<String> nodesBefore = nodeNames();
        for (String module : config.modules()) loadInContainer(module, config.parameters(module));
        long t1 = System.nanoTime();
        List<String> fresh = awaitNodes(nodesBefore);
        loader.chmod(fresh);
        List<String> closed = awaitAccess(fresh);
        if (!closed.isEmpty()) {
            throw new IllegalStateException("the new nodes " + closed + " stay unreadable or unwritable for "
                    + System.getProperty("user.name") + " after the container's chmod 0666 (does a udev rule reset their mode?)");
        }
        System.out.printf("[v4l2-ffm-junit] loaded %s in %.1f s: %d new nodes, made readable and writable: %s%n",
                String.join(", ", config.modules()), (System.nanoTime() - t1) / 1e9, fresh.size(), String.join(" ", fresh));
    }

    private static void loadInContainer(String module, String parameters) {
        Set<String> before = Kernel.loadedModules();
        loader.load(module, parameters);
        containerLoads.put(module, parameters);
        for (String now : Kernel.loadedModules()) if (!before.contains(now)) containerBrought.add(now);
    }

    /**
     * The container, with {@code vhci-hcd} and {@code uvcvideo} loaded, for software cameras
     * ({@link ContainerAttacher}); unloaded with the rest when the JVM ends.
     */
    static synchronized ContainerLoader usbIpContainer() {
        String reason = ContainerLoader.unavailableReason(Set.of("vhci-hcd", "uvcvideo"));
        if (reason == null) reason = containerFailure;
        if (reason != null) throw new IllegalStateException(reason);
        startLoader();
        if (!Kernel.isLoaded("vhci_hcd")) loadInContainer("vhci-hcd", "");
        if (!Kernel.isLoaded("uvcvideo")) loadInContainer("uvcvideo", "nodrop=1");
        return loader;
    }

    private static void startLoader() {
        long t0 = System.nanoTime();
        if (loader == null) {
            loader = ContainerLoader.start();
            System.out.printf("[v4l2-ffm-junit] module-loader container %s started in %.1f s (image %s %s)%n",
                    loader.containerId(), (System.nanoTime() - t0) / 1e9, loader.image(),
                    loader.builtImage() ? "built" : "reused");
            if (!hookAdded) {
                hookAdded = true;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        shutdown();
                    } catch (RuntimeException e) {
                        System.err.println("[v4l2-ffm-junit] " + e.getMessage());
                    }
                }, "v4l2-ffm-module-unload"));
            }
        }
    }

    /** Waits until no new node has appeared for half a second (vimc registers its nodes late). */
    private static List<String> awaitNodes(Set<String> before) {
        long deadline = System.nanoTime() + 15_000_000_000L;
        Set<String> last = Set.of();
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Set<String> fresh = new TreeSet<>(nodeNames());
            fresh.removeAll(before);
            fresh.removeIf(n -> !Files.exists(Path.of("/dev", n)));
            if (!fresh.equals(last)) {
                last = fresh;
                stableSince = System.nanoTime();
            } else if (!fresh.isEmpty() && System.nanoTime() - stableSince > 500_000_000L) {
                break;
            }
            sleep(50);
        }
        return new ArrayList<>(last);
    }

    /**
     * udev may apply its own modes after the chmod: checks, and chmods again, for up to 3 s.
     *
     * @return the nodes that are still not readable and writable
     */
    private static List<String> awaitAccess(List<String> nodes) {
        List<String> closed = nodes;
        for (int i = 0; i < 30; i++) {
            closed = closed.stream()
                    .filter(n -> !(Files.isReadable(Path.of("/dev", n)) && Files.isWritable(Path.of("/dev", n)))).toList();
            if (closed.isEmpty()) break;
            if (i % 5 == 4) loader.chmod(closed);
            sleep(100);
        }
        return closed;
    }

    /** The V4L2 and media controller nodes the kernel has now, by /dev name. */
    static Set<String> nodeNames() {
        Set<String> names = new TreeSet<>();
        for (String dir : List.of("/sys/class/video4linux", "/sys/bus/media/devices")) {
            try (Stream<Path> s = Files.list(Path.of(dir))) {
                s.forEach(p -> names.add(p.getFileName().toString()));
            } catch (IOException e) {
                // no such class yet: no nodes
            }
        }
        return names;
    }

    private static Outcome outcome(Request r, Present.Match m) {
        Map<String, String> modules = new LinkedHashMap<>();
        for (String mod : r.modules()) modules.put(mod, loadedParameters(mod));
        boolean byContainer = r.modules().stream().anyMatch(containerLoads::containsKey);
        String detail;
        if (byContainer) {
            List<String> cmds = new ArrayList<>();
            for (String mod : r.modules()) {
                cmds.add(containerLoads.containsKey(mod) ? "modprobe " + mod + " " + containerLoads.get(mod)
                        : mod + " (loaded already)");
            }
            detail = String.join(", ", r.modules()) + ": loaded by a privileged container (image " + loader.image()
                    + ", container " + loader.containerId() + "): " + String.join("; ", cmds).strip()
                    + "; unloaded at the end of the run";
        } else {
            List<String> ps = new ArrayList<>();
            for (var e : modules.entrySet()) ps.add(e.getKey() + (e.getValue().isEmpty() ? "" : " " + e.getValue()));
            detail = String.join(", ", r.modules()) + ": loaded already (" + String.join("; ", ps) + ")";
        }
        return new Outcome(m.vividInstances(),
                new DriverEnvironment(byContainer ? Strategy.CONTAINER : Strategy.PRESENT, Map.copyOf(modules), detail));
    }

    /** The parameters a request depends on, as the kernel reports them now. */
    private static String loadedParameters(String module) {
        Map<String, String> p = Kernel.parameters(module);
        return switch (module) {
            case "vivid" -> Configuration.vividParameters(Present.vividInstances(p));
            case "vicodec" -> "multiplanar=" + p.getOrDefault("multiplanar", "?");
            default -> "";
        };
    }

    /**
     * Called when a JUnit run starts to use the container's modules. A run may start another
     * inside it (JUnit's EngineTestKit): the modules are unloaded when the outermost one ends.
     */
    static synchronized void retain() {
        users++;
    }

    /** Called when a run that {@link #retain() retained} the modules ends. */
    static synchronized void release() {
        if (--users == 0) shutdown();
    }

    /** Unloads what the container loaded and removes it; checks the modules are gone. */
    static synchronized void shutdown() {
        if (loader == null) return;
        ContainerLoader l = loader;
        loader = null;
        String report = l.unloadAndRemove();
        Set<String> still = new LinkedHashSet<>(containerBrought);
        still.retainAll(Kernel.loadedModules());
        List<String> requestedStill = still.stream().filter(containerLoads::containsKey).toList();
        if (!requestedStill.isEmpty()) {
            throw new IllegalStateException("modules loaded by the container are still loaded after unloading: " + requestedStill);
        }
        Set<String> unloaded = new LinkedHashSet<>(containerBrought);
        unloaded.removeAll(still);
        System.out.println("[v4l2-ffm-junit] unloaded " + String.join(", ", unloaded)
                + " (loaded by the container for this run); container " + l.containerId() + " removed"
                + (still.isEmpty() ? "" : "; " + report.replace('\n', ';')));
        containerLoads.clear();
        containerBrought.clear();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
