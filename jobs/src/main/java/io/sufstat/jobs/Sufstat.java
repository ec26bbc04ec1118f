package io.sufstat.jobs;

import io.sufstat.jobs.bench.BenchMleJob;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.generate.GenerateJob;
import io.sufstat.jobs.io.BadRecordException;
import io.sufstat.jobs.io.HadoopFiles;
import io.sufstat.jobs.mle.MleJob;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.SparkException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line: {@code sufstat JOB [options]}. Also the entry point of each job under spark-submit
 * ({@code --class io.sufstat.jobs.Sufstat sufstat-jobs.jar JOB …}, or a job's own class).
 *
 * <p>Exit status: 0 on success (main returns), 2 on a usage error (with the usage text), and a failure
 * otherwise — the exception leaves {@code main}, after one clear line on stderr, so that spark-submit,
 * YARN, Kubernetes and Airflow all record the failure.
 */
public final class Sufstat {

    private static final Logger LOG = LoggerFactory.getLogger(Sufstat.class);

    /** Every job, by name, in the order {@code --help} lists them. */
    public static final Map<String, Job> JOBS = registry(new MleJob(), new io.sufstat.jobs.gmm.GmmJob(),
            new io.sufstat.jobs.score.ScoreJob(), new io.sufstat.jobs.sample.SampleJob(),
            new io.sufstat.jobs.impute.ImputeJob(), new io.sufstat.jobs.compare.CompareJob(),
            new io.sufstat.jobs.ppca.PpcaJob(), new io.sufstat.jobs.ppca.MppcaJob(), new GenerateJob(),
            new BenchMleJob(), new io.sufstat.jobs.bench.BenchGmmJob(),
            new io.sufstat.jobs.bench.BenchPpcaJob());

    private Sufstat() {
    }

    private static Map<String, Job> registry(Job... jobs) {
        Map<String, Job> m = new LinkedHashMap<>();
        for (Job j : jobs) {
            m.put(j.name(), j);
        }
        return m;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            System.out.println(overview());
            if (args.length == 0) {
                System.exit(2);
            }
            return;
        }
        Job job = JOBS.get(args[0]);
        if (job == null) {
            System.err.println("sufstat: unknown job '" + args[0] + "'\n\n" + overview());
            System.exit(2);
        }
        run(job, Arrays.copyOfRange(args, 1, args.length));
    }

    /** Runs {@code job} with {@code args} as a main method would (usage errors exit 2). */
    public static void run(Job job, String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(job.name(), job.options(), args, HadoopFiles::readConfigText);
        } catch (UsageException e) {
            usageError(job, e);
            return;
        }
        if (options.flag("help")) {
            System.out.println(usage(job));
            return;
        }
        configureLogging(options);
        try (JobContext context = new JobContext(job.name(), options)) {
            execute(job, options, context);
        } catch (UsageException e) {
            usageError(job, e);
        }
    }

    /**
     * Runs a job in an existing context and turns a Spark task failure caused by bad input into the
     * input's own message. Throws {@link JobFailedException} with a complete message on failure.
     */
    public static void execute(Job job, Options options, JobContext context) throws Exception {
        long start = System.nanoTime();
        LOG.info("sufstat {}: BLAS {}", job.name(), io.sufstat.common.linalg.Blas.describe());
        try {
            job.run(options, context);
            LOG.info("{} finished in {} s", job.name(), String.format("%.1f", (System.nanoTime() - start) / 1e9));
        } catch (UsageException e) {
            throw e;
        } catch (JobFailedException e) {
            LOG.error("{} failed: {}", job.name(), e.getMessage());
            LOG.debug("{} failure", job.name(), e);
            throw JobFailedException.terse(e.getMessage());
        } catch (Exception e) {
            BadRecordException bad = BadRecordException.find(e);
            if (bad != null) {
                String msg = bad.getMessage() + ". With --on-bad-record skip such rows are skipped and counted"
                        + " in metrics.json.";
                LOG.error("{} failed: {}", job.name(), msg);
                LOG.debug("{} failure", job.name(), e);
                throw JobFailedException.terse(msg);
            }
            if (e instanceof SparkException) {
                LOG.error("{} failed in Spark: {}", job.name(), e.getMessage());
            }
            throw e;
        }
    }

    /** A usage error: the message, the usage line, and exit status 2. */
    private static void usageError(Job job, UsageException e) {
        System.err.println("sufstat " + job.name() + ": " + e.getMessage() + "\nUsage: sufstat " + job.name() + " "
                + job.synopsis() + "\nRun 'sufstat " + job.name() + " --help' for every option.");
        System.exit(2);
    }

    /** Logging: sufstat at INFO (WARN with --quiet, DEBUG with --verbose); Spark and Hadoop at WARN unless --verbose. */
    static void configureLogging(Options options) {
        boolean quiet = options.flag("quiet");
        boolean verbose = options.flag("verbose");
        // netlib announces its BLAS through java.util.logging; sufstat logs it once itself.
        java.util.logging.Logger.getLogger("dev.ludovic.netlib").setLevel(verbose ? java.util.logging.Level.INFO
                : java.util.logging.Level.WARNING);
        try {
            Configurator.setLevel("io.sufstat", quiet ? Level.WARN : verbose ? Level.DEBUG : Level.INFO);
            if (!verbose) {
                for (String noisy : List.of("org.apache.spark", "org.apache.hadoop", "org.sparkproject",
                        "org.apache.parquet", "org.apache.orc", "io.netty", "org.apache.kerby")) {
                    Configurator.setLevel(noisy, Level.WARN);
                }
            }
        } catch (RuntimeException | LinkageError e) {
            // Another logging backend: leave its configuration alone.
            LOG.debug("could not set log levels: {}", e.toString());
        }
    }

    static String overview() {
        StringBuilder b = new StringBuilder("Usage: sufstat JOB [options]   (sufstat JOB --help for its options)\n\n"
                + "Gaussian models from sufficient statistics on Apache Spark.\n\nJobs:\n");
        for (Job j : JOBS.values()) {
            b.append(String.format("  %-10s %s%n", j.name(), j.summary()));
        }
        return b.toString().stripTrailing();
    }

    static String usage(Job job) {
        return Options.usage(job.name(), job.synopsis(), job.description(), job.options());
    }
}
