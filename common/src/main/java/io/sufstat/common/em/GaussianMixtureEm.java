package io.sufstat.common.em;

import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.MixtureKernel;
import io.sufstat.common.stats.EmStatistics;

import java.util.HashMap;
import java.util.Map;

/**
 * EM for a Gaussian mixture (Dempster, Laird &amp; Rubin 1977), with scikit-learn's M-step and
 * {@code reg_covar}: the E-step of a block is {@link MixtureKernel#posteriors} in log space, its M
 * statistics {@link EmStatistics} about the current means; with missing values (NaN) each row contributes
 * its observed coordinates' posterior and the conditional moments of its gaps (Ghahramani &amp; Jordan
 * 1994). The objective is the log-likelihood Σ wᵢ log p(xᵢ) (of the observed values).
 */
public final class GaussianMixtureEm implements EmModel<GaussianMixture, EmStatistics> {

    private final double regCovar;
    private final boolean missingValues;

    private GaussianMixtureEm(double regCovar, boolean missingValues) {
        this.regCovar = regCovar;
        this.missingValues = missingValues;
    }

    /** EM with {@code regCovar} on every covariance diagonal; {@code missingValues} when rows may hold NaN. */
    public static GaussianMixtureEm of(double regCovar, boolean missingValues) {
        if (!(regCovar >= 0) || Double.isInfinite(regCovar)) {
            throw new IllegalArgumentException("reg_covar must be finite and non-negative, not " + regCovar);
        }
        return new GaussianMixtureEm(regCovar, missingValues);
    }

    public double regCovar() {
        return regCovar;
    }

    /** A task's work area: the kernel's workspace, and the conditionals of the missingness patterns seen. */
    public record Work(MixtureKernel.Workspace kernel, Map<EmStatistics.MissingPattern, EmStatistics.PatternConditional> patterns) {
    }

    /** One pass under a mixture: its kernel (and, with missing values, the mixture for its conditionals). */
    public record Step(MixtureKernel kernel, GaussianMixture mixture, boolean forUpdate) implements EStep<EmStatistics, Work> {
        @Override
        public EmStatistics zero() {
            return EmStatistics.create(kernel);
        }

        @Override
        public Work workspace(int blockRows) {
            return new Work(kernel.workspace(blockRows), mixture == null ? null : new HashMap<>());
        }

        @Override
        public void accumulate(EmStatistics stats, Work work, double[] values, double[] weights, int rows) {
            if (mixture != null) {
                stats.accumulateWithMissing(kernel, work.kernel(), mixture, work.patterns(), values, weights, rows, forUpdate);
            } else {
                stats.accumulate(kernel, work.kernel(), values, weights, rows, forUpdate);
            }
        }
    }

    @Override
    public Step eStep(GaussianMixture params, boolean forUpdate) {
        // Only EM over missing values needs the mixture itself in the tasks (for its conditionals).
        return new Step(MixtureKernel.of(params), missingValues ? params : null, forUpdate);
    }

    @Override
    public GaussianMixture update(GaussianMixture params, EmStatistics stats) {
        return stats.mStep(MixtureKernel.of(params), regCovar);
    }

    @Override
    public double objective(GaussianMixture params, EmStatistics stats) {
        return stats.logLikelihood();
    }

    @Override
    public double weightSum(EmStatistics stats) {
        return stats.weightSum();
    }

    @Override
    public long count(EmStatistics stats) {
        return stats.count();
    }

    @Override
    public int parameterCount(GaussianMixture params) {
        return (int) params.covarianceType().parameters(params.size(), params.dimension());
    }

    /** Components that hold less than the weight of two rows, named for a failed M-step's message. */
    @Override
    public String diagnose(EmStatistics stats) {
        double[] nk = stats.componentWeights();
        StringBuilder b = new StringBuilder();
        for (int j = 0; j < nk.length; j++) {
            if (nk[j] < 2) {
                b.append(b.length() == 0 ? " Components holding less than the weight of two rows: " : ", ")
                        .append(j + 1).append(" (").append(String.format("%.3g", nk[j])).append(')');
            }
        }
        return b.toString();
    }
}
