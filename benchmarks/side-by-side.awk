# The table of benchmarks/side-by-side.sh: its results lines ("who dev mem path key value ...") as ratios.
function val(line, key,    n, a, i) { n = split(line, a, " "); for (i = 1; i < n; i++) if (a[i] == key) return a[i + 1]; return "" }
{
  if ($1 == "c" && $2 == "ioctl") cio = $0
  else if ($1 == "library" && $2 == "ioctl") lio = $0
  else if ($1 == "c") c[$2 " " $3] = $0
  else if ($1 == "library-warmup") warm[$2] = $0
  else if ($1 == "library") lib[$1 " " $2 " " $3 " " $4] = $0
  else if (NF == 3 && $2 == "process_us_per_frame") whole[$1] = $3
}
END {
  printf "%-34s %10s %10s %9s %9s %9s %5s\n", "capture (vs the C loop)", "thread us", "proc us", "thread x", "proc x", "B/frame", "GCs"
  for (k in lib) {
    split(k, f, " "); ck = f[2] " " f[3]
    ct = val(c[ck], "thread_us_per_frame"); cp = val(c[ck], "process_us_per_frame")
    lt = val(lib[k], "thread_us_per_frame"); lp = val(lib[k], "process_us_per_frame")
    printf "%-34s %10s %10s %9.2f %9.2f %9s %5s\n", k, lt, lp, (ct > 0 ? lt / ct : 0), (cp > 0 ? lp / cp : 0), val(lib[k], "bytes_per_frame"), val(lib[k], "gcs")
  }
  for (ck in c) printf "%-34s %10s %10s\n", "c " ck " dequeue", val(c[ck], "thread_us_per_frame"), val(c[ck], "process_us_per_frame")
  print ""
  printf "%-34s %10s %9s\n", "whole process, single mmap", "proc us", "vs C"
  base = whole["c-whole-process"]
  for (w in whole) printf "%-34s %10s %9.2f\n", w, whole[w], (base > 0 ? whole[w] / base : 0)
  lp = val(lib["library single mmap dequeue"], "process_us_per_frame")
  printf "%-34s %10s %9.2f   (steady state, in process)\n", "library", lp, (base > 0 ? lp / base : 0)
  print ""
  printf "%-34s %16s %16s %14s\n", "warm-up (fresh JVM), single mmap", "first 300 us/fr", "first 300 B/fr", "steady after"
  for (k in warm) printf "%-34s %16s %16s %14s\n", k, val(warm[k], "first300_process_us_per_frame"), val(warm[k], "first300_bytes_per_frame"), val(warm[k], "steady_after_frames")
  print ""
  # the library reads and sets controls with the extended calls: also compared to C making those
  printf "%-12s %8s %8s %8s %10s %10s %8s\n", "ioctl", "C ns", "lib ns", "lib x", "lib B/call", "C EXT ns", "lib x"
  split("querycap g_fmt g_ctrl s_ctrl s_ctrl_alt", calls, " ")
  split("- - g_ext_ctrls s_ext_ctrls s_ext_ctrls_alt", ext, " ")
  for (i = 1; i <= 5; i++) {
    cn = val(cio, calls[i] "_ns"); ln = val(lio, calls[i] "_ns")
    en = ext[i] == "-" ? "" : val(cio, ext[i] "_ns")
    printf "%-12s %8s %8s %8.2f %10s %10s %8s\n", calls[i], cn, ln, (cn > 0 ? ln / cn : 0), val(lio, calls[i] "_bytes"),
      en, (en > 0 ? sprintf("%.2f", ln / en) : "")
  }
}
