package io.sufstat.common.em;

import io.sufstat.common.model.Ppca;
import io.sufstat.common.model.PpcaMixture;
import io.sufstat.common.stats.MppcaStatistics;

/**
 * EM for a mixture of probabilistic PCA models (Tipping &amp; Bishop 1999b): responsibilities in log space
 * through the q × q matrices M_k, and the paper's two-stage M-step from per-component statistics of size
 * d × q. The objective is the log-likelihood (rows have unit weight).
 */
public final class PpcaMixtureEm implements EmModel<PpcaMixture, MppcaStatistics> {

    public record Step(MppcaStatistics.Step step) implements EStep<MppcaStatistics, double[][]> {
        @Override
        public MppcaStatistics zero() {
            return MppcaStatistics.create(step.components(), step.dimension(), step.latentDimension());
        }

        @Override
        public double[][] workspace(int blockRows) {
            return step.workspace();
        }

        @Override
        public void accumulate(MppcaStatistics stats, double[][] work, double[] values, double[] weights, int rows) {
            if (weights != null) {
                throw new IllegalArgumentException("mixtures of PPCA take unit row weights");
            }
            stats.accumulate(step, values, rows, work);
        }
    }

    @Override
    public Step eStep(PpcaMixture params, boolean forUpdate) {
        return new Step(new MppcaStatistics.Step(params.weights(), params.components()));
    }

    @Override
    public PpcaMixture update(PpcaMixture params, MppcaStatistics stats) {
        double[] weights = params.weights();
        Ppca[] next = stats.mStep(params.components(), weights);
        return new PpcaMixture(weights, next);
    }

    @Override
    public double objective(PpcaMixture params, MppcaStatistics stats) {
        return stats.logLikelihood();
    }

    @Override
    public double weightSum(MppcaStatistics stats) {
        return stats.count();
    }

    @Override
    public long count(MppcaStatistics stats) {
        return stats.count();
    }

    @Override
    public int parameterCount(PpcaMixture p) {
        Ppca c = p.components()[0];
        return p.size() - 1 + p.size() * new PpcaEm().parameterCount(c);
    }
}
