package io.sufstat.common.em;

import io.sufstat.common.stats.Mergeable;

import java.io.Serializable;

/**
 * What every task needs of the current parameters to take its share of one EM pass, prepared once per
 * pass on the driver and shipped to the tasks: the empty statistics, a work area per task, and the
 * statistics of a block of rows (its E-step and, when asked, the statistics of the M-step).
 *
 * @param <S> the sufficient statistics
 * @param <W> a task's work area (reused from block to block; no allocation per row)
 */
public interface EStep<S extends Mergeable<S>, W> extends Serializable {

    /** Empty statistics. */
    S zero();

    /** A work area for blocks of at most {@code blockRows} rows. */
    W workspace(int blockRows);

    /**
     * Adds the statistics of {@code rows} row-major rows of {@code values} ({@code weights} null for unit
     * weights; a missing value is NaN where the model allows it) to {@code stats}.
     */
    void accumulate(S stats, W work, double[] values, double[] weights, int rows);
}
