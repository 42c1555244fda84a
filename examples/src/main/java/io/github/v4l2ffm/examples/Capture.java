package io.github.v4l2ffm.examples;

import io.github.v4l2ffm.BufferAllocator;
import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.DmaHeapAllocator;
import io.github.v4l2ffm.FormatDescription;
import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.UdmabufAllocator;
import io.github.v4l2ffm.UserptrAllocator;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Devices;
import io.github.v4l2ffm.V4l2Exception;
import io.github.v4l2ffm.VideoFormat;

import io.github.v4l2ffm.image.FrameConverter;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The main job: captures frames from a V4L2 camera and writes them as PNG files (MJPEG frames
 * as they came, {@code .jpg}; {@code --raw}: the bytes as captured).
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... io.github.v4l2ffm.examples.Capture \
 *     [--device /dev/video0 | --driver vivid] [--format YUYV] [--size 640x480] [--fps 30] \
 *     [--memory mmap|userptr|dmabuf-heap|udmabuf] [--frames 10] [--out frames] [--raw] \
 *     [--writers N] [--queue N]
 * </pre>
 *
 * <p>One thread captures at the camera's rate and hands each frame, copied into one of a fixed
 * set of slots, to writer threads through a bounded queue; the camera's buffer goes back to it
 * at once. Two kinds of drops are counted apart: frames the camera never delivered (gaps in its
 * sequence numbers) and frames the writers could not keep up with (no free slot). Each run writes
 * into its own directory under {@code --out}.
 */
public final class Capture {
    private Capture() {}

    static final String USAGE = """
            usage: capture.sh [options]
              --device PATH     the camera node (default: the first video capture device)
              --driver NAME     the first capture device of this driver, such as vivid
              --format FOURCC   the pixel format, such as YUYV, NV12, MJPG (default: one the converter knows)
              --size WxH        the frame size, such as 640x480 (default: the camera's current one)
              --fps N           the frame rate
              --memory KIND     mmap (default), userptr, dmabuf-heap or udmabuf
              --frames N        how many frames to capture (default 10)
              --out DIR         where each run's directory is made (default frames)
              --raw             write the bytes as captured instead of PNG
              --png-level N     PNG deflate level, 0 (none, fastest) to 9 (smallest) (default 1)
              --writers N       writer threads (default: the number of processors)
              --queue N         frames that may wait for a writer (default: all of them, up to a
                                quarter of the heap)
              --help            this text""";

    /** The options, checked. */
    record Options(Path device, String driver, PixelFormat format, int width, int height, int fps, String memory, int frames,
                   Path out, boolean raw, int writers, int queue, int pngLevel) {
        static Options parse(String[] args) {
            Path device = null;
            String driver = null, memory = "mmap";
            PixelFormat format = null;
            int width = 0, height = 0, fps = 0, frames = 10, writers = Runtime.getRuntime().availableProcessors(), queue = 0;
            int pngLevel = 1;
            Path out = Path.of("frames");
            boolean raw = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--raw")) {
                    raw = true;
                    continue;
                }
                if (a.equals("--help") || a.equals("-h")) throw new Help();
                if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + a + "'");
                if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
                String v = args[++i];
                switch (a) {
                    case "--device" -> device = Path.of(v);
                    case "--driver" -> driver = v;
                    case "--format" -> format = PixelFormat.of(v);
                    case "--size" -> {
                        String[] wh = v.split("x");
                        if (wh.length != 2) throw new IllegalArgumentException("--size is WIDTHxHEIGHT, such as 640x480: '" + v + "'");
                        width = positive("--size width", wh[0]);
                        height = positive("--size height", wh[1]);
                    }
                    case "--fps" -> fps = positive(a, v);
                    case "--memory" -> {
                        if (!List.of("mmap", "userptr", "dmabuf-heap", "udmabuf").contains(v)) {
                            throw new IllegalArgumentException("--memory is mmap, userptr, dmabuf-heap or udmabuf: '" + v + "'");
                        }
                        memory = v;
                    }
                    case "--frames" -> frames = positive(a, v);
                    case "--out" -> out = Path.of(v);
                    case "--writers" -> writers = positive(a, v);
                    case "--queue" -> queue = positive(a, v);
                    case "--png-level" -> {
                        if (!v.matches("[0-9]")) throw new IllegalArgumentException("--png-level is 0 to 9: '" + v + "'");
                        pngLevel = Integer.parseInt(v);
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (device != null && driver != null) throw new IllegalArgumentException("--device and --driver exclude each other");
            return new Options(device, driver, format, width, height, fps, memory, frames, out, raw, writers, queue, pngLevel);
        }

        private static int positive(String what, String v) {
            try {
                int n = Integer.parseInt(v.trim());
                if (n > 0) return n;
            } catch (NumberFormatException e) {
                // said below
            }
            throw new IllegalArgumentException(what + " must be a positive number: '" + v + "'");
        }
    }

    /** {@code --help} was asked for. */
    static final class Help extends RuntimeException {
        Help() {
            super(null, null, false, false);
        }
    }

    /**
     * Runs the job; {@code --check} first only checks the options (capture.sh does so before it
     * boots the lab VM): exit status 0 valid, 2 invalid, 3 help printed.
     */
    public static void main(String[] args) throws Exception {
        boolean check = args.length > 0 && args[0].equals("--check");
        String[] rest = check ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
        Options o;
        try {
            o = Options.parse(rest);
        } catch (Help h) {
            System.out.println(USAGE);
            System.exit(check ? 3 : 0);
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("capture: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        if (!check) run(o);
    }

    /** A frame copied out of the camera's buffer, waiting for a writer. */
    private static final class Slot {
        final byte[][] planes;
        final int[] lengths;
        int index, sequence;

        Slot(int planeCount, int planeBytes) {
            planes = new byte[planeCount][planeBytes];
            lengths = new int[planeCount];
        }
    }

    static void run(Options o) throws Exception {
        Path device = o.device() != null ? o.device()
                : (o.driver() != null ? V4l2Devices.findByDriver(o.driver()).filter(d -> d.capabilities().isVideoCapture())
                        : V4l2Devices.firstCaptureDevice())
                .orElseThrow(() -> new IllegalStateException("no video capture device found"
                        + (o.driver() != null ? " with driver " + o.driver() : ""))).path();
        Path dir = o.out().resolve("run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")));
        Files.createDirectories(dir);
        try (V4l2Device dev = V4l2Device.open(device)) {
            var caps = dev.capabilities();
            System.out.printf("device %s: %s (%s, %s)%n", dev.path(), caps.card(), caps.driver(), caps.busInfo());
            BufferQueue q = dev.captureQueue();
            VideoFormat asked = negotiate(q, o);
            VideoFormat f = q.setFormat(asked);
            System.out.println("format " + f);
            if (!f.pixelFormat().equals(asked.pixelFormat())) {
                System.out.println("warning: the driver chose " + f.pixelFormat() + " instead of " + asked.pixelFormat());
            }
            if (f.width() != asked.width() || f.height() != asked.height()) {
                System.out.printf("warning: the driver chose %dx%d instead of %dx%d%n", f.width(), f.height(), asked.width(), asked.height());
            }
            if (o.fps() > 0) {
                try {
                    Fraction interval = dev.setFrameInterval(q.type(), new Fraction(1, o.fps()));
                    System.out.printf("frame interval %s s (%.2f fps)%n", interval, 1 / interval.toDouble());
                    if (Math.abs(1 / interval.toDouble() - o.fps()) > 0.01) {
                        System.out.printf("warning: the driver chose %.2f fps instead of %d%n", 1 / interval.toDouble(), o.fps());
                    }
                } catch (UnsupportedOperationException | V4l2Exception e) {
                    System.out.println("warning: frame rate not settable: " + e.getMessage());
                }
            }
            String kind = o.raw() ? "raw" : f.pixelFormat().isCompressed() && isJpeg(f.pixelFormat()) ? "jpg"
                    : FrameConverter.supports(f.pixelFormat()) ? "png" : "raw";
            if (kind.equals("raw") && !o.raw()) System.out.println("no PNG conversion for " + f.pixelFormat() + ": writing raw frames");
            BufferAllocator allocator = switch (o.memory()) {
                case "userptr" -> new UserptrAllocator();
                case "dmabuf-heap" -> DmaHeapAllocator.system();
                case "udmabuf" -> UdmabufAllocator.open();
                default -> null;
            };
            try (BufferSet set = allocator == null ? q.allocate(4) : q.allocate(4, allocator)) {
                System.out.println(set);
                capture(set, f, o, dir, kind);
            } finally {
                if (allocator != null) allocator.close();
            }
        }
    }

    private static boolean isJpeg(PixelFormat pf) {
        return pf.equals(PixelFormat.MJPEG) || pf.equals(PixelFormat.JPEG);
    }

    /** The slots: {@code --queue}, or one per frame to capture as long as they fit in a quarter of the heap (at least 8). */
    static int slots(Options o, long frameBytes) {
        if (o.queue() > 0) return o.queue();
        long fit = Runtime.getRuntime().maxMemory() / 4 / Math.max(1, frameBytes);
        return (int) Math.max(Math.min(8, o.frames()), Math.min(o.frames(), fit));
    }

    /** Makes the slots and starts the writers, then starts streaming: nothing is allocated while the camera runs. */
    private static void capture(BufferSet set, VideoFormat f, Options o, Path dir, String kind) throws Exception {
        int planeCount = set.planeCount();
        long planeBytes = 0;
        for (V4l2Buffer b : set.buffers()) for (int p = 0; p < planeCount; p++) planeBytes = Math.max(planeBytes, b.length(p));
        int slots = slots(o, planeBytes * planeCount);
        System.out.println(o.writers() + " writer threads; " + slots + " frames may wait for them");
        BlockingQueue<Slot> free = new ArrayBlockingQueue<>(slots);
        BlockingQueue<Slot> full = new ArrayBlockingQueue<>(slots + 1);
        for (int i = 0; i < slots; i++) free.add(new Slot(planeCount, (int) planeBytes));
        Slot end = new Slot(0, 0);
        AtomicInteger written = new AtomicInteger();
        List<Throwable> writeErrors = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < o.writers(); w++) {
            writers.add(Thread.ofPlatform().name("writer-" + w).start(() -> {
                try (Writer writer = new Writer(f, kind, o.pngLevel())) {
                    for (Slot slot; (slot = full.take()) != end; ) {
                        try {
                            writer.write(dir, slot);
                            written.incrementAndGet();
                        } catch (IOException | RuntimeException e) {
                            writeErrors.add(e);
                        } finally {
                            free.add(slot);
                        }
                    }
                    full.add(end); // pass the end on to the next writer
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        long start = System.nanoTime(), captured = 0;
        int first = -1, last = -1, cameraGaps = 0, writerDrops = 0, mostWaiting = 0;
        try (Streaming s = set.start()) {
            start = System.nanoTime();
            for (int i = 0; i < o.frames(); i++) {
                V4l2Buffer b = s.dequeue(5_000);
                if (b == null) throw new IllegalStateException("no frame within 5 s");
                if (first < 0) first = b.sequence();
                if (last >= 0) cameraGaps += Math.max(0, b.sequence() - last - 1);
                last = b.sequence();
                Slot slot = free.poll();
                if (slot == null) {
                    writerDrops++;
                } else {
                    for (int p = 0; p < planeCount; p++) {
                        MemorySegment data = b.segment(p).asSlice(b.dataOffset(p), b.bytesUsed(p) - b.dataOffset(p));
                        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, 0, slot.planes[p], 0, (int) data.byteSize());
                        slot.lengths[p] = (int) data.byteSize();
                    }
                    slot.index = i;
                    slot.sequence = b.sequence();
                    full.add(slot);
                    mostWaiting = Math.max(mostWaiting, full.size());
                }
                s.queue(b);
                if (i % 30 == 0 || i == o.frames() - 1) {
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    System.out.printf("frame %4d  seq %6d  %8d bytes%s  (%.2f fps; camera gaps %d, writer drops %d)%n", i,
                            b.sequence(), b.bytesUsed(0), b.isError() ? " ERROR" : "", i == 0 ? 0.0 : i / elapsed, cameraGaps, writerDrops);
                }
            }
            captured = System.nanoTime();
        } finally {
            full.add(end);
            for (Thread t : writers) t.join();
        }
        double seconds = (captured - start) / 1e9, writing = (System.nanoTime() - captured) / 1e9;
        System.out.printf("captured %d frames in %.2f s: %.2f fps; %d frames the camera did not deliver (sequence %d..%d),"
                        + " %d the writers could not keep up with; %d files written to %s (at most %d frames waited;"
                        + " the writers finished %.2f s after the last frame)%n",
                o.frames(), seconds, (o.frames() - 1) / seconds, cameraGaps, first, last, writerDrops, written.get(), dir,
                mostWaiting, writing);
        if (!writeErrors.isEmpty()) throw new UncheckedIOException("writing failed", new IOException(writeErrors.getFirst()));
    }

    /** The requested format, or the device's current one, preferring a format the converter knows. */
    private static VideoFormat negotiate(BufferQueue q, Options o) {
        VideoFormat current = q.format();
        PixelFormat pf = o.format() != null ? o.format() : current.pixelFormat();
        if (o.format() == null && !FrameConverter.supports(pf)) {
            for (FormatDescription d : q.formats()) {
                if (FrameConverter.supports(d.pixelFormat())) {
                    pf = d.pixelFormat();
                    break;
                }
            }
        }
        return VideoFormat.of(q.type(), o.width() > 0 ? o.width() : current.width(), o.height() > 0 ? o.height() : current.height(), pf);
    }

    /**
     * One writer thread's tools, made once: a converter and an image for PNG, and a PNG writer
     * at the chosen deflate level (1, the default, compresses a camera frame about as well as
     * level 6 at a fraction of the time).
     */
    private static final class Writer implements AutoCloseable {
        final VideoFormat f;
        final String kind;
        final FrameConverter converter;
        final BufferedImage image;
        final ImageWriter png;
        final ImageWriteParam param;
        final MemorySegment[] planes;

        Writer(VideoFormat f, String kind, int pngLevel) {
            this.f = f;
            this.kind = kind;
            boolean isPng = kind.equals("png");
            converter = isPng ? FrameConverter.of(f) : null;
            image = isPng ? converter.newImage(BufferedImage.TYPE_3BYTE_BGR) : null;
            png = isPng ? ImageIO.getImageWritersByFormatName("png").next() : null;
            param = isPng ? png.getDefaultWriteParam() : null;
            if (isPng) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(1f - pngLevel / 9f);   // the JDK's PNG writer: deflate level 9 * (1 - quality)
            }
            planes = new MemorySegment[f.pixelFormat().memoryPlanes()];
        }

        void write(Path dir, Slot slot) throws IOException {
            switch (kind) {
                case "jpg" -> Files.write(dir.resolve(String.format("frame-%04d.jpg", slot.index)),
                        java.util.Arrays.copyOf(slot.planes[0], slot.lengths[0]));
                case "raw" -> {
                    Path file = dir.resolve(String.format("frame-%04d.%s.raw", slot.index, f.pixelFormat().fourcc().trim()));
                    try (var out = Files.newOutputStream(file)) {
                        for (int p = 0; p < slot.planes.length; p++) out.write(slot.planes[p], 0, slot.lengths[p]);
                    }
                }
                default -> {
                    for (int p = 0; p < planes.length; p++) planes[p] = MemorySegment.ofArray(slot.planes[p]).asSlice(0, slot.lengths[p]);
                    converter.toImage(planes, image);
                    Path file = dir.resolve(String.format("frame-%04d.png", slot.index));
                    Files.deleteIfExists(file);
                    try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
                        png.setOutput(out);
                        png.write(null, new IIOImage(image, null, null), param);
                    } finally {
                        png.setOutput(null);
                    }
                }
            }
        }

        @Override
        public void close() {
            if (converter != null) converter.close();
            if (png != null) png.dispose();
        }
    }
}
