"""Daily sufstat pipeline on saved statistics: read only today's data, model the last 7 and 30 days.

`mle` writes today's model and, beside it, today's sufficient statistics (stats/: count, weight sum, mean
and centred co-moments). `merge` then combines the saved statistics of the window's days (the paths with
{date} replaced by each day ending at {{ ds }}), so the 7- and 30-day models cost a few kilobytes of
reading instead of 30 days of events, and equal `mle` on those days' rows to rounding. Outputs are
written atomically; a retried task replaces only its own earlier output (--overwrite). The 7-day window
fails when a day is missing (rerun or backfill that day's task); the 30-day one merges the days that exist
(--allow-missing), so the first month after the DAG starts still yields a model, and logs the gaps.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

JAR = "/opt/sufstat/sufstat-jobs.jar"
EVENTS = "hdfs:///data/events/day={{ ds }}"
STATS = "hdfs:///stats/events/day={{ ds }}"
STATS_BY_DAY = "hdfs:///stats/events/day={date}"
SPARK_CONF = {"spark.executorEnv.OPENBLAS_NUM_THREADS": "1"}

default_args = {
    "owner": "data-platform",
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
}

with DAG(
    dag_id="sufstat_daily_window",
    description="Today's Gaussian statistics once, 7- and 30-day models from saved statistics",
    start_date=datetime(2026, 11, 1),
    schedule="@daily",
    catchup=False,
    default_args=default_args,
    tags=["sufstat"],
) as dag:
    daily = SparkSubmitOperator(
        task_id="daily_statistics",
        application=JAR,
        java_class="io.sufstat.jobs.mle.MleJob",
        conf=SPARK_CONF,
        application_args=[
            "--input", EVENTS,
            "--output", STATS,
            "--features", "amount,latency_ms,items",
            "--on-bad-record", "skip",
            "--overwrite",
        ],
    )

    week = SparkSubmitOperator(
        task_id="window_7_days",
        application=JAR,
        java_class="io.sufstat.jobs.mle.MergeJob",
        conf=SPARK_CONF,
        application_args=[
            "--input", STATS_BY_DAY,
            "--window", "7",
            "--date", "{{ ds }}",
            "--output", "hdfs:///models/events/gaussian-7d/day={{ ds }}",
            "--overwrite",
        ],
    )

    month = SparkSubmitOperator(
        task_id="window_30_days",
        application=JAR,
        java_class="io.sufstat.jobs.mle.MergeJob",
        conf=SPARK_CONF,
        application_args=[
            "--input", STATS_BY_DAY,
            "--window", "30",
            "--date", "{{ ds }}",
            "--allow-missing",
            "--output", "hdfs:///models/events/gaussian-30d/day={{ ds }}",
            "--overwrite",
        ],
    )

    daily >> [week, month]
