package io.sufstat.jobs.io;

import java.util.List;

/**
 * One partition's rows, parsed and checked, one at a time: {@link #next()} moves to the next usable row,
 * handling bad rows by the policy (throw {@link BadRecordException}, or count in {@link #stats()} and go
 * on). The feature array is reused from row to row: copy what you keep.
 */
public abstract class RowCursor {

    protected final double[] features;
    protected double weight = 1.0;
    protected List<String> groupKey = List.of();
    protected final ReadStats stats = new ReadStats();
    private final boolean skipBad;
    /** With {@code --missing em}: a missing value is NaN in {@link #features()}, not a bad record. */
    protected final boolean missingAllowed;

    protected RowCursor(int dimension, boolean skipBad) {
        this(dimension, skipBad, false);
    }

    protected RowCursor(int dimension, boolean skipBad, boolean missingAllowed) {
        this.features = new double[dimension];
        this.skipBad = skipBad;
        this.missingAllowed = missingAllowed;
    }

    /** Advances to the next usable row; false at the end of the partition. */
    public abstract boolean next();

    /** The current row's features (a reused array). */
    public final double[] features() {
        return features;
    }

    /** The current row's weight (1 without a weight column). */
    public final double weight() {
        return weight;
    }

    /** The current row's group key values, in --group-by order (empty without grouping). */
    public final List<String> groupKey() {
        return groupKey;
    }

    /** Rows read, used and skipped so far in this partition. */
    public final ReadStats stats() {
        return stats;
    }

    /**
     * Records a bad row: throws under the fail policy (the message built by {@code where} then), counts
     * it under skip.
     */
    protected final void bad(BadRecordReason reason, java.util.function.Supplier<String> where, String what) {
        if (!skipBad) {
            throw new BadRecordException(reason, BadRecordException.PREFIX + where.get() + ": " + what);
        }
        stats.skip(reason, what);
    }

    /** Describes a bad value: {@code column 'x' (2): 'abc' is not a number}. */
    protected static String describe(String column, int index, String value, BadRecordReason reason) {
        String v = value == null ? "the value" : "'" + (value.length() > 60 ? value.substring(0, 60) + "…" : value) + "'";
        return "column '" + column + "' (" + (index + 1) + "): " + v + " " + reason.phrase();
    }
}
