# benchmarks/side-by-side.sh over several runs: "figure value" lines (side-by-side.awk's figures
# mode, one block per run) to the median of each figure, its range and the values in run order.
# With -v mode=markdown: the README's tables instead (each cell the median, the range in brackets).
{ key = $1 " " $2; if (!(key in n)) order[++keys] = key; v[key, ++n[key]] = $3 }
# is there a figure whose name starts with p?
function has(p,    k) { for (k in med) if (index(k, p) == 1) return 1; return 0 }
# a warm-up mark over runs of which only some reached it: with fewer values than runs (runsOf),
# the values themselves (a median of two is no run's figure); none: "not within the run" if the
# runs were long enough to tell (reached), else "–"
function perRun(k, runsOf, reached) {
  if (!(k in med)) return reached ? "not within the run" : "–"
  return n[k] < runsOf ? runs[k] " in " n[k] " of " runsOf " runs" : cell(k)
}
function cell(k, plain) { if (!(k in med)) return "–"; return plain || lo[k] == hi[k] ? med[k] : med[k] " (" lo[k] "–" hi[k] ")" }
END {
  for (i = 1; i <= keys; i++) {
    k = order[i]; m = n[k]
    for (j = 1; j <= m; j++) s[j] = v[k, j] + 0
    for (a = 2; a <= m; a++) { t = s[a]; for (b = a - 1; b > 0 && s[b] > t; b--) s[b + 1] = s[b]; s[b + 1] = t }
    med[k] = (m % 2) ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
    lo[k] = s[1]; hi[k] = s[m]
    runs[k] = ""; for (j = 1; j <= m; j++) runs[k] = runs[k] (j > 1 ? ", " : "") v[k, j]
  }
  if (mode != "markdown") {
    printf "%-50s %10s %22s   %s\n", "figure", "median", "min-max", "runs in order"
    for (i = 1; i <= keys; i++) { k = order[i]; printf "%-50s %10s %22s   %s\n", k, med[k], lo[k] "-" hi[k], runs[k] }
    exit
  }
  if (has("capture-thread-us ")) {
  print "| case | C loop, thread µs | library, thread µs | library / C, thread | library / C, process | heap B/frame | GCs |"
  print "|---|---:|---:|---:|---:|---:|---:|"
  split("single multi", planar, " "); split("mmap userptr dmabuf", mems, " "); split("dequeue await", paths, " ")
  for (p = 1; p <= 2; p++) for (q = 1; q <= 3; q++) for (r = 1; r <= 2; r++) {
    id = planar[p] "-" mems[q] "-" paths[r]
    if (!(("capture-thread-us " id) in med)) continue
    printf "| %s-planar %s, %s | %s | %s | %s | %s | %s | %s |\n", planar[p], toupper(mems[q]), paths[r],
      cell("c-thread-us " planar[p] "-" mems[q] "-dequeue"), cell("capture-thread-us " id), cell("capture-thread-x-c " id),
      cell("capture-process-x-c " id), cell("capture-bytes-per-frame " id), cell("capture-gcs " id)
  }
  busy = ""
  for (i = 1; i <= keys; i++) if (index(order[i], "capture-jit-busy ") == 1 && hi[order[i]] > 0) {
    c = 0; for (j = 1; j <= n[order[i]]; j++) c += v[order[i], j]
    busy = busy (busy == "" ? "" : ", ") substr(order[i], 18) " (" c " of " n[order[i]] " runs)"
  }
  if (busy != "") { print ""; print "Measured while the compiler threads were still at work after 3 attempts: " busy "." }
  if (("c-thread-us single-mmap+eventfd-dequeue" in med)) {
    print ""
    printf "The C loop polling an eventfd too (as the library polls its stop eventfd): %s µs a frame; the library's thread against it: %s (`dequeue`), %s (`await`).\n",
      cell("c-thread-us single-mmap+eventfd-dequeue"), cell("capture-thread-x-c-eventfd single-mmap-dequeue"), cell("capture-thread-x-c-eventfd single-mmap-await")
  }
  if (("ffm-thread-us single-mmap-dequeue" in med)) {
    print ""
    printf "The C loop written in Java on bare FFM downcalls (`PlainFfmLoop`: no errno capture, no use counts, no locks), the JVM's own floor: %s µs a frame, %s the C loop; the library's thread against it: %s (`dequeue`), %s (`await`).\n",
      cell("ffm-thread-us single-mmap-dequeue"), cell("ffm-thread-x-c single-mmap-dequeue"), cell("capture-thread-x-ffm single-mmap-dequeue"), cell("capture-thread-x-ffm single-mmap-await")
  }
  }
  if (has("whole-process-us ")) {
  print ""
  print "| whole process, single-planar MMAP | µs a frame | / C loop | / `v4l2-ctl` |"
  print "|---|---:|---:|---:|"
  split("c-whole-process v4l2-ctl gstreamer ffmpeg library-whole library-whole-long library", progs, " ")
  split("the C loop|`v4l2-ctl --stream-mmap`|GStreamer `v4l2src ! fakesink`|`ffmpeg -f v4l2 -f null`|the library, a program of its own (`SideBySide stream`, default flags, from 150 s on, once its JIT is idle)|the same with the README's flags for long captures (monitor deflation and the service thread's cleanup once a minute)|the library, steady state, in the measuring JVM", names, "|")
  for (i = 1; i <= 7; i++) if (("whole-process-us " progs[i]) in med)
    printf "| %s | %s | %s | %s |\n", names[i], cell("whole-process-us " progs[i]), cell("whole-process-x-c " progs[i]),
      (("whole-process-x-v4l2-ctl " progs[i]) in med) ? cell("whole-process-x-v4l2-ctl " progs[i]) : "–"
  }
  if (("ioctl-ns-library querycap") in med) {
  print ""
  print "| per call | C ns | library ns | library / C | library / C's extended-control ioctl | library / the plain downcall | the plain downcall / C | heap B/call |"
  print "|---|---:|---:|---:|---:|---:|---:|---:|"
  split("querycap g_fmt g_ctrl s_ctrl s_ctrl_alt", calls, " ")
  split("`queryCapabilities()` (QUERYCAP)|`format()` (G_FMT)|`controls().get` (G_CTRL)|`controls().set`, same value (S_CTRL)|`controls().set`, a new value (S_CTRL)", cn, "|")
  for (i = 1; i <= 5; i++) if (("ioctl-ns-library " calls[i]) in med)
    printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", cn[i], cell("ioctl-ns-c " calls[i]), cell("ioctl-ns-library " calls[i]), cell("ioctl-x-c " calls[i]),
      cell("ioctl-x-c-ext " calls[i]), cell("ioctl-x-plain " calls[i]), cell("ioctl-plain-x-c " calls[i]), cell("ioctl-bytes-per-call " calls[i])
  }
  if (!(("warmup-first300-process-us default") in med)) exit
  print ""
  print "| warm-up, fresh JVM, single-planar MMAP | first 300 frames, process µs a frame | first 300 frames, capturing thread µs a frame | first 300 frames, heap B a frame | frames until the capturing thread is steady | frames until it allocates nothing (C2 has the per-frame path) | steady, capturing thread µs a frame | steady, heap B a frame | compiler threads' CPU after frame 300, ms | frames missed (first 300; all) |"
  print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  split("default aot-cache c1 scaled scaled-sync tenth-sync", flags, " ")
  split("default flags|JDK 25's AOT cache|C1 alone (`-XX:TieredStopAtLevel=1`)|thresholds at a twentieth (`-XX:CompileThresholdScaling=0.05`)|thresholds at a twentieth, compiled in the thread's time (`-XX:CompileThresholdScaling=0.05 -XX:-BackgroundCompilation`)|thresholds at a tenth, compiled in the thread's time (`-XX:CompileThresholdScaling=0.1 -XX:-BackgroundCompilation`)", fn, "|")
  for (i = 1; i <= 6; i++) if (("warmup-first300-process-us " flags[i]) in med) {
    # a run whose rounds never settled has no figure for that mark: say how many of the runs did
    runsOf = n["warmup-first300-process-us " flags[i]]
    after = perRun("warmup-steady-after-frames " flags[i], runsOf, ("warmup-steady-thread-us " flags[i]) in med)
    zero = perRun("warmup-zero-alloc-after-frames " flags[i], runsOf, ("warmup-zero-alloc-never " flags[i]) in med)
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s; %s |\n", fn[i], cell("warmup-first300-process-us " flags[i]), cell("warmup-first300-thread-us " flags[i]),
      cell("warmup-first300-bytes-per-frame " flags[i]), after, zero,
      cell("warmup-steady-thread-us " flags[i]), cell("warmup-steady-bytes-per-frame " flags[i]), cell("warmup-jit-cpu-ms-after-first300 " flags[i]),
      cell("warmup-first300-gaps " flags[i]), cell("warmup-gaps " flags[i])
  }
}
