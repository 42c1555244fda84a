#!/usr/bin/env bash
# Runs the device test suite (vivid-tests/target/test-classes) with the JUnit console launcher,
# either on this host (its kernel has vivid loaded) or inside the lab VM (lab.sh run), there on
# each of the lab's kernels.
#
#   run-suite.sh [auto|host|vm|container] [extra console-launcher options, e.g. --select-class=...]
#   (V4L2_LAB_WITH_CONTAINER=true: host and vm also run the container stage; mvn verify sets it)
#
# auto: this host when /sys/module/vivid exists, else the VM. vm: the suite on every kernel in
# V4L2_LAB_KERNELS (default "6.12 6.1"; V4L2_LAB_KERNEL=6.1 alone picks that one), two at once
# when V4L2_LAB_PARALLEL=1 (the default on a host with 2 CPUs or more), each in a VM of its own.
# container: the container stage, the tests in io.github.v4l2ffm.vivid.container, run in the VM
# (6.12) booted with no V4L2 driver loaded and a Docker engine running, so that the extension's
# container strategy loads them (container-stage.sh checks that nothing is loaded before, and
# nothing is left after).
# Reports (JUnit XML, with the system properties of the JVM that ran them, os.version included)
# go to one directory per kernel: target/failsafe-reports/linux-6.12, .../linux-6.1 (vm),
# target/failsafe-reports/<uname -r> (host), target/container-reports (container).
# A test aborted because its kernel lacks what it needs (message "not applicable on Linux ...",
# allowed only where the lab says that kernel lacks it) counts as not applicable, apart from
# the passes. Fails when a test fails, when no test ran, and when a test was skipped or aborted
# for any other reason (set V4L2_ALLOW_SKIPPED=1 to allow skips on a host that lacks some of the
# drivers).
set -euo pipefail
mode=${1:-auto}; shift || true
here=$(cd "$(dirname "$0")" && pwd)
target=$(dirname "$here")/target
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
[[ -f $target/test-classpath.txt ]] || { echo "run-suite: $target/test-classpath.txt is missing: build with 'mvn verify' first" >&2; exit 2; }
cp="$target/test-classes:$(cat "$target/test-classpath.txt")"
export V4L2_LAB_RW=${V4L2_LAB_RW:-$(cd "$here/../.." && pwd)}

if [[ $mode == auto ]]; then
  if [[ -d /sys/module/vivid ]]; then mode=host; else mode=vm; fi
fi
# the whole suite, unless the arguments select tests (--select-class=..., --select-method=...)
select=(--scan-class-path "$target/test-classes" --exclude-package io.github.v4l2ffm.vivid.container)
# container: classes by name, so ContainerCaptureTest (one vivid instance) runs before
# ContainerMultiplanarTest (two) and its load shows that the plan's requests were merged
container_select=(--select-package io.github.v4l2ffm.vivid.container
                  '--config=junit.jupiter.testclass.order.default=org.junit.jupiter.api.ClassOrderer$ClassName')
[[ $mode == container ]] && select=("${container_select[@]}")
selected=0
for a in "$@"; do [[ $a == --select* ]] && { select=(); selected=1; }; done
extra=("$@")
# The whole suite runs in two JVMs, one after the other. The first has C1 alone
# (-XX:TieredStopAtLevel=1): on the lab's emulated CPU, C2's compiles cost more CPU than they
# give back (both kernels at once: 713 s with the default compilers, 448 s with C1 alone, 477 s
# with this split). The second has the
# default compilers and runs the tests tagged "optimizing-jit", whose claims hold only once C2 has
# compiled the code (no allocation per call relies on its escape analysis). Tests picked with
# --select-... run in one JVM with the default compilers.
JIT_TAG=optimizing-jit
launch() { # launch REPORTS JVM-OPTIONS... -- LAUNCHER-OPTIONS...: one console launcher command line, quoted
  local reports=$1 jvm=() opts=(); shift
  while [[ $1 != -- ]]; do jvm+=("$1"); shift; done; shift
  opts=("$@")
  printf '%q ' "$java" "${jvm[@]}" ${V4L2_LAB_JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED --add-modules=jdk.incubator.vector -cp "$cp" \
    org.junit.platform.console.ConsoleLauncher execute "${select[@]}" --reports-dir "$reports" --details=tree --disable-banner \
    "${opts[@]}" "${extra[@]}"
  echo
}
# launcher REPORTS: writes the suite's job (the JVMs to run, in order; it exits with the first
# failure's status) to target/, sets cmd to the command that runs it
launcher() {
  local reports=$1 job=$target/suite-job-${1##*/}.sh
  {
    echo '#!/usr/bin/env bash'
    echo 'rc=0'
    if ((selected)); then
      echo "$(launch "$reports" -- --fail-if-no-tests) || rc=\$?"
    else
      echo "$(launch "$reports" -XX:TieredStopAtLevel=1 -- --fail-if-no-tests --exclude-tag $JIT_TAG) || rc=\$?"
      # its classes by name, found in the sources: scanning the class path costs a minute here
      local jit=() f
      for f in $(grep -rlF "@Tag(\"$JIT_TAG\")" "$here/../src/test/java"); do
        f=${f#"$here/../src/test/java/"}; f=${f%.java}; jit+=(--select-class "${f//\//.}")
      done
      ((${#jit[@]})) || { echo "run-suite: no test class is tagged $JIT_TAG" >&2; exit 2; }
      echo "$(select=("${jit[@]}"); launch "$reports/$JIT_TAG" -- --fail-if-no-tests --include-tag $JIT_TAG) || { r=\$?; ((rc)) || rc=\$r; }"
    fi
    echo 'exit $rc'
  } > "$job"
  cmd=(bash "$job")
}

# summary LABEL REPORTS RC: counts from the report, the not-applicable tests with their reasons;
# prints the result line and returns the run's status
summary() {
  local label=$1 reports=$2 rc=$3 xml xmls=()
  mapfile -t xmls < <(find "$reports" -name 'TEST-*.xml' | sort)
  if ((${#xmls[@]} == 0)); then
    echo "run-suite: $label: no test report was written to $reports" >&2
    return $(( rc == 0 ? 1 : rc ))
  fi
  local tests=0 failures=0 errors=0 skipped=0 na=0 osver suite
  attr() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$suite"; }
  for xml in "${xmls[@]}"; do
    suite=$(grep -o '<testsuite [^>]*>' "$xml" | head -1)
    tests=$((tests + $(attr tests))); failures=$((failures + $(attr failures)))
    errors=$((errors + $(attr errors))); skipped=$((skipped + $(attr skipped)))
  done
  if ((tests == 0)); then
    echo "run-suite: $label: no test ran" >&2
    return $(( rc == 0 ? 1 : rc ))
  fi
  osver=$(grep -ho 'name="os.version" value="[^"]*"' "${xmls[@]}" | head -1 | sed 's/.*value="//; s/"$//')
  local marker='<skipped><![CDATA[org.opentest4j.TestAbortedException: not applicable on Linux '
  na=$(cat "${xmls[@]}" | grep -cF "$marker" || true)
  if ((na)); then
    echo "$label on $osver: not applicable:"
    cat "${xmls[@]}" | awk -v m="$marker" '
      index($0, m) == 1 { reason = substr($0, length(m) - length("not applicable on Linux ") + 1); next }
      /^display-name: / && reason != "" { sub(/^display-name: JUnit Jupiter > /, ""); print "  n/a: " $0 ": " reason; reason = "" }
    '
  fi
  local other=$((skipped - na))
  echo "$label on $osver: $((tests - failures - errors - skipped)) passed, $((failures + errors)) failed, $na not applicable$( ((other)) && echo ", $other skipped")"
  if (( failures + errors )); then
    # the failed tests last, so that the tail of a CI log names them
    awk '
      /^<testcase / { name = $0; sub(/^<testcase name="/, "", name); sub(/".*/, "", name)
                      cls = $0; sub(/.* classname="/, "", cls); sub(/".*/, "", cls); sub(/.*\./, "", cls) }
      /^<(failure|error) / { msg = $0; sub(/^<(failure|error) message="/, "", msg); sub(/" type=.*/, "", msg)
                             gsub(/&lt;/, "<", msg); gsub(/&gt;/, ">", msg); gsub(/&quot;/, "\"", msg); gsub(/&amp;/, "\\&", msg)
                             print "  FAILED: " cls " > " name ": " substr(msg, 1, 300) }
    ' "${xmls[@]}"
  fi
  if (( rc == 0 && other > 0 )) && [[ ${V4L2_ALLOW_SKIPPED:-0} != 1 ]]; then
    echo "run-suite: $label on $osver: $other tests were skipped or aborted for another reason than a kernel's known lack: a skipped device test does not pass" >&2
    rc=1
  fi
  return "$rc"
}

vm_suite() { # vm_suite KERNEL: the suite in the lab VM on that kernel
  local k=$1 reports=$target/failsafe-reports/linux-$1 rc=0 start=$SECONDS
  rm -rf "$reports"; mkdir -p "$reports"
  launcher "$reports"
  echo "run-suite: device tests in the lab VM on Linux $k"
  V4L2_LAB_KERNEL=$k "$here/lab.sh" run -- "${cmd[@]}" || rc=$?
  echo "run-suite: the suite on Linux $k took $((SECONDS - start)) s (VM boot included)"
  summary device-tests "$reports" "$rc"
}

container_stage() { # container_stage LAUNCHER-OPTIONS...: the container stage in the lab VM
  local reports=$target/container-reports rc=0 start=$SECONDS
  rm -rf "$reports"; mkdir -p "$reports"
  echo "run-suite: the container stage in the lab VM (Linux 6.12)"
  V4L2_STAGE_JAVA=$java V4L2_STAGE_JAVA_OPTS="-XX:TieredStopAtLevel=1 ${V4L2_LAB_JAVA_OPTS:-}" V4L2_STAGE_CP=$cp V4L2_LAB_MODULES= V4L2_LAB_DOCKER=1 V4L2_LAB_KERNEL=6.12 \
    "$here/lab.sh" run -- sh "$here/container-stage.sh" "$reports" "$@" --details=tree --disable-banner \
    --fail-if-no-tests || rc=$?
  echo "run-suite: the container stage took $((SECONDS - start)) s (VM boot, dockerd, image build, suite, unload)"
  summary container-tests "$reports" "$rc"
}
# V4L2_LAB_WITH_CONTAINER=true (mvn verify sets it unless -Dv4l2.container=false): the container
# stage too, at once with the kernels' suites where those run at once, else after them; not
# when the arguments select tests
with_container=0
[[ ${V4L2_LAB_WITH_CONTAINER:-false} == true ]] && ((selected == 0)) && with_container=1

rc=0
start=$SECONDS
case $mode in
  container)
    container_stage "${select[@]}" "${extra[@]}" || rc=$? ;;
  host)
    reports=$target/failsafe-reports/$(uname -r)
    rm -rf "$reports"; mkdir -p "$reports"
    launcher "$reports"
    echo "run-suite: device tests on this host (Linux $(uname -r))"
    "${cmd[@]}" || rc=$?
    summary device-tests "$reports" "$rc" || rc=$?
    if ((with_container)); then r=0; container_stage "${container_select[@]}" || r=$?; ((rc != 0)) || rc=$r; fi ;;
  vm)
    if [[ -n ${V4L2_LAB_KERNEL:-} ]]; then kernels=$V4L2_LAB_KERNEL; else kernels=${V4L2_LAB_KERNELS:-6.12 6.1}; fi
    read -ra ks <<<"$kernels"
    parallel=${V4L2_LAB_PARALLEL:-$( (( $(nproc) >= 2 )) && echo 1 || echo 0)}
    if (( ${#ks[@]} + with_container > 1 )) && [[ $parallel == 1 ]]; then
      # one VM per kernel (and one for the container stage), all at once: each one's output
      # prefixed with its kernel, the results repeated at the end. On a 2-CPU host, three VMs
      # at once took 603 s; the suites at once and then the container stage, 477 + 402 s.
      jobs=("${ks[@]}"); ((with_container)) && jobs+=(container)
      echo "run-suite: the suite on Linux ${ks[*]}$( ((with_container)) && echo " and the container stage") at once, one VM each (V4L2_LAB_PARALLEL=0: one after the other)"
      logs=$target/failsafe-reports
      mkdir -p "$logs"
      pids=()
      for k in "${jobs[@]}"; do
        if [[ $k == container ]]; then
          ( set -o pipefail; container_stage "${container_select[@]}" 2>&1 | tee "$logs/run-container.log" | sed -u "s/^/[container] /" ) &
        else
          ( set -o pipefail; vm_suite "$k" 2>&1 | tee "$logs/run-linux-$k.log" | sed -u "s/^/[$k] /" ) &
        fi
        pids+=($!)
      done
      for i in "${!jobs[@]}"; do
        r=0; wait "${pids[$i]}" || r=$?
        ((r == 0)) || { ((rc != 0)) || rc=$r; }
      done
      log() { if [[ $1 == container ]]; then echo "$logs/run-container.log"; else echo "$logs/run-linux-$1.log"; fi; }
      for k in "${jobs[@]}"; do
        grep -E '^(run-suite: the suite on Linux |run-suite: the container stage took |(device|container)-tests on |  n/a: )' "$(log "$k")" || true
      done
      for k in "${jobs[@]}"; do
        where="on Linux $k"; [[ $k == container ]] && where="in the container stage"
        grep -E '^  FAILED: ' "$(log "$k")" | sed "s/^  FAILED: /  FAILED $where: /" || true
      done
    else
      for k in "${ks[@]}"; do r=0; vm_suite "$k" || r=$?; ((r == 0)) || { ((rc != 0)) || rc=$r; }; done
      if ((with_container)); then r=0; container_stage "${container_select[@]}" || r=$?; ((rc != 0)) || rc=$r; fi
    fi
    echo "run-suite: the device tests on Linux ${ks[*]}$( ((with_container)) && echo " and the container stage") took $((SECONDS - start)) s" ;;
  *)    echo "run-suite: unknown mode '$mode' (auto, host, vm or container)" >&2; exit 2 ;;
esac
exit $rc
