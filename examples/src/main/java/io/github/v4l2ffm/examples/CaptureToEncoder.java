package io.github.v4l2ffm.examples;

import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.DmaBuf;
import io.github.v4l2ffm.VideoEncoder;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Devices;
import io.github.v4l2ffm.V4l2Exception;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Captures from a camera and encodes with a V4L2 stateful encoder, writing the coded stream to
 * a file; prints frames, fps and bitrate as it goes.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... io.github.v4l2ffm.examples.CaptureToEncoder \
 *     [--camera /dev/video0] [--encoder /dev/video3 | --encoder ffmpeg] [--codec FWHT|H264...] \
 *     [--size 640x480] [--frames 60] [--out stream.fwht] [--copy]
 * </pre>
 * By default the camera's buffers are exported (EXPBUF) and imported by the encoder (DMABUF):
 * frames go from camera to encoder with no copy. Where the encoder cannot import, or with
 * {@code --copy}, each frame is copied into the encoder's own buffers, and the program says so.
 * With {@code --encoder ffmpeg} raw frames are piped into an {@code ffmpeg} process that writes
 * H.264 in MP4 (ffmpeg must be installed).
 */
public final class CaptureToEncoder {
    private CaptureToEncoder() {}

    public static void main(String[] args) throws Exception {
        String camera = null, encoderPath = null, codec = "FWHT", out = "stream.fwht";
        int width = 640, height = 480, frames = 60;
        boolean copy = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--camera" -> camera = args[++i];
                case "--encoder" -> encoderPath = args[++i];
                case "--codec" -> codec = args[++i];
                case "--size" -> {
                    String[] wh = args[++i].split("x");
                    width = Integer.parseInt(wh[0]);
                    height = Integer.parseInt(wh[1]);
                }
                case "--frames" -> frames = Integer.parseInt(args[++i]);
                case "--out" -> out = args[++i];
                case "--copy" -> copy = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path cameraPath = camera != null ? Path.of(camera) : V4l2Devices.firstCaptureDevice()
                .orElseThrow(() -> new IllegalStateException("no camera")).path();
        PixelFormat coded = PixelFormat.of(codec);
        if ("ffmpeg".equals(encoderPath)) {
            viaFfmpeg(cameraPath, width, height, frames, Path.of(out.endsWith(".fwht") ? "stream.mp4" : out));
            return;
        }
        Path encoder = encoderPath != null ? Path.of(encoderPath) : findEncoder(coded);
        try (V4l2Device cam = V4l2Device.open(cameraPath); OutputStream file = Files.newOutputStream(Path.of(out))) {
            BufferQueue q = cam.captureQueue();
            VideoFormat f = q.setFormat(width, height, PixelFormat.YUV420);
            if (!f.pixelFormat().equals(PixelFormat.YUV420) || f.width() != width || f.height() != height) {
                throw new IllegalStateException("the camera cannot give " + width + "x" + height + " YU12: " + f);
            }
            try {
                cam.setFrameInterval(q.type(), new Fraction(1, 30));
            } catch (RuntimeException ignored) {
                // a camera without a rate setting
            }
            System.out.println("camera  " + cameraPath + ": " + f);
            try (BufferSet camBuffers = q.allocate(4)) {
                List<DmaBuf> exported = new ArrayList<>();
                VideoEncoder enc = null;
                if (!copy) {
                    try {
                        for (int i = 0; i < camBuffers.count(); i++) exported.add(camBuffers.export(i, 0));
                        enc = VideoEncoder.open(encoder, new VideoEncoder.Config(width, height, PixelFormat.YUV420, coded, new Fraction(1, 30))
                                .importing(exported));
                        System.out.println("zero copy: the encoder imports the camera's " + exported.size() + " buffers as dma-bufs");
                    } catch (V4l2Exception | IllegalArgumentException | IllegalStateException e) {
                        System.out.println("zero copy not possible (" + e.getMessage() + "): copying each frame instead");
                        exported.forEach(DmaBuf::close);
                        exported.clear();
                    }
                }
                if (enc == null) {
                    enc = VideoEncoder.open(encoder, new VideoEncoder.Config(width, height, PixelFormat.YUV420, coded, new Fraction(1, 30)));
                    if (copy) System.out.println("copy path: each frame is copied into the encoder's buffers (--copy)");
                }
                try (VideoEncoder e = enc; Streaming s = camBuffers.start()) {
                    System.out.println("encoder " + encoder + ": " + e.codedFormat());
                    run(s, camBuffers, e, !exported.isEmpty(), frames, file);
                } finally {
                    exported.forEach(DmaBuf::close);
                }
            }
        }
    }

    private static void run(Streaming cam, BufferSet camBuffers, VideoEncoder enc, boolean zeroCopy, int frames, OutputStream file)
            throws IOException {
        Streaming encInput = enc.inputBuffers().streaming().orElseThrow();
        int sent = 0, written = 0;
        long bytes = 0, start = System.nanoTime();
        boolean draining = false;
        while (!enc.isDrained()) {
            if (sent < frames) {
                V4l2Buffer v = cam.dequeue(0);
                if (v != null) {
                    V4l2Buffer in = zeroCopy ? enc.input(v.index()) : enc.freeInput(5_000);
                    if (!zeroCopy) {
                        MemorySegment.copy(v.segment(0), 0, in.segment(0), 0, v.bytesUsed(0));
                        cam.queue(v);
                    }
                    enc.queueInput(in, v.bytesUsed(0), v.timestampNanos());
                    sent++;
                }
            } else if (!draining) {
                enc.drain();
                draining = true;
            }
            if (zeroCopy) { // camera buffers go back to the camera once the encoder is done with them
                V4l2Buffer done;
                while (encInput.queuedCount() > 0 && (done = encInput.dequeue(0)) != null) cam.queue(camBuffers.buffer(done.index()));
            }
            V4l2Buffer out = enc.dequeueOutput(10);
            if (out != null) {
                if (out.bytesUsed(0) > 0) {
                    file.write(out.segment(0).asSlice(0, out.bytesUsed(0)).toArray(ValueLayout.JAVA_BYTE));
                    bytes += out.bytesUsed(0);
                    written++;
                    double t = (System.nanoTime() - start) / 1e9;
                    System.out.printf("frame %3d  %7d bytes  %6.2f fps  %8.1f kbit/s%n", written, out.bytesUsed(0),
                            written / t, bytes * 8 / t / 1000);
                }
                if (!out.isLast()) enc.requeueOutput(out);
            }
        }
        double t = (System.nanoTime() - start) / 1e9;
        System.out.printf("encoded %d frames in %.2f s: %.2f fps, %d bytes, %.1f kbit/s (%s)%n", written, t, written / t, bytes,
                bytes * 8 / t / 1000, zeroCopy ? "zero copy" : "copied");
    }

    /** The first device whose CAPTURE side produces {@code coded} from an OUTPUT side that takes raw frames. */
    private static Path findEncoder(PixelFormat coded) {
        for (DeviceInfo d : V4l2Devices.list()) {
            if (!d.capabilities().isMemToMem()) continue;
            try (V4l2Device dev = d.open()) {
                if (dev.formats(dev.captureQueue().type()).stream().anyMatch(f -> f.pixelFormat().equals(coded))
                        && dev.formats(dev.outputQueue().type()).stream().noneMatch(f -> f.pixelFormat().isCompressed())) {
                    return d.path();
                }
            }
        }
        throw new IllegalStateException("no V4L2 encoder for " + coded + " on this machine (load vicodec for FWHT)");
    }

    private static void viaFfmpeg(Path cameraPath, int width, int height, int frames, Path out) throws Exception {
        Process ffmpeg;
        try {
            ffmpeg = new ProcessBuilder("ffmpeg", "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p",
                    "-s", width + "x" + height, "-r", "30", "-i", "-", "-c:v", "libx264", "-pix_fmt", "yuv420p", out.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new IllegalStateException("--encoder ffmpeg needs ffmpeg on the PATH (apt-get install ffmpeg)", e);
        }
        try (V4l2Device cam = V4l2Device.open(cameraPath); OutputStream pipe = ffmpeg.getOutputStream()) {
            BufferQueue q = cam.captureQueue();
            VideoFormat f = q.setFormat(width, height, PixelFormat.YUV420);
            byte[] frame = new byte[width * height * 3 / 2];
            long start = System.nanoTime();
            try (BufferSet set = q.allocate(4); Streaming s = set.start()) {
                for (int i = 0; i < frames; i++) {
                    V4l2Buffer b = s.dequeue(5_000);
                    if (b == null) throw new IllegalStateException("no frame within 5 s");
                    MemorySegment.copy(b.segment(0), ValueLayout.JAVA_BYTE, 0, frame, 0, Math.min(frame.length, f.sizeImage()));
                    s.queue(b);
                    pipe.write(frame);
                    System.out.printf("frame %3d -> ffmpeg  %.2f fps%n", i + 1, (i + 1) / ((System.nanoTime() - start) / 1e9));
                }
            }
        }
        int rc = ffmpeg.waitFor();
        if (rc != 0) throw new IllegalStateException("ffmpeg exited with " + rc);
        System.out.println("wrote " + out + " (" + Files.size(out) + " bytes)");
    }
}
