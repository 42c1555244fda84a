package io.github.v4l2ffm.vivid;

import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.BufferType;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.FormatDescription;
import io.github.v4l2ffm.FrameInterval;
import io.github.v4l2ffm.FrameSize;
import io.github.v4l2ffm.Input;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.Rect;
import io.github.v4l2ffm.SelectionTarget;
import io.github.v4l2ffm.UserptrAllocator;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Exception;
import io.github.v4l2ffm.junit.Driver;
import io.github.v4l2ffm.junit.Vivid;
import io.github.v4l2ffm.junit.WithV4l2Drivers;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VideoFormat, size, interval, input and selection enumeration, checked against v4l2-ctl on vivid. */
@WithV4l2Drivers(vivid = @Vivid)
class FormatsTest {

    /** What {@code v4l2-ctl --list-formats-ext} prints, rebuilt from the library's answers. */
    static String listFormatsExt(V4l2Device dev, BufferType type) {
        StringBuilder s = new StringBuilder();
        for (FormatDescription d : dev.formats(type)) {
            s.append(String.format("[%d]: '%s' (%s)%n", d.index(), d.pixelFormat().fourcc(), d.description()));
            for (FrameSize size : dev.frameSizes(d.pixelFormat())) {
                if (!(size instanceof FrameSize.Discrete ds)) {
                    s.append("Size: ").append(size).append('\n');
                    continue;
                }
                s.append(String.format("Size: Discrete %dx%d%n", ds.width(), ds.height()));
                for (FrameInterval i : dev.frameIntervals(d.pixelFormat(), ds.width(), ds.height())) {
                    FrameInterval.Discrete di = (FrameInterval.Discrete) i;
                    s.append(String.format(Locale.ROOT, "Interval: Discrete %.3fs (%.3f fps)%n", di.interval().toDouble(),
                            1 / di.interval().toDouble()));
                }
            }
        }
        return s.toString();
    }

    @Test
    void formatsSizesAndIntervalsMatchV4l2Ctl(@Driver("vivid") DeviceInfo info) throws Exception {
        String printed = V4l2Ctl.run("-d", info.path().toString(), "--list-formats-ext");
        List<String> theirs = new ArrayList<>();
        for (String line : printed.split("\n")) {
            String t = line.trim();
            if (t.startsWith("[")) {
                // v4l2-ctl appends the format's flags to its description: ", csc-colorspace..."
                int flags = t.indexOf(", csc-");
                theirs.add(flags < 0 ? t : t.substring(0, flags) + ")");
            } else if (t.startsWith("Size:") || t.startsWith("Interval:")) {
                theirs.add(t);
            }
        }
        try (V4l2Device dev = info.open()) {
            List<String> ours = List.of(listFormatsExt(dev, BufferType.VIDEO_CAPTURE).split("\n"));
            assertTrue(ours.size() > 50, "vivid lists many formats, sizes and intervals: " + ours.size());
            assertEquals(theirs, ours);
            assertTrue(dev.formats(BufferType.VIDEO_CAPTURE).stream().anyMatch(d -> d.pixelFormat().equals(PixelFormat.YUYV)));
            assertEquals(List.of(), dev.formats(BufferType.VIDEO_OUTPUT), "the capture-only node has no output formats");
        }
    }

    @Test
    void inputsMatchV4l2Ctl(@Driver("vivid") DeviceInfo info) throws Exception {
        String printed = V4l2Ctl.run("-d", info.path().toString(), "--list-inputs");
        try (V4l2Device dev = info.open()) {
            List<Input> inputs = dev.inputs();
            assertEquals(4, inputs.size(), "vivid's default inputs: webcam, TV, S-Video, HDMI");
            for (Input in : inputs) {
                String block = printed.substring(printed.indexOf("Input       : " + in.index()));
                assertTrue(block.contains("Name        : " + in.name() + "\n"), in + " in\n" + block);
                assertTrue(block.contains(String.format("Type        : 0x%08x", in.type())), in.toString());
                assertTrue(block.contains(String.format("Standard    : 0x%016X", in.std())), in.toString());
                assertTrue(block.contains(String.format("Capabilities: 0x%08x", in.capabilities())), in.toString());
            }
            assertEquals(Input.TYPE_CAMERA, inputs.getFirst().type());
            assertEquals(0, dev.input());
        }
    }

    @Test
    void cropSelectionOnTheSVideoInput(@Driver("vivid") V4l2Device dev) {
        BufferType t = BufferType.VIDEO_CAPTURE;
        try {
            dev.setInput(2);
            assertEquals(2, dev.input());
            Rect bounds = dev.selection(t, SelectionTarget.CROP_BOUNDS);
            assertEquals(0, bounds.left());
            assertEquals(720, bounds.width());
            Rect set = dev.setSelection(t, SelectionTarget.CROP, new Rect(10, 10, 320, 240));
            assertEquals(new Rect(10, 10, 320, 240), set);
            assertEquals(set, dev.selection(t, SelectionTarget.CROP));
            dev.setSelection(t, SelectionTarget.CROP, bounds);
        } finally {
            dev.setInput(0);
        }
        V4l2Exception e = assertThrows(V4l2Exception.class, () -> dev.selection(t, SelectionTarget.CROP_BOUNDS));
        assertEquals("ENODATA", e.errnoName(), "the webcam input has no cropping");
    }

    @Test
    void userptrBlocksAreReusedAcrossAllocations(@Driver("vivid") V4l2Device dev) {
        try (UserptrAllocator allocator = new UserptrAllocator()) {
            BufferQueue q = dev.captureQueue();
            q.setFormat(320, 180, PixelFormat.YUYV);
            java.util.Set<Long> firstAddresses = null;
            for (int cycle = 0; cycle < 3; cycle++) {
                try (BufferSet set = q.allocate(4, allocator)) {
                    java.util.Set<Long> addresses = new java.util.HashSet<>();
                    for (var b : set.buffers()) addresses.add(b.segment(0).address());
                    assertTrue(addresses.stream().allMatch(a -> a % 4096 == 0), "page-aligned: " + addresses);
                    if (firstAddresses == null) firstAddresses = addresses;
                    assertEquals(firstAddresses, addresses, "cycle " + cycle + " reuses the pooled blocks");
                    assertEquals(4, allocator.blocksAllocated());
                }
            }
        }
    }
}
