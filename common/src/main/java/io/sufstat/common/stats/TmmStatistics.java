package io.sufstat.common.stats;

import io.sufstat.common.model.MixtureKernel;
import io.sufstat.common.model.TMixture;

/**
 * The sufficient statistics of one ECM iteration for a Student-t mixture (McLachlan &amp; Peel 2000, §7.5),
 * mergeable: with τ_ik the posteriors and u_ik = (ν_k + d)/(ν_k + δ_ik) the latent weights,
 * {@code A_k = Σ wᵢ τ_ik}, {@code L_k = Σ wᵢ τ_ik (ln u_ik − u_ik)}, the log-likelihood Σ wᵢ ln p(xᵢ), and
 * the moments of the rows weighted by τ_ik u_ik — {@code B_k = Σ w τ u}, {@code Σ w τ u (x − μ_k)} and
 * {@code Σ w τ u (x − μ_k)(x − μ_k)ᵀ} — held as {@link EmStatistics} with responsibilities τu (the same
 * Gram kernels as Gaussian EM).
 */
public final class TmmStatistics implements Mergeable<TmmStatistics> {
    private static final long serialVersionUID = 1L;

    private final EmStatistics weighted;
    private final double[] a;
    private final double[] l;
    private double logLikelihood;

    private TmmStatistics(MixtureKernel kernel) {
        this.weighted = EmStatistics.create(kernel);
        this.a = new double[kernel.components()];
        this.l = new double[kernel.components()];
    }

    /** Empty statistics for a t-mixture whose locations and scales are {@code kernel}'s. */
    public static TmmStatistics create(MixtureKernel kernel) {
        return new TmmStatistics(kernel);
    }

    /**
     * Adds a block: the E-step of every row (log-sum-exp of {@code ln π_k t_k}, τ, u) and, with
     * {@code withMoments}, the τu-weighted moments. {@code constants} are {@link TMixture#logConstant};
     * {@code resp} holds at least rows × K doubles.
     */
    public TmmStatistics accumulate(TMixture t, MixtureKernel kernel, MixtureKernel.Workspace ws, double[] constants,
                                    double[] values, double[] weights, int rows, boolean withMoments, double[] resp) {
        int k = t.size();
        double[] lp = new double[k];
        double[] u = new double[k];
        for (int from = 0; from < rows; from += ws.subBlock()) {
            int to = Math.min(rows, from + ws.subBlock());
            kernel.squaredDistances(values, from, to, ws);
            for (int i = 0; i < to - from; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    double delta = ws.squaredDistance(j, i);
                    lp[j] = t.logWeightedDensity(j, constants[j], delta);
                    u[j] = t.latentWeight(j, delta);
                    max = Math.max(max, lp[j]);
                }
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    lp[j] = Math.exp(lp[j] - max);
                    sum += lp[j];
                }
                double w = weights == null ? 1.0 : weights[from + i];
                logLikelihood += w * (max + Math.log(sum));
                int o = (from + i) * k;
                for (int j = 0; j < k; j++) {
                    double tau = lp[j] / sum;
                    a[j] += w * tau;
                    l[j] += w * tau * (Math.log(u[j]) - u[j]);
                    resp[o + j] = tau * u[j];
                }
            }
        }
        if (withMoments) {
            weighted.accumulateResponsibilities(kernel, ws, values, weights, rows, resp);
        } else {
            weighted.countRowsOnly(weights, rows);
        }
        return this;
    }

    @Override
    public TmmStatistics combine(TmmStatistics o) {
        weighted.combine(o.weighted);
        for (int j = 0; j < a.length; j++) {
            a[j] += o.a[j];
            l[j] += o.l[j];
        }
        logLikelihood += o.logLikelihood;
        return this;
    }

    /** The τu-weighted moments (B_k, first and second moments about the current locations). */
    public EmStatistics weighted() {
        return weighted;
    }

    /** {@code A_k = Σ w τ_ik} (a copy). */
    public double[] posteriorWeights() {
        return a.clone();
    }

    /** {@code L_k = Σ w τ_ik (ln u_ik − u_ik)} (a copy). */
    public double[] logWeightTerms() {
        return l.clone();
    }

    public double logLikelihood() {
        return logLikelihood;
    }

    public long count() {
        return weighted.count();
    }

    public double weightSum() {
        return weighted.weightSum();
    }
}
