#!/usr/bin/env bash
# Example: a sufstat job on YARN in cluster mode (the driver runs in the cluster; the exit status of
# spark-submit is the job's). Needs SPARK_HOME (Spark 4.x for Scala 2.13) and HADOOP_CONF_DIR.
#
#   deploy/submit-yarn.sh gmm --input hdfs:///data/events/day=2026-11-24 \
#       --output hdfs:///models/events/day=2026-11-24 --k 8 --checkpoint hdfs:///checkpoints/events/day=2026-11-24
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${SPARK_HOME:?set SPARK_HOME to a Spark 4.x (Scala 2.13) installation}"
: "${HADOOP_CONF_DIR:?set HADOOP_CONF_DIR to the Hadoop configuration of the cluster}"
[ $# -ge 1 ] || { sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
exec "$SPARK_HOME/bin/spark-submit" --master yarn --deploy-mode cluster \
  --name "sufstat $1" \
  --num-executors "${SUFSTAT_EXECUTORS:-4}" --executor-cores "${SUFSTAT_EXECUTOR_CORES:-4}" \
  --executor-memory "${SUFSTAT_EXECUTOR_MEMORY:-8g}" --driver-memory "${SUFSTAT_DRIVER_MEMORY:-4g}" \
  --conf spark.executorEnv.OPENBLAS_NUM_THREADS=1 --conf spark.yarn.maxAppAttempts=1 \
  --class io.sufstat.jobs.Sufstat "$ROOT/jobs/target/sufstat-jobs.jar" "$@"
