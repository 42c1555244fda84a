# benchmarks/side-by-side.sh over several runs: "figure value" lines (side-by-side.awk's figures
# mode, one block per run) to the median of each figure, its range and the values in run order.
{ key = $1 " " $2; if (!(key in n)) order[++keys] = key; v[key, ++n[key]] = $3 }
END {
  printf "%-50s %10s %22s   %s\n", "figure", "median", "min-max", "runs in order"
  for (i = 1; i <= keys; i++) {
    k = order[i]; m = n[k]
    for (j = 1; j <= m; j++) s[j] = v[k, j] + 0
    for (a = 2; a <= m; a++) { t = s[a]; for (b = a - 1; b > 0 && s[b] > t; b--) s[b + 1] = s[b]; s[b + 1] = t }
    med = (m % 2) ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
    runs = ""; for (j = 1; j <= m; j++) runs = runs (j > 1 ? ", " : "") v[k, j]
    printf "%-50s %10s %22s   %s\n", k, med, s[1] "-" s[m], runs
  }
}
