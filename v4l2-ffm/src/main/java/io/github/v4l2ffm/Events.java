package io.github.v4l2ffm;

import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Libc;
import io.github.v4l2ffm.internal.PollSet;

import java.lang.foreign.Arena;
import java.util.Optional;


/**
 * Event subscription and delivery for a device ({@code VIDIOC_SUBSCRIBE_EVENT},
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
                subscription(false, type, id, 0);
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
        subscription(true, type, id, flags);
        return new Subscription(type, id);
    }

    private void subscription(boolean subscribe, V4l2Event.Type type, int id, int flags) {
        if (type == V4l2Event.Type.OTHER) throw new IllegalArgumentException("subscribe to a named event type");
        io.github.v4l2ffm.internal.ioctl.Events.subscription(fd, subscribe, type, id, flags);
    }

    /** The next pending event, without waiting. */
    public Optional<V4l2Event> poll() {
        return Optional.ofNullable(io.github.v4l2ffm.internal.ioctl.Events.dqevent(fd));
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
        try (Arena arena = Arena.ofConfined(); PollSet pfds = new PollSet(arena, fd.path() + " events", false)) {
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
}
