package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.Buffer;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.EventConditions;
import org.junit.platform.testkit.engine.TestExecutionResultConditions;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** The JUnit 5 extension, as a user's test would use it: devices injected by driver name. */
@WithV4l2Drivers({"vivid", "vim2m"})
class ExtensionTest {

    @Test
    void capturesFromVividAndConvertsOnVim2m(@Driver(value = "vivid", planes = Driver.Planes.SINGLE) V4l2Device camera,
                                             @Driver("vim2m") DeviceInfo scaler) {
        assertEquals("vivid", camera.capabilities().driver());
        assertFalse(camera.capabilities().isMultiplanar());
        camera.captureQueue().setFormat(320, 180, PixelFormat.RGB24);
        byte[] frame;
        try (BufferSet set = camera.captureQueue().allocate(2); Streaming s = set.start()) {
            Buffer b = s.dequeue(10_000);
            assertNotNull(b);
            frame = b.segment(0).asSlice(0, b.bytesUsed(0)).toArray(ValueLayout.JAVA_BYTE);
        }
        try (V4l2Device m2m = scaler.open()) {
            m2m.outputQueue().setFormat(320, 180, PixelFormat.RGB24);
            m2m.captureQueue().setFormat(320, 180, PixelFormat.BGR24);
            try (BufferSet in = m2m.outputQueue().allocate(1); BufferSet out = m2m.captureQueue().allocate(1);
                 Streaming os = in.start(); Streaming cs = out.start()) {
                MemorySegment.copy(frame, 0, in.buffer(0).segment(0), ValueLayout.JAVA_BYTE, 0, frame.length);
                in.buffer(0).setBytesUsed(0, frame.length);
                os.queue(in.buffer(0));
                Buffer r = cs.dequeue(10_000);
                assertNotNull(r);
                MemorySegment bgr = r.segment(0);
                for (int i = 0; i < frame.length; i += 3) { // RGB to BGR: the first and third bytes swap
                    assertEquals(frame[i], bgr.get(ValueLayout.JAVA_BYTE, i + 2));
                    assertEquals(frame[i + 2], bgr.get(ValueLayout.JAVA_BYTE, i));
                }
            }
        }
        assertFalse(camera.captureQueue().buffers().isPresent());
    }

    /** A user's test class that needs a driver this machine does not have. */
    @WithV4l2Drivers("no_such_driver")
    static class NeedsAMissingDriver {
        @Test
        void runs() {
        }
    }

    @Test
    void aMissingDriverFailsWithWhatToDoNotASkip() {
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(NeedsAMissingDriver.class)).execute()
                .testEvents().assertStatistics(st -> st.failed(1).skipped(0).aborted(0).succeeded(0))
                .assertThatEvents().haveExactly(1, EventConditions.finishedWithFailure(
                        TestExecutionResultConditions.message(m -> m.contains("[no_such_driver]") && m.contains("modprobe no_such_driver"))));
    }
}
