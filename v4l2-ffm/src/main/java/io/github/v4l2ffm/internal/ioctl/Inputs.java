package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.Input;
import io.github.v4l2ffm.bindings.*;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static io.github.v4l2ffm.bindings.Videodev2.*;

/** {@code VIDIOC_ENUMINPUT}, {@code VIDIOC_G_INPUT}, {@code VIDIOC_S_INPUT}. */
public final class Inputs {
    private Inputs() {}

    public static List<Input> inputs(DeviceFd fd) {
        List<Input> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(v4l2_input.layout());
            for (int i = 0; ; i++) {
                in.fill((byte) 0);
                v4l2_input.index(in, i);
                int r = fd.tryIoctl(VIDIOC_ENUMINPUT(), in);
                if (r == -Errno.EINVAL || r == -Errno.ENOTTY) break;
                if (r < 0) throw fd.failure("VIDIOC_ENUMINPUT", -r, null, null);
                out.add(new Input(i, CStrings.read(v4l2_input.name(in)), v4l2_input.type(in), v4l2_input.status(in),
                        v4l2_input.std(in), v4l2_input.capabilities(in)));
            }
        }
        return List.copyOf(out);
    }

    public static int input(DeviceFd fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment i = arena.allocate(ValueLayout.JAVA_INT);
            fd.ioctl("VIDIOC_G_INPUT", VIDIOC_G_INPUT(), i);
            return i.get(ValueLayout.JAVA_INT, 0);
        }
    }

    public static void setInput(DeviceFd fd, int index) {
        if (index < 0) throw new IllegalArgumentException("input index must not be negative: " + index);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment i = arena.allocateFrom(ValueLayout.JAVA_INT, index);
            fd.ioctl("VIDIOC_S_INPUT", VIDIOC_S_INPUT(), i);
        }
    }
}
