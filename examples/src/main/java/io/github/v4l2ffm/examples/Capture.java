package io.github.v4l2ffm.examples;

import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.BufferAllocator;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.DmaHeapAllocator;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.FormatDescription;
import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.UdmabufAllocator;
import io.github.v4l2ffm.UserptrAllocator;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Devices;
import io.github.v4l2ffm.V4l2Exception;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Captures frames from a V4L2 camera and writes them as PNG (or raw) files.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... io.github.v4l2ffm.examples.Capture \
 *     [--device /dev/video0 | --driver vivid] [--format YUYV] [--size 640x480] [--fps 30] \
 *     [--memory mmap|userptr|dmabuf-heap|udmabuf] [--frames 10] [--out frames] [--raw]
 * </pre>
 * Without {@code --device} or {@code --driver} it uses the first video capture device. It prints
 * every frame as it arrives, then the frame rate and the number of dropped frames.
 */
public final class Capture {
    private Capture() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = parse(args);
        Path device = opt.containsKey("device")
                ? Path.of(opt.get("device"))
                : (opt.containsKey("driver") ? V4l2Devices.findByDriver(opt.get("driver"))
                        .filter(d -> d.capabilities().isVideoCapture()) : V4l2Devices.firstCaptureDevice())
                        .orElseThrow(() -> new IllegalStateException("no video capture device found"
                                + (opt.containsKey("driver") ? " with driver " + opt.get("driver") : ""))).path();
        int frames = Integer.parseInt(opt.getOrDefault("frames", "10"));
        Path out = Path.of(opt.getOrDefault("out", "frames"));
        boolean raw = opt.containsKey("raw");
        String memory = opt.getOrDefault("memory", "mmap");
        Files.createDirectories(out);

        try (V4l2Device dev = V4l2Device.open(device); Arena arena = Arena.ofShared()) {
            var caps = dev.capabilities();
            System.out.printf("device %s: %s (%s, %s)%n", dev.path(), caps.card(), caps.driver(), caps.busInfo());
            BufferQueue q = dev.captureQueue();
            VideoFormat f = q.setFormat(negotiate(q, opt));
            System.out.println("format " + f);
            if (opt.containsKey("fps")) {
                try {
                    Fraction interval = dev.setFrameInterval(q.type(), new Fraction(1, Integer.parseInt(opt.get("fps"))));
                    System.out.printf("frame interval %s s (%.2f fps)%n", interval, 1 / interval.toDouble());
                } catch (UnsupportedOperationException | V4l2Exception e) {
                    System.out.println("frame rate not settable: " + e.getMessage());
                }
            }
            if (!raw && !FrameConverter.supports(f.pixelFormat().fourcc())) {
                System.out.println("no PNG conversion for " + f.pixelFormat() + ": writing raw frames");
                raw = true;
            }
            BufferAllocator allocator = switch (memory) {
                case "mmap" -> null;
                case "userptr" -> new UserptrAllocator();
                case "dmabuf-heap" -> DmaHeapAllocator.system();
                case "udmabuf" -> UdmabufAllocator.open();
                default -> throw new IllegalArgumentException("--memory is mmap, userptr, dmabuf-heap or udmabuf: " + memory);
            };
            try (BufferSet set = allocator == null ? q.allocate(4) : q.allocate(4, allocator);
                 Streaming s = set.start()) {
                System.out.println(set);
                long start = System.nanoTime();
                int first = -1, last = -1, dropped = 0;
                for (int i = 0; i < frames; i++) {
                    V4l2Buffer b = s.dequeue(5_000);
                    if (b == null) throw new IllegalStateException("no frame within 5 s");
                    if (first < 0) first = b.sequence();
                    if (last >= 0) dropped += b.sequence() - last - 1;
                    last = b.sequence();
                    Path file = write(out, i, f, b, raw);
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    System.out.printf("frame %3d  seq %5d  ts %.6f s  %8d bytes%s  -> %s  (%.2f fps, %d dropped)%n",
                            i, b.sequence(), b.timestampNanos() / 1e9, b.bytesUsed(0), b.isError() ? " ERROR" : "",
                            file, i == 0 ? 0.0 : i / elapsed, dropped);
                    s.queue(b);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("captured %d frames in %.2f s: %.2f fps, %d dropped (sequence %d..%d)%n",
                        frames, seconds, (frames - 1) / seconds, dropped, first, last);
            } finally {
                if (allocator != null) allocator.close();
            }
        }
    }

    /** The requested format, or the device's current one, preferring a format the converter knows. */
    private static VideoFormat negotiate(BufferQueue q, Map<String, String> opt) {
        VideoFormat current = q.format();
        PixelFormat pf = opt.containsKey("format") ? PixelFormat.of(opt.get("format")) : current.pixelFormat();
        if (!opt.containsKey("format") && !FrameConverter.supports(pf.fourcc())) {
            for (FormatDescription d : q.formats()) {
                if (FrameConverter.supports(d.pixelFormat().fourcc())) {
                    pf = d.pixelFormat();
                    break;
                }
            }
        }
        int w = current.width(), h = current.height();
        if (opt.containsKey("size")) {
            String[] wh = opt.get("size").split("x");
            w = Integer.parseInt(wh[0]);
            h = Integer.parseInt(wh[1]);
        }
        return VideoFormat.of(q.type(), w, h, pf);
    }

    private static Path write(Path dir, int i, VideoFormat f, V4l2Buffer b, boolean raw) throws IOException {
        if (raw) {
            Path file = dir.resolve(String.format("frame-%03d.%s.raw", i, f.pixelFormat().fourcc().trim()));
            try (OutputStream o = Files.newOutputStream(file)) {
                for (int p = 0; p < b.planeCount(); p++) {
                    MemorySegment data = b.segment(p).asSlice(b.dataOffset(p), b.bytesUsed(p) - b.dataOffset(p));
                    o.write(data.toArray(ValueLayout.JAVA_BYTE));
                }
            }
            return file;
        }
        MemorySegment[] planes = new MemorySegment[b.planeCount()];
        int[] strides = new int[b.planeCount()];
        for (int p = 0; p < planes.length; p++) {
            planes[p] = b.segment(p).asSlice(b.dataOffset(p), b.bytesUsed(p) - b.dataOffset(p));
            strides[p] = f.planes().get(p).bytesPerLine();
        }
        Path file = dir.resolve(String.format("frame-%03d.png", i));
        ImageIO.write(FrameConverter.toImage(f.pixelFormat().fourcc(), f.width(), f.height(), planes, strides), "png", file.toFile());
        return file;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument " + a);
            String key = a.substring(2);
            if (key.equals("raw")) {
                m.put(key, "true");
            } else {
                if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
                m.put(key, args[++i]);
            }
        }
        return m;
    }
}
