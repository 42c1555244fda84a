#!/usr/bin/env bash
# Runs the JMH benchmarks (build first: mvn install -DskipTests). Arguments go to JMH, e.g.
#   benchmarks/run.sh CaptureBenchmark -prof gc
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
[[ -f $here/target/classpath.txt ]] || { echo "build first: mvn install -DskipTests" >&2; exit 2; }
# this checkout's modules before the jars of the local Maven repository, which another checkout's
# `mvn install` may have replaced
cp=$here/target/classes
for m in v4l2-ffm image; do [[ -d $here/../$m/target/classes ]] && cp+=:$here/../$m/target/classes; done
cp+=:$(cat "$here/target/classpath.txt")
exec "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" org.openjdk.jmh.Main "$@"
