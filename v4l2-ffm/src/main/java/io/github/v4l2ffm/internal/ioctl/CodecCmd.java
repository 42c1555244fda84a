package io.github.v4l2ffm.internal.ioctl;

import io.github.v4l2ffm.bindings.Videodev2;
import io.github.v4l2ffm.bindings.v4l2_decoder_cmd;
import io.github.v4l2ffm.bindings.v4l2_encoder_cmd;
import io.github.v4l2ffm.internal.DeviceFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** {@code VIDIOC_ENCODER_CMD} and {@code VIDIOC_DECODER_CMD}: start, stop (drain), pause, resume. */
public final class CodecCmd {
    private CodecCmd() {}

    public static void encoder(DeviceFd fd, int cmd, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = arena.allocate(v4l2_encoder_cmd.layout());
            v4l2_encoder_cmd.cmd(c, cmd);
            v4l2_encoder_cmd.flags(c, flags);
            fd.ioctl("VIDIOC_ENCODER_CMD", Videodev2.VIDIOC_ENCODER_CMD(), c);
        }
    }

    public static void decoder(DeviceFd fd, int cmd, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = arena.allocate(v4l2_decoder_cmd.layout());
            v4l2_decoder_cmd.cmd(c, cmd);
            v4l2_decoder_cmd.flags(c, flags);
            fd.ioctl("VIDIOC_DECODER_CMD", Videodev2.VIDIOC_DECODER_CMD(), c);
        }
    }
}
