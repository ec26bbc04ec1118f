package io.sufstat.common.em;

import io.sufstat.common.model.Ppca;
import io.sufstat.common.stats.PpcaStatistics;

/**
 * EM for probabilistic PCA (Tipping &amp; Bishop 1999) with μ fixed at the data mean: each pass gives
 * S_xz, S_zz and Σ‖x − μ‖² by three GEMMs per block (the d × d covariance is never formed); the update is
 * the Rayleigh–Ritz optimum within the current subspace followed by Tipping &amp; Bishop's EM step from it,
 * on statistics re-expressed exactly in the Ritz basis, so the log-likelihood never decreases.
 */
public final class PpcaEm implements EmModel<Ppca, PpcaStatistics> {

    /** A task's work arrays. */
    public record Step(PpcaStatistics.Step step) implements EStep<PpcaStatistics, double[][]> {
        @Override
        public PpcaStatistics zero() {
            return PpcaStatistics.create(step.dimension(), step.latentDimension());
        }

        @Override
        public double[][] workspace(int blockRows) {
            return step.workspace();
        }

        @Override
        public void accumulate(PpcaStatistics stats, double[][] work, double[] values, double[] weights, int rows) {
            stats.accumulate(step, values, weights, rows, work);
        }
    }

    @Override
    public Step eStep(Ppca params, boolean forUpdate) {
        return new Step(new PpcaStatistics.Step(params));
    }

    @Override
    public Ppca update(Ppca params, PpcaStatistics stats) {
        var ritz = stats.rayleighRitz(params);
        return ritz.isPresent() ? stats.inBasis(ritz.get().basisChange()).mStep(ritz.get().model()) : stats.mStep(params);
    }

    @Override
    public double objective(Ppca params, PpcaStatistics stats) {
        return stats.logLikelihood(params);
    }

    @Override
    public double weightSum(PpcaStatistics stats) {
        return stats.weightSum();
    }

    @Override
    public long count(PpcaStatistics stats) {
        return stats.count();
    }

    /** μ (d), W up to rotation (dq − q(q − 1)/2) and σ². */
    @Override
    public int parameterCount(Ppca p) {
        int d = p.dimension();
        int q = p.latentDimension();
        return d + d * q - q * (q - 1) / 2 + 1;
    }
}
