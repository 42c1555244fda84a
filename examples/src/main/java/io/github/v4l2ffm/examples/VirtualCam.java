package io.github.v4l2ffm.examples;

import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.VirtualCamera;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * A virtual camera (v4l2loopback): publishes a moving test pattern with a visible frame counter,
 * or, with {@code --source}, another camera's frames with the counter drawn over them. Open the
 * loopback node in a browser, {@code ffplay -f v4l2 /dev/videoN}, {@code v4l2-ctl --stream-mmap}...
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... io.github.v4l2ffm.examples.VirtualCam \
 *     [--device /dev/videoN] [--source /dev/videoM] [--size 640x480] [--fps 30] [--frames N]
 * </pre>
 * Without {@code --device}, the first v4l2loopback node with no producer. YUYV only. Needs the
 * module: {@code sudo modprobe v4l2loopback exclusive_caps=1 max_buffers=8 card_label="Java camera"}.
 */
public final class VirtualCam {
    private VirtualCam() {}

    public static void main(String[] args) throws Exception {
        Path device = null, source = null;
        int w = 640, h = 480, fps = 30;
        long frames = Long.MAX_VALUE;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--device" -> device = Path.of(args[++i]);
                case "--source" -> source = Path.of(args[++i]);
                case "--size" -> {
                    String[] s = args[++i].split("x");
                    w = Integer.parseInt(s[0]);
                    h = Integer.parseInt(s[1]);
                }
                case "--fps" -> fps = Integer.parseInt(args[++i]);
                case "--frames" -> frames = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--device DEV --source DEV --size WxH --fps N --frames N)");
            }
        }
        Fraction interval = new Fraction(1, fps);
        if (source == null) {
            try (VirtualCamera cam = device == null ? VirtualCamera.open(w, h, PixelFormat.YUYV, interval)
                    : VirtualCamera.open(device, w, h, PixelFormat.YUYV, interval)) {
                System.out.println("publishing a test pattern on " + cam.path() + ": " + cam.format());
                VideoFormat f = cam.format();
                long period = 1_000_000_000L / fps, next = System.nanoTime();
                for (long n = 0; n < frames; n++) {
                    long k = n;
                    cam.publish(frame -> {
                        pattern(frame, f, k);
                        counter(frame, f, k);
                    });
                    next += period;                      // the camera does not pace: we do
                    long sleep = next - System.nanoTime();
                    if (sleep > 0) Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            }
            return;
        }
        // frames from another camera: captured (MMAP), copied into the loopback's buffer, the counter drawn over
        try (V4l2Device camera = V4l2Device.open(source)) {
            VideoFormat cf = camera.captureQueue().setFormat(w, h, PixelFormat.YUYV);
            if (!cf.pixelFormat().equals(PixelFormat.YUYV)) throw new IllegalStateException(source + " gives no YUYV: " + cf);
            try (VirtualCamera cam = device == null ? VirtualCamera.open(cf.width(), cf.height(), PixelFormat.YUYV, interval)
                    : VirtualCamera.open(device, cf.width(), cf.height(), PixelFormat.YUYV, interval);
                 BufferSet set = camera.captureQueue().allocate(4); Streaming s = set.start()) {
                System.out.println("publishing " + source + " on " + cam.path() + ": " + cam.format());
                VideoFormat f = cam.format();
                for (long n = 0; n < frames; n++) {
                    V4l2Buffer b = s.dequeue(2000);
                    if (b == null) throw new IllegalStateException(source + " sent no frame for 2 s");
                    long k = n;
                    MemorySegment in = b.segment(0);
                    int bytes = Math.min(b.bytesUsed(0), f.sizeImage());
                    cam.publish(b.timestampNanos(), frame -> {
                        MemorySegment.copy(in, 0, frame, 0, bytes);   // the one copy: the loopback takes only its own buffers
                        counter(frame, f, k);
                    });
                    s.queue(b);                                      // the camera pacing us
                }
            }
        }
    }

    /** Vertical colour bars (YUYV) scrolling one pixel pair per frame. */
    static void pattern(MemorySegment frame, VideoFormat f, long n) {
        // Y, U, V of white, yellow, cyan, green, magenta, red, blue, black (BT.601, limited range)
        int[][] bars = {{235, 128, 128}, {210, 16, 146}, {170, 166, 16}, {145, 54, 34}, {106, 202, 222}, {81, 90, 240},
                {41, 240, 110}, {16, 128, 128}};
        int pairs = f.width() / 2, bpl = f.bytesPerLine();
        byte[] line = new byte[bpl];
        for (int x = 0; x < pairs; x++) {
            int[] c = bars[(int) (((x + n) % pairs) * bars.length / pairs)];
            line[x * 4] = (byte) c[0];
            line[x * 4 + 1] = (byte) c[1];
            line[x * 4 + 2] = (byte) c[0];
            line[x * 4 + 3] = (byte) c[2];
        }
        MemorySegment l = MemorySegment.ofArray(line);
        for (int y = 0; y < f.height(); y++) MemorySegment.copy(l, 0, frame, (long) y * bpl, bpl);
    }

    private static final String[] DIGITS = { // 5x7, one string per digit, rows top to bottom
            "01110100011001110101110011000101110", "00100011000010000100001000010001110", "01110100010000100010001000100011111",
            "11111000100010000010000011000101110", "00010001100101010010111110001000010", "11111100001111000001000011000101110",
            "00110010001000011110100011000101110", "11111000010001000100010000100001000", "01110100011000101110100011000101110",
            "01110100011000101111000010001001100"};

    /** The frame number in big white digits on black, top left (luma only: chroma set grey). */
    static void counter(MemorySegment frame, VideoFormat f, long n) {
        String text = Long.toString(n);
        int scale = Math.max(2, f.height() / 60), bpl = f.bytesPerLine();
        int boxW = (text.length() * 6 + 1) * scale, boxH = 9 * scale;
        for (int y = 0; y < Math.min(boxH, f.height()); y++) {
            for (int x = 0; x < Math.min(boxW, f.width()); x++) {
                int cx = x / scale - 1, cy = y / scale - 1, digit = cx / 6, col = cx % 6;
                boolean on = cx >= 0 && cy >= 0 && cy < 7 && digit < text.length() && col < 5
                        && DIGITS[text.charAt(digit) - '0'].charAt(cy * 5 + col) == '1';
                long o = (long) y * bpl + x * 2L;
                frame.set(ValueLayout.JAVA_BYTE, o, (byte) (on ? 235 : 16));
                frame.set(ValueLayout.JAVA_BYTE, o + 1, (byte) 128);
            }
        }
    }
}
