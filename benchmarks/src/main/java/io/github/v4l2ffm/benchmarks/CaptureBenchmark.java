package io.github.v4l2ffm.benchmarks;

import io.github.v4l2ffm.V4l2Buffer;
import io.github.v4l2ffm.BufferSet;
import io.github.v4l2ffm.Fraction;
import io.github.v4l2ffm.PixelFormat;
import io.github.v4l2ffm.BufferQueue;
import io.github.v4l2ffm.Streaming;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Devices;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Steady-state capture from vivid: one operation is one frame (dequeue, read its first byte,
 * queue it back). Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is the Java heap
 * allocated per frame.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CaptureBenchmark {
    @Param({"false", "true"})
    public boolean multiplanar;

    private V4l2Device device;
    private BufferSet buffers;
    private Streaming stream;

    @Setup(Level.Trial)
    public void start() {
        device = V4l2Devices.find(c -> c.driver().equals("vivid") && c.isVideoCapture() && c.isMultiplanar() == multiplanar)
                .orElseThrow(() -> new IllegalStateException("vivid is not loaded")).open();
        BufferQueue q = device.captureQueue();
        q.setFormat(320, 180, PixelFormat.YUYV);
        device.setFrameInterval(q.type(), new Fraction(1, 60));
        buffers = q.allocate(4);
        stream = buffers.start();
    }

    @Benchmark
    public int frame() {
        V4l2Buffer b = stream.dequeue(5_000);
        if (b == null) throw new IllegalStateException("no frame within 5 s");
        int v = b.segment(0).get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) + b.sequence();
        stream.queue(b);
        return v;
    }

    @TearDown(Level.Trial)
    public void stop() {
        device.close();
    }
}
