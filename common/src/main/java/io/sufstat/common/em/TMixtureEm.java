package io.sufstat.common.em;

import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.MixtureKernel;
import io.sufstat.common.model.TMixture;
import io.sufstat.common.special.Gamma;
import io.sufstat.common.stats.EmStatistics;
import io.sufstat.common.stats.TmmStatistics;

/**
 * ECM for a mixture of multivariate Student-t distributions (Peel &amp; McLachlan 2000; McLachlan &amp; Peel
 * 2000, §7.5). One iteration: the E-step under θ (τ_ik ∝ π_k t_k(x_i), u_ik = (ν_k + d)/(ν_k + δ_ik)), then
 * CM-step 1: {@code π_k = A_k / Σ A}, {@code μ_k = Σ τ u x / Σ τ u}, {@code Σ_k = Σ τ u (x − μ_k)(x − μ_k)ᵀ / A_k}
 * (tied: pooled, the denominators summed; diag and spherical: the corresponding parts) plus reg_covar on
 * the diagonal; then CM-step 2: each ν_k solves
 * {@code −ψ(ν/2) + ln(ν/2) + 1 + L_k/A_k + ψ((ν_old + d)/2) − ln((ν_old + d)/2) = 0} (from the same E-step;
 * tied: one ν from the pooled sums), by bisection to 1e-12 relative, clamped to [min, max]; or ν stays
 * fixed. The objective is the log-likelihood, which ECM never decreases.
 */
public final class TMixtureEm implements EmModel<TMixture, TmmStatistics> {

    /** How the degrees of freedom are estimated. */
    public enum DofMode { PER_COMPONENT, TIED, FIXED }

    private final double regCovar;
    private final DofMode mode;
    private final double min;
    private final double max;

    private TMixtureEm(double regCovar, DofMode mode, double min, double max) {
        this.regCovar = regCovar;
        this.mode = mode;
        this.min = min;
        this.max = max;
    }

    /** ECM with {@code regCovar} on every scale diagonal and ν estimated by {@code mode} within [min, max]. */
    public static TMixtureEm of(double regCovar, DofMode mode, double min, double max) {
        if (!(regCovar >= 0) || Double.isInfinite(regCovar)) {
            throw new IllegalArgumentException("reg_covar must be finite and non-negative, not " + regCovar);
        }
        if (!(min > 0 && max >= min) || Double.isInfinite(max)) {
            throw new IllegalArgumentException("the degrees-of-freedom bounds need 0 < min ≤ max < ∞, not [" + min + ", "
                    + max + "]");
        }
        return new TMixtureEm(regCovar, mode, min, max);
    }

    /** A task's work area. */
    public record Work(MixtureKernel.Workspace kernel, double[] resp) {
    }

    /** One pass under a t-mixture: the kernel of its locations and scales, and its log-density constants. */
    public record Step(TMixture params, MixtureKernel kernel, double[] constants, boolean forUpdate)
            implements EStep<TmmStatistics, Work> {
        @Override
        public TmmStatistics zero() {
            return TmmStatistics.create(kernel);
        }

        @Override
        public Work workspace(int blockRows) {
            return new Work(kernel.workspace(blockRows), new double[blockRows * params.size()]);
        }

        @Override
        public void accumulate(TmmStatistics stats, Work work, double[] values, double[] weights, int rows) {
            stats.accumulate(params, kernel, work.kernel(), constants, values, weights, rows, forUpdate, work.resp());
        }
    }

    @Override
    public Step eStep(TMixture params, boolean forUpdate) {
        double[] constants = new double[params.size()];
        for (int k = 0; k < constants.length; k++) {
            constants[k] = params.logConstant(k);
        }
        return new Step(params, MixtureKernel.of(params.scales()), constants, forUpdate);
    }

    @Override
    public TMixture update(TMixture params, TmmStatistics stats) {
        int k = params.size();
        int d = params.dimension();
        CovarianceType type = params.covarianceType();
        double[] a = stats.posteriorWeights();
        EmStatistics em = stats.weighted();
        double[] b = em.componentWeights();
        // The τu-weighted M-step gives μ_k and (Q_k − B_k δδᵀ)/B_k + reg; a t's scale divides by A_k instead.
        GaussianMixture g = em.mStep(MixtureKernel.of(params.scales()), regCovar);
        double sumA = 0;
        double sumB = 0;
        for (int j = 0; j < k; j++) {
            sumA += a[j];
            sumB += b[j];
        }
        double[] weights = new double[k];
        double[][] means = new double[k][];
        double[][] scales = new double[k][];
        for (int j = 0; j < k; j++) {
            weights[j] = a[j] / sumA;
            means[j] = g.component(j).mean();
            double ratio = type == CovarianceType.TIED ? sumB / sumA : b[j] / a[j];
            double[] s = g.component(j).covariance();
            for (int r = 0; r < d; r++) {
                s[r * d + r] -= regCovar;
            }
            for (int e = 0; e < s.length; e++) {
                s[e] *= ratio;
            }
            for (int r = 0; r < d; r++) {
                s[r * d + r] += regCovar;
            }
            scales[j] = s;
        }
        return TMixture.of(GaussianMixture.of(type, weights, means, scales), nextDof(params, a, stats.logWeightTerms()));
    }

    /** CM-step 2. */
    double[] nextDof(TMixture params, double[] a, double[] l) {
        int k = params.size();
        int d = params.dimension();
        double[] nu = params.degreesOfFreedom();
        switch (mode) {
            case FIXED -> {
                return nu;
            }
            case TIED -> {
                double sa = 0;
                double sl = 0;
                for (int j = 0; j < k; j++) {
                    sa += a[j];
                    sl += l[j];
                }
                double v = solveDof(sl / sa, nu[0], d);
                java.util.Arrays.fill(nu, v);
                return nu;
            }
            default -> {
                for (int j = 0; j < k; j++) {
                    nu[j] = a[j] > 0 ? solveDof(l[j] / a[j], nu[j], d) : nu[j];
                }
                return nu;
            }
        }
    }

    /**
     * The root of {@code −ψ(ν/2) + ln(ν/2) + 1 + meanLogWeight + ψ((ν_old + d)/2) − ln((ν_old + d)/2)},
     * decreasing in ν, clamped to [min, max].
     */
    double solveDof(double meanLogWeight, double old, int d) {
        double c = 1 + meanLogWeight + Gamma.digamma((old + d) / 2) - Math.log((old + d) / 2);
        java.util.function.DoubleUnaryOperator f = v -> -Gamma.digamma(v / 2) + Math.log(v / 2) + c;
        if (f.applyAsDouble(max) >= 0) {
            return max;
        }
        if (f.applyAsDouble(min) <= 0) {
            return min;
        }
        double lo = min;
        double hi = max;
        while (hi - lo > 1e-12 * hi) {
            double mid = 0.5 * (lo + hi);
            if (f.applyAsDouble(mid) > 0) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    @Override
    public double objective(TMixture params, TmmStatistics stats) {
        return stats.logLikelihood();
    }

    @Override
    public double weightSum(TmmStatistics stats) {
        return stats.weightSum();
    }

    @Override
    public long count(TmmStatistics stats) {
        return stats.count();
    }

    @Override
    public int parameterCount(TMixture params) {
        return (int) (params.covarianceType().parameters(params.size(), params.dimension()) + dofParameters(params.size()));
    }

    /** The free degrees of freedom of K components: K per component, 1 tied, 0 fixed. */
    public int dofParameters(int k) {
        return switch (mode) {
            case PER_COMPONENT -> k;
            case TIED -> 1;
            case FIXED -> 0;
        };
    }

    /** The settings, as a checkpoint fingerprint records them. */
    @Override
    public String toString() {
        return "TMixtureEm{dof=" + mode + " in [" + min + ", " + max + "], regCovar=" + regCovar + "}";
    }
}
