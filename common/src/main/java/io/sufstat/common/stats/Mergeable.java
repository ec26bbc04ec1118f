package io.sufstat.common.stats;

import java.io.Serializable;

/**
 * Sufficient statistics that merge, as partitions of a data set reduce to them: a zero (an empty summary),
 * statistics of a block of rows, and {@link #combine} of two summaries, {@code a.combine(b)} adding
 * {@code b}'s rows to {@code a} (and returning {@code a}; {@code b} is unchanged).
 *
 * <p>The contract, checked for every implementation by one test ({@code MergeableContractTest}): the
 * statistics of a data set do not depend, beyond rounding, on how its rows are cut into blocks nor on
 * the order in which the blocks' statistics are combined, and combining with the empty summary, on
 * either side, changes nothing. This is the shape of Spark's {@code aggregate(zero, seqOp, combOp)} and
 * of {@code Stream.collect(supplier, accumulator, combiner)}.
 */
public interface Mergeable<S extends Mergeable<S>> extends Serializable {

    /** Adds {@code other}'s rows to these statistics; returns this. */
    S combine(S other);
}
