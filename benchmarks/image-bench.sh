#!/usr/bin/env bash
# The image module against native peers in one run, on the host (no devices): the JMH benchmark
# ImageConversionBenchmark (FrameConverter, libyuv and libjpeg-turbo through FFM, in one JVM),
# then ffmpeg on the same frames (image-peers.sh), then a table of milliseconds per 1920x1080 frame
# and the ratios. Needs ffmpeg, libyuv0 and libturbojpeg0 (vivid-tests/lab/apt-packages.txt).
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -q install -DskipTests
#   benchmarks/image-bench.sh [JMH options, e.g. -wi 5 -i 10]
# FRAMES=n sets ffmpeg's frame count (200); RESULTS=dir keeps the raw results (else a temporary
# folder). The run takes about 3 minutes on 2 cores.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
frames=${FRAMES:-200}
results=${RESULTS:-$(mktemp -d /tmp/image-bench.XXXXXX)}
mkdir -p "$results"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "machine: $cpu, $(nproc) CPUs; $("${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" -version 2>&1 | head -1)" \
    | tee "$results/machine.txt"
dpkg-query -W -f '${Package} ${Version}\n' libyuv0 libturbojpeg0 ffmpeg 2>/dev/null | tee -a "$results/machine.txt" || true

"$here/run.sh" ImageConversionBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1 -tu ms -rf csv -rff "$results/jmh.csv" "$@" \
    | tee "$results/jmh.txt" | grep -E 'differ|MJPEG|^Image|^Benchmark' | sed 's/^# Warmup Iteration *1: //' | awk '!seen[$0]++' || true
: >"$results/peers.txt"
"$here/image-peers.sh" "$frames" "$results/peers.txt"

awk -F, '
    FNR == NR { if (FNR > 1) { gsub(/"/, ""); n = split($1, p, "."); ms[p[n]] = $5 } next }
    { split($0, f, " "); ms[f[1]] = f[2] }
    function row(label, key, base, peer,    r1, r2) {
        if (!(key in ms)) return
        r1 = (base in ms && ms[base] > 0) ? sprintf("%.2f", ms[key] / ms[base]) : "-"
        r2 = (peer in ms && ms[peer] > 0) ? sprintf("%.2f", ms[key] / ms[peer]) : "-"
        printf "  %-46s %9.3f %10s %10s\n", label, ms[key], r1, r2
    }
    END {
        printf "\n%-48s %9s %10s %10s\n", "1920x1080, one thread", "ms/frame", "x native", "x ffmpeg"
        print "YUYV -> ARGB (x native: libyuv YUY2ToARGB; x ffmpeg: swscale, exact flags)"
        row("FrameConverter, Vector API", "yuyvVector", "yuyvLibyuv", "ffmpeg.yuyvBgraExact")
        row("FrameConverter, scalar", "yuyvScalar", "yuyvLibyuv", "ffmpeg.yuyvBgraExact")
        row("libyuv YUY2ToARGB (FFM)", "yuyvLibyuv", "yuyvLibyuv", "ffmpeg.yuyvBgraExact")
        row("ffmpeg, neighbor+full_chroma_int+accurate_rnd", "ffmpeg.yuyvBgraExact", "yuyvLibyuv", "ffmpeg.yuyvBgraExact")
        row("ffmpeg, default flags", "ffmpeg.yuyvBgraDefault", "yuyvLibyuv", "ffmpeg.yuyvBgraExact")
        print "NV12 -> ARGB (x native: libyuv NV12ToARGB; x ffmpeg: swscale, exact flags)"
        row("FrameConverter, Vector API", "nv12Vector", "nv12Libyuv", "ffmpeg.nv12BgraExact")
        row("FrameConverter, scalar", "nv12Scalar", "nv12Libyuv", "ffmpeg.nv12BgraExact")
        row("libyuv NV12ToARGB (FFM)", "nv12Libyuv", "nv12Libyuv", "ffmpeg.nv12BgraExact")
        row("ffmpeg, neighbor+full_chroma_int+accurate_rnd", "ffmpeg.nv12BgraExact", "nv12Libyuv", "ffmpeg.nv12BgraExact")
        row("ffmpeg, default flags", "ffmpeg.nv12BgraDefault", "nv12Libyuv", "ffmpeg.nv12BgraExact")
        print "MJPEG -> RGB (x native: libjpeg-turbo tjDecompress2; x ffmpeg: its decoder + swscale to rgb24)"
        row("FrameConverter, libjpeg-turbo", "mjpegFrameConverter", "mjpegTurboJpeg", "ffmpeg.mjpegRgb24")
        row("FrameConverter, ImageIO", "mjpegImageIo", "mjpegTurboJpeg", "ffmpeg.mjpegRgb24")
        row("libjpeg-turbo tjDecompress2 (FFM)", "mjpegTurboJpeg", "mjpegTurboJpeg", "ffmpeg.mjpegRgb24")
        row("ffmpeg, decode to rgb24", "ffmpeg.mjpegRgb24", "mjpegTurboJpeg", "ffmpeg.mjpegRgb24")
        row("ffmpeg, decode only (yuvj422p)", "ffmpeg.mjpegDecode", "mjpegTurboJpeg", "ffmpeg.mjpegRgb24")
    }' "$results/jmh.csv" "$results/peers.txt" | tee "$results/table.txt"
echo "raw results: $results"
