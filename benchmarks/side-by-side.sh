#!/usr/bin/env bash
# The library side by side with a minimal C capture loop, v4l2-ctl, GStreamer and ffmpeg, on
# vivid, in one boot of the lab VM (or on this host, where vivid is loaded):
#
#   benchmarks/side-by-side.sh [--frames N] [--quick] [--runs N] [--soak SECONDS]
#                                                          (build first: mvn install -DskipTests)
#
# Per frame: process CPU and capturing-thread CPU (the C loop and the library report both; for
# v4l2-ctl, GStreamer and ffmpeg, whose threads are theirs, the process CPU of a long run minus a
# short one), heap bytes per frame and GCs (the library), for MMAP, USERPTR and DMABUF, single-
# and multi-planar, the dequeue and the await paths; per-ioctl ns; the library's warm-up on its
# own (the first 300 frames; frames until the capturing thread's cost is steady), with default
# flags, with JDK 25's ahead-of-time cache and with C1 alone; the C loop written on bare FFM
# downcalls (the JVM's own floor). Prints a table of ratios to the C loop for each run, then (with --runs N,
# default 3) the median of every figure over the runs with its range, and the same as the README's
# Markdown tables. --soak SECONDS adds a long
# run of the library through every case (heap bytes per frame and GCs over that time).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
frames=1500 ioctls=20000 runs=3 soak=0
# the whole programs always run 1500 and 300 frames: with fewer, start-up noise is larger than the
# difference (--quick once gave negative figures with 400 and 100)
peer_frames=1500 peer_short=300
[[ " $* " == *" --quick "* ]] && frames=400 ioctls=5000
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    --frames) frames=${args[i+1]} ;;
    --runs) runs=${args[i+1]} ;;
    --soak) soak=${args[i+1]} ;;
  esac
done

if [[ ${V4L2_SIDE_BY_SIDE_GUEST:-} != 1 && ! -d /sys/module/vivid ]]; then
  [[ -f $here/target/classpath.txt ]] || { echo "build first: mvn install -DskipTests" >&2; exit 2; }
  mkdir -p "$here/target"
  gcc -O2 -Wall -o "$here/target/capture-loop" "$here/native/capture-loop.c"
  # the lab's default limit (30 min) is shorter than the first run's three warm-ups of 9,000 frames and the rest
  V4L2_LAB_RW=$root exec env V4L2_SIDE_BY_SIDE_GUEST=1 V4L2_LAB_TIMEOUT="${V4L2_LAB_TIMEOUT:-$((2400 + runs * 1500 + soak * 2))}" "$root/vivid-tests/lab/lab.sh" run -- \
    env V4L2_SIDE_BY_SIDE_GUEST=1 JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}" bash "$here/side-by-side.sh" "$@"
fi
[[ -x $here/target/capture-loop ]] || gcc -O2 -Wall -o "$here/target/capture-loop" "$here/native/capture-loop.c"
# jars only: JDK 25's AOT cache refuses directories on the class path
jar=$(ls "$here"/target/v4l2-ffm-benchmarks-*.jar | grep -v -e javadoc -e sources | head -1)
cp="$jar:$(cat "$here/target/classpath.txt")"
node_named() { for n in /sys/class/video4linux/video*; do [[ $(cat "$n/name") == "$1" ]] && { echo "/dev/${n##*/}"; return; }; done; echo "no node named $1" >&2; exit 1; }
single=$(node_named vivid-000-vid-cap)
multi=$(node_named vivid-001-vid-cap)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results=$work/results
echo "side by side: vivid 640x480 YUYV, 4 buffers, $frames frames per run; $(uname -r); $(nproc) CPU(s)"

# children's CPU seconds so far (user + system), from this shell's own accounting ("times" must
# run in this shell, not in a command substitution's subshell): "times" into a file, then read
child_times() { times > "$work/times"; }
times_seconds() { tail -1 "$work/times" | sed 's/m/ /g; s/s//g' | awk '{print $1*60 + $2 + $3*60 + $4}'; }
# process CPU per frame of a whole program: a run of $peer_frames frames minus a run of $peer_short
peer() {
  local name=$1; shift
  local c0 c1 c2
  child_times; c0=$(times_seconds)
  "$@" "$peer_short" >/dev/null 2>&1 || { echo "$name failed" >&2; return; }
  child_times; c1=$(times_seconds)
  "$@" "$peer_frames" >/dev/null 2>&1 || { echo "$name failed" >&2; return; }
  child_times; c2=$(times_seconds)
  local us
  us=$(awk -v a="$c0" -v b="$c1" -v c="$c2" -v n="$peer_frames" -v s="$peer_short" 'BEGIN { printf "%.1f", ((c - b) - (b - a)) * 1e6 / (n - s) }')
  echo "$name process_us_per_frame $us" | tee -a "$results.$run"
}
rate() { v4l2-ctl -d "$1" --set-parm=60 >/dev/null || echo "warning: $1: frame rate not set" >&2; }
cloop() { "$here/target/capture-loop" "$@"; }
cloop_n() { cloop "$single" "$1" mmap; }
v4l2ctl() { v4l2-ctl -d "$single" --set-fmt-video=width=640,height=480,pixelformat=YUYV --stream-mmap=4 --stream-count="$1"; }
gst() { gst-launch-1.0 -q v4l2src device="$single" num-buffers="$1" ! video/x-raw,format=YUY2,width=640,height=480 ! fakesink; }
ff() { ffmpeg -nostdin -v error -f v4l2 -input_format yuyv422 -video_size 640x480 -i "$single" -frames:v "$1" -f null -; }
lib() { "$java" --enable-native-access=ALL-UNNAMED "$@"; }

measure() {
  rate "$single"
  echo "frame interval: $(v4l2-ctl -d "$single" --get-parm | grep -i 'frames per second' | head -1)"
  # the library, every case in one JVM warmed up once, and the C loop (with each memory type and
  # planarity, and polling an eventfd too as the library polls its stream's stop eventfd) run by
  # that JVM just before the library's cases: the machine's speed drifts over a boot
  dmabuf=; [[ -e /dev/dma_heap/system ]] && dmabuf=dmabuf
  lib -Dside-by-side.c-loop="$here/target/capture-loop" -cp "$cp" io.github.v4l2ffm.benchmarks.SideBySide steady "$single" "$multi" "$frames" $dmabuf \
    | tee -a "$results.$run"
  # the warm-up on its own, in fresh JVMs: default flags, JDK 25's ahead-of-time cache (a training
  # run records it, -XX:AOTCache uses it), and C1 alone (-XX:TieredStopAtLevel=1): the first 300
  # frames each run, and in the first run 9,000 frames in rounds of 300, with how many frames the
  # capturing thread took to reach its steady cost
  local max=0; ((run == 1)) && max=9000
  echo "library-warmup default $(lib -cp "$cp" io.github.v4l2ffm.benchmarks.SideBySide warmup "$single" $max)" | tee -a "$results.$run"
  aot=$work/side-by-side.aot
  if [[ ! -f $aot ]]; then
    lib -XX:AOTCacheOutput="$aot" -cp "$cp" io.github.v4l2ffm.benchmarks.SideBySide warmup "$single" 3000 > "$work/aot-training.log" 2>&1 \
      || { echo "the AOT training run failed:"; tail -5 "$work/aot-training.log"; }
  fi
  if [[ -f $aot ]]; then
    echo "library-warmup aot-cache $(lib -XX:AOTCache="$aot" -cp "$cp" io.github.v4l2ffm.benchmarks.SideBySide warmup "$single" $max)" | tee -a "$results.$run"
  fi
  echo "library-warmup c1 $(lib -XX:TieredStopAtLevel=1 -cp "$cp" io.github.v4l2ffm.benchmarks.SideBySide warmup "$single" $max)" | tee -a "$results.$run"
  # whole programs, MMAP single-planar: the C loop measured the same way as the peers
  peer "c-whole-process" cloop_n
  peer v4l2-ctl v4l2ctl
  command -v gst-launch-1.0 >/dev/null && peer gstreamer gst
  command -v ffmpeg >/dev/null && peer ffmpeg ff
  # per ioctl
  echo "c ioctl $(cloop "$single" "$ioctls" ioctl)" | tee -a "$results.$run"
  echo "library ioctl $(lib -cp "$cp" io.github.v4l2ffm.benchmarks.SideBySide ioctl "$single" "$ioctls")" | tee -a "$results.$run"

}

for ((run = 1; run <= runs; run++)); do
  echo "== run $run of $runs"
  measure
  echo
  awk -f "$here/side-by-side.awk" "$results.$run"
  echo
done
if ((soak > 0)); then
  echo "== soak: $soak s through every case"
  lib -cp "$cp" io.github.v4l2ffm.benchmarks.SideBySide soak "$single" "$multi" "$soak" $dmabuf
fi
if ((runs > 1)); then
  echo "== median (min-max) over $runs runs"
  for ((run = 1; run <= runs; run++)); do awk -v mode=figures -f "$here/side-by-side.awk" "$results.$run"; done > "$work/figures"
  awk -f "$here/side-by-side-runs.awk" "$work/figures"
  echo
  echo "== the same as the README's tables (Markdown)"
  awk -v mode=markdown -f "$here/side-by-side-runs.awk" "$work/figures"
fi
