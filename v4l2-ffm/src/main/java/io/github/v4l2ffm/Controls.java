package io.github.v4l2ffm;

import io.github.v4l2ffm.bindings.v4l2_ext_control;
import io.github.v4l2ffm.bindings.v4l2_ext_controls;
import io.github.v4l2ffm.bindings.v4l2_query_ext_ctrl;
import io.github.v4l2ffm.bindings.v4l2_querymenu;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static io.github.v4l2ffm.bindings.Videodev2.*;

/**
 * The controls of a device: enumeration ({@code VIDIOC_QUERY_EXT_CTRL}, {@code VIDIOC_QUERYMENU})
 * and values ({@code VIDIOC_G/S/TRY_EXT_CTRLS}) of every type.
 *
 * <pre>{@code
 * Controls c = device.controls();
 * for (ControlInfo info : c.list()) System.out.println(info.name());
 * c.set(Cid.BRIGHTNESS, 200);
 * c.batch().set(Cid.CONTRAST, 100).set(Cid.SATURATION, 90).apply();   // atomic where the driver allows
 * }</pre>
 *
 * <p>Out-of-range values are never hidden: {@link #set(int, long)} returns what the driver holds
 * afterwards (drivers clamp integers to their range), and a value the driver refuses (a menu
 * index not in the menu, a string too long, a read-only control) throws a {@link V4l2Exception}
 * that names the control and the reason.
 */
public final class Controls {
    private final DeviceFd fd;
    private final Map<Integer, ControlInfo> cache = new ConcurrentHashMap<>();

    Controls(DeviceFd fd) {
        this.fd = fd;
    }

    /** Every control of the device, control-class headers included, in the driver's order. */
    public List<ControlInfo> list() {
        List<ControlInfo> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q = arena.allocate(v4l2_query_ext_ctrl.layout());
            int id = 0;
            while (true) {
                q.fill((byte) 0);
                v4l2_query_ext_ctrl.id(q, id | V4L2_CTRL_FLAG_NEXT_CTRL() | V4L2_CTRL_FLAG_NEXT_COMPOUND());
                int r = fd.tryIoctl(VIDIOC_QUERY_EXT_CTRL(), q);
                if (r == -Errno.EINVAL || r == -Errno.ENOTTY) break;
                if (r < 0) throw fd.failure("VIDIOC_QUERY_EXT_CTRL", -r);
                ControlInfo info = decode(q, arena);
                cache.put(info.id(), info);
                out.add(info);
                id = info.id();
            }
        }
        return List.copyOf(out);
    }

    /**
     * The control with this ID.
     *
     * @throws V4l2Exception ({@code EINVAL}) if the device has no such control
     */
    public ControlInfo info(int id) {
        ControlInfo cached = cache.get(id);
        if (cached != null) return cached;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q = arena.allocate(v4l2_query_ext_ctrl.layout());
            v4l2_query_ext_ctrl.id(q, id);
            int r = fd.tryIoctl(VIDIOC_QUERY_EXT_CTRL(), q);
            if (r < 0) throw fd.failure("VIDIOC_QUERY_EXT_CTRL", -r, String.format("no control 0x%08x", id));
            ControlInfo info = decode(q, arena);
            cache.put(id, info);
            return info;
        }
    }

    /** The control with this name ({@code "Brightness"}) or key ({@code "brightness"}, as v4l2-ctl writes it). */
    public Optional<ControlInfo> find(String name) {
        return list().stream().filter(c -> c.name().equals(name) || c.key().equals(name)).findFirst();
    }

    private ControlInfo decode(MemorySegment q, Arena arena) {
        int id = v4l2_query_ext_ctrl.id(q);
        int typeCode = v4l2_query_ext_ctrl.type(q);
        ControlType type = ControlType.of(typeCode);
        int dims = v4l2_query_ext_ctrl.nr_of_dims(q);
        List<Integer> dimensions = new ArrayList<>();
        for (int i = 0; i < dims; i++) dimensions.add(v4l2_query_ext_ctrl.dims(q, i));
        long min = v4l2_query_ext_ctrl.minimum(q), max = v4l2_query_ext_ctrl.maximum(q);
        List<ControlInfo.MenuItem> menu = List.of();
        if (type == ControlType.MENU || type == ControlType.INTEGER_MENU) {
            menu = menu(id, type, min, max, arena);
        }
        return new ControlInfo(id, type, typeCode, V4l2Device.string(v4l2_query_ext_ctrl.name(q)), min, max,
                v4l2_query_ext_ctrl.step(q), v4l2_query_ext_ctrl.default_value(q), v4l2_query_ext_ctrl.flags(q),
                v4l2_query_ext_ctrl.elem_size(q), v4l2_query_ext_ctrl.elems(q), List.copyOf(dimensions), menu);
    }

    private List<ControlInfo.MenuItem> menu(int id, ControlType type, long min, long max, Arena arena) {
        List<ControlInfo.MenuItem> items = new ArrayList<>();
        MemorySegment m = arena.allocate(v4l2_querymenu.layout());
        for (long i = min; i <= max; i++) {
            m.fill((byte) 0);
            v4l2_querymenu.id(m, id);
            v4l2_querymenu.index(m, (int) i);
            int r = fd.tryIoctl(VIDIOC_QUERYMENU(), m);
            if (r == -Errno.EINVAL) continue; // a skipped item
            if (r < 0) throw fd.failure("VIDIOC_QUERYMENU", -r);
            items.add(type == ControlType.MENU
                    ? new ControlInfo.MenuItem((int) i, V4l2Device.string(v4l2_querymenu.name(m)), 0)
                    : new ControlInfo.MenuItem((int) i, null, v4l2_querymenu.value(m)));
        }
        return List.copyOf(items);
    }

    // ---- values ------------------------------------------------------------------------------

    /** The value of an integer, boolean, menu, integer-menu, 64-bit integer or bitmask control. */
    public long get(int id) {
        ControlInfo info = info(id);
        if (info.hasPayload()) throw new IllegalArgumentException(describe(info) + " holds a " + (info.dimensions().isEmpty() ? "" : "array of ") + info.type() + ": use getString or getBytes");
        Batch b = new Batch(false);
        b.entries.add(new Batch.Item(info, 0, null));
        b.run("VIDIOC_G_EXT_CTRLS", VIDIOC_G_EXT_CTRLS());
        return b.entries.getFirst().result;
    }

    /** The value of a string control. */
    public String getString(int id) {
        ControlInfo info = info(id);
        if (info.type() != ControlType.STRING) throw new IllegalArgumentException(describe(info) + " is not a string control");
        byte[] raw = getPayload(info, (int) info.maximum() + 1);
        int n = 0;
        while (n < raw.length && raw[n] != 0) n++;
        return new String(raw, 0, n, StandardCharsets.UTF_8);
    }

    /** The raw value of an array or compound control ({@code elements * elementSize} bytes). */
    public byte[] getBytes(int id) {
        ControlInfo info = info(id);
        if (!info.hasPayload() || info.type() == ControlType.STRING) {
            throw new IllegalArgumentException(describe(info) + " is a " + info.type() + " control: use get or getString");
        }
        return getPayload(info, info.elements() * info.elementSize());
    }

    private byte[] getPayload(ControlInfo info, int size) {
        Batch b = new Batch(false);
        b.entries.add(new Batch.Item(info, 0, new byte[size]));
        b.run("VIDIOC_G_EXT_CTRLS", VIDIOC_G_EXT_CTRLS());
        return b.entries.getFirst().payload;
    }

    /**
     * What a {@link #set(int, long)} asked for and what the control holds afterwards.
     *
     * @param id the control
     * @param requested the value asked for
     * @param actual the value the driver holds now (drivers clamp integers to their range and step)
     */
    public record SetResult(int id, long requested, long actual) {
        /** Whether the driver changed the value (clamped or rounded it). */
        public boolean adjusted() {
            return requested != actual;
        }
    }

    /**
     * Sets an integer, boolean, menu, integer-menu, 64-bit integer or bitmask control and reads
     * it back.
     *
     * @throws V4l2Exception if the driver refuses the value ({@code EINVAL} for a menu index not
     *         in the menu, {@code ERANGE} for a bitmask with unknown bits, {@code EACCES} for a
     *         read-only control)
     */
    public SetResult set(int id, long value) {
        batch().set(id, value).apply();
        ControlInfo info = info(id);
        long actual = info.has(ControlInfo.FLAG_WRITE_ONLY) || info.type() == ControlType.BUTTON ? value : get(id);
        return new SetResult(id, value, actual);
    }

    /** Sets a string control; {@code ERANGE} if it is longer than the control's maximum. */
    public void setString(int id, String value) {
        batch().setString(id, value).apply();
    }

    /** Sets an array or compound control from its raw bytes. */
    public void setBytes(int id, byte[] value) {
        batch().setBytes(id, value).apply();
    }

    /** Presses a button control. */
    public void press(int id) {
        batch().set(id, 1).apply();
    }

    /** A set of values to apply at once. */
    public Batch batch() {
        return new Batch(true);
    }

    /**
     * Several control values applied in one {@code VIDIOC_S_EXT_CTRLS} (atomically where the
     * driver allows: all controls of one class, or all, are set or none) or checked with
     * {@code VIDIOC_TRY_EXT_CTRLS}. On failure the exception names the control the kernel
     * pointed at ({@code error_idx}) and why.
     */
    public final class Batch {
        private final List<Item> entries = new ArrayList<>();
        private final boolean write;

        private Batch(boolean write) {
            this.write = write;
        }

        private static final class Item {
            final ControlInfo info;
            final long value;
            byte[] payload;
            long result;

            Item(ControlInfo info, long value, byte[] payload) {
                this.info = info;
                this.value = value;
                this.payload = payload;
            }
        }

        /** Adds an integer, boolean, menu, integer-menu, 64-bit, bitmask or button value. */
        public Batch set(int id, long value) {
            ControlInfo info = info(id);
            if (info.hasPayload()) throw new IllegalArgumentException(describe(info) + " holds a " + (info.dimensions().isEmpty() ? "" : "array of ") + info.type() + ": use setString or setBytes");
            checkFits(info, value);
            entries.add(new Item(info, value, null));
            return this;
        }

        /** Adds a string value. */
        public Batch setString(int id, String value) {
            ControlInfo info = info(id);
            if (info.type() != ControlType.STRING) throw new IllegalArgumentException(describe(info) + " is not a string control");
            byte[] s = value.getBytes(StandardCharsets.UTF_8);
            byte[] z = new byte[s.length + 1];
            System.arraycopy(s, 0, z, 0, s.length);
            entries.add(new Item(info, 0, z));
            return this;
        }

        /** Adds the raw bytes of an array or compound control. */
        public Batch setBytes(int id, byte[] value) {
            ControlInfo info = info(id);
            if (!info.hasPayload() || info.type() == ControlType.STRING) throw new IllegalArgumentException(describe(info) + " is not an array or compound control");
            entries.add(new Item(info, 0, value.clone()));
            return this;
        }

        /** Applies every value ({@code VIDIOC_S_EXT_CTRLS}). */
        public void apply() {
            run("VIDIOC_S_EXT_CTRLS", VIDIOC_S_EXT_CTRLS());
        }

        /** Checks every value without applying it ({@code VIDIOC_TRY_EXT_CTRLS}). */
        public void tryApply() {
            run("VIDIOC_TRY_EXT_CTRLS", VIDIOC_TRY_EXT_CTRLS());
        }

        void run(String name, long request) {
            if (entries.isEmpty()) return;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment array = arena.allocate(v4l2_ext_control.layout(), entries.size());
                MemorySegment[] payloads = new MemorySegment[entries.size()];
                for (int i = 0; i < entries.size(); i++) {
                    Item e = entries.get(i);
                    MemorySegment c = v4l2_ext_control.asSlice(array, i);
                    v4l2_ext_control.id(c, e.info.id());
                    if (e.payload != null) {
                        payloads[i] = arena.allocate(e.payload.length, 8);
                        if (write) MemorySegment.copy(e.payload, 0, payloads[i], ValueLayout.JAVA_BYTE, 0, e.payload.length);
                        v4l2_ext_control.size(c, e.payload.length);
                        v4l2_ext_control.ptr(c, payloads[i]);
                    } else if (e.info.type() == ControlType.INTEGER64) {
                        v4l2_ext_control.value64(c, e.value);
                    } else {
                        v4l2_ext_control.value(c, (int) e.value);
                    }
                }
                MemorySegment ctrls = arena.allocate(v4l2_ext_controls.layout());
                v4l2_ext_controls.which(ctrls, V4L2_CTRL_WHICH_CUR_VAL());
                v4l2_ext_controls.count(ctrls, entries.size());
                v4l2_ext_controls.controls(ctrls, array);
                int r = fd.tryIoctl(request, ctrls);
                if (r < 0) {
                    int idx = v4l2_ext_controls.error_idx(ctrls);
                    if (idx >= entries.size() && entries.size() == 1) {
                        idx = 0;
                    } else if (idx >= entries.size() && request == VIDIOC_S_EXT_CTRLS()) {
                        // S_EXT_CTRLS reports validation errors for the batch as a whole (nothing
                        // was applied); TRY_EXT_CTRLS with the same values names the control
                        v4l2_ext_controls.error_idx(ctrls, entries.size());
                        if (fd.tryIoctl(VIDIOC_TRY_EXT_CTRLS(), ctrls) < 0) idx = v4l2_ext_controls.error_idx(ctrls);
                    }
                    throw fd.failure(name, -r, reason(-r, idx < entries.size() ? entries.get(idx) : null, entries.size()));
                }
                for (int i = 0; i < entries.size(); i++) {
                    Item e = entries.get(i);
                    MemorySegment c = v4l2_ext_control.asSlice(array, i);
                    if (e.payload != null) {
                        e.payload = payloads[i].toArray(ValueLayout.JAVA_BYTE);
                    } else if (e.info.type() == ControlType.INTEGER64) {
                        e.result = v4l2_ext_control.value64(c);
                    } else if (e.info.type() == ControlType.BITMASK) {
                        e.result = Integer.toUnsignedLong(v4l2_ext_control.value(c));
                    } else {
                        e.result = v4l2_ext_control.value(c);
                    }
                }
            }
        }
    }

    /** A 32-bit control cannot hold a value beyond 32 bits: refused rather than truncated. */
    private static void checkFits(ControlInfo info, long value) {
        if (info.type() == ControlType.INTEGER64) return;
        boolean fits = info.type() == ControlType.BITMASK ? value >= 0 && value <= 0xFFFF_FFFFL
                : value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE;
        if (!fits) {
            throw new IllegalArgumentException(describe(info) + " is a 32-bit " + info.type() + " control: " + value
                    + " does not fit (" + (info.type() == ControlType.BITMASK ? "0..0xffffffff" : "a Java int") + ")");
        }
    }

    private static String reason(int errno, Batch.Item e, int count) {
        String what = e == null ? (count == 1 ? "the control" : "the batch as a whole (no single control named)")
                : describe(e.info) + (e.payload == null ? " = " + e.value : "");
        String why = switch (errno) {
            case Errno.EINVAL -> e != null && (e.info.type() == ControlType.MENU || e.info.type() == ControlType.INTEGER_MENU)
                    ? "not an item of the menu " + e.info.menu().stream().map(m -> String.valueOf(m.index())).toList()
                    : "invalid control or value";
            case Errno.ERANGE -> e != null && e.info.type() == ControlType.STRING
                    ? "string longer than " + e.info.maximum() + " bytes (or shorter than " + e.info.minimum() + ")"
                    : "value out of range " + (e == null ? "" : e.info.minimum() + ".." + e.info.maximum());
            case Errno.EACCES -> e != null && e.info.has(ControlInfo.FLAG_WRITE_ONLY) ? "write-only control" : "read-only control";
            case Errno.EBUSY -> "control is busy (grabbed while streaming)";
            case Errno.ENOSPC -> "payload size does not match the control";
            default -> null;
        };
        return why == null ? what : what + ": " + why;
    }

    private static String describe(ControlInfo info) {
        return String.format("control 0x%08x '%s'", info.id(), info.name());
    }
}
