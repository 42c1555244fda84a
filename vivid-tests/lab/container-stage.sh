#!/bin/sh
# Runs in the lab VM booted with no V4L2 driver loaded and dockerd running (run-suite.sh
# container). Checks that nothing V4L2 is loaded; runs the container suite as an unprivileged
# user (nobody, with access to the Docker socket as a CI runner's user has), so that the nodes
# are usable only if the extension's container made them so; checks that the container unloaded
# what it loaded and is gone; then kills a test JVM that holds a node and checks that the
# container unloads all the same.
#   container-stage.sh REPORTS LAUNCHER-ARGS...
#   (V4L2_STAGE_JAVA: the java command; V4L2_STAGE_JAVA_OPTS: its options; V4L2_STAGE_CP: the
#   suite's class path)
reports=$1; shift
log=$reports/console.log
v4l2_modules() { cut -d' ' -f1 /proc/modules | grep -E '^(vivid|vim2m|vicodec|vimc|uvcvideo|vhci_hcd|usbip_core|v4l2_mem2mem|videobuf2_.*|videodev|v4l2_.*|mc)$' | sort | tr '\n' ' '; }
loaders() { docker ps -aq --filter label=io.github.v4l2ffm.module-loader | wc -l; }
before=$(v4l2_modules)
if [ -n "$before" ]; then echo "container-stage: V4L2 modules are loaded before the suite: $before"; exit 1; fi
echo "container-stage: no V4L2 module loaded; $(ls /dev/video* 2>/dev/null | wc -l) video nodes"

# the class path, copied where nobody can read it (the host's may sit under a private home)
stage=/tmp/stage; mkdir -p $stage/lib $stage/reports
cp=; i=0
for e in $(echo "$V4L2_STAGE_CP" | tr ':' ' '); do
  if [ -d "$e" ]; then cp -r "$e" $stage/dir$i; cp=$cp:$stage/dir$i; i=$((i + 1)); else cp "$e" $stage/lib/; fi
done
cp="${cp#:}:$stage/lib/*"
chmod -R a+rX $stage; chmod a+rwx $stage/reports
chmod 0666 /var/run/docker.sock
as_nobody() {
  setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp \
    "$V4L2_STAGE_JAVA" $V4L2_STAGE_JAVA_OPTS --enable-native-access=ALL-UNNAMED -cp "$cp" org.junit.platform.console.ConsoleLauncher execute "$@"
}

echo "container-stage: the tests run as uid 65534 (nobody)"
t0=$(date +%s)
{ as_nobody "$@" --reports-dir $stage/reports; echo $? > $stage/rc; } 2>&1 | tee "$log"
rc=$(cat $stage/rc 2>/dev/null || echo 1)
cp $stage/reports/* "$reports"/ 2>/dev/null
echo "container-stage: the suite took $(( $(date +%s) - t0 )) s"
after=$(v4l2_modules)
echo "container-stage: V4L2 modules loaded after the suite: ${after:-none}; module-loader containers left: $(loaders)"
echo "container-stage: other modules loaded now: $(cut -d' ' -f1,3 /proc/modules | tr ' \n' '=,' | sed 's/,$//')"
grep -q '^\[v4l2-ffm-junit\] unloaded ' "$log" || { echo "container-stage: the extension did not report unloading"; exit 1; }
[ -z "$after" ] && [ "$(loaders)" = 0 ] || exit 1

# a test JVM killed with SIGKILL (no shutdown hook runs) while it holds a node of a module the
# container loaded: the container, which watches the JVM, must unload it and go away
echo "container-stage: killing a test JVM that holds a vim2m node (KilledJvmProbe)"
as_nobody --select-class io.github.v4l2ffm.vivid.container.probe.KilledJvmProbe --include-classname '.*' \
  --disable-banner --details=none > "$log.probe" 2>&1 &
i=0; while [ $i -lt 300 ] && ! grep -q '^probe: holding' "$log.probe"; do sleep 1; i=$((i + 1)); done
grep -q '^probe: holding' "$log.probe" || { cat "$log.probe"; echo "container-stage: the probe did not start"; exit 1; }
grep -q '^vim2m ' /proc/modules || { echo "container-stage: vim2m is not loaded under the probe"; exit 1; }
pkill -9 -f KilledJvmProbe; wait
t0=$(date +%s)
i=0; while [ $i -lt 60 ] && { [ -n "$(v4l2_modules)" ] || [ "$(loaders)" != 0 ]; }; do sleep 0.5; i=$((i + 1)); done
after=$(v4l2_modules)
echo "container-stage: $(( $(date +%s) - t0 )) s after the kill: V4L2 modules loaded: ${after:-none}; module-loader containers left: $(loaders)"
[ -z "$after" ] && [ "$(loaders)" = 0 ] || exit 1
exit "$rc"
