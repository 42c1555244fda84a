#!/bin/sh
# Runs in the lab VM booted with no V4L2 driver loaded and dockerd running (run-suite.sh
# container): checks that nothing V4L2 is loaded, runs the container suite (the JUnit console
# launcher command given as arguments), then checks that the container unloaded what it loaded
# and is gone.
#   container-stage.sh LOG JAVA ARGS...
log=$1; shift
v4l2_modules() { cut -d' ' -f1 /proc/modules | grep -E '^(vivid|vim2m|vicodec|vimc|v4l2_mem2mem|videobuf2_.*|videodev|v4l2_.*|mc)$' | sort | tr '\n' ' '; }
before=$(v4l2_modules)
if [ -n "$before" ]; then echo "container-stage: V4L2 modules are loaded before the suite: $before"; exit 1; fi
echo "container-stage: no V4L2 module loaded; $(ls /dev/video* 2>/dev/null | wc -l) video nodes"
t0=$(date +%s)
{ "$@"; echo $? > "$log.rc"; } 2>&1 | tee "$log"
rc=$(cat "$log.rc" 2>/dev/null || echo 1); rm -f "$log.rc"
echo "container-stage: the suite took $(( $(date +%s) - t0 )) s"
after=$(v4l2_modules)
loaders=$(docker ps -aq --filter label=io.github.v4l2ffm.module-loader | wc -l)
echo "container-stage: V4L2 modules loaded after the suite: ${after:-none}; module-loader containers left: $loaders"
echo "container-stage: other modules loaded now: $(cut -d' ' -f1,3 /proc/modules | tr ' \n' '=,' | sed 's/,$//')"
grep -q '^\[v4l2-ffm-junit\] unloaded ' "$log" || { echo "container-stage: the extension did not report unloading"; exit 1; }
[ -z "$after" ] && [ "$loaders" = 0 ] || exit 1
exit "$rc"
