package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.ControlType;
import io.github.v4l2ffm.V4l2Event;
import io.github.v4l2ffm.V4l2Exception.Reason;
import io.github.v4l2ffm.bindings.timespec;
import io.github.v4l2ffm.bindings.v4l2_event;
import io.github.v4l2ffm.bindings.v4l2_event_ctrl;
import io.github.v4l2ffm.bindings.v4l2_event_frame_sync;
import io.github.v4l2ffm.bindings.v4l2_event_src_change;
import io.github.v4l2ffm.bindings.v4l2_event_subscription;
import io.github.v4l2ffm.bindings.v4l2_event_vsync;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errno;
import io.github.v4l2ffm.internal.Errors.Meaning;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.github.v4l2ffm.bindings.Videodev2.*;

/**
 * {@code VIDIOC_SUBSCRIBE_EVENT}, {@code VIDIOC_UNSUBSCRIBE_EVENT} ({@code EINVAL}: the device
 * does not send that event) and {@code VIDIOC_DQEVENT} ({@code ENOENT}: no event pending).
 */
public final class Events {
    private Events() {}

    /** Subscribes ({@code subscribe}) or unsubscribes to events of {@code type} for object {@code id}. */
    public static void subscription(DeviceFd fd, boolean subscribe, V4l2Event.Type type, int id, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(v4l2_event_subscription.layout());
            v4l2_event_subscription.type(s, type.code());
            v4l2_event_subscription.id(s, id);
            v4l2_event_subscription.flags(s, flags);
            int r = fd.tryIoctl(subscribe ? VIDIOC_SUBSCRIBE_EVENT() : VIDIOC_UNSUBSCRIBE_EVENT(), s);
            if (r < 0) {
                throw fd.failure(subscribe ? "VIDIOC_SUBSCRIBE_EVENT" : "VIDIOC_UNSUBSCRIBE_EVENT", -r, -r == Errno.EINVAL
                        ? new Meaning(Reason.NOT_SUPPORTED, "the device does not send " + type + " events" + (id != 0 ? " for " + id : ""))
                        : null, null);
            }
        }
    }

    /** The next pending event, or null if none is pending. */
    public static V4l2Event dqevent(DeviceFd fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment e = arena.allocate(v4l2_event.layout());
            int r = fd.tryIoctl(VIDIOC_DQEVENT(), e);
            if (r == -Errno.ENOENT) return null;
            if (r < 0) throw fd.failure("VIDIOC_DQEVENT", -r, null, null);
            return decode(e);
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
