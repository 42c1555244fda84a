#!/usr/bin/env bash
# The library side by side with a minimal C capture loop, v4l2-ctl, GStreamer and ffmpeg, on
# vivid, in one boot of the lab VM (or on this host, where vivid is loaded):
#
#   benchmarks/side-by-side.sh [--frames N] [--quick] [--runs N] [--soak SECONDS]
#   benchmarks/side-by-side.sh --peers [--runs N]          only the whole programs (the library among them)
#   benchmarks/side-by-side.sh --warmup [--runs N]         only the warm-up, 9,000 frames in rounds every run
#   benchmarks/side-by-side.sh --floor ROUNDS [--frames N]   only the C loop, the bare FFM loop and
#                                                          the library (single-planar MMAP), in turn
#   benchmarks/side-by-side.sh --split [--runs N]         the library's queue, and a dequeue that finds a buffer
#                                                          ready, timed alone (with --icount: instructions), and
#                                                          the bare FFM loop's, in one JVM per run
#   benchmarks/side-by-side.sh --cases [--frames N]         every capture case in a JVM of its own (warmed up on
#                                                          that case alone, 9,000 frames at least), the C loop
#                                                          just before it, with the ratios (an application that
#                                                          captures one kind of stream; --runs N repeats the
#                                                          whole, 1 by default)
#   --icount (with any of the above): the lab's QEMU counts instructions (-icount shift=0,sleep=off):
#   the guest's clock advances 1 ns per instruction executed, so every CPU time it reports is an
#   instruction count, the same from one boot or host to the next (every instruction weighs the
#   same: a cache miss or a fence costs no more than an add)
#                                                          (build first: mvn install -DskipTests)
#
# Per frame: process CPU and capturing-thread CPU (the C loop and the library report both; for
# v4l2-ctl, GStreamer and ffmpeg, whose threads are theirs, the process CPU over 20 s of streaming
# once started, read from /proc), heap bytes per frame and GCs (the library), for MMAP, USERPTR and DMABUF, single-
# and multi-planar, the dequeue and the await paths; per-ioctl ns; the library's warm-up on its
# own (the first 300 frames; frames until the capturing thread's cost is steady), with default
# flags, with JDK 25's ahead-of-time cache, with C1 alone and with the compile thresholds scaled
# down; the C loop written on bare FFM
# downcalls (the JVM's own floor). Prints a table of ratios to the C loop for each run, then (with --runs N,
# default 3) the median of every figure over the runs with its range, and the same as the README's
# Markdown tables. --soak SECONDS adds a long
# run of the library through every case (heap bytes per frame and GCs over that time).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
frames=1500 ioctls=20000 runs=3 soak=0 floor=0 peers_only=0 warm_only=0 cases=0 split=0
[[ " $* " == *" --peers "* ]] && peers_only=1
[[ " $* " == *" --warmup "* ]] && warm_only=1
[[ " $* " == *" --cases "* ]] && cases=1 runs=1
[[ " $* " == *" --split "* ]] && split=1
[[ " $* " == *" --quick "* ]] && frames=400 ioctls=5000
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    --frames) frames=${args[i+1]} ;;
    --runs) runs=${args[i+1]} ;;
    --soak) soak=${args[i+1]} ;;
    --floor) floor=${args[i+1]} ;;
  esac
done

if [[ ${V4L2_SIDE_BY_SIDE_GUEST:-} != 1 && ! -d /sys/module/vivid ]]; then
  [[ -f $here/target/classpath.txt ]] || { echo "build first: mvn install -DskipTests" >&2; exit 2; }
  mkdir -p "$here/target"
  gcc -O2 -Wall -o "$here/target/capture-loop" "$here/native/capture-loop.c"
  # the lab's default limit (30 min) is shorter than the first run's four warm-ups of 9,000 frames and the rest
  # (--warmup: every run's)
  # one vCPU, as every figure in the README (the lab gives two on hosts with 4 CPUs or more)
  icount=${V4L2_LAB_ICOUNT:-}
  [[ " $* " == *" --icount "* ]] && icount=shift=0,sleep=off
  V4L2_LAB_RW=$root V4L2_LAB_ICOUNT=$icount exec env V4L2_SIDE_BY_SIDE_GUEST=1 V4L2_LAB_SMP="${V4L2_LAB_SMP:-1}" V4L2_LAB_TIMEOUT="${V4L2_LAB_TIMEOUT:-$((2400 + runs * 1800 + soak * 2))}" "$root/vivid-tests/lab/lab.sh" run -- \
    env V4L2_SIDE_BY_SIDE_GUEST=1 JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}" bash "$here/side-by-side.sh" "$@"
fi
[[ -x $here/target/capture-loop ]] || gcc -O2 -Wall -o "$here/target/capture-loop" "$here/native/capture-loop.c"
# jars only: JDK 25's AOT cache refuses directories on the class path
jar=$(ls "$here"/target/v4l2-ffm-benchmarks-*.jar | grep -v -e javadoc -e sources | head -1)
cp="$jar:$(cat "$here/target/classpath.txt")"
node_named() { for n in /sys/class/video4linux/video*; do [[ $(cat "$n/name") == "$1" ]] && { echo "/dev/${n##*/}"; return; }; done; echo "no node named $1" >&2; exit 1; }
single=$(node_named vivid-000-vid-cap)
multi=$(node_named vivid-001-vid-cap)
dmabuf=; [[ -e /dev/dma_heap/system ]] && dmabuf=dmabuf
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results=$work/results
if ((warm_only)); then what="the warm-up alone, 9,000 frames per flavour"; else what="$frames frames per case"; fi
clock="real time"; [[ " $* " == *" --icount "* ]] && clock="instruction counts (QEMU -icount shift=0: 1 ns = 1 instruction)"
echo "side by side: vivid 640x480 YUYV, 4 buffers, $what; $(uname -r); $(nproc) CPU(s); times are $clock"

# process CPU per frame of a whole program in its steady state: started with no frame limit, its
# CPU (every thread's time on the CPU) read $peer_settle seconds after its start and
# again $peer_seconds later, over the frames the camera gave meanwhile (60 a second, as every
# program keeps up: the C loop reports its rate); then stopped. Start-up and exit stay outside
# the window: a long run minus a short one, as before, gave negative figures (start-up varied by
# more than the difference)
peer_settle=6 peer_seconds=20 peer_jit=0
# (the CPU time of its threads, in ns, from /proc/PID/task/*/schedstat: /proc/PID/stat's 10 ms ticks
# are 8.3 µs a frame over 20 s, as much as the C loop's whole frame under --icount; a thread that
# ended meanwhile drops out, so these programs' threads, made at start, all count)
# one reading of a program: the guest's clock (s) when read, and each of its threads' name, CPU time
# (ns) and how often it was put on the CPU (schedstat's third field), all from one process: starting
# a process takes some 0.3 s of guest time under --icount, so the window is timed by the readings
# themselves, not by the sleep between them
reading() {
  [[ -d /proc/$1/task ]] || return 1
  grep -H . /proc/uptime /proc/"$1"/task/*/schedstat /proc/"$1"/task/*/comm > "$2" 2>/dev/null && [[ -s $2 ]]
}
# the CPU time (ns) of a JVM's compiler threads (0 for a program without them), read by one process
jit_ns() {
  awk 'FILENAME ~ /comm$/ { split(FILENAME, p, "/"); jit[p[5]] = /CompilerThre/; next }
       { split(FILENAME, p, "/"); if (jit[p[5]]) s += $1 } END { printf "%.0f", s }' \
    /proc/"$1"/task/*/comm /proc/"$1"/task/*/schedstat 2>/dev/null
}
# a JVM's steady state starts once its JIT is idle: after peer_settle, 20 s spans until one in which
# its compiler threads ran under 2 ms (idle ones wake every few seconds, some 0.1 ms in 20 s under
# --icount; a C2 compilation takes tens of ms), at most 10 of them. A compilation inside the window
# would count as the program's work a frame (one was seen: 1.2 thousand instructions a frame)
jit_idle() {
  local pid=$1 name=$2 j0 j1 k
  for ((k = 0; k < 10; k++)); do
    j0=$(jit_ns "$pid"); sleep 20; j1=$(jit_ns "$pid")
    [[ -n $j0 && -n $j1 ]] || return 0
    if ((j1 - j0 < 2000000)); then echo "$name: JIT idle after $((peer_settle + 20 * (k + 1))) s" >&2; return 0; fi
  done
  echo "$name: JIT still compiling after $((peer_settle + 200)) s" >&2
}
peer() {
  local name=$1; shift
  "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep "$peer_settle"
  ((peer_jit)) && jit_idle "$pid" "$name"
  # a program that ended early is reported and skipped, not fatal (set -e): wait's status is its own
  reading "$pid" "$work/a" || { echo "$name ended early" >&2; wait "$pid" || true; return 0; }
  sleep "$peer_seconds"
  reading "$pid" "$work/b" || { echo "$name ended early" >&2; wait "$pid" || true; return 0; }
  kill -INT "$pid" 2>/dev/null || true; sleep 1; kill "$pid" 2>/dev/null || true # (it may have ended at the first)
  wait "$pid" 2>/dev/null || true
  # frames: 60 a second of the window, as every program keeps up (the C loop reports its rate); the
  # first line is the figure, the next ones (a program of several threads) each thread's share, for
  # the log only. A thread that ended meanwhile drops out; one made meanwhile counts all its time
  awk -v name="$name" -v figures="$results.$run" '
    { at = index($0, ":"); path = substr($0, 1, at - 1); value = substr($0, at + 1) }
    path == "/proc/uptime" { split(value, u, " "); if (FILENAME == ARGV[1]) t0 = u[1]; else t1 = u[1]; next }
    { split(path, p, "/"); tid = p[5] }
    path ~ /comm$/ { comm[tid] = value; next }
    { split(value, v, " "); if (FILENAME == ARGV[1]) { a[tid] = v[1]; aw[tid] = v[3] } else { b[tid] = v[1]; bw[tid] = v[3] } }
    END {
      f = (t1 - t0) * 60
      for (k in b) { cpu[k] = (b[k] - a[k]) / 1e3 / f; sw[k] = (bw[k] - aw[k]) / f; s += cpu[k]; w += sw[k]; n++ }
      line = sprintf("%s process_us_per_frame %.1f switches_per_frame %.2f", name, s, w)
      print line; print line >> figures
      if (n > 1) for (k in b) if (cpu[k] >= 0.005) printf "  %s thread %s: %.2f us a frame, %.3f switches a frame\n", name, comm[k], cpu[k], sw[k]
    }' "$work/a" "$work/b"
}
rate() { v4l2-ctl -d "$1" --set-parm=60 >/dev/null || echo "warning: $1: frame rate not set" >&2; }
cloop() { "$here/target/capture-loop" "$@"; }
# the whole programs, with no frame limit (peer stops them); exec: the background job is the program itself, whose threads peer reads
cloop_n() { exec "$here/target/capture-loop" "$single" 100000000 mmap; }
v4l2ctl() { exec v4l2-ctl -d "$single" --set-fmt-video=width=640,height=480,pixelformat=YUYV --stream-mmap=4 --stream-count=100000000; }
gst() { exec gst-launch-1.0 -q v4l2src device="$single" ! video/x-raw,format=YUY2,width=640,height=480,framerate=60/1 ! fakesink; }
ff() { exec ffmpeg -nostdin -v error -f v4l2 -input_format yuyv422 -video_size 640x480 -framerate 60 -i "$single" -f null -; }
jvm=("$java" --enable-native-access=ALL-UNNAMED)
lib_stream() { exec "${jvm[@]}" -cp "$cp" io.github.v4l2ffm.benchmarks.SideBySide stream "$single"; }
# the same with the flags the README gives a capture that runs for hours and counts every cycle of
# the whole process: the JVM's monitor deflation thread wakes once a minute, not four times a
# second, and its service thread's periodic cleanup once a minute, not every second
long_capture=(-XX:+UnlockDiagnosticVMOptions -XX:AsyncDeflationInterval=0 -XX:ServiceThreadCleanupInterval=60000)
lib_stream_long() { exec "${jvm[@]}" "${long_capture[@]}" -cp "$cp" io.github.v4l2ffm.benchmarks.SideBySide stream "$single"; }
lib() { "${jvm[@]}" "$@"; }
# one figure line: NAME, then the output of the command after it; a command that fails ends the run
# (inside "$(...)" alone, set -e would let its failure pass as an empty line)
line() {
  local name=$1 out rc=0; shift
  out=$("$@") || rc=$?
  ((rc == 0)) || { echo "$name: failed (exit status $rc)" >&2; exit 1; }
  # one line of figures: anything else (a JVM warning on stdout) would cost the line its name
  [[ $out != *$'\n'* ]] || { echo "$name: more than one line of output:" >&2; printf '%s\n' "$out" >&2; exit 1; }
  echo "$name $out" | tee -a "$results.$run"
}

if ((cases)); then
  # every case in a fresh JVM: warmed up on that case alone, then the C loop, then the library (SideBySide case)
  rate "$single"; rate "$multi"
  mems=(mmap userptr); [[ -n $dmabuf ]] && mems+=(dmabuf)
  for ((run = 1; run <= runs; run++)); do
    echo "== run $run of $runs"
    for planarity in single multi; do
      node=$single; [[ $planarity == multi ]] && node=$multi
      for mem in "${mems[@]}"; do
        for path in dequeue await; do
          out=$("${jvm[@]}" -Dside-by-side.c-loop="$here/target/capture-loop" -cp "$cp" io.github.v4l2ffm.benchmarks.SideBySide case "$planarity" "$node" "$mem" "$path" "$frames") \
            || { echo "case $planarity $mem $path failed" >&2; exit 1; }
          echo "$out" | tee -a "$results.cases"
        done
      done
    done
  done
  echo
  echo "== each case in a JVM of its own: the C loop's and the library's capturing thread, and their ratio"
  # as figures for side-by-side-runs.awk: the median over the runs, the range, the values in run order
  awk '$1 == "c" { for (i = 5; i < NF; i++) if ($i == "thread_us_per_frame") c = $(i + 1) }
       $1 == "library-case" { for (i = 5; i < NF; i++) if ($i == "thread_us_per_frame") { k = $2 "-" $3 "-" $4
         print "case-c-thread-us", k, c; print "case-thread-us", k, $(i + 1); printf "case-thread-x-c %s %.2f\n", k, $(i + 1) / c } }' \
    "$results.cases" | awk -f "$here/side-by-side-runs.awk"
  exit 0
fi

if ((split)); then
  rate "$single"
  for ((run = 1; run <= runs; run++)); do
    "${jvm[@]}" -cp "$cp" io.github.v4l2ffm.benchmarks.SideBySide split "$single" 12000 300
  done
  exit 0
fi

if ((floor > 0)); then
  rate "$single"
  exec "${jvm[@]}" -Dside-by-side.c-loop="$here/target/capture-loop" -cp "$cp" io.github.v4l2ffm.benchmarks.SideBySide floor "$single" "$frames" "$floor"
fi

# whole programs, MMAP single-planar: the C loop measured the same way as the peers, and the
# library as a program of its own with default flags, read once its per-frame path is compiled by
# C2 (some 6,000 frames at 60 fps: 150 s)
whole_programs() {
  peer "c-whole-process" cloop_n
  peer v4l2-ctl v4l2ctl
  if command -v gst-launch-1.0 >/dev/null; then peer gstreamer gst; fi
  if command -v ffmpeg >/dev/null; then peer ffmpeg ff; fi
  peer_settle=150 peer_jit=1 peer library-whole lib_stream
  peer_settle=150 peer_jit=1 peer library-whole-long lib_stream_long
}

# the warm-up on its own, in fresh JVMs: default flags, JDK 25's ahead-of-time cache (a training
# run records it, -XX:AOTCache uses it), C1 alone (-XX:TieredStopAtLevel=1), and every compile
# threshold at a twentieth (-XX:CompileThresholdScaling=0.05), also with the compilations made
# before the code runs on (-XX:-BackgroundCompilation), and at a tenth so: the first 300 frames each, and with
# MAX (above 0) rounds of 300 frames up to MAX frames, with how many frames the capturing thread
# took to reach its steady cost
warmups() {
  local max=$1
  # one flavour: its name, then its JVM flags
  warm() { local name=$1; shift; line "library-warmup $name" lib "$@" -cp "$cp" io.github.v4l2ffm.benchmarks.SideBySide warmup "$single" "$max"; }
  warm default
  aot=$work/side-by-side.aot
  if [[ ! -f $aot ]]; then
    lib -XX:AOTCacheOutput="$aot" -cp "$cp" io.github.v4l2ffm.benchmarks.SideBySide warmup "$single" 3000 > "$work/aot-training.log" 2>&1 \
      || { echo "the AOT training run failed:" >&2; tail -5 "$work/aot-training.log" >&2; exit 1; }
    [[ -f $aot ]] || { echo "the AOT training run wrote no cache:" >&2; tail -5 "$work/aot-training.log" >&2; exit 1; }
  fi
  warm aot-cache -XX:AOTCache="$aot"
  warm c1 -XX:TieredStopAtLevel=1
  warm scaled -XX:CompileThresholdScaling=0.05
  # the same thresholds with the compilations made in the capturing thread's own time (it waits for
  # each): C2's code comes in sooner, the capture stalls meanwhile; and at a tenth
  warm scaled-sync -XX:CompileThresholdScaling=0.05 -XX:-BackgroundCompilation
  warm tenth-sync -XX:CompileThresholdScaling=0.1 -XX:-BackgroundCompilation
}

measure() {
  rate "$single"
  echo "frame interval: $(v4l2-ctl -d "$single" --get-parm | grep -i 'frames per second' | head -1)"
  if ((peers_only)); then whole_programs; return; fi
  if ((warm_only)); then warmups 9000; return; fi
  # the library, every case in one JVM warmed up once, and the C loop (with each memory type and
  # planarity, and polling an eventfd too as the library polls its stream's stop eventfd) run by
  # that JVM just before the library's cases: the machine's speed drifts over a boot
  lib -Dside-by-side.c-loop="$here/target/capture-loop" -cp "$cp" io.github.v4l2ffm.benchmarks.SideBySide steady "$single" "$multi" "$frames" $dmabuf \
    | tee -a "$results.$run"
  local max=0; ((run == 1)) && max=9000
  warmups $max
  whole_programs
  # per ioctl
  line "c ioctl" cloop "$single" "$ioctls" ioctl
  line "library ioctl" lib -cp "$cp" io.github.v4l2ffm.benchmarks.SideBySide ioctl "$single" "$ioctls"
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
