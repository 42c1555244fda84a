#!/usr/bin/env bash
# Runs one of the measurement programs of the benchmarks module (build first: mvn install -DskipTests):
#   benchmarks/run-main.sh AllocationPerFrame [rounds] [framesPerRound] [multiplanar]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
# this checkout's modules before the jars of the local Maven repository, which another checkout's
# `mvn install` may have replaced
cp=$here/target/classes
for m in v4l2-ffm image; do [[ -d $here/../$m/target/classes ]] && cp+=:$here/../$m/target/classes; done
cp+=:$(cat "$here/target/classpath.txt")
main=$1; shift
exec "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" "io.github.v4l2ffm.benchmarks.$main" "$@"
