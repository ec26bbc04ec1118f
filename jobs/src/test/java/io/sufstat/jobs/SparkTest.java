package io.sufstat.jobs;

import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.core.Failures;
import io.sufstat.jobs.cli.Failure;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.cli.UsageException;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One local Spark session for every test class in the JVM (local[2], UI off, few shuffle partitions),
 * and a way to run a job on it exactly as the command line would.
 */
public abstract class SparkTest {

    private static SparkSession session;

    protected static synchronized SparkSession spark() {
        if (session == null) {
            session = SparkSession.builder()
                    .master("local[2]")
                    .appName("sufstat-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.ui.showConsoleProgress", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.default.parallelism", "2")
                    .getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
        }
        return session;
    }

    /**
     * Runs {@code sufstat JOB args…} on the shared session. A failure is thrown as the command line reports
     * it: a {@link UsageException}, or a {@link JobFailedException} with the class and the one line of
     * {@link Failures#of} (whatever the job threw, a Spark task failure included).
     */
    protected static void runJob(String job, String... args) throws Exception {
        Job j = Sufstat.JOBS.get(job);
        Options o = Options.parse(job, j.options(), args, io.sufstat.jobs.io.HadoopFiles::readConfigText);
        try {
            io.sufstat.jobs.core.Runner.execute(j, o, JobContext.onSession(job, o, spark()));
        } catch (UsageException | JobFailedException e) {
            throw e;
        } catch (Exception e) {
            Failures.Outcome outcome = Failures.of(e);
            if (outcome.failure() == Failure.USAGE) {
                throw new UsageException(outcome.message());
            }
            throw new JobFailedException(outcome.failure(), outcome.message(), e);
        }
    }

    /**
     * {@code body} run with the JVM property {@code sufstat.internalRows} set to {@code internal}: Spark's internal
     * rows, or the {@code Row} path they replace (each test compares both).
     */
    protected static <T> T withInternalRows(boolean internal, java.util.concurrent.Callable<T> body) throws Exception {
        String before = System.getProperty("sufstat.internalRows");
        System.setProperty("sufstat.internalRows", Boolean.toString(internal));
        try {
            return body.call();
        } finally {
            if (before == null) {
                System.clearProperty("sufstat.internalRows");
            } else {
                System.setProperty("sufstat.internalRows", before);
            }
        }
    }

    protected static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
