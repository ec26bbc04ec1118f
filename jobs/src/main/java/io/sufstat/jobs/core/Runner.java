package io.sufstat.jobs.core;

import io.sufstat.jobs.cli.Failure;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.io.HadoopFiles;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Runs one job as the command line does, for {@code sufstat JOB} and for each job's own main class under
 * spark-submit: options, logging, the Spark session, and on failure one line and the exit status of its
 * {@link Failure} class.
 *
 * <p>Exit status: 0 on success ({@code main} returns, so that YARN records success), 2 on a usage error,
 * and on any other failure one ERROR line (what, where, how to fix it) and the status of its
 * {@link Failure} class, through {@code System.exit}, so that spark-submit, YARN, Kubernetes and
 * Airflow all record the failure without a stack trace ({@code --verbose} adds it).
 */
public final class Runner {

    private static final Logger LOG = LoggerFactory.getLogger(Runner.class);

    private Runner() {
    }

    /** A job's own main class: runs it and exits with its status (returns normally on success). */
    public static void main(Job job, String[] args) {
        exit(run(job, args, null));
    }

    /**
     * Runs {@code job} with {@code args} as the command line would, on {@code session} when it is not null
     * (tests, notebooks; it is not stopped), and returns the exit status. A failure prints one line: the
     * ERROR log line of {@link #fail}, or for a usage error the message and the usage on stderr.
     */
    public static int run(Job job, String[] args, SparkSession session) {
        Options options;
        try {
            options = Options.parse(job.name(), job.options(), args, HadoopFiles::readConfigText);
        } catch (UsageException e) {
            return usageError(job, e);
        }
        if (options.get(Options.HELP)) {
            System.out.println(usage(job));
            return 0;
        }
        try {
            options.sparkSettings();
        } catch (UsageException e) {
            return usageError(job, e);
        }
        configureLogging(options);
        JobContext context = session == null ? new JobContext(job.name(), options)
                : JobContext.onSession(job.name(), options, session);
        try (context) {
            execute(job, options, context);
            return 0;
        } catch (Throwable t) {
            return fail(job, options, t);
        }
    }

    /**
     * Runs a job in an existing context. Throws what the job throws; {@link Failures#of} turns it into the
     * line and exit status the command line gives.
     */
    public static void execute(Job job, Options options, JobContext context) throws Exception {
        long start = System.nanoTime();
        LOG.info("sufstat {}: BLAS {}", job.name(), io.sufstat.common.linalg.Blas.describe());
        job.run(options, context);
        LOG.info("{} finished in {} s", job.name(), String.format("%.1f", (System.nanoTime() - start) / 1e9));
    }

    /** Reports a failure in one line (the stack trace too with --verbose) and returns its exit status. */
    private static int fail(Job job, Options options, Throwable t) {
        Failures.Outcome outcome = Failures.of(t);
        if (outcome.failure() == Failure.USAGE) {
            return usageError(job, new UsageException(outcome.message()));
        }
        String line = job.name() + " failed (" + outcome.failure().label() + ", exit " + outcome.failure().exitCode()
                + "): " + outcome.message();
        if (options.get(Options.VERBOSE)) {
            LOG.error(line, t);
        } else {
            LOG.error(line);
        }
        return outcome.failure().exitCode();
    }

    /** Exits the JVM with {@code status} unless it is 0 (then returns, as YARN requires). */
    public static void exit(int status) {
        if (status != 0) {
            System.out.flush();
            System.err.flush();
            System.exit(status);
        }
    }

    /** A usage error: the message and the usage line, on one line of stderr; exit status 2. */
    private static int usageError(Job job, UsageException e) {
        System.err.println("sufstat " + job.name() + ": " + Failures.oneLine(e.getMessage()) + ". Usage: sufstat "
                + job.name() + " " + job.synopsis() + " ('sufstat " + job.name() + " --help' lists every option)");
        return Failure.USAGE.exitCode();
    }

    /**
     * Loggers that report a failed Spark task with its stack trace (the executor, the scheduler, the
     * writers' abort paths). The driver reports the failure itself in one line, so without --verbose
     * they are silenced.
     */
    static final List<String> TASK_FAILURE_LOGGERS = List.of("org.apache.spark.executor.Executor",
            "org.apache.spark.scheduler.TaskSetManager", "org.apache.spark.util.Utils",
            "org.apache.spark.sql.execution.datasources.FileFormatWriter",
            "org.apache.spark.sql.execution.datasources.FileFormatDataWriter",
            "org.apache.spark.internal.io.SparkHadoopWriter", "org.apache.spark.TaskContextImpl",
            "org.apache.spark.sql.execution.datasources.v2.DataWritingSparkTask");

    /**
     * Logging: sufstat at INFO (WARN with --quiet); Spark, Hadoop and their libraries at WARN, with the
     * task-failure traces silenced. With --verbose: sufstat at DEBUG and everything else at INFO.
     */
    public static void configureLogging(Options options) {
        boolean quiet = options.get(Options.QUIET);
        boolean verbose = options.get(Options.VERBOSE);
        // netlib announces its BLAS through java.util.logging; sufstat logs it once itself.
        java.util.logging.Logger.getLogger("dev.ludovic.netlib").setLevel(verbose ? java.util.logging.Level.INFO
                : java.util.logging.Level.WARNING);
        try {
            Configurator.setLevel("io.sufstat", quiet ? Level.WARN : verbose ? Level.DEBUG : Level.INFO);
            Level others = verbose ? Level.INFO : Level.WARN;
            for (String library : List.of("org.apache.spark", "org.apache.hadoop", "org.sparkproject",
                    "org.apache.parquet", "org.apache.orc", "io.netty", "org.apache.kerby")) {
                Configurator.setLevel(library, others);
            }
            for (String taskFailures : TASK_FAILURE_LOGGERS) {
                Configurator.setLevel(taskFailures, verbose ? Level.INFO : Level.OFF);
            }
            // Spark warns that it stops a metrics system that never started after a failed start.
            Configurator.setLevel("org.apache.spark.metrics.MetricsSystem", verbose ? Level.INFO : Level.ERROR);
            // "Truncated the string representation of a plan": a debugging notice, nothing a user can act on.
            Configurator.setLevel("org.apache.spark.util.SparkStringUtils", verbose ? Level.INFO : Level.ERROR);
            // A streaming query notes that adaptive execution is off for it: true, and nothing to act on.
            Configurator.setLevel("org.apache.spark.sql.execution.streaming.runtime.ResolveWriteToStream",
                    verbose ? Level.INFO : Level.ERROR);
            LibraryTraces.install(!verbose);
        } catch (RuntimeException | LinkageError e) {
            // Another logging backend: leave its configuration alone.
            LOG.debug("could not set log levels: {}", e.toString());
        }
    }

    /**
     * Without --verbose, a log event of a library (Spark, Hadoop, …) that carries a stack trace is dropped:
     * the failure it reports reaches the user as sufstat's one line, with --verbose as the full trace.
     */
    static final class LibraryTraces extends org.apache.logging.log4j.core.filter.AbstractFilter {
        private static final LibraryTraces INSTANCE = new LibraryTraces();

        static void install(boolean on) {
            org.apache.logging.log4j.core.LoggerContext ctx =
                    (org.apache.logging.log4j.core.LoggerContext) org.apache.logging.log4j.LogManager.getContext(false);
            org.apache.logging.log4j.core.config.Configuration config = ctx.getConfiguration();
            config.removeFilter(INSTANCE);
            if (on) {
                config.addFilter(INSTANCE);
            }
            ctx.updateLoggers();
        }

        private static Result of(String logger, Throwable thrown) {
            return thrown != null && !logger.startsWith("io.sufstat") ? Result.DENY : Result.NEUTRAL;
        }

        @Override
        public Result filter(org.apache.logging.log4j.core.LogEvent event) {
            return of(event.getLoggerName(), event.getThrown());
        }

        // A context-wide filter is asked before the event exists, through these.
        @Override
        public Result filter(org.apache.logging.log4j.core.Logger logger, Level level, org.apache.logging.log4j.Marker marker,
                             Object msg, Throwable t) {
            return of(logger.getName(), t);
        }

        @Override
        public Result filter(org.apache.logging.log4j.core.Logger logger, Level level, org.apache.logging.log4j.Marker marker,
                             org.apache.logging.log4j.message.Message msg, Throwable t) {
            return of(logger.getName(), t);
        }
    }

    /** The help text of a job. */
    public static String usage(Job job) {
        return Options.usage(job.name(), job.synopsis(), job.description(), job.options());
    }
}
