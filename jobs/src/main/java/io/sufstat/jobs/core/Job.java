package io.sufstat.jobs.core;

import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;

import java.util.List;

/**
 * One sufstat capability, runnable as {@code sufstat NAME [options]} and as
 * {@code spark-submit --class <its class> sufstat-jobs.jar [options]} with exactly the same options.
 * A job reads: parse options → read → aggregate with sufstat-common → write atomically → report.
 */
public interface Job {

    /** The sub-command name, e.g. {@code mle}. */
    String name();

    /** One line for {@code sufstat --help}. */
    String summary();

    /** The argument synopsis for the usage line. */
    String synopsis();

    /** A paragraph or two for {@code sufstat NAME --help}. */
    String description();

    /** The job's own options ({@link Options#COMMON} are added). */
    List<Opt<?>> options();

    /** Runs the job; throws on failure (never exits the JVM). */
    void run(Options options, JobContext context) throws Exception;
}
