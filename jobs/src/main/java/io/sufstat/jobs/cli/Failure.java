package io.sufstat.jobs.cli;

/**
 * Why a job failed, as a scheduler sees it: the process's exit status. 0 is success and 2 a usage
 * error; every other failure falls into one class with its own status, so that Airflow or a shell
 * script can tell a bad file from a drift alarm from a bug. README.md has this table.
 */
public enum Failure {
    /** Not one of the classes below: a bug, or the environment (Spark, memory, the cluster). */
    UNEXPECTED(1, "unexpected failure"),
    /** The command line or the --config file is wrong. */
    USAGE(2, "usage error"),
    /** The input data: no files, unreadable or corrupt files, bad records, missing columns, no usable rows. */
    INPUT(3, "input data error"),
    /** A model.json, --init model or checkpoint file is unreadable, too large or invalid. */
    MODEL(4, "model or checkpoint file error"),
    /** The output was refused (unsafe path, a directory sufstat did not write) or could not be committed. */
    OUTPUT(5, "output refused"),
    /** The data admit no fit as asked: a singular covariance, every combination of a selection failed. */
    FIT(6, "fit failed"),
    /** {@code compare --fail-above}: the models drifted apart (the report was written). */
    DRIFT(7, "drift alarm");

    private final int exitCode;
    private final String label;

    Failure(int exitCode, String label) {
        this.exitCode = exitCode;
        this.label = label;
    }

    /** The process exit status of this class of failure. */
    public int exitCode() {
        return exitCode;
    }

    /** A short name for the log line ("input data error"). */
    public String label() {
        return label;
    }
}
