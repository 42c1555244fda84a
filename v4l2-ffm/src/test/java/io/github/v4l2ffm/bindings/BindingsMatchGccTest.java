package io.github.v4l2ffm.bindings;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.UnionLayout;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks the generated bindings against gcc: for every generated struct and union, its size and
 * every field's offset and size; for every generated integer constant (VIDIOC_* request codes,
 * V4L2_* flags and enums), its value. A C probe is generated from the Java layouts, compiled with
 * gcc against the same pinned headers, and its output compared; a mismatch names the field.
 */
class BindingsMatchGccTest {
    private static final Path HEADERS = Path.of(System.getProperty("v4l2ffm.headers", "src/main/c-headers"));

    /** What Java says: key ("S v4l2_buffer", "F v4l2_buffer.m.offset", "C VIDIOC_QBUF") to value. */
    private static final Map<String, Long> expected = new LinkedHashMap<>();
    private static final List<String> probes = new ArrayList<>();
    private static int structs, fields, constants;

    @BeforeAll
    static void collect() throws Exception {
        Path dir = Path.of(v4l2_capability.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("io/github/v4l2ffm/bindings");
        List<String> names;
        try (Stream<Path> s = Files.list(dir)) {
            names = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".class") && !n.contains("$"))
                    .map(n -> n.substring(0, n.length() - 6)).sorted().toList();
        }
        for (String name : names) {
            Class<?> c = Class.forName("io.github.v4l2ffm.bindings." + name);
            Method layout;
            try {
                layout = c.getDeclaredMethod("layout");
            } catch (NoSuchMethodException e) {
                continue; // the header class
            }
            GroupLayout g = (GroupLayout) layout.invoke(null);
            String type = (g instanceof UnionLayout ? "union " : "struct ") + name;
            add("S " + name, "sizeof(" + type + ")", g.byteSize());
            structs++;
            fieldsOf(name, type, g, "", 0);
        }
        for (Method m : Videodev2.class.getMethods()) {
            if (!Modifier.isStatic(m.getModifiers()) || m.getParameterCount() != 0) continue;
            if (!m.getName().matches("[A-Z][A-Z0-9_]*")) continue;
            m.setAccessible(true);
            Object v = m.invoke(null);
            long value;
            if (v instanceof Integer i) value = i;
            else if (v instanceof Long l) value = l;
            else continue; // strings and layouts
            String cexpr = v instanceof Integer ? "(long long)(int)(" + m.getName() + ")" : "(long long)(" + m.getName() + ")";
            add("C " + m.getName(), cexpr, value);
            constants++;
        }
    }

    private static void fieldsOf(String struct, String type, GroupLayout g, String prefix, long base) {
        for (MemoryLayout member : g.memberLayouts()) {
            if (member instanceof PaddingLayout || member.name().isEmpty()) continue;
            String name = member.name().get();
            long offset = base + g.byteOffset(MemoryLayout.PathElement.groupElement(name));
            if (name.startsWith("$anon$")) { // anonymous struct or union: its fields belong to the parent
                fieldsOf(struct, type, (GroupLayout) member, prefix, offset);
                continue;
            }
            String path = prefix + name;
            add("F " + struct + "." + path, "offsetof(" + type + ", " + path + ")", offset);
            boolean flexibleArray = member instanceof SequenceLayout seq && seq.elementCount() == 0;
            if (!flexibleArray) { // sizeof a flexible array member is not C
                add("Z " + struct + "." + path, "sizeof(((" + type + " *)0)->" + path + ")", member.byteSize());
            }
            fields++;
            if (member instanceof GroupLayout nested) {
                fieldsOf(struct, type, nested, path + ".", offset);
            }
        }
    }

    private static void add(String key, String cExpression, long value) {
        expected.put(key, value);
        probes.add("  printf(\"%s %lld\\n\", \"" + key + "\", (long long)(" + cExpression + "));");
    }

    @Test
    void layoutsAndConstantsMatchGcc(@TempDir Path tmp) throws IOException, InterruptedException {
        assertTrue(structs > 100 && fields > 1000 && constants > 1000,
                "too little found to check: " + structs + " structs, " + fields + " fields, " + constants + " constants");
        Path c = tmp.resolve("probe.c");
        List<String> src = new ArrayList<>(List.of("#include <stdio.h>", "#include <stddef.h>",
                "#include \"v4l2-ffm.h\"", "int main(void) {"));
        src.addAll(probes);
        src.add("  return 0;\n}");
        Files.write(c, src);
        Path exe = tmp.resolve("probe");
        run(tmp, "gcc", "-O0", "-w", "-I", HEADERS.toAbsolutePath().toString(), "-o", exe.toString(), c.toString());
        String out = run(tmp, exe.toString());

        Map<String, Long> actual = new TreeMap<>();
        for (String line : out.split("\n")) {
            int sp = line.lastIndexOf(' ');
            actual.put(line.substring(0, sp), Long.parseLong(line.substring(sp + 1)));
        }
        List<String> mismatches = new ArrayList<>();
        expected.forEach((key, javaValue) -> {
            Long gcc = actual.get(key);
            if (!javaValue.equals(gcc)) {
                mismatches.add(describe(key) + ": Java " + javaValue + ", gcc " + gcc);
            }
        });
        if (!mismatches.isEmpty()) {
            fail(mismatches.size() + " mismatches between the bindings and gcc:\n  " + String.join("\n  ", mismatches));
        }
        assertEquals(expected.size(), actual.size());
        System.out.printf("bindings match gcc: %d structs, %d fields, %d constants%n", structs, fields, constants);
    }

    @Test
    void requestCodesAreTheKernelsOnX8664() {
        // spot checks against values printed by the kernel's own _IOC macros on x86-64
        assertEquals(0x80685600L, Videodev2.VIDIOC_QUERYCAP());
        assertEquals(0xc058560fL, Videodev2.VIDIOC_QBUF());
        assertEquals(0xc0d05605L, Videodev2.VIDIOC_S_FMT());
    }

    private static String describe(String key) {
        return switch (key.charAt(0)) {
            case 'S' -> "sizeof(" + key.substring(2) + ")";
            case 'F' -> "offset of " + key.substring(2);
            case 'Z' -> "size of " + key.substring(2);
            default -> "value of " + key.substring(2);
        };
    }

    private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        assertEquals(0, rc, () -> String.join(" ", cmd) + " failed:\n" + out);
        return out;
    }
}
