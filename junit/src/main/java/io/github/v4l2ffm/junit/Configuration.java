package io.github.v4l2ffm.junit;

import io.github.v4l2ffm.junit.Request.VividSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One module configuration merged from the requests of several test classes: module parameters
 * are global to the kernel, so every class of a run must be served by the same load.
 *
 * <p>vivid instances are shared where two classes ask for the same instance and added where
 * they differ (a class asking for two single-planar instances and another asking for one
 * single- and one multi-planar instance give three instances). vim2m and vimc have nothing to
 * disagree on. vicodec's planar API is one setting for the module: a class asking for the other
 * one conflicts.
 */
final class Configuration {
    /** vivid's limit on instances (VIVID_MAX_DEVS). */
    static final int VIVID_MAX_INSTANCES = 64;

    private final List<VividSpec> vivid = new ArrayList<>();
    private final Set<String> vividBy = new LinkedHashSet<>();
    private boolean vim2m;
    private boolean vimc;
    private Planes vicodec;
    private String vicodecBy;

    /**
     * Adds a request to this configuration, unless it conflicts with what is there already.
     *
     * @return null when merged, else why not (naming the class it conflicts with); a request that
     *         conflicts changes nothing
     */
    String merge(Request r) {
        if (r.vicodec() != null && vicodec != null && r.vicodec() != vicodec) {
            return "vicodec is wanted " + planar(r.vicodec()) + " by " + r.source() + " but " + planar(vicodec)
                    + " by " + vicodecBy + ", and the module has one setting for the whole kernel (multiplanar="
                    + (vicodec == Planes.MULTI ? 1 : 0) + ")";
        }
        List<VividSpec> added = new ArrayList<>();
        Map<VividSpec, Integer> wanted = new LinkedHashMap<>();
        for (VividSpec s : r.vivid()) wanted.merge(s, 1, Integer::sum);
        for (var e : wanted.entrySet()) {
            long have = vivid.stream().filter(e.getKey()::equals).count();
            for (long i = have; i < e.getValue(); i++) added.add(e.getKey());
        }
        if (vivid.size() + added.size() > VIVID_MAX_INSTANCES) {
            return "vivid would need " + (vivid.size() + added.size()) + " instances for " + r.source() + " and "
                    + String.join(", ", vividBy) + ": the module allows " + VIVID_MAX_INSTANCES;
        }
        vivid.addAll(added);
        if (!r.vivid().isEmpty()) vividBy.add(r.source());
        vim2m |= r.vim2m();
        vimc |= r.vimc();
        if (r.vicodec() != null && vicodec == null) {
            vicodec = r.vicodec();
            vicodecBy = r.source();
        }
        return null;
    }

    /** The modules this configuration loads, in load order. */
    Set<String> modules() {
        return new Request("", vivid, vim2m, vicodec, vimc).modules();
    }

    /** The module's parameters for modprobe, such as {@code n_devs=2 node_types=0x1,0x1 multiplanar=1,2 allocators=0,0}. */
    String parameters(String module) {
        return switch (module) {
            case "vivid" -> vividParameters(vivid);
            case "vicodec" -> "multiplanar=" + (vicodec == Planes.MULTI ? 1 : 0);
            default -> "";
        };
    }

    /** vivid's parameters for these instances, as modprobe takes them and as this class reports loaded ones. */
    static String vividParameters(List<VividSpec> instances) {
        return "n_devs=" + instances.size()
                + " node_types=" + join(instances.stream().map(s -> "0x" + Integer.toHexString(s.nodeTypes())).toList())
                + " multiplanar=" + join(instances.stream().map(s -> s.planes() == Planes.MULTI ? "2" : "1").toList())
                + " allocators=" + join(instances.stream().map(s -> s.allocator() == Allocator.DMA_CONTIG ? "1" : "0").toList());
    }

    /** The shell commands that load this configuration by hand. */
    String modprobeCommands() {
        List<String> cmds = new ArrayList<>();
        for (String m : modules()) {
            String p = parameters(m);
            cmds.add("sudo modprobe " + m + (p.isEmpty() ? "" : " " + p));
        }
        return String.join(" && ", cmds);
    }

    private static String planar(Planes p) {
        return p == Planes.MULTI ? "multi-planar" : "single-planar";
    }

    private static String join(List<String> values) {
        return String.join(",", values);
    }
}
