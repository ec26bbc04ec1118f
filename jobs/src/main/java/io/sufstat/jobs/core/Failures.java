package io.sufstat.jobs.core;

import io.sufstat.jobs.cli.Failure;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.io.BadRecordException;

import java.util.Locale;

/**
 * Turns whatever a job threw into the one line a user reads and the {@link Failure} class that gives
 * the exit status. sufstat's own failures carry both; a failure inside a Spark task arrives wrapped in
 * Spark's exceptions (or, from another JVM, as text), and is found in the cause chain; anything else
 * is named by its root cause, with the advice to rerun with {@code --verbose}.
 */
public final class Failures {

    /** Longest message printed; the rest is cut (--verbose shows everything). */
    private static final int MAX_LINE = 1500;

    private Failures() {
    }

    /** The class of a failure and its one-line message. */
    public record Outcome(Failure failure, String message) {
    }

    public static Outcome of(Throwable t) {
        UsageException usage = find(t, UsageException.class);
        if (usage != null) {
            return new Outcome(Failure.USAGE, oneLine(usage.getMessage()));
        }
        JobFailedException failed = find(t, JobFailedException.class);
        if (failed != null) {
            return new Outcome(failed.failure(), oneLine(failed.getMessage()));
        }
        BadRecordException bad = BadRecordException.find(t);
        if (bad != null) {
            return new Outcome(Failure.INPUT, oneLine(bad.getMessage()) + ". With --on-bad-record skip such rows are"
                    + " skipped and counted in metrics.json.");
        }
        Throwable root = root(t);
        if (find(t, OutOfMemoryError.class) != null) {
            return new Outcome(Failure.UNEXPECTED, "out of memory (" + oneLine(String.valueOf(root.getMessage()))
                    + "): give the driver more memory (SUFSTAT_DRIVER_MEMORY for deploy/sufstat, spark.driver.memory)"
                    + " or the executors (spark.executor.memory), or use more partitions");
        }
        String text = String.valueOf(t.getMessage());
        if (text.contains("FAILED_READ_FILE") || find(t, java.io.EOFException.class) != null) {
            return new Outcome(Failure.INPUT, "cannot read the input: " + oneLine(describe(t)) + " (a truncated or"
                    + " corrupt file? replace or remove it)");
        }
        StackTraceElement at = root.getStackTrace().length > 0 ? root.getStackTrace()[0] : null;
        return new Outcome(Failure.UNEXPECTED, "unexpected " + root.getClass().getName() + ": "
                + oneLine(String.valueOf(root.getMessage())) + (at == null ? "" : " (at " + at + ")")
                + "; rerun with --verbose for the stack trace, and report it if the cause is not in your setup");
    }

    /** The first exception of type {@code type} in the cause chain (and suppressed exceptions), or null. */
    static <T extends Throwable> T find(Throwable t, Class<T> type) {
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
            for (Throwable s : c.getSuppressed()) {
                if (type.isInstance(s)) {
                    return type.cast(s);
                }
            }
        }
        return null;
    }

    private static Throwable root(Throwable t) {
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        Throwable r = t;
        while (r.getCause() != null && seen.add(r)) {
            r = r.getCause();
        }
        return r;
    }

    /** Every distinct message in the cause chain, outermost first, joined: what Spark and Hadoop said. */
    private static String describe(Throwable t) {
        StringBuilder b = new StringBuilder();
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            String m = c.getMessage();
            if (m == null || m.isBlank()) {
                m = c.getClass().getSimpleName();
            }
            String first = m.lines().findFirst().orElse("").trim();
            if (!b.toString().toLowerCase(Locale.ROOT).contains(first.toLowerCase(Locale.ROOT))) {
                b.append(b.length() == 0 ? "" : ": ").append(first);
            }
        }
        return b.toString();
    }

    /** A message on one line: line breaks and runs of spaces folded, at most {@value #MAX_LINE} characters. */
    public static String oneLine(String message) {
        String s = message == null ? "" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
        return s.length() > MAX_LINE ? s.substring(0, MAX_LINE) + " …" : s;
    }
}
