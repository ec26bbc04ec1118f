#!/usr/bin/env bash
# Submits a sufstat job with spark-submit: the thin jar, the job's main class, the job's options.
#
#   MASTER=spark://host:7077 deploy/submit.sh gmm --input hdfs:///data/x --output hdfs:///models/x --k 5
#
# Uses $SPARK_HOME/bin/spark-submit when SPARK_HOME points at a Spark 4.x (Scala 2.13) installation,
# and otherwise Spark's SparkSubmit from the Maven jars (e.g. for deploy/local-cluster.sh).
# Environment: MASTER (default: deploy/local-cluster.sh's URL), DEPLOY_MODE (client), SPARK_SUBMIT_OPTS
# (extra spark-submit options, e.g. "--executor-memory 4g --total-executor-cores 8"), JAVA_HOME.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
[ $# -ge 1 ] || { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
"$ROOT/deploy/sufstat" --help > /dev/null   # builds the jar when stale
JAR="$ROOT/jobs/target/sufstat-jobs.jar"
MASTER="${MASTER:-$("$ROOT/deploy/local-cluster.sh" url)}"
# shellcheck disable=SC2086
if [ -n "${SPARK_HOME:-}" ] && [ -x "$SPARK_HOME/bin/spark-submit" ]; then
  exec "$SPARK_HOME/bin/spark-submit" --master "$MASTER" --deploy-mode "${DEPLOY_MODE:-client}" \
    ${SPARK_SUBMIT_OPTS:-} --class io.sufstat.jobs.Sufstat "$JAR" "$@"
fi
# shellcheck disable=SC2046,SC2086
exec "$JAVA" $(cat "$ROOT/jobs/target/jvm-options.txt") -Dlog4j2.configurationFile="$ROOT/conf/log4j2.properties" \
  -cp "$(cat "$ROOT/jobs/target/classpath.txt")" org.apache.spark.deploy.SparkSubmit \
  --master "$MASTER" --deploy-mode "${DEPLOY_MODE:-client}" ${SPARK_SUBMIT_OPTS:-} \
  --class io.sufstat.jobs.Sufstat "$JAR" "$@"
