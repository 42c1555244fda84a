# The table of benchmarks/side-by-side.sh: its results lines ("who dev mem path key value ...") as
# ratios to the C loop. With -v mode=figures: one "figure value" line per figure instead, for
# side-by-side-runs.awk to take the median over runs.
function val(line, key,    n, a, i) { n = split(line, a, " "); for (i = 1; i < n; i++) if (a[i] == key) return a[i + 1]; return "" }
function fig(name, v) { if (v != "") printf "%s %s\n", name, v }
# the frames before the first warm-up round from which the capturing thread allocates nothing: a
# round under a byte a frame, with at least 2 rounds after it, and at most one of the rounds from
# it to the end (a recompilation's) at a byte a frame or more; -1 if none. Allocating nothing says
# C2 has the per-frame path: C1's code allocates in each downcall's errno capture. Rounds of 300
# frames after the first 300
function zeroAllocAfter(line,    list, n, r, i, j, over) {
  list = val(line, "rounds_bytes_per_frame"); if (list == "") return ""
  n = split(list, r, ",")
  for (i = 1; i <= n - 2; i++) {
    if (r[i] + 0 >= 1) continue
    over = 0; for (j = i; j <= n; j++) if (r[j] + 0 >= 1) over++
    if (over <= 1) return 300 * i
  }
  return -1
}
function ratio(a, b) { return (b > 0 && a != "") ? sprintf("%.2f", a / b) : "" }
# keys of array a in order (insertion sort; a few dozen)
function sorted(a, out,    k, n, i, j, t) { n = 0; for (k in a) out[++n] = k
  for (i = 2; i <= n; i++) { t = out[i]; for (j = i - 1; j > 0 && out[j] > t; j--) out[j + 1] = out[j]; out[j + 1] = t }
  return n }
{
  # results lines only (the printed table, if fed back in, has the same first words, not these keys)
  if ($1 == "c" && $2 == "ioctl" && $3 ~ /_ns$/) cio = $0
  else if ($1 == "library" && $2 == "ioctl" && $3 ~ /_ns$/) lio = $0
  else if ($1 == "c" && $5 == "frames") c[$2 " " $3] = $0
  else if ($1 == "ffm" && $5 == "frames") ffm = $0
  else if ($1 == "library-warmup" && $3 ~ /^first300_/) warm[$2] = $0
  else if ($1 == "library" && $5 == "frames") lib[$2 " " $3 " " $4] = $0
  else if (NF == 5 && $2 == "process_us_per_frame") whole[$1] = $3
}
END {
  # the library reads and sets controls with the extended calls: also compared to C making those
  split("querycap g_fmt g_ctrl s_ctrl s_ctrl_alt", calls, " ")
  split("- - g_ext_ctrls s_ext_ctrls s_ext_ctrls_alt", ext, " ")
  # the same ioctl as a plain downcall in the library's JVM (SideBySide's raw rounds)
  split("raw_querycap raw_g_fmt raw_g_ext_ctrls - -", raw, " ")
  base = ("c-whole-process" in whole) ? whole["c-whole-process"] : "" # (reading a missing key would make it)
  lp = ("single mmap dequeue" in lib) ? val(lib["single mmap dequeue"], "process_us_per_frame") : "" # (reading a missing key would make it)
  if (mode == "figures") {
    n = sorted(lib, keys)
    for (i = 1; i <= n; i++) {
      k = keys[i]; split(k, f, " "); ck = f[1] " " f[2]; id = f[1] "-" f[2] "-" f[3]
      fig("capture-thread-us " id, val(lib[k], "thread_us_per_frame"))
      fig("capture-thread-x-c " id, ratio(val(lib[k], "thread_us_per_frame"), val(c[ck], "thread_us_per_frame")))
      if (ck == "single mmap") fig("capture-thread-x-c-eventfd " id, ratio(val(lib[k], "thread_us_per_frame"), val(c["single mmap+eventfd"], "thread_us_per_frame")))
      fig("capture-process-x-c " id, ratio(val(lib[k], "process_us_per_frame"), val(c[ck], "process_us_per_frame")))
      fig("capture-bytes-per-frame " id, val(lib[k], "bytes_per_frame"))
      fig("capture-gcs " id, val(lib[k], "gcs"))
      fig("capture-jit-busy " id, val(lib[k], "jit_busy"))
    }
    n = sorted(c, keys)
    for (i = 1; i <= n; i++) { split(keys[i], f, " "); fig("c-thread-us " f[1] "-" f[2] "-dequeue", val(c[keys[i]], "thread_us_per_frame")) }
    if (ffm != "") {
      ft = val(ffm, "thread_us_per_frame")
      fig("ffm-thread-us single-mmap-dequeue", ft); fig("ffm-thread-x-c single-mmap-dequeue", ratio(ft, val(c["single mmap"], "thread_us_per_frame")))
      fig("capture-thread-x-ffm single-mmap-dequeue", ratio(val(lib["single mmap dequeue"], "thread_us_per_frame"), ft))
      fig("capture-thread-x-ffm single-mmap-await", ratio(val(lib["single mmap await"], "thread_us_per_frame"), ft))
    }
    for (w in whole) { fig("whole-process-us " w, whole[w]); fig("whole-process-x-c " w, ratio(whole[w], base)) }
    if (lp != "") { fig("whole-process-us library", lp); fig("whole-process-x-c library", ratio(lp, base)) }
    if (whole["v4l2-ctl"] > 0 && lp != "") fig("whole-process-x-v4l2-ctl library", ratio(lp, whole["v4l2-ctl"]))
    if (whole["v4l2-ctl"] > 0 && ("library-whole" in whole)) fig("whole-process-x-v4l2-ctl library-whole", ratio(whole["library-whole"], whole["v4l2-ctl"]))
    if (whole["v4l2-ctl"] > 0 && ("library-whole-long" in whole)) fig("whole-process-x-v4l2-ctl library-whole-long", ratio(whole["library-whole-long"], whole["v4l2-ctl"]))
    for (k in warm) {
      fig("warmup-first300-process-us " k, val(warm[k], "first300_process_us_per_frame"))
      fig("warmup-first300-thread-us " k, val(warm[k], "first300_thread_us_per_frame"))
      fig("warmup-first300-bytes-per-frame " k, val(warm[k], "first300_bytes_per_frame"))
      s = val(warm[k], "steady_after_frames"); if (s > 0) fig("warmup-steady-after-frames " k, s)
      z = zeroAllocAfter(warm[k]); if (z > 0) fig("warmup-zero-alloc-after-frames " k, z); else if (z == -1) fig("warmup-zero-alloc-never " k, 1)
      fig("warmup-steady-thread-us " k, val(warm[k], "steady_thread_us_per_frame"))
      fig("warmup-steady-bytes-per-frame " k, val(warm[k], "steady_bytes_per_frame"))
      fig("warmup-jit-cpu-ms-after-first300 " k, val(warm[k], "jit_cpu_ms_after_first300"))
      fig("warmup-first300-gaps " k, val(warm[k], "first300_gaps"))
      fig("warmup-gaps " k, val(warm[k], "gaps"))
    }
    for (i = 1; i <= 5; i++) {
      cn = val(cio, calls[i] "_ns"); ln = val(lio, calls[i] "_ns")
      if (ln == "") continue
      fig("ioctl-ns-c " calls[i], cn); fig("ioctl-ns-library " calls[i], ln); fig("ioctl-x-c " calls[i], ratio(ln, cn))
      if (ext[i] != "-") fig("ioctl-x-c-ext " calls[i], ratio(ln, val(cio, ext[i] "_ns")))
      fig("ioctl-bytes-per-call " calls[i], val(lio, calls[i] "_bytes"))
      if (raw[i] != "-" && val(lio, raw[i] "_ns") != "") {
        fig("ioctl-x-plain " calls[i], ratio(ln, val(lio, raw[i] "_ns")))
        fig("ioctl-plain-x-c " calls[i], ratio(val(lio, raw[i] "_ns"), val(cio, (ext[i] != "-" ? ext[i] : calls[i]) "_ns")))
      }
    }
    exit
  }
  n = sorted(lib, keys)
  if (n) printf "%-34s %10s %10s %9s %9s %9s %5s\n", "capture (vs the C loop)", "thread us", "proc us", "thread x", "proc x", "B/frame", "GCs"
  for (i = 1; i <= n; i++) {
    k = keys[i]; split(k, f, " "); ck = f[1] " " f[2]
    ct = val(c[ck], "thread_us_per_frame"); cp = val(c[ck], "process_us_per_frame")
    lt = val(lib[k], "thread_us_per_frame"); lpk = val(lib[k], "process_us_per_frame")
    printf "%-34s %10s %10s %9.2f %9.2f %9s %5s\n", "library " k, lt, lpk, (ct > 0 ? lt / ct : 0), (cp > 0 ? lpk / cp : 0), val(lib[k], "bytes_per_frame"), val(lib[k], "gcs")
    if (val(lib[k], "jit_busy") == 1) busy = busy " \"" k "\""
  }
  if (busy != "") print "measured while the compiler threads worked (3 attempts):" busy
  n = sorted(c, keys)
  for (i = 1; i <= n; i++) printf "%-34s %10s %10s\n", "c " keys[i] " dequeue", val(c[keys[i]], "thread_us_per_frame"), val(c[keys[i]], "process_us_per_frame")
  if (ffm != "") {
    ft = val(ffm, "thread_us_per_frame"); ct = val(c["single mmap"], "thread_us_per_frame")
    printf "%-34s %10s %10s %9.2f   (the C loop on bare FFM downcalls; the library's single mmap thread x it: %s dequeue, %s await)\n",
      "ffm single mmap dequeue", ft, val(ffm, "process_us_per_frame"), (ct > 0 ? ft / ct : 0),
      ratio(val(lib["single mmap dequeue"], "thread_us_per_frame"), ft), ratio(val(lib["single mmap await"], "thread_us_per_frame"), ft)
  }
  if (sorted(whole, keys) || lp != "") {
  print ""
  printf "%-34s %10s %9s\n", "whole process, single mmap", "proc us", "vs C"
  n = sorted(whole, keys)
  for (i = 1; i <= n; i++) printf "%-34s %10s %9.2f\n", keys[i], whole[keys[i]], (base > 0 ? whole[keys[i]] / base : 0)
  if (lp != "") printf "%-34s %10s %9.2f   (steady state, in process)\n", "library", lp, (base > 0 ? lp / base : 0)
  }
  if (sorted(warm, keys)) {
  print ""
  printf "%-34s %16s %16s %16s %14s %14s %14s %10s %6s\n", "warm-up (fresh JVM), single mmap", "first 300 us/fr", "thread us/fr", "first 300 B/fr", "steady after", "0 B/fr after", "steady thr us", "steady B/fr", "gaps"
  for (k in warm) printf "%-34s %16s %16s %16s %14s %14s %14s %10s %6s\n", k, val(warm[k], "first300_process_us_per_frame"), val(warm[k], "first300_thread_us_per_frame"),
    val(warm[k], "first300_bytes_per_frame"), val(warm[k], "steady_after_frames"), zeroAllocAfter(warm[k]), val(warm[k], "steady_thread_us_per_frame"), val(warm[k], "steady_bytes_per_frame"),
    val(warm[k], "gaps") != "" ? val(warm[k], "gaps") : val(warm[k], "first300_gaps")
  }
  if (cio == "" && lio == "") exit
  print ""
  printf "%-12s %8s %8s %8s %10s %10s %8s\n", "ioctl", "C ns", "lib ns", "lib x", "lib B/call", "C EXT ns", "lib x"
  for (i = 1; i <= 5; i++) {
    cn = val(cio, calls[i] "_ns"); ln = val(lio, calls[i] "_ns")
    if (ln == "") continue
    en = ext[i] == "-" ? "" : val(cio, ext[i] "_ns")
    printf "%-12s %8s %8s %8.2f %10s %10s %8s\n", calls[i], cn, ln, (cn > 0 ? ln / cn : 0), val(lio, calls[i] "_bytes"),
      en, (en > 0 ? sprintf("%.2f", ln / en) : "")
  }
}
