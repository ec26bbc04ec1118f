package io.sufstat.jobs.bench;

import org.apache.spark.sql.SparkSession;

/**
 * The floors {@code bench-startup} compares sufstat's start-up with: a bare local Spark session (the UI and
 * console progress off, as sufstat's) that starts, reads a CSV file with a header and counts its rows; or,
 * without an argument, that only starts and stops.
 */
public final class BareSparkCount {

    private BareSparkCount() {
    }

    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder().appName("bare count").master("local[*]")
                .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").getOrCreate();
        try {
            if (args.length > 0) {
                System.out.println(spark.read().option("header", "true").csv(args[0]).count());
            }
        } finally {
            spark.stop();
        }
    }
}
