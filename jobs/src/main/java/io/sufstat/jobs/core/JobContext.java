package io.sufstat.jobs.core;

import io.sufstat.jobs.cli.Options;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * What a running job shares: its options and a Spark session, created on first use. When the job was
 * not started by spark-submit (no {@code spark.master} set) the session runs in local mode
 * ({@code --master}, default {@code local[*]}), with the Spark UI and console progress bars off and one
 * shuffle partition per core (unless set).
 */
public final class JobContext implements AutoCloseable {

    private final String jobName;
    private final Options options;
    private SparkSession session;
    private boolean ownsSession;
    private Progress progress;

    public JobContext(String jobName, Options options) {
        this.jobName = jobName;
        this.options = options;
    }

    /** A context running on an existing session (tests, notebooks); the session is not stopped on close. */
    public static JobContext onSession(String jobName, Options options, SparkSession session) {
        JobContext c = new JobContext(jobName, options);
        c.session = session;
        c.ownsSession = false;
        withoutLocalChecksums(session);
        return c;
    }

    public Options options() {
        return options;
    }

    public synchronized SparkSession spark() {
        if (session == null) {
            SparkConf conf = new SparkConf();
            SparkSession.Builder b = SparkSession.builder().appName("sufstat " + jobName);
            if (options.find(Options.MASTER).isPresent()) {
                b.master(options.get(Options.MASTER));
            } else if (!conf.contains("spark.master")) {
                b.master("local[*]");
            }
            boolean local = options.find(Options.MASTER).map(m -> m.startsWith("local")).orElse(!conf.contains("spark.master"));
            if (local) {
                if (!conf.contains("spark.ui.enabled")) {
                    b.config("spark.ui.enabled", "false");
                }
                b.config("spark.ui.showConsoleProgress", "false");
                if (!conf.contains("spark.sql.shuffle.partitions")) {
                    // One shuffle partition per core rather than Spark's 200: local inputs are small.
                    b.config("spark.sql.shuffle.partitions", Integer.toString(Runtime.getRuntime().availableProcessors()));
                }
            }
            options.sparkSettings().forEach(b::config);
            session = b.getOrCreate();
            ownsSession = true;
            progress = Progress.start(session.sparkContext(), jobName);
            withoutLocalChecksums(session);
            // Spark (re)initialises logging when it starts: apply the job's levels again.
            Runner.configureLogging(options);
        }
        return session;
    }

    /**
     * Local files are written without Hadoop's {@code .NAME.crc} side files and read without checking
     * them: outputs a person reads and edits get no hidden checksum file, and a stale one (after a hand
     * edit) never stops a file from being read. Applied to the cached local file system of the session's
     * configuration, which Spark's readers and writers share in this JVM.
     */
    static void withoutLocalChecksums(SparkSession session) {
        try {
            org.apache.hadoop.fs.LocalFileSystem local = org.apache.hadoop.fs.FileSystem.getLocal(
                    session.sparkContext().hadoopConfiguration());
            local.setWriteChecksum(false);
            local.setVerifyChecksum(false);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public JavaSparkContext sparkContext() {
        return JavaSparkContext.fromSparkContext(spark().sparkContext());
    }

    public Configuration hadoopConf() {
        return spark().sparkContext().hadoopConfiguration();
    }

    @Override
    public synchronized void close() {
        if (progress != null) {
            progress.close();
            progress = null;
        }
        if (session != null && ownsSession) {
            session.stop();
        }
        session = null;
    }
}
