package io.sufstat.common.em;

import io.sufstat.common.stats.MeanSummary;

/** A pass that computes the weighted mean of every row ({@link MeanSummary}), without second moments. */
public record MeanStep(int dimension) implements EStep<MeanSummary, Void> {

    @Override
    public MeanSummary zero() {
        return MeanSummary.create(dimension);
    }

    @Override
    public Void workspace(int blockRows) {
        return null;
    }

    @Override
    public void accumulate(MeanSummary stats, Void work, double[] values, double[] weights, int rows) {
        stats.addBlock(values, weights, rows);
    }
}
