package io.sufstat.jobs.io;

/**
 * A row of input that cannot be used, under the {@code fail} policy. Thrown in a Spark task; its message
 * names the file, the line (when the source has lines), the column and the value, and is recovered on
 * the driver from the task failure by {@link #find(Throwable)}.
 */
public final class BadRecordException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Marks the message inside Spark's task-failure text. */
    static final String PREFIX = "bad record in ";

    private final BadRecordReason reason;

    public BadRecordException(BadRecordReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public BadRecordReason reason() {
        return reason;
    }

    /**
     * The bad-record failure inside {@code t}: a cause of that type, or, when Spark delivered only the
     * text of the task's exception, one rebuilt from it. {@code null} when there is none.
     */
    public static BadRecordException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BadRecordException b) {
                return b;
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            String marker = BadRecordException.class.getName() + ": ";
            int at = m == null ? -1 : m.indexOf(marker);
            if (at >= 0) {
                String rest = m.substring(at + marker.length());
                int end = rest.indexOf('\n');
                return new BadRecordException(null, end >= 0 ? rest.substring(0, end) : rest);
            }
        }
        return null;
    }
}
