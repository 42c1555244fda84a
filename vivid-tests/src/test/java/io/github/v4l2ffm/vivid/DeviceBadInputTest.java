package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Devices;
import io.github.v4l2ffm.V4l2Exception;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Planes;
import io.github.v4l2ffm.junit.Vicodec;
import io.github.v4l2ffm.junit.Vim2m;
import io.github.v4l2ffm.junit.Vimc;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Misuse and bad input on real device nodes: clear exceptions, no leaked descriptors. */
@WithV4l2Drivers(vivid = @Vivid)
class DeviceBadInputTest {

    @Test
    void useAfterCloseIsIllegalState(@Driver("vivid") DeviceInfo vivid) {
        LabDevices.assertNoFdLeak("open and close", () -> {
            V4l2Device dev = vivid.open();
            assertTrue(dev.isOpen());
            assertEquals("vivid", dev.capabilities().driver());
            dev.close();
            assertFalse(dev.isOpen());
            IllegalStateException e = assertThrows(IllegalStateException.class, dev::capabilities);
            assertTrue(e.getMessage().contains(vivid.path().toString()) && e.getMessage().contains("closed"), e.getMessage());
            assertThrows(IllegalStateException.class, dev::queryCapabilities);
            dev.close(); // idempotent
        });
    }

    @Test
    @WithV4l2Drivers(vivid = {@Vivid, @Vivid(planes = Planes.MULTI)}, vim2m = @Vim2m, vicodec = @Vicodec, vimc = @Vimc)
    void everyLabNodeOpensAndClosesWithoutLeaks() {
        var nodes = V4l2Devices.list();
        assertTrue(nodes.size() >= 9, "lab nodes: " + nodes);
        LabDevices.assertNoFdLeak("100 open/close cycles over every node", () -> {
            for (int i = 0; i < 100; i++) {
                DeviceInfo d = nodes.get(i % nodes.size());
                try (V4l2Device dev = d.open()) {
                    assertEquals(d.capabilities(), dev.queryCapabilities());
                }
            }
        });
    }

    @Test
    void nonV4l2NodesAreRefusedWithoutLeaks() {
        // a media controller node is a character device but not a V4L2 video node
        LabDevices.assertNoFdLeak("refused opens", () -> {
            V4l2Exception e = assertThrows(V4l2Exception.class, () -> V4l2Device.open("/dev/media0"));
            assertEquals("VIDIOC_QUERYCAP", e.operation());
            assertEquals("ENOTTY", e.errnoName());
            assertEquals("open", assertThrows(V4l2Exception.class, () -> V4l2Device.open("/dev/video99")).operation());
            assertEquals("EACCES", assertThrows(V4l2Exception.class, () -> V4l2Device.open("/proc/sys/kernel/version")).errnoName());
        });
    }

    @Test
    void closeWhileOtherThreadsQueryIsSafe(@Driver("vivid") DeviceInfo vivid) throws InterruptedException {
        long fdsBefore = LabDevices.openFds();
        for (int round = 0; round < 20; round++) {
            V4l2Device dev = vivid.open();
            AtomicInteger ok = new AtomicInteger(), closed = new AtomicInteger(), other = new AtomicInteger();
            CountDownLatch started = new CountDownLatch(2);
            Thread[] threads = new Thread[2];
            for (int t = 0; t < threads.length; t++) {
                threads[t] = Thread.ofPlatform().start(() -> {
                    started.countDown();
                    for (int i = 0; i < 2000; i++) {
                        try {
                            assertEquals("vivid", dev.queryCapabilities().driver());
                            ok.incrementAndGet();
                        } catch (IllegalStateException e) {
                            closed.incrementAndGet();
                            return;
                        } catch (Throwable e) {
                            other.incrementAndGet();
                            return;
                        }
                    }
                });
            }
            started.await();
            dev.close();
            for (Thread t : threads) t.join();
            assertEquals(0, other.get(), "only IllegalStateException may be seen after close");
        }
        assertEquals(fdsBefore, LabDevices.openFds(), "descriptors leaked");
    }
}
