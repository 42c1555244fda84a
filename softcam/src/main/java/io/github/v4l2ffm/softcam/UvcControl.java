package io.github.v4l2ffm.softcam;

import java.util.List;

/**
 * One UVC control of the camera: the unit that holds it, its selector, its size and range, and
 * its current value. uvcvideo maps each to a V4L2 control (brightness to {@code V4L2_CID_BRIGHTNESS}...).
 */
final class UvcControl {
    final String name;
    /** The control's bit in its unit's {@code bmControls}. */
    final int bit;
    final int unit;
    final int selector;
    final int size;
    final long min, max, res, def;
    long cur;

    private UvcControl(String name, int bit, int unit, int selector, int size, long min, long max, long res, long def) {
        this.name = name;
        this.bit = bit;
        this.unit = unit;
        this.selector = selector;
        this.size = size;
        this.min = min;
        this.max = max;
        this.res = res;
        this.def = def;
        this.cur = def;
    }

    /** The names of every control a software camera can have. */
    static List<String> names() {
        return all().stream().map(c -> c.name).toList();
    }

    /** The controls {@code spec} names, in the camera's order. */
    static List<UvcControl> of(CameraSpec spec) {
        return all().stream().filter(c -> spec.controls().contains(c.name)).toList();
    }

    /** Every control: on the camera terminal and on the processing unit. */
    private static List<UvcControl> all() {
        int ct = UvcDescriptors.CAMERA_TERMINAL, pu = UvcDescriptors.PROCESSING_UNIT;
        return List.of(
                // CT_AE_MODE_CONTROL: a bitmap; GET_RES says which modes exist (1 manual, 8 aperture priority)
                new UvcControl("auto exposure mode", 1, ct, 0x02, 1, 0, 0, 0x09, 0x08),
                new UvcControl("exposure time absolute", 3, ct, 0x04, 4, 3, 2047, 1, 250),
                new UvcControl("brightness", 0, pu, 0x02, 2, -64, 64, 1, 0),
                new UvcControl("contrast", 1, pu, 0x03, 2, 0, 95, 1, 32),
                new UvcControl("gain", 9, pu, 0x04, 2, 0, 100, 1, 0),
                new UvcControl("power line frequency", 10, pu, 0x05, 1, 0, 2, 1, 1),
                new UvcControl("saturation", 3, pu, 0x07, 2, 0, 100, 1, 64),
                new UvcControl("white balance temperature", 6, pu, 0x0a, 2, 2800, 6500, 10, 4600),
                new UvcControl("white balance temperature auto", 12, pu, 0x0b, 1, 0, 1, 1, 1));
    }

    /** The value as the wire carries it: little-endian, {@code size} bytes. */
    byte[] encode(long value) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) b[i] = (byte) (value >>> (8 * i));
        return b;
    }

    /** The value of {@code size} little-endian bytes, sign-extended for the signed 2-byte ones. */
    long decode(byte[] data) {
        long v = 0;
        for (int i = 0; i < Math.min(size, data.length); i++) v |= (long) (data[i] & 0xff) << (8 * i);
        if (size == 2 && min < 0) v = (short) v;
        return v;
    }
}
