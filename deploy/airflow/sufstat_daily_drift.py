"""Daily sufstat pipeline: fit today's Gaussian mixture, compare it with yesterday's, fail on drift.

Paths are partitioned by the run's logical date ({{ ds }}; yesterday is {{ macros.ds_add(ds, -1) }}).
Every task is a spark-submit of sufstat's thin jar (Spark 4.x, Scala 2.13, on the `spark_default`
connection). sufstat's jobs exit non-zero on any failure and write their outputs atomically (temporary
directory, then _SUCCESS, then a rename), so a failed or retried task never leaves a half-written model;
`gmm --checkpoint` makes a retry resume from the last completed EM iteration. `compare --fail-above`
writes the drift report first and then fails the run when the KL divergence exceeds the threshold.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

JAR = "/opt/sufstat/sufstat-jobs.jar"
EVENTS = "hdfs:///data/events/day={{ ds }}"
TODAY = "hdfs:///models/events/gmm/day={{ ds }}"
YESTERDAY = "hdfs:///models/events/gmm/day={{ macros.ds_add(ds, -1) }}"
SPARK_CONF = {"spark.executorEnv.OPENBLAS_NUM_THREADS": "1"}

default_args = {
    "owner": "data-platform",
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
}

with DAG(
    dag_id="sufstat_daily_drift",
    description="Fit today's GMM of the event features and alert on drift from yesterday's",
    start_date=datetime(2026, 11, 1),
    schedule="@daily",
    catchup=False,
    default_args=default_args,
    tags=["sufstat"],
) as dag:
    fit = SparkSubmitOperator(
        task_id="fit_gmm",
        application=JAR,
        java_class="io.sufstat.jobs.gmm.GmmJob",
        conf=SPARK_CONF,
        application_args=[
            "--input", EVENTS,
            "--output", TODAY,
            "--features", "amount,latency_ms,items",
            "--k", "1-8",
            "--covariance", "full",
            "--on-bad-record", "skip",
            "--checkpoint", "hdfs:///checkpoints/events/gmm/day={{ ds }}",
            "--overwrite",
        ],
    )

    score = SparkSubmitOperator(
        task_id="score_anomalies",
        application=JAR,
        java_class="io.sufstat.jobs.score.ScoreJob",
        conf=SPARK_CONF,
        application_args=[
            "--model", TODAY,
            "--input", EVENTS,
            "--output", "hdfs:///scores/events/day={{ ds }}",
            "--anomaly-quantile", "0.001",
            "--output-format", "parquet",
            "--on-bad-record", "skip",
            "--overwrite",
        ],
    )

    drift = SparkSubmitOperator(
        task_id="compare_with_yesterday",
        application=JAR,
        java_class="io.sufstat.jobs.compare.CompareJob",
        conf=SPARK_CONF,
        application_args=[
            "--model-a", YESTERDAY,
            "--model-b", TODAY,
            "--output", "hdfs:///reports/events/drift/day={{ ds }}",
            "--fail-above", "0.5",
            "--overwrite",
        ],
    )

    fit >> [score, drift]
