package io.github.v4l2ffm;

import io.github.v4l2ffm.bindings.timespec;
import io.github.v4l2ffm.bindings.v4l2_event;
import io.github.v4l2ffm.bindings.v4l2_event_ctrl;
import io.github.v4l2ffm.bindings.v4l2_event_frame_sync;
import io.github.v4l2ffm.bindings.v4l2_event_src_change;
import io.github.v4l2ffm.bindings.v4l2_event_subscription;
import io.github.v4l2ffm.bindings.v4l2_event_vsync;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errno;
import io.github.v4l2ffm.internal.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static io.github.v4l2ffm.bindings.Videodev2.*;

/**
 * V4l2Event subscription and delivery for a device ({@code VIDIOC_SUBSCRIBE_EVENT},
 * {@code VIDIOC_DQEVENT}). Events are per open file: subscribe on the handle that will dequeue.
 *
 * <pre>{@code
 * try (var sub = device.events().subscribe(V4l2Event.Type.CTRL, Cid.BRIGHTNESS)) {
 *     V4l2Event e = device.events().await(1000);   // or Streaming.await for frames and events together
 * }
 * }</pre>
 */
public final class Events {
    /** Send the current state at once when subscribing ({@code V4L2_EVENT_SUB_FL_SEND_INITIAL}). */
    public static final int SEND_INITIAL = 1;
    /** Also report changes made through this file handle ({@code V4L2_EVENT_SUB_FL_ALLOW_FEEDBACK}). */
    public static final int ALLOW_FEEDBACK = 2;

    private final DeviceFd fd;

    Events(DeviceFd fd) {
        this.fd = fd;
    }

    /** A subscription; closing it unsubscribes. */
    public final class Subscription implements AutoCloseable {
        private final V4l2Event.Type type;
        private final int id;
        private boolean closed;

        private Subscription(V4l2Event.Type type, int id) {
            this.type = type;
            this.id = id;
        }

        /**
         * Unsubscribes ({@code VIDIOC_UNSUBSCRIBE_EVENT}); nothing to do if the device is closed
         * or gone (the subscription ends with the file handle). Idempotent.
         */
        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            if (!fd.isUsable()) return;
            try {
                subscription("VIDIOC_UNSUBSCRIBE_EVENT", VIDIOC_UNSUBSCRIBE_EVENT(), type, id, 0);
            } catch (DeviceGoneException | IllegalStateException e) {
                // unplugged or closed meanwhile: nothing left to unsubscribe from
            }
        }

        @Override
        public String toString() {
            return "subscription to " + type + (id != 0 ? " " + id : "") + " on " + fd.path();
        }
    }

    /** Subscribes to events of {@code type} for object {@code id} (a control ID for {@link V4l2Event.Type#CTRL}, else 0). */
    public Subscription subscribe(V4l2Event.Type type, int id) {
        return subscribe(type, id, 0);
    }

    /** Subscribes with flags {@link #SEND_INITIAL} and/or {@link #ALLOW_FEEDBACK}. */
    public Subscription subscribe(V4l2Event.Type type, int id, int flags) {
        subscription("VIDIOC_SUBSCRIBE_EVENT", VIDIOC_SUBSCRIBE_EVENT(), type, id, flags);
        return new Subscription(type, id);
    }

    private void subscription(String name, long request, V4l2Event.Type type, int id, int flags) {
        if (type == V4l2Event.Type.OTHER) throw new IllegalArgumentException("subscribe to a named event type");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(v4l2_event_subscription.layout());
            v4l2_event_subscription.type(s, type.code());
            v4l2_event_subscription.id(s, id);
            v4l2_event_subscription.flags(s, flags);
            int r = fd.tryIoctl(request, s);
            if (r < 0) {
                throw fd.failure(name, -r, -r == Errno.EINVAL ? "the device does not send " + type + " events" + (id != 0 ? " for " + id : "") : null);
            }
        }
    }

    /** The next pending event, without waiting. */
    public Optional<V4l2Event> poll() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment e = arena.allocate(v4l2_event.layout());
            int r = fd.tryIoctl(VIDIOC_DQEVENT(), e);
            if (r == -Errno.ENOENT) return Optional.empty();
            if (r < 0) throw fd.failure("VIDIOC_DQEVENT", -r);
            return Optional.of(decode(e));
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for an event.
     *
     * @param timeoutMillis 0 to not wait, up to {@link Streaming#FOREVER}
     * @return the event; {@code null} only if the time ran out
     * @throws IllegalStateException if the device is closed, also by another thread while waiting
     * @throws DeviceGoneException if the device was unplugged, also while waiting
     * @throws IllegalArgumentException if the timeout is negative
     */
    public V4l2Event await(long timeoutMillis) {
        long deadline = Streaming.deadline(timeoutMillis);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pfds = arena.allocate(Libc.POLLFD, 2);
            while (true) {
                Optional<V4l2Event> e = poll();
                if (e.isPresent()) return e.get();
                int left = Streaming.remaining(deadline);
                if (left == 0) return null;
                int revents = fd.poll(pfds, Libc.POLLPRI, -1, left);
                if ((revents & (Libc.POLLERR | Libc.POLLHUP | Libc.POLLNVAL)) != 0 && (revents & Libc.POLLPRI) == 0) {
                    // an unregistered device reports errors; DQEVENT (above) or QUERYCAP says ENODEV
                    if (poll().orElse(null) instanceof V4l2Event ev) return ev;
                    V4l2Device.queryCapabilities(fd);
                    throw new IllegalStateException("poll reports an error on " + fd.path() + " (revents 0x"
                            + Integer.toHexString(revents & 0xffff) + ") while waiting for events");
                }
            }
        }
    }

    static V4l2Event decode(MemorySegment e) {
        V4l2Event.Type type = V4l2Event.Type.of(v4l2_event.type(e));
        MemorySegment u = v4l2_event.u(e);
        V4l2Event.Payload payload = switch (type) {
            case CTRL -> {
                MemorySegment c = v4l2_event.u.ctrl(u);
                ControlType ct = ControlType.of(v4l2_event_ctrl.type(c));
                yield new V4l2Event.ControlChange(v4l2_event_ctrl.changes(c), ct,
                        ct == ControlType.INTEGER64 ? v4l2_event_ctrl.value64(c) : v4l2_event_ctrl.value(c),
                        v4l2_event_ctrl.flags(c), v4l2_event_ctrl.minimum(c), v4l2_event_ctrl.maximum(c),
                        v4l2_event_ctrl.step(c), v4l2_event_ctrl.default_value(c));
            }
            case SOURCE_CHANGE -> new V4l2Event.SourceChange(v4l2_event_src_change.changes(v4l2_event.u.src_change(u)));
            case FRAME_SYNC -> new V4l2Event.FrameSync(v4l2_event_frame_sync.frame_sequence(v4l2_event.u.frame_sync(u)));
            case VSYNC -> new V4l2Event.Vsync(Byte.toUnsignedInt(v4l2_event_vsync.field(v4l2_event.u.vsync(u))));
            default -> new V4l2Event.None();
        };
        MemorySegment ts = v4l2_event.timestamp(e);
        return new V4l2Event(type, v4l2_event.id(e), v4l2_event.sequence(e),
                timespec.tv_sec(ts) * 1_000_000_000L + timespec.tv_nsec(ts), v4l2_event.pending(e), payload);
    }
}
