#!/usr/bin/env bash
# A Spark standalone cluster on this machine, from the Maven jars (no Spark download): one Master and N
# Workers as separate JVMs on 127.0.0.1, for trying spark-submit and for the integration tests.
#
#   deploy/local-cluster.sh start [N]     start a Master and N Workers (default 2); prints the master URL
#   deploy/local-cluster.sh status        the master URL and the workers the Master sees
#   deploy/local-cluster.sh stop          stop them all
#
# Submit with deploy/submit.sh (MASTER=$(deploy/local-cluster.sh url) deploy/submit.sh gmm ...).
# Environment: SUFSTAT_CLUSTER_DIR (state, logs and the SPARK_HOME; default target/local-cluster),
# SUFSTAT_MASTER_PORT (7077), SUFSTAT_MASTER_UI_PORT (8080), SUFSTAT_WORKER_CORES (1),
# SUFSTAT_WORKER_MEMORY (2g), JAVA_HOME.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${SUFSTAT_CLUSTER_DIR:-$ROOT/target/local-cluster}"
PORT="${SUFSTAT_MASTER_PORT:-7077}"
UI_PORT="${SUFSTAT_MASTER_UI_PORT:-8080}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
URL="spark://127.0.0.1:$PORT"

# A SPARK_HOME whose jars/ holds Spark's jars from the local Maven repository: Workers build executor
# class paths from $SPARK_HOME/jars (found through the RELEASE marker) and need SPARK_SCALA_VERSION.
spark_home() {
  "$ROOT/deploy/sufstat" --help > /dev/null   # builds the jar, the class path and the JVM options when stale
  local home="$DIR/spark-home"
  rm -rf "$home"
  mkdir -p "$home/jars" "$home/conf"
  tr ':' '\n' < "$ROOT/jobs/target/classpath.txt" | while read -r jar; do
    [ -n "$jar" ] && ln -sf "$jar" "$home/jars/$(basename "$jar")"
  done
  echo "Spark from the Maven repository (sufstat local cluster)" > "$home/RELEASE"
  # The daemons log at INFO (the Master's "Registering worker" lines tell when the cluster is up).
  sed 's/^rootLogger.level = warn/rootLogger.level = info/' "$ROOT/conf/log4j2.properties" > "$home/conf/log4j2.properties"
  echo "$home"
}

launch() {  # name, main class, args...
  local name="$1"; shift
  local cls="$1"; shift
  # shellcheck disable=SC2046
  nohup "$JAVA" -Xmx512m $(cat "$ROOT/jobs/target/jvm-options.txt") \
    -Dlog4j2.configurationFile="$SPARK_HOME/conf/log4j2.properties" \
    -cp "$SPARK_HOME/conf:$SPARK_HOME/jars/*" "$cls" "$@" > "$DIR/logs/$name.log" 2>&1 &
  echo $! > "$DIR/pids/$name.pid"
}

alive_workers() {  # workers the Master has registered, from its log (no HTTP client needed)
  local n
  n="$(grep -c "Registering worker" "$DIR/logs/master.log" 2>/dev/null || true)"
  echo "${n:-0}"
}

case "${1:-}" in
  start)
    n="${2:-2}"
    if [ -d "$DIR/pids" ] && ls "$DIR"/pids/*.pid > /dev/null 2>&1; then
      echo "a local cluster seems to be running (pid files in $DIR/pids): deploy/local-cluster.sh stop first" >&2
      exit 1
    fi
    mkdir -p "$DIR/logs" "$DIR/pids" "$DIR/work"
    SPARK_HOME="$(spark_home)"
    export SPARK_HOME SPARK_SCALA_VERSION=2.13 SPARK_WORKER_DIR="$DIR/work"
    launch master org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$PORT" --webui-port "$UI_PORT"
    for i in $(seq 1 "$n"); do
      launch "worker-$i" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --webui-port 0 \
        --cores "${SUFSTAT_WORKER_CORES:-1}" --memory "${SUFSTAT_WORKER_MEMORY:-2g}" --work-dir "$DIR/work/worker-$i" "$URL"
    done
    for _ in $(seq 1 120); do
      if [ "$(alive_workers)" -ge "$n" ]; then
        echo "$URL"
        exit 0
      fi
      sleep 0.5
    done
    echo "the cluster did not come up with $n workers in 60 s; logs in $DIR/logs" >&2
    exit 1
    ;;
  status)
    echo "$URL: $(alive_workers) alive worker(s)"
    ;;
  url)
    echo "$URL"
    ;;
  stop)
    for f in "$DIR"/pids/*.pid; do
      [ -e "$f" ] || continue
      pid="$(cat "$f")"
      # Workers' executors are their children: stop those too.
      pkill -TERM -P "$pid" 2>/dev/null || true
      kill "$pid" 2>/dev/null || true
      rm -f "$f"
    done
    echo "stopped"
    ;;
  *)
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
