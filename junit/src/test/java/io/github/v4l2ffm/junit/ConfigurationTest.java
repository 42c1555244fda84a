package io.github.v4l2ffm.junit;

import io.github.v4l2ffm.junit.Request.VividSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Merging the module parameters of several test classes into one load per module. */
class ConfigurationTest {
    private static final VividSpec SINGLE = new VividSpec(Planes.SINGLE, 0x1, Allocator.VMALLOC);
    private static final VividSpec MULTI = new VividSpec(Planes.MULTI, 0x1, Allocator.VMALLOC);
    private static final VividSpec OUTPUT = new VividSpec(Planes.SINGLE, 0x101, Allocator.DMA_CONTIG);

    private static Request vivid(String source, VividSpec... specs) {
        return new Request(source, List.of(specs), false, null, false);
    }

    @Test
    void vividInstancesAreSharedWhereEqualAndAddedWhereNot() {
        Configuration c = new Configuration();
        assertNull(c.merge(vivid("A", SINGLE)));
        assertNull(c.merge(vivid("B", SINGLE, MULTI)));
        assertNull(c.merge(vivid("C", SINGLE, SINGLE, OUTPUT)));
        assertEquals("n_devs=4 node_types=0x1,0x1,0x1,0x101 multiplanar=1,2,1,1 allocators=0,0,0,1", c.parameters("vivid"));
        assertEquals(Set.of("vivid"), c.modules());
    }

    @Test
    void vicodecPlanesConflictAndTheMessageNamesBothClasses() {
        Configuration c = new Configuration();
        assertNull(c.merge(new Request("com.example.EncoderTest", List.of(), false, Planes.MULTI, false)));
        String conflict = c.merge(new Request("com.example.DecoderTest", List.of(SINGLE), true, Planes.SINGLE, false));
        assertTrue(conflict.contains("com.example.DecoderTest") && conflict.contains("com.example.EncoderTest")
                && conflict.contains("multiplanar=1"), conflict);
        // a conflicting request changes nothing
        assertEquals(Set.of("vicodec"), c.modules());
        assertEquals("multiplanar=1", c.parameters("vicodec"));
    }

    @Test
    void vividHasAtMost64Instances() {
        Configuration c = new Configuration();
        VividSpec[] many = new VividSpec[64];
        java.util.Arrays.fill(many, SINGLE);
        assertNull(c.merge(vivid("A", many)));
        String conflict = c.merge(vivid("B", MULTI));
        assertTrue(conflict.contains("65 instances") && conflict.contains("A"), conflict);
    }

    @Test
    void modprobeCommandsLoadInOrder() {
        Configuration c = new Configuration();
        assertNull(c.merge(new Request("A", List.of(MULTI), true, Planes.SINGLE, true)));
        assertEquals("sudo modprobe vivid n_devs=1 node_types=0x1 multiplanar=2 allocators=0 && sudo modprobe vim2m"
                + " && sudo modprobe vicodec multiplanar=0 && sudo modprobe vimc", c.modprobeCommands());
    }

    @Test
    void loadedVividInstancesAreReadFromSysfsParameters() {
        // what /sys/module/vivid/parameters shows after modprobe vivid n_devs=2 node_types=0x1,0x101 multiplanar=1,2
        Map<String, String> sysfs = Map.of("n_devs", "2", "node_types", "1,257,925021", "multiplanar", "1,2,1",
                "allocators", "0,0,0");
        List<VividSpec> loaded = Present.vividInstances(sysfs);
        assertEquals(List.of(SINGLE, new VividSpec(Planes.MULTI, 0x101, Allocator.VMALLOC)), loaded);
        assertTrue(loaded.get(1).satisfies(MULTI));
        assertTrue(!loaded.get(0).satisfies(MULTI));
    }
}
