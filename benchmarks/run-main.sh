#!/usr/bin/env bash
# Runs one of the measurement programs of the benchmarks module (build first: mvn install -DskipTests):
#   benchmarks/run-main.sh AllocationPerFrame [rounds] [framesPerRound] [multiplanar]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
main=$1; shift
exec "$java" --enable-native-access=ALL-UNNAMED -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" "io.github.v4l2ffm.benchmarks.$main" "$@"
