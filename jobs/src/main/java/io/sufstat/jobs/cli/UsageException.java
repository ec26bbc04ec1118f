package io.sufstat.jobs.cli;

/** The command line (or a configuration file) is wrong: the user gets the message and the usage text, exit 2. */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
