package io.github.v4l2ffm.junit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What the running kernel says about its modules: /proc/modules, /sys/module, /lib/modules. */
final class Kernel {
    private Kernel() {}

    static final Path PROC_MODULES = Path.of("/proc/modules");

    /** Whether this kernel loads modules at all. */
    static boolean loadsModules() {
        return Files.isReadable(PROC_MODULES);
    }

    /** The kernel's release, as {@code uname -r} prints it. */
    static String release() {
        return read(Path.of("/proc/sys/kernel/osrelease")).strip();
    }

    /** The modules loaded now, newest first (the order of /proc/modules). */
    static Set<String> loadedModules() {
        Set<String> names = new LinkedHashSet<>();
        if (!loadsModules()) return names;
        for (String line : read(PROC_MODULES).split("\n")) {
            if (!line.isBlank()) names.add(line.substring(0, line.indexOf(' ')));
        }
        return names;
    }

    /** Whether the module is in the kernel: loaded, or built in (it then has /sys/module/NAME too). */
    static boolean isLoaded(String module) {
        return Files.isDirectory(Path.of("/sys/module", module));
    }

    /** The module's parameters that sysfs shows, by name, as the kernel prints them. */
    static Map<String, String> parameters(String module) {
        Map<String, String> params = new TreeMap<>();
        Path dir = Path.of("/sys/module", module, "parameters");
        if (!Files.isDirectory(dir)) return params;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                if (Files.isReadable(p)) {
                    try {
                        params.put(p.getFileName().toString(), Files.readString(p).strip());
                    } catch (IOException e) {
                        // a write-only or vanishing parameter: not shown
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return params;
    }

    /** An array parameter's values (comma-separated in sysfs), or empty if the module does not show it. */
    static List<Long> arrayParameter(Map<String, String> params, String name) {
        List<Long> values = new ArrayList<>();
        String v = params.get(name);
        if (v == null || v.isEmpty()) return values;
        for (String s : v.split(",")) values.add(Long.decode(s.strip()));
        return values;
    }

    /**
     * Whether this kernel's module tree has the module (as a loadable module or built in):
     * {@code /lib/modules/$(uname -r)/modules.dep} or {@code modules.builtin} names it.
     */
    static boolean moduleTreeHas(String module) {
        Path dir = Path.of("/lib/modules", release());
        for (String index : List.of("modules.dep", "modules.builtin")) {
            Path f = dir.resolve(index);
            if (!Files.isReadable(f)) continue;
            try (Stream<String> lines = Files.lines(f)) {
                if (lines.anyMatch(l -> {
                    int colon = l.indexOf(':');
                    String path = colon < 0 ? l : l.substring(0, colon);
                    String file = path.substring(path.lastIndexOf('/') + 1);
                    return file.equals(module + ".ko") || file.startsWith(module + ".ko.");
                })) return true;
            } catch (IOException | UncheckedIOException e) {
                // unreadable index: as if absent
            }
        }
        return false;
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }
}
