#!/usr/bin/env bash
# Example: a sufstat job on Kubernetes with spark-submit in cluster mode. The image must hold Spark 4.x
# (Scala 2.13) and sufstat's thin jar at /opt/sufstat/sufstat-jobs.jar (see deploy/kubernetes/).
#
#   K8S_MASTER=k8s://https://api.example:6443 SUFSTAT_IMAGE=registry.example/sufstat:0.1.0 \
#     deploy/submit-k8s.sh score --model s3a://models/day=2026-11-24 --input s3a://events/day=2026-11-25 \
#       --output s3a://scores/day=2026-11-25 --anomaly-quantile 0.001
set -euo pipefail
: "${SPARK_HOME:?set SPARK_HOME to a Spark 4.x (Scala 2.13) installation}"
: "${K8S_MASTER:?set K8S_MASTER, e.g. k8s://https://kubernetes.default.svc}"
: "${SUFSTAT_IMAGE:?set SUFSTAT_IMAGE to an image with Spark and /opt/sufstat/sufstat-jobs.jar}"
[ $# -ge 1 ] || { sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
exec "$SPARK_HOME/bin/spark-submit" --master "$K8S_MASTER" --deploy-mode cluster \
  --name "sufstat-$1" \
  --conf spark.kubernetes.container.image="$SUFSTAT_IMAGE" \
  --conf spark.kubernetes.namespace="${SUFSTAT_NAMESPACE:-sufstat}" \
  --conf spark.kubernetes.authenticate.driver.serviceAccountName="${SUFSTAT_SERVICE_ACCOUNT:-spark}" \
  --conf spark.executor.instances="${SUFSTAT_EXECUTORS:-4}" \
  --conf spark.executorEnv.OPENBLAS_NUM_THREADS=1 \
  --class io.sufstat.jobs.Sufstat local:///opt/sufstat/sufstat-jobs.jar "$@"
