package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.Output;
import io.github.v4l2ffm.bindings.v4l2_output;
import io.github.v4l2ffm.internal.DeviceFd;
import io.github.v4l2ffm.internal.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static io.github.v4l2ffm.bindings.Videodev2.*;

/** {@code VIDIOC_ENUMOUTPUT}, {@code VIDIOC_G_OUTPUT}, {@code VIDIOC_S_OUTPUT}. */
public final class Outputs {
    private Outputs() {}

    public static List<Output> outputs(DeviceFd fd) {
        List<Output> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment o = arena.allocate(v4l2_output.layout());
            for (int i = 0; ; i++) {
                o.fill((byte) 0);
                v4l2_output.index(o, i);
                int r = fd.tryIoctl(VIDIOC_ENUMOUTPUT(), o);
                if (r == -Errno.EINVAL || r == -Errno.ENOTTY) break;
                if (r < 0) throw fd.failure("VIDIOC_ENUMOUTPUT", -r, null, null);
                out.add(new Output(i, CStrings.read(v4l2_output.name(o)), v4l2_output.type(o), v4l2_output.std(o),
                        v4l2_output.capabilities(o)));
            }
        }
        return List.copyOf(out);
    }

    public static int output(DeviceFd fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment i = arena.allocate(ValueLayout.JAVA_INT);
            fd.ioctl("VIDIOC_G_OUTPUT", VIDIOC_G_OUTPUT(), i);
            return i.get(ValueLayout.JAVA_INT, 0);
        }
    }

    public static void setOutput(DeviceFd fd, int index) {
        if (index < 0) throw new IllegalArgumentException("output index must not be negative: " + index);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment i = arena.allocateFrom(ValueLayout.JAVA_INT, index);
            fd.ioctl("VIDIOC_S_OUTPUT", VIDIOC_S_OUTPUT(), i);
        }
    }
}
