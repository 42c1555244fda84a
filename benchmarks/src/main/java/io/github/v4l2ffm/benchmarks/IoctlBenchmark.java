package io.github.v4l2ffm.benchmarks;

import io.github.v4l2ffm.BufferType;
import io.github.v4l2ffm.VideoFormat;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Devices;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** The cost of one ioctl through the library: VIDIOC_QUERYCAP and VIDIOC_G_FMT on vivid. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class IoctlBenchmark {
    private V4l2Device device;

    @Setup
    public void open() {
        device = V4l2Devices.findByDriver("vivid").orElseThrow(() -> new IllegalStateException("vivid is not loaded")).open();
    }

    @Benchmark
    public Object querycap() {
        return device.queryCapabilities();
    }

    @Benchmark
    public VideoFormat getFormat() {
        return device.format(device.captureQueue().type());
    }

    @TearDown
    public void close() {
        device.close();
    }
}
