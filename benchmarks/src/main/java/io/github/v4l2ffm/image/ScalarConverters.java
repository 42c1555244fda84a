package io.github.v4l2ffm.image;

import io.github.v4l2ffm.VideoFormat;

/**
 * The benchmarks' door to {@link FrameConverter#scalar}, which is package-private: the same class
 * path package, so one JVM (with the Vector API module) measures both paths.
 */
public final class ScalarConverters {
    private ScalarConverters() {}

    /** A converter for {@code format} (its own encoding and range) with the Vector API path off. */
    public static FrameConverter of(VideoFormat format) {
        return FrameConverter.scalar(format, YCbCrEncoding.of(format), Quantization.of(format));
    }
}
