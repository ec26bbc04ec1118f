package io.sufstat.jobs.cli;

/**
 * A job could not produce its output for a reason the user can act on (bad input, an invalid model
 * file, a refused output directory, a singular covariance). Its message is complete on its own, one
 * line: what went wrong, where, and how to fix it; its {@link Failure} gives the exit status.
 */
public class JobFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Failure failure;

    public JobFailedException(Failure failure, String message) {
        super(message);
        this.failure = failure;
    }

    public JobFailedException(Failure failure, String message, Throwable cause) {
        super(message, cause);
        this.failure = failure;
    }

    /** The input data are at fault (exit 3). */
    public static JobFailedException input(String message) {
        return new JobFailedException(Failure.INPUT, message);
    }

    /** A model or checkpoint file is at fault (exit 4). */
    public static JobFailedException model(String message) {
        return new JobFailedException(Failure.MODEL, message);
    }

    /** The output cannot or may not be written (exit 5). */
    public static JobFailedException output(String message) {
        return new JobFailedException(Failure.OUTPUT, message);
    }

    /** The data admit no fit as asked (exit 6). */
    public static JobFailedException fit(String message) {
        return new JobFailedException(Failure.FIT, message);
    }

    public Failure failure() {
        return failure;
    }
}
