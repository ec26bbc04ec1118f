package io.sufstat.jobs.cli;

/**
 * A job could not produce its output for a reason the user can act on (bad input, a singular
 * covariance, an existing output directory). Its message is complete on its own; it leaves {@code main}
 * so that spark-submit, YARN and Airflow all see the failure.
 */
public class JobFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JobFailedException(String message) {
        super(message);
    }

    public JobFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    private JobFailedException(String message, boolean terse) {
        super(message, null, false, false);
    }

    /**
     * The same message without stack trace or cause: what leaves {@code main}, so that the user sees one
     * line (the full trace is logged at DEBUG, shown with --verbose).
     */
    public static JobFailedException terse(String message) {
        return new JobFailedException(message, true);
    }
}
