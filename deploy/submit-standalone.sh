#!/usr/bin/env bash
# Example: a sufstat job on a Spark standalone cluster (client mode: the driver runs here and the exit
# status is the job's). For a cluster on this machine see deploy/local-cluster.sh and deploy/submit.sh.
#
#   MASTER=spark://spark-master:7077 deploy/submit-standalone.sh mle --input hdfs:///data/x --output hdfs:///models/x
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${MASTER:?set MASTER, e.g. spark://spark-master:7077}"
[ $# -ge 1 ] || { sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
export MASTER
export SPARK_SUBMIT_OPTS="${SPARK_SUBMIT_OPTS:---total-executor-cores 8 --executor-memory 8g --conf spark.executorEnv.OPENBLAS_NUM_THREADS=1}"
exec "$ROOT/deploy/submit.sh" "$@"
