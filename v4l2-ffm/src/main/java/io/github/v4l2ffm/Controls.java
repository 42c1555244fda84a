package io.github.v4l2ffm;

import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errors;
import io.github.v4l2ffm.internal.ioctl.ExtCtrls;
import io.github.v4l2ffm.internal.ioctl.QueryExtCtrl;
import io.github.v4l2ffm.internal.Errno;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;


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
 *
 * <p>{@link #get(int)} and {@link #set(int, long)} on integer controls make one ioctl each and,
 * once the control is known, allocate nothing (a {@code set} that gives the same answer as the
 * control's previous one returns the same {@link SetResult}).
 */
public final class Controls {
    private final DeviceFd fd;
    private final ExtCtrls.Single single = new ExtCtrls.Single();
    /** The controls seen so far, sorted by ID; replaced whole (copy on write) under {@code this}. */
    private volatile Known known = new Known(new int[0], new Known.Slot[0]);

    /** A control's description, and the last answer a {@link #set} gave for it. */
    private record Known(int[] ids, Slot[] slots) {
        static final class Slot {
            final ControlInfo info;
            volatile SetResult lastSet;

            Slot(ControlInfo info) {
                this.info = info;
            }
        }

        Slot find(int id) {
            int i = Arrays.binarySearch(ids, id);
            return i >= 0 ? slots[i] : null;
        }
    }

    Controls(DeviceFd fd) {
        this.fd = fd;
    }

    /** Keeps {@code info} (replacing what was kept for its ID); returns its slot. */
    private synchronized Known.Slot remember(ControlInfo info) {
        Known k = known;
        Known.Slot slot = new Known.Slot(info);
        int i = Arrays.binarySearch(k.ids, info.id());
        if (i >= 0) {
            Known.Slot[] slots = k.slots.clone();
            slots[i] = slot;
            known = new Known(k.ids, slots);
        } else {
            int at = -i - 1, n = k.ids.length;
            int[] ids = new int[n + 1];
            Known.Slot[] slots = new Known.Slot[n + 1];
            System.arraycopy(k.ids, 0, ids, 0, at);
            System.arraycopy(k.slots, 0, slots, 0, at);
            ids[at] = info.id();
            slots[at] = slot;
            System.arraycopy(k.ids, at, ids, at + 1, n - at);
            System.arraycopy(k.slots, at, slots, at + 1, n - at);
            known = new Known(ids, slots);
        }
        return slot;
    }

    /** The slot of control {@code id}, querying the kernel the first time. */
    private Known.Slot slot(int id) {
        Known.Slot s = known.find(id);
        return s != null ? s : remember(QueryExtCtrl.query(fd, id));
    }

    /** Every control of the device, control-class headers included, in the driver's order. */
    public List<ControlInfo> list() {
        List<ControlInfo> out = new ArrayList<>();
        ControlInfo info;
        int id = 0;
        while ((info = QueryExtCtrl.next(fd, id)) != null) {
            remember(info);
            out.add(info);
            id = info.id();
        }
        return List.copyOf(out);
    }

    /**
     * The control with this ID.
     *
     * @throws V4l2Exception ({@code EINVAL}) if the device has no such control
     */
    public ControlInfo info(int id) {
        return slot(id).info;
    }

    /** The control with this name ({@code "Brightness"}) or key ({@code "brightness"}, as v4l2-ctl writes it). */
    public Optional<ControlInfo> find(String name) {
        return list().stream().filter(c -> c.name().equals(name) || c.key().equals(name)).findFirst();
    }

    // ---- values ------------------------------------------------------------------------------

    /** The value of an integer, boolean, menu, integer-menu, 64-bit integer or bitmask control. */
    public long get(int id) {
        ControlInfo info = info(id);
        if (info.hasPayload()) throw new IllegalArgumentException(describe(info) + " holds a " + (info.dimensions().isEmpty() ? "" : "array of ") + info.type() + ": use getString or getBytes");
        return value(ExtCtrls.Op.GET, info, 0);
    }

    /** How an integer control's value travels. */
    private static ExtCtrls.Kind kind(ControlInfo info) {
        return info.type() == ControlType.INTEGER64 ? ExtCtrls.Kind.INT64
                : info.type() == ControlType.BITMASK ? ExtCtrls.Kind.UINT32 : ExtCtrls.Kind.INT32;
    }

    /** One integer control's GET, SET or TRY through the device's kept argument: the value the kernel answers with. */
    private long value(ExtCtrls.Op op, ControlInfo info, long value) {
        int errno;
        synchronized (single) {
            long v = single.run(fd, op, info.id(), kind(info), value);
            errno = single.errno();
            if (errno == 0) return v;
        }
        throw fd.failure(op.call, errno, meaning(errno, info, value, false, 1), null);
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
        b.run(ExtCtrls.Op.GET);
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
     * Sets an integer, boolean, menu, integer-menu, 64-bit integer or bitmask control, and says
     * what it holds afterwards: the value the kernel answers the set with (after clamping), or,
     * for a volatile control, the value read back after it.
     *
     * @throws V4l2Exception if the driver refuses the value ({@code EINVAL} for a menu index not
     *         in the menu, {@code ERANGE} for a bitmask with unknown bits, {@code EACCES} for a
     *         read-only control)
     */
    public SetResult set(int id, long value) {
        Known.Slot slot = slot(id);
        ControlInfo info = slot.info;
        checkInteger(info);
        checkFits(info, value);
        long answer = value(ExtCtrls.Op.SET, info, value);
        long actual = info.has(ControlInfo.FLAG_WRITE_ONLY) || info.type() == ControlType.BUTTON ? value
                : info.has(ControlInfo.FLAG_VOLATILE) ? value(ExtCtrls.Op.GET, info, 0) : answer;
        SetResult last = slot.lastSet;
        if (last != null && last.requested() == value && last.actual() == actual) return last;
        SetResult r = new SetResult(id, value, actual);
        slot.lastSet = r;
        return r;
    }

    /** Refuses a control whose value is not an integer (string, array, compound). */
    private static void checkInteger(ControlInfo info) {
        if (info.hasPayload()) throw new IllegalArgumentException(describe(info) + " holds a " + (info.dimensions().isEmpty() ? "" : "array of ") + info.type() + ": use setString or setBytes");
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
            checkInteger(info);
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
            run(ExtCtrls.Op.SET);
        }

        /** Checks every value without applying it ({@code VIDIOC_TRY_EXT_CTRLS}). */
        public void tryApply() {
            run(ExtCtrls.Op.TRY);
        }

        void run(ExtCtrls.Op op) {
            if (entries.isEmpty()) return;
            List<ExtCtrls.Entry> args = new ArrayList<>(entries.size());
            for (Item e : entries) {
                ExtCtrls.Kind kind = e.payload != null ? ExtCtrls.Kind.PAYLOAD
                        : e.info.type() == ControlType.INTEGER64 ? ExtCtrls.Kind.INT64
                        : e.info.type() == ControlType.BITMASK ? ExtCtrls.Kind.UINT32 : ExtCtrls.Kind.INT32;
                args.add(new ExtCtrls.Entry(e.info.id(), kind, e.value, e.payload));
            }
            ExtCtrls.Result r = ExtCtrls.run(fd, op, args);
            if (r.errno() != 0) {
                Item culprit = r.errorIndex() >= 0 ? entries.get(r.errorIndex()) : null;
                throw fd.failure(op.call, r.errno(), meaning(r.errno(), culprit, entries.size()), null);
            }
            for (int i = 0; i < entries.size(); i++) {
                entries.get(i).result = args.get(i).value;
                entries.get(i).payload = args.get(i).payload;
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

    /** What an errno from the EXT_CTRLS calls means, naming the control at fault. */
    private static Errors.Meaning meaning(int errno, Batch.Item e, int count) {
        return e == null ? meaning(errno, null, 0, false, count) : meaning(errno, e.info, e.value, e.payload != null, count);
    }

    /** What an errno means for control {@code info} ({@code null}: none named) given {@code value} (or a payload). */
    private static Errors.Meaning meaning(int errno, ControlInfo info, long value, boolean payload, int count) {
        String what = info == null ? (count == 1 ? "the control" : "the batch as a whole (no single control named)")
                : describe(info) + (payload ? "" : " = " + value);
        Errors.Meaning m = switch (errno) {
            case Errno.EINVAL -> new Errors.Meaning(V4l2Exception.Reason.REFUSED,
                    info != null && (info.type() == ControlType.MENU || info.type() == ControlType.INTEGER_MENU)
                            ? "not an item of the menu " + info.menu().stream().map(m2 -> String.valueOf(m2.index())).toList()
                            : "invalid control or value");
            case Errno.ERANGE -> new Errors.Meaning(V4l2Exception.Reason.REFUSED, info != null && info.type() == ControlType.STRING
                    ? "string longer than " + info.maximum() + " bytes (or shorter than " + info.minimum() + ")"
                    : "value out of range " + (info == null ? "" : info.minimum() + ".." + info.maximum()));
            case Errno.EACCES -> new Errors.Meaning(V4l2Exception.Reason.REFUSED,
                    info != null && info.has(ControlInfo.FLAG_WRITE_ONLY) ? "write-only control" : "read-only control");
            case Errno.EBUSY -> new Errors.Meaning(V4l2Exception.Reason.BUSY, "control is busy (grabbed while streaming)");
            case Errno.ENOSPC -> new Errors.Meaning(V4l2Exception.Reason.REFUSED, "payload size does not match the control");
            default -> null;
        };
        return m == null ? null : new Errors.Meaning(m.reason(), what + ": " + m.text());
    }

    private static String describe(ControlInfo info) {
        return String.format("control 0x%08x '%s'", info.id(), info.name());
    }
}
