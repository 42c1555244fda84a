#!/usr/bin/env bash
# Runs the JMH benchmarks (build first: mvn install -DskipTests). Arguments go to JMH, e.g.
#   benchmarks/run.sh CaptureBenchmark -prof gc
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
[[ -f $here/target/classpath.txt ]] || { echo "build first: mvn install -DskipTests" >&2; exit 2; }
exec "$java" --enable-native-access=ALL-UNNAMED -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" org.openjdk.jmh.Main "$@"
