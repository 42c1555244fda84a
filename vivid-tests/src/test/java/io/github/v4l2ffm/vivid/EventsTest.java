package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.Cid;
import io.github.v4l2ffm.V4l2Event;
import io.github.v4l2ffm.Events;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Exception;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Vim2m;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Control events: one file handle subscribes, another changes the control. */
@WithV4l2Drivers(vivid = @Vivid, vim2m = @Vim2m)
class EventsTest {

    @Test
    void controlChangeFromAnotherHandleArrivesWithTheNewValue(@Driver("vivid") V4l2Device watcher,
                                                               @Driver("vivid") V4l2Device changer) {
        try (Events.Subscription sub = watcher.events().subscribe(V4l2Event.Type.CTRL, Cid.BRIGHTNESS, Events.SEND_INITIAL)) {
            V4l2Event initial = watcher.events().await(5000);
            assertNotNull(initial, "SEND_INITIAL delivers the current state");
            assertEquals(Cid.BRIGHTNESS, initial.id());

            changer.controls().set(Cid.BRIGHTNESS, 77);
            V4l2Event e = watcher.events().await(5000);
            assertNotNull(e, "no event within 5 s");
            assertEquals(V4l2Event.Type.CTRL, e.type());
            assertEquals(Cid.BRIGHTNESS, e.id());
            V4l2Event.ControlChange change = assertInstanceOf(V4l2Event.ControlChange.class, e.payload());
            assertTrue(change.valueChanged());
            assertEquals(77, change.value());
            assertEquals(0, change.minimum());
            assertEquals(255, change.maximum());
            assertTrue(e.timestampNanos() > 0);
        }
        // unsubscribed: no more events
        changer.controls().set(Cid.BRIGHTNESS, 78);
        assertNull(watcher.events().await(300));
        changer.controls().set(Cid.BRIGHTNESS, 128);
    }

    @Test
    void framesAndEventsInOnePollLoop(@Driver("vivid") V4l2Device dev, @Driver("vivid") V4l2Device changer) {
        dev.captureQueue().setFormat(320, 180, PixelFormat.YUYV);
        try (Events.Subscription sub = dev.events().subscribe(V4l2Event.Type.CTRL, Cid.CONTRAST);
             BufferSet set = dev.captureQueue().allocate(3); Streaming s = set.start()) {
            int frames = 0;
            V4l2Event got = null;
            for (int i = 0; i < 200 && got == null; i++) {
                if (frames == 3) changer.controls().set(Cid.CONTRAST, 90);
                int ready = s.await(5000);
                assertTrue(ready != 0, "nothing within 5 s");
                if ((ready & Streaming.READY_BUFFER) != 0) {
                    s.queue(s.dequeue(0));
                    frames++;
                }
                if ((ready & Streaming.READY_EVENT) != 0) got = dev.events().poll().orElseThrow();
            }
            assertNotNull(got, "the event came through the same poll as the frames");
            assertTrue(frames >= 3);
            assertEquals(90, ((V4l2Event.ControlChange) got.payload()).value());
        } finally {
            changer.controls().set(Cid.CONTRAST, 128);
        }
    }

    @Test
    void subscribingToAnEventTheDeviceDoesNotSendFails(@Driver("vim2m") V4l2Device m2m) {
        V4l2Exception e = assertThrows(V4l2Exception.class, () -> m2m.events().subscribe(V4l2Event.Type.SOURCE_CHANGE, 0));
        assertEquals("VIDIOC_SUBSCRIBE_EVENT", e.operation());
    }
}
