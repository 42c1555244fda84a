#!/usr/bin/env bash
# Many cameras: 8 vivid instances at 30 fps, their frames taken by one CaptureLoop thread (loop),
# by one platform thread per camera blocking in dequeue (threads), or by one virtual thread per
# camera (virtual). One lab boot with vivid loaded as 8 single-planar capture instances and no
# other driver; the modes alternate within each run, so that a slow spell of the host hits them
# alike. Build first (mvn install -DskipTests at the top level).
#
#   benchmarks/many-cameras.sh [runs=3] [measureSeconds=20] [warmupSeconds=40] [fps=30] [WxH=320x180] [modes="loop threads virtual"]
#   benchmarks/many-cameras.sh --summary FILE     # the summary of an earlier run's output
#
# Prints every run's RESULT line (see ManyCameras), then per mode the median and the spread
# (min-max) over the runs, and the loop/threads ratios of each run. The whole output is kept in
# benchmarks/target/many-cameras-<date>.txt. The warm-up lets C2 compile the frame path (under
# TCG that takes some 7,000 frames; before, the figures are the JIT's as much as the library's).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

summary() { # summary FILE
echo "== summary (median, and min-max over the runs) =="
awk '
function val(line, key,   m) { if (match(line, " " key "=[^ ]*")) return substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2); return "" }
function median(a, n,   i, j, t, b) { for (i = 1; i <= n; i++) b[i] = a[i];
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
  return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2 }
function spread(a, n, fmt,   i, lo, hi) { lo = a[1]; hi = a[1]; for (i = 2; i <= n; i++) { if (a[i] < lo) lo = a[i]; if (a[i] > hi) hi = a[i] }
  return sprintf(fmt "-" fmt, lo, hi) }
/^=== run / { run = $3; if (run > maxrun) maxrun = run }
/^RESULT / {
  mode = val($0, "mode"); k = ++count[mode]
  split("fps_per_camera gaps cpu_us_per_frame cpu_percent capture_thread_cpu_us_per_frame capture_thread_alloc_bytes_per_frame latency_us_p50 latency_us_p99 latency_us_max", keys, " ")
  for (i in keys) { v[mode, keys[i], k] = val($0, keys[i]); byrun[mode, keys[i], run] = val($0, keys[i]) }
  modes[mode] = 1
}
END {
  split("fps_per_camera gaps cpu_us_per_frame cpu_percent capture_thread_cpu_us_per_frame capture_thread_alloc_bytes_per_frame latency_us_p50 latency_us_p99 latency_us_max", keys, " ")
  for (mode in modes) {
    printf "%s:\n", mode
    for (i = 1; i <= 9; i++) {
      n = 0; delete a
      for (k = 1; k <= count[mode]; k++) if (v[mode, keys[i], k] != "na" && v[mode, keys[i], k] != "") a[++n] = v[mode, keys[i], k] + 0
      if (n > 0) printf "  %-38s %10.1f   (%s)\n", keys[i], median(a, n), spread(a, n, "%.1f")
    }
  }
  if (("loop" in modes) && ("threads" in modes)) {
    print "loop / threads, per run:"
    split("cpu_us_per_frame capture_thread_cpu_us_per_frame latency_us_p50 latency_us_p99", rk, " ")
    for (i = 1; i <= 4; i++) {
      n = 0; delete a; line = ""
      for (r = 1; r <= maxrun; r++) if (byrun["threads", rk[i], r] + 0 > 0 && byrun["loop", rk[i], r] != "") {
        a[++n] = byrun["loop", rk[i], r] / byrun["threads", rk[i], r]; line = line sprintf(" %.2f", a[n]) }
      if (n > 0) printf "  %-38s median %.2f, spread %s  (runs:%s)\n", rk[i], median(a, n), spread(a, n, "%.2f"), line
    }
  }
}' "$1"
}

if [[ ${1:-} == --summary ]]; then summary "$2"; exit; fi
runs=${1:-3}; measure=${2:-20}; warmup=${3:-40}; fps=${4:-30}; size=${5:-320x180}; modes=${6:-loop threads virtual}
[[ -f $here/target/classpath.txt ]] || { echo "build first: mvn install -DskipTests" >&2; exit 2; }
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
out=$here/target/many-cameras-$(date +%Y%m%d-%H%M%S).txt

n=8
types=$(printf '0x1,%.0s' $(seq $n)); planes=$(printf '1,%.0s' $(seq $n))
export V4L2_LAB_VIVID="n_devs=$n node_types=${types%,} multiplanar=${planes%,}"
export V4L2_LAB_MODULES=vivid

guest="uname -r; nproc; for r in \$(seq $runs); do for m in $modes; do echo \"=== run \$r \$m\"; \
  '$here/run-main.sh' ManyCameras \$m $measure $warmup $fps $size || exit 1; done; done"
"$root/vivid-tests/lab/lab.sh" run -- sh -c "$guest" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
[[ $status == 0 ]] || { echo "many-cameras: the lab run failed ($status)" >&2; exit "$status"; }

echo
summary "$out" | tee -a "$out"
echo "(kept in $out)"
