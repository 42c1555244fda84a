#!/usr/bin/env bash
# The main job: capture frames from a camera and write them as PNG files into frames/run-<time>/.
# With a video capture device on this machine, it captures from it; without one, it boots the
# lab VM (vivid-tests/lab/lab.sh) and captures from vivid, the kernel's virtual camera.
# Options are passed to io.github.v4l2ffm.examples.Capture (see its Javadoc), for example
#   ./capture.sh --frames 20 --size 1280x720 --format NV12 --memory userptr    (./capture.sh --help)
set -euo pipefail
cd "$(dirname "$0")"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[[ -x $JAVA_HOME/bin/java ]] || { echo "capture.sh: JDK 25 not found at $JAVA_HOME: set JAVA_HOME" >&2; exit 1; }
if [[ ! -f examples/target/classpath.txt || -n $(find v4l2-ffm/src image/src examples/src -newer examples/target/classpath.txt -type f | head -1) ]]; then
  mvn -q -B -DskipTests -pl examples -am install
fi
cp="examples/target/classes:$(cat examples/target/classpath.txt)"
args=("$@")
# the options are checked here, before a VM boots for them
rc=0
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" io.github.v4l2ffm.examples.Capture --check "${args[@]}" || rc=$?
case $rc in 0) ;; 3) exit 0 ;; *) exit "$rc" ;; esac
# a camera: a video capture node that is not a mem-to-mem device (ListDevices prints its capabilities)
has_camera() {
  compgen -G '/sys/class/video4linux/video*' >/dev/null &&
    "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" io.github.v4l2ffm.examples.ListDevices | grep -q 'Video Capture'
}
run=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --add-modules=jdk.incubator.vector -cp "$cp" io.github.v4l2ffm.examples.Capture --out "$PWD/frames")
if has_camera; then
  exec "${run[@]}" "${args[@]}"
fi
echo "capture.sh: no camera on this machine: capturing from vivid in the lab VM"
lab=(--size 640x480 --fps 30)
[[ " ${args[*]} " == *" --device "* ]] || lab+=(--driver vivid)
V4L2_LAB_RW=$PWD exec vivid-tests/lab/lab.sh run -- "${run[@]}" "${lab[@]}" "${args[@]}"
