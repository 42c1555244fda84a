package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.bindings.v4l2_ext_control;
import io.github.v4l2ffm.bindings.v4l2_ext_controls;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import static io.github.v4l2ffm.bindings.Videodev2.*;

/**
 * {@code VIDIOC_G_EXT_CTRLS}, {@code VIDIOC_S_EXT_CTRLS}, {@code VIDIOC_TRY_EXT_CTRLS}: control
 * values, several at once. On failure the kernel names the control at fault in {@code error_idx};
 * where S_EXT_CTRLS only blames the batch as a whole (validation failed before anything was
 * applied), TRY_EXT_CTRLS with the same values names the control.
 */
public final class ExtCtrls {
    private ExtCtrls() {}

    /** Which of the three. */
    public enum Op {
        GET("VIDIOC_G_EXT_CTRLS"), SET("VIDIOC_S_EXT_CTRLS"), TRY("VIDIOC_TRY_EXT_CTRLS");

        /** The ioctl's name. */
        public final String call;

        Op(String call) {
            this.call = call;
        }

        long request() {
            return switch (this) {
                case GET -> VIDIOC_G_EXT_CTRLS();
                case SET -> VIDIOC_S_EXT_CTRLS();
                case TRY -> VIDIOC_TRY_EXT_CTRLS();
            };
        }
    }

    /** How a control's value travels. */
    public enum Kind { INT32, UINT32, INT64, PAYLOAD }

    /** One control's value, in and out. */
    public static final class Entry {
        final int id;
        final Kind kind;
        /** The value (INT32, UINT32, INT64); read back after the call. */
        public long value;
        /** The bytes (PAYLOAD): sent for SET and TRY, read back after every call. */
        public byte[] payload;

        public Entry(int id, Kind kind, long value, byte[] payload) {
            this.id = id;
            this.kind = kind;
            this.value = value;
            this.payload = payload;
        }
    }

    /**
     * The call's answer: {@code errno} 0 on success (the entries hold the values), else the errno
     * and the index of the entry at fault, or -1 when the kernel named none.
     */
    public record Result(int errno, int errorIndex) {
    }

    /**
     * One device's calls on a single integer control (INT32, UINT32, INT64), with argument memory
     * allocated once and reused: no allocation per call. Callers hold this object's lock around
     * {@link #run} and {@link #errno()}. The memory is freed with this object.
     */
    public static final class Single {
        // v4l2_ext_controls, then the one v4l2_ext_control it points to, in one segment. The
        // constructor writes which, count and the array pointer (the rest stays 0); a call writes
        // only the ID and, to send one, the value, with unaligned stores at the generated offsets.
        // For an integer control the kernel hands both structs back as they were but for the value
        // and, on failure, error_idx (not read here). Clearing both structs and setting five fields
        // through their accessors on every call cost some 85 instructions more (--icount, lab)
        private static final long CONTROL = v4l2_ext_controls.layout().byteSize();
        private static final long ID = CONTROL + v4l2_ext_control.id$offset();
        private static final long VALUE = CONTROL + v4l2_ext_control.value$offset(); // value and value64 begin here

        static {
            if (v4l2_ext_control.value64$offset() + CONTROL != VALUE) {
                throw new ExceptionInInitializerError("v4l2_ext_control's value and value64 do not begin together");
            }
        }

        private final MemorySegment both;
        private final MemorySegment errnoState; // this object's own: callers hold its lock
        private int errno;

        public Single() {
            Arena arena = Arena.ofAuto();
            both = arena.allocate(CONTROL + v4l2_ext_control.layout().byteSize(), 8);
            errnoState = Libc.errnoState(arena);
            v4l2_ext_controls.which(both, V4L2_CTRL_WHICH_CUR_VAL());
            v4l2_ext_controls.count(both, 1);
            v4l2_ext_controls.controls(both, both.asSlice(CONTROL));
        }

        /**
         * Runs {@code op} on control {@code id}, sending {@code value} (SET, TRY), and returns the
         * value the kernel answers with, read as {@code kind} says; on failure 0, and
         * {@link #errno()} is not 0 (the single control is the one at fault).
         */
        public long run(DeviceFd fd, Op op, int id, Kind kind, long value) {
            both.set(JAVA_INT_UNALIGNED, ID, id);
            if (op == Op.GET) {
                // nothing to send
            } else if (kind == Kind.INT64) {
                both.set(JAVA_LONG_UNALIGNED, VALUE, value);
            } else {
                both.set(JAVA_LONG_UNALIGNED, VALUE, 0); // the union's other 4 bytes at 0
                both.set(JAVA_INT_UNALIGNED, VALUE, (int) value);
            }
            int r = fd.tryIoctl(op.request(), both, errnoState);
            if (r < 0) {
                errno = -r;
                return 0;
            }
            errno = 0;
            return switch (kind) {
                case INT64 -> both.get(JAVA_LONG_UNALIGNED, VALUE);
                case UINT32 -> Integer.toUnsignedLong(both.get(JAVA_INT_UNALIGNED, VALUE));
                default -> both.get(JAVA_INT_UNALIGNED, VALUE);
            };
        }

        /** The errno of the last {@link #run}, 0 if it succeeded. */
        public int errno() {
            return errno;
        }
    }

    public static Result run(DeviceFd fd, Op op, List<Entry> entries) {
        if (entries.isEmpty()) return new Result(0, -1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment array = arena.allocate(v4l2_ext_control.layout(), entries.size());
            MemorySegment[] payloads = new MemorySegment[entries.size()];
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                MemorySegment c = v4l2_ext_control.asSlice(array, i);
                v4l2_ext_control.id(c, e.id);
                switch (e.kind) {
                    case PAYLOAD -> {
                        payloads[i] = arena.allocate(e.payload.length, 8);
                        if (op != Op.GET) MemorySegment.copy(e.payload, 0, payloads[i], ValueLayout.JAVA_BYTE, 0, e.payload.length);
                        v4l2_ext_control.size(c, e.payload.length);
                        v4l2_ext_control.ptr(c, payloads[i]);
                    }
                    case INT64 -> v4l2_ext_control.value64(c, e.value);
                    case INT32, UINT32 -> v4l2_ext_control.value(c, (int) e.value);
                }
            }
            MemorySegment ctrls = arena.allocate(v4l2_ext_controls.layout());
            v4l2_ext_controls.which(ctrls, V4L2_CTRL_WHICH_CUR_VAL());
            v4l2_ext_controls.count(ctrls, entries.size());
            v4l2_ext_controls.controls(ctrls, array);
            int r = fd.tryIoctl(op.request(), ctrls);
            if (r < 0) {
                int idx = v4l2_ext_controls.error_idx(ctrls);
                if (idx >= entries.size() && entries.size() == 1) {
                    idx = 0;
                } else if (idx >= entries.size() && op == Op.SET) {
                    v4l2_ext_controls.error_idx(ctrls, entries.size());
                    if (fd.tryIoctl(VIDIOC_TRY_EXT_CTRLS(), ctrls) < 0) idx = v4l2_ext_controls.error_idx(ctrls);
                }
                return new Result(-r, idx < entries.size() ? idx : -1);
            }
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                MemorySegment c = v4l2_ext_control.asSlice(array, i);
                switch (e.kind) {
                    case PAYLOAD -> e.payload = payloads[i].toArray(ValueLayout.JAVA_BYTE);
                    case INT64 -> e.value = v4l2_ext_control.value64(c);
                    case UINT32 -> e.value = Integer.toUnsignedLong(v4l2_ext_control.value(c));
                    case INT32 -> e.value = v4l2_ext_control.value(c);
                }
            }
            return new Result(0, -1);
        }
    }
}
