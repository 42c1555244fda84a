#!/usr/bin/env bash
# Times ffmpeg (one thread) on the frames ImageConversionBenchmark converts, 1920x1080 testsrc2:
# YUYV and NV12 to BGRA (libyuv's and FrameConverter's ARGB: B, G, R, A in memory) with the
# nearest-chroma exact flags FrameConverter matches and with swscale's default flags, and MJPEG
# (no Huffman tables, as webcams send) decoded, alone and to RGB24. Prints "name ms-per-frame"
# lines: each figure is the median of 3 runs of `ffmpeg -benchmark` (wall time), less the same
# pipeline without the conversion (reading and passing the raw frames on; demuxing the MJPEG),
# over the frame count.
#   benchmarks/image-peers.sh [frames] [output file]      (build first: mvn install -DskipTests)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
n=${1:-200}
out=${2:-/dev/stdout}
command -v ffmpeg >/dev/null || { echo "ffmpeg is not installed (vivid-tests/lab/lab.sh install-deps)" >&2; exit 2; }
dir=$(mktemp -d /tmp/image-peers.XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$here/run-main.sh" ImagePeerFrames "$dir" "$n" >&2

exact=neighbor+full_chroma_int+accurate_rnd
# seconds of wall time ffmpeg reports for one run; median of 3
seconds() {
    local t=()
    for _ in 1 2 3; do
        t+=("$(ffmpeg -hide_banner -nostdin -nostats -benchmark -threads 1 -filter_threads 1 "$@" -f null - 2>&1 \
            | sed -n 's/^bench: utime=.* rtime=\([0-9.]*\)s$/\1/p')")
    done
    printf '%s\n' "${t[@]}" | sort -g | sed -n 2p
}
raw() {   # pix_fmt file
    echo -f rawvideo -pix_fmt "$1" -s 1920x1080 -stream_loop $((n - 1)) -i "$dir/$2"
}
per_frame() {   # total baseline
    awk -v t="$1" -v b="$2" -v n="$n" 'BEGIN { printf "%.3f\n", (t - b) * 1000 / n }'
}

base=$(seconds $(raw yuyv422 frame.yuyv))
{
    echo "ffmpeg.yuyvBgraExact $(per_frame "$(seconds $(raw yuyv422 frame.yuyv) -pix_fmt bgra -sws_flags $exact)" "$base")"
    echo "ffmpeg.yuyvBgraDefault $(per_frame "$(seconds $(raw yuyv422 frame.yuyv) -pix_fmt bgra)" "$base")"
} >>"$out"
base=$(seconds $(raw nv12 frame.nv12))
{
    echo "ffmpeg.nv12BgraExact $(per_frame "$(seconds $(raw nv12 frame.nv12) -pix_fmt bgra -sws_flags $exact)" "$base")"
    echo "ffmpeg.nv12BgraDefault $(per_frame "$(seconds $(raw nv12 frame.nv12) -pix_fmt bgra)" "$base")"
} >>"$out"
base=$(seconds -f mjpeg -i "$dir/frames.mjpeg" -c:v copy)
{
    echo "ffmpeg.mjpegDecode $(per_frame "$(seconds -f mjpeg -i "$dir/frames.mjpeg")" "$base")"
    echo "ffmpeg.mjpegRgb24 $(per_frame "$(seconds -f mjpeg -i "$dir/frames.mjpeg" -pix_fmt rgb24)" "$base")"
} >>"$out"
