package io.github.v4l2ffm.junit;

import org.junit.jupiter.api.extension.ExtensionConfigurationException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one test class (or method) asked for with {@link WithV4l2Drivers}.
 *
 * @param source the class or method that asked, for messages
 * @param vivid the vivid instances, in the annotation's order
 * @param vim2m whether vim2m is needed
 * @param vicodec vicodec's planar API, or null when vicodec is not needed
 * @param vimc whether vimc is needed
 */
record Request(String source, List<VividSpec> vivid, boolean vim2m, Planes vicodec, boolean vimc) {

    /** One vivid instance's parameters. */
    record VividSpec(Planes planes, int nodeTypes, Allocator allocator) {
        /** Whether an instance loaded with these parameters gives what {@code wanted} asks for. */
        boolean satisfies(VividSpec wanted) {
            return planes == wanted.planes && allocator == wanted.allocator
                    && (nodeTypes & wanted.nodeTypes) == wanted.nodeTypes;
        }

        @Override
        public String toString() {
            return (planes == Planes.SINGLE ? "single" : "multi") + "-planar, node_types=0x"
                    + Integer.toHexString(nodeTypes) + ", " + allocator.name().toLowerCase().replace('_', '-');
        }
    }

    static Request of(WithV4l2Drivers a, String source) {
        if (a.vim2m().length > 1 || a.vicodec().length > 1 || a.vimc().length > 1) {
            throw new ExtensionConfigurationException(source + ": @WithV4l2Drivers takes at most one vim2m, vicodec and vimc");
        }
        if (a.vivid().length == 0 && a.vim2m().length == 0 && a.vicodec().length == 0 && a.vimc().length == 0) {
            throw new ExtensionConfigurationException(source + ": @WithV4l2Drivers names no driver");
        }
        List<VividSpec> vivid = new ArrayList<>();
        for (Vivid v : a.vivid()) {
            if (v.nodes().length == 0) throw new ExtensionConfigurationException(source + ": @Vivid with no nodes");
            int bits = Arrays.stream(v.nodes()).mapToInt(VividNode::bits).reduce(0, (x, y) -> x | y);
            vivid.add(new VividSpec(v.planes(), bits, v.allocator()));
        }
        return new Request(source, List.copyOf(vivid), a.vim2m().length == 1,
                a.vicodec().length == 1 ? a.vicodec()[0].planes() : null, a.vimc().length == 1);
    }

    /** The modules this request needs, in load order. */
    Set<String> modules() {
        Set<String> m = new LinkedHashSet<>();
        if (!vivid.isEmpty()) m.add("vivid");
        if (vim2m) m.add("vim2m");
        if (vicodec != null) m.add("vicodec");
        if (vimc) m.add("vimc");
        return m;
    }

    /** The part of this request that concerns these modules only. */
    Request restrictedTo(Set<String> modules) {
        return new Request(source, modules.contains("vivid") ? vivid : List.of(), vim2m && modules.contains("vim2m"),
                modules.contains("vicodec") ? vicodec : null, vimc && modules.contains("vimc"));
    }
}
