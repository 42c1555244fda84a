package io.github.v4l2ffm.junit;

import io.github.v4l2ffm.junit.Request.VividSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether the modules loaded now give what a request asks for, judged by their parameters as
 * sysfs shows them ({@code /sys/module/<name>/parameters}).
 */
final class Present {
    private Present() {}

    /**
     * The outcome of matching a request against the running kernel.
     *
     * @param vividInstances for each of the request's vivid instances, the kernel's instance number
     * @param absent requested modules that are not loaded
     * @param mismatched requested modules that are loaded with other parameters, with why
     */
    record Match(int[] vividInstances, List<String> absent, Map<String, String> mismatched) {
        boolean ok() {
            return absent.isEmpty() && mismatched.isEmpty();
        }
    }

    static Match match(Request r) {
        List<String> absent = new ArrayList<>();
        Map<String, String> mismatched = new LinkedHashMap<>();
        int[] instances = new int[r.vivid().size()];
        for (String m : r.modules()) if (!Kernel.isLoaded(m)) absent.add(m);
        if (!r.vivid().isEmpty() && !absent.contains("vivid")) {
            List<VividSpec> loaded = vividInstances(Kernel.parameters("vivid"));
            boolean[] taken = new boolean[loaded.size()];
            for (int i = 0; i < r.vivid().size(); i++) {
                VividSpec want = r.vivid().get(i);
                int found = -1;
                for (int k = 0; k < loaded.size() && found < 0; k++) {
                    if (!taken[k] && loaded.get(k).satisfies(want)) found = k;
                }
                if (found < 0) {
                    mismatched.put("vivid", "no free instance is " + want + " (loaded: " + describe(loaded) + ")");
                    break;
                }
                taken[found] = true;
                instances[i] = found;
            }
        }
        if (r.vicodec() != null && !absent.contains("vicodec")) {
            String mp = Kernel.parameters("vicodec").getOrDefault("multiplanar", "N");
            Planes loaded = mp.equals("Y") || mp.equals("1") ? Planes.MULTI : Planes.SINGLE;
            if (loaded != r.vicodec()) {
                mismatched.put("vicodec", "it is loaded " + (loaded == Planes.MULTI ? "multi" : "single")
                        + "-planar (multiplanar=" + mp + ")");
            }
        }
        return new Match(instances, absent, mismatched);
    }

    /** The loaded vivid instances, from its n_devs, node_types, multiplanar and allocators parameters. */
    static List<VividSpec> vividInstances(Map<String, String> params) {
        int n = Integer.parseInt(params.getOrDefault("n_devs", "0"));
        List<Long> nodeTypes = Kernel.arrayParameter(params, "node_types");
        List<Long> multiplanar = Kernel.arrayParameter(params, "multiplanar");
        List<Long> allocators = Kernel.arrayParameter(params, "allocators");
        List<VividSpec> specs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // vivid's defaults where sysfs shows fewer values than instances
            int types = i < nodeTypes.size() ? nodeTypes.get(i).intValue() : 0xe1d3d;
            Planes planes = i < multiplanar.size() && multiplanar.get(i) == 2 ? Planes.MULTI : Planes.SINGLE;
            Allocator alloc = i < allocators.size() && allocators.get(i) == 1 ? Allocator.DMA_CONTIG : Allocator.VMALLOC;
            specs.add(new VividSpec(planes, types, alloc));
        }
        return specs;
    }

    private static String describe(List<VividSpec> loaded) {
        if (loaded.isEmpty()) return "no instance";
        List<String> s = new ArrayList<>();
        for (int i = 0; i < loaded.size(); i++) s.add("#" + i + " " + loaded.get(i));
        return String.join("; ", s);
    }
}
