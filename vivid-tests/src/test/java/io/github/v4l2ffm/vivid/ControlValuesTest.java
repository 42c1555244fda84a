package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.Cid;
import io.github.v4l2ffm.ControlInfo;
import io.github.v4l2ffm.ControlType;
import io.github.v4l2ffm.Controls;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Exception;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every writable control type of vivid, set and read back; and the ways a set can be refused. */
@WithV4l2Drivers(vivid = @Vivid)
class ControlValuesTest {
    private Controls c;

    @BeforeEach
    void open(@Driver("vivid") V4l2Device dev) {
        c = dev.controls();
    }

    @AfterEach
    void restoreDefaults() {
        for (ControlInfo i : c.list()) {
            if (i.isWritable() && !i.hasPayload() && !i.has(ControlInfo.FLAG_WRITE_ONLY)
                    && i.type() != ControlType.BUTTON && !i.has(ControlInfo.FLAG_INACTIVE)) {
                c.set(i.id(), i.defaultValue());
            }
        }
    }

    private int id(String key) {
        return c.find(key).orElseThrow(() -> new AssertionError("vivid has no control " + key)).id();
    }

    @Test
    void integerTypesRoundTrip() {
        assertEquals(-12345, c.set(id("integer_32_bits"), -12345).actual());
        assertEquals(-12345, c.get(id("integer_32_bits")));
        long big = (1L << 40) + 7;
        assertEquals(big, c.set(id("integer_64_bits"), big).actual());
        // one argument serves every single-control call: a 64-bit value leaves nothing behind for
        // a 32-bit one (negative, so all its bits count), nor the other way round
        assertEquals(big, c.get(id("integer_64_bits")));
        assertEquals(-12345, c.get(id("integer_32_bits")));
        assertEquals(-7, c.set(id("integer_32_bits"), -7).actual());
        assertEquals(big, c.get(id("integer_64_bits")));
        assertEquals(-(1L << 35), c.set(id("integer_64_bits"), -(1L << 35)).actual());
        assertEquals(-7, c.get(id("integer_32_bits")));
        assertEquals(-(1L << 35), c.get(id("integer_64_bits")));
        assertEquals(0, c.set(id("boolean"), 0).actual());
        assertEquals(1, c.set(id("boolean"), 1).actual());
        assertEquals(4, c.set(id("menu"), 4).actual());
        assertEquals("Menu Item 4", c.info(id("menu")).menuItem(4).orElseThrow().name());
        assertEquals(6, c.set(id("integer_menu"), 6).actual());
        assertEquals(13, c.info(id("integer_menu")).menuItem(6).orElseThrow().value());
        assertEquals(0x80400010L, c.set(id("bitmask"), 0x80400010L).actual());
        assertEquals(200, c.set(Cid.BRIGHTNESS, 200).actual());
        c.press(id("button"));
    }

    @Test
    void stringRoundTrip() {
        c.setString(id("string"), "abcd");
        assertEquals("abcd", c.getString(id("string")));
        c.setString(id("string"), "xy");
        assertEquals("xy", c.getString(id("string")));
    }

    @Test
    void arrayAndCompoundRoundTrip() {
        ControlInfo u32 = c.info(id("u32_1_element_array"));
        assertEquals(ControlType.U32, u32.type());
        byte[] one = le(4).putInt(1000).array();
        c.setBytes(u32.id(), one);
        assertArrayEquals(one, c.getBytes(u32.id()));

        ControlInfo u16 = c.info(id("u16_8x16_matrix"));
        assertEquals(128, u16.elements());
        ByteBuffer m = le(256);
        for (int i = 0; i < 128; i++) m.putShort((short) (16 + i * 50));
        c.setBytes(u16.id(), m.array());
        assertArrayEquals(m.array(), c.getBytes(u16.id()));

        ControlInfo u8 = c.info(id("u8_2x3x4x5_array"));
        byte[] b = new byte[u8.elements()];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (16 + i % 17);
        c.setBytes(u8.id(), b);
        assertArrayEquals(b, c.getBytes(u8.id()));

        // vivid's S64 array came after 6.1: required from 6.12 on, checked wherever it is
        Optional<ControlInfo> s64Found = c.find("s64_5_element_array");
        if (LabDevices.kernelAtLeast(6, 12)) assertTrue(s64Found.isPresent(), "vivid has no control s64_5_element_array");
        if (s64Found.isPresent()) {
            ControlInfo s64 = c.info(s64Found.get().id());
            ByteBuffer s = le(40);
            for (long v : new long[]{-10, -3, 0, 7, 10}) s.putLong(v);
            c.setBytes(s64.id(), s.array());
            assertArrayEquals(s.array(), c.getBytes(s64.id()));
        }

        ControlInfo area = c.info(id("area"));
        assertEquals(ControlType.AREA, area.type());
        byte[] wh = le(8).putInt(640).putInt(480).array();
        c.setBytes(area.id(), wh);
        assertArrayEquals(wh, c.getBytes(area.id()));
    }

    @Test
    void batchesApplyTogetherOrNotAtAll() {
        c.batch().set(Cid.BRIGHTNESS, 10).set(Cid.CONTRAST, 20).set(Cid.SATURATION, 30).apply();
        assertEquals(10, c.get(Cid.BRIGHTNESS));
        assertEquals(20, c.get(Cid.CONTRAST));
        assertEquals(30, c.get(Cid.SATURATION));
        V4l2Exception e = assertThrows(V4l2Exception.class,
                () -> c.batch().set(Cid.BRIGHTNESS, 99).set(id("menu"), 2).apply());
        assertEquals("VIDIOC_S_EXT_CTRLS", e.operation());
        assertTrue(e.getMessage().contains("'Menu'") && e.getMessage().contains("not an item of the menu [1, 3, 4]"), e.getMessage());
        assertEquals(10, c.get(Cid.BRIGHTNESS), "a refused batch changes nothing");
        // TRY checks without applying
        c.batch().set(Cid.BRIGHTNESS, 99).tryApply();
        assertEquals(10, c.get(Cid.BRIGHTNESS));
    }

    @Test
    void refusedValuesNameTheControlAndTheReason() {
        V4l2Exception unknown = assertThrows(V4l2Exception.class, () -> c.get(0x0098ffff));
        assertEquals("EINVAL", unknown.errnoName());
        assertTrue(unknown.getMessage().contains("no control 0x0098ffff"), unknown.getMessage());

        V4l2Exception tooLong = assertThrows(V4l2Exception.class, () -> c.setString(id("string"), "abcdefgh"));
        assertEquals("ERANGE", tooLong.errnoName());
        assertTrue(tooLong.getMessage().contains("'String'") && tooLong.getMessage().contains("longer than 4"), tooLong.getMessage());

        V4l2Exception readOnly = assertThrows(V4l2Exception.class, () -> c.set(id("read_only_integer_32_bits"), 5));
        assertEquals("EACCES", readOnly.errnoName());
        assertTrue(readOnly.getMessage().contains("read-only"), readOnly.getMessage());

        V4l2Exception notInMenu = assertThrows(V4l2Exception.class, () -> c.set(id("menu"), 2));
        assertEquals("EINVAL", notInMenu.errnoName());

        // bits outside a bitmask's maximum are dropped by the kernel, and the result shows it
        Controls.SetResult bits = c.set(id("bitmask"), 0x80000001L);
        assertEquals(0x80000000L, bits.actual());
        assertTrue(bits.adjusted());

        assertThrows(IllegalArgumentException.class, () -> c.get(id("string")), "a string is not read as a number");
    }

    @Test
    void outOfRangeIntegersAreClampedAndTheResultSaysSo() {
        Controls.SetResult high = c.set(Cid.BRIGHTNESS, 300);
        assertEquals(255, high.actual());
        assertTrue(high.adjusted());
        Controls.SetResult low = c.set(Cid.BRIGHTNESS, -5);
        assertEquals(0, low.actual());
        assertTrue(low.adjusted());
        assertFalse(c.set(Cid.BRIGHTNESS, 128).adjusted());
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
