package io.github.v4l2ffm.vivid.container;

import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.DriverEnvironment;
import io.github.v4l2ffm.junit.Planes;
import io.github.v4l2ffm.junit.Strategy;
import io.github.v4l2ffm.junit.Vicodec;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.EventConditions;
import org.junit.platform.testkit.engine.TestExecutionResultConditions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** Module parameters merged across classes, and a request that cannot be merged. */
@WithV4l2Drivers(vivid = {@Vivid, @Vivid(planes = Planes.MULTI)}, vicodec = @Vicodec(planes = Planes.MULTI))
class ContainerMultiplanarTest {

    @Test
    void instancesAndPlanesAreWhatWasAskedFor(@Driver("vivid") DeviceInfo single,
                                              @Driver(value = "vivid", instance = 1) DeviceInfo multi,
                                              @Driver(value = "vicodec", name = "stateful-encoder") DeviceInfo encoder,
                                              DriverEnvironment env) {
        assertEquals(Strategy.CONTAINER, env.strategy(), env.detail());
        assertEquals("multiplanar=Y", env.modules().get("vicodec"));
        assertEquals("platform:vivid-000", single.capabilities().busInfo());
        assertFalse(single.capabilities().isMultiplanar());
        assertEquals("platform:vivid-001", multi.capabilities().busInfo());
        assertTrue(multi.capabilities().isMultiplanar());
        assertTrue(encoder.capabilities().isMultiplanar(), "vicodec was loaded with multiplanar=1");
    }

    /** A class that wants vicodec single-planar while this run loaded it multi-planar. */
    @WithV4l2Drivers(vicodec = @Vicodec(planes = Planes.SINGLE))
    static class WantsSinglePlanarVicodec {
        @Test
        void runs() {
        }
    }

    @Test
    void aConflictingRequestFailsAndNamesTheOtherClass(DriverEnvironment env) {
        assertEquals(Strategy.CONTAINER, env.strategy());
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(WantsSinglePlanarVicodec.class)).execute()
                .testEvents().assertStatistics(st -> st.failed(1).aborted(0).succeeded(0))
                .assertThatEvents().haveExactly(1, EventConditions.finishedWithFailure(TestExecutionResultConditions.message(m ->
                        m.contains("vicodec is wanted single-planar by " + WantsSinglePlanarVicodec.class.getName())
                                && m.contains("multi-planar by " + ContainerMultiplanarTest.class.getName())
                                && m.contains("separate JVMs"))));
    }
}
