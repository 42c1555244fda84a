#!/usr/bin/env bash
# Runs the device test suite (vivid-tests/target/test-classes) with the JUnit console launcher,
# either on this host (its kernel has vivid loaded) or inside the lab VM (lab.sh run).
#
#   run-suite.sh [auto|host|vm|container] [extra console-launcher options, e.g. --select-class=...]
#
# auto: this host when /sys/module/vivid exists, else the VM. container: the container stage,
# the tests in io.github.v4l2ffm.vivid.container, run in the VM booted with no V4L2 driver
# loaded and a Docker engine running, so that the extension's container strategy loads them
# (container-stage.sh checks that nothing is loaded before, and nothing is left after).
# Reports (JUnit XML, with the
# system properties of the JVM that ran them, os.version included) go to target/failsafe-reports.
# Fails when a test fails, when no test ran, and when a test was skipped (set
# V4L2_ALLOW_SKIPPED=1 to allow skips on a host that lacks some of the drivers).
set -euo pipefail
mode=${1:-auto}; shift || true
here=$(cd "$(dirname "$0")" && pwd)
target=$(dirname "$here")/target
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
[[ -f $target/test-classpath.txt ]] || { echo "run-suite: $target/test-classpath.txt is missing: build with 'mvn verify' first" >&2; exit 2; }
cp="$target/test-classes:$(cat "$target/test-classpath.txt")"
reports=$target/failsafe-reports
[[ $mode == container ]] && reports=$target/container-reports
rm -rf "$reports"; mkdir -p "$reports"

if [[ $mode == auto ]]; then
  if [[ -d /sys/module/vivid ]]; then mode=host; else mode=vm; fi
fi
# the whole suite, unless the arguments select tests (--select-class=..., --select-method=...)
select=(--scan-class-path "$target/test-classes" --exclude-package io.github.v4l2ffm.vivid.container)
# container: classes by name, so ContainerCaptureTest (one vivid instance) runs before
# ContainerMultiplanarTest (two) and its load shows that the plan's requests were merged
[[ $mode == container ]] && select=(--select-package io.github.v4l2ffm.vivid.container
                                    '--config=junit.jupiter.testclass.order.default=org.junit.jupiter.api.ClassOrderer$ClassName')
for a in "$@"; do [[ $a == --select* ]] && select=(); done
cmd=("$java" --enable-native-access=ALL-UNNAMED --add-modules=jdk.incubator.vector -cp "$cp" org.junit.platform.console.ConsoleLauncher execute
     "${select[@]}" --reports-dir "$reports" --details=tree --disable-banner --fail-if-no-tests "$@")
echo "run-suite: device tests on the $mode ($(if [[ $mode == host ]]; then uname -r; else echo 'lab VM'; fi))"
rc=0
start=$SECONDS
case $mode in
  container)
    V4L2_STAGE_JAVA=$java V4L2_STAGE_CP=$cp V4L2_LAB_MODULES= V4L2_LAB_DOCKER=1 V4L2_LAB_RW=${V4L2_LAB_RW:-$(cd "$here/../.." && pwd)} \
      "$here/lab.sh" run -- sh "$here/container-stage.sh" "$reports" "${select[@]}" --details=tree --disable-banner \
      --fail-if-no-tests "$@" || rc=$?
    echo "run-suite: the container stage took $((SECONDS - start)) s (VM boot, dockerd, image build, suite, unload)" ;;
  host) "${cmd[@]}" || rc=$? ;;
  vm)   V4L2_LAB_RW=${V4L2_LAB_RW:-$(cd "$here/../.." && pwd)} "$here/lab.sh" run -- "${cmd[@]}" || rc=$? ;;
  *)    echo "run-suite: unknown mode '$mode' (auto, host or vm)" >&2; exit 2 ;;
esac

xml=$(ls "$reports"/*.xml 2>/dev/null | head -1 || true)
if [[ -z $xml ]]; then
  echo "run-suite: no test report was written to $reports" >&2
  exit $(( rc == 0 ? 1 : rc ))
fi
suite=$(grep -o '<testsuite [^>]*>' "$xml" | head -1)
attr() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$suite"; }
tests=$(attr tests); failures=$(attr failures); errors=$(attr errors); skipped=$(attr skipped)
osver=$(grep -o 'name="os.version" value="[^"]*"' "$xml" | head -1 | sed 's/.*value="//; s/"$//')
echo "run-suite: the device tests ran on kernel $osver"
label=device-tests; [[ $mode == container ]] && label=container-tests
echo "$label: $((tests - failures - errors - skipped)) passed, $((failures + errors)) failed, $skipped skipped"
if (( rc == 0 && skipped > 0 )) && [[ ${V4L2_ALLOW_SKIPPED:-0} != 1 ]]; then
  echo "run-suite: $skipped tests were skipped: a skipped device test does not pass" >&2
  rc=1
fi
exit $rc
