package io.sufstat.common.inference;

import io.sufstat.common.model.GaussianMixture;

import java.util.random.RandomGenerator;

/**
 * A Gaussian (or Student-t) mixture conditioned on one pattern of observed coordinates: the posterior of each
 * component given only the observed coordinates, {@code r_k ∝ π_k N(x_o | μ_ko, Σ_koo)} (in log space),
 * and per component the {@link GaussianConditional}. The imputed value is the conditional mean
 * {@code Σ_k r_k μ_k,m|o}, its variance by the law of total variance
 * {@code Σ_k r_k (Σ_k,m|o + (μ_k,m|o − μ_m|o)²)}; a draw picks a component by {@code r} and samples its
 * conditional. With nothing observed the posteriors are the weights, so the mean is the marginal mean.
 */
public final class MixtureConditional {

    private final int d;
    private final int[] missing;
    private final double[] logWeights;
    private final GaussianConditional[] parts;
    /** Student-t components' ν, or null for a Gaussian mixture. */
    private final double[] dof;
    /** per t component, ln Γ((ν + p)/2) − ln Γ(ν/2) − (p/2) ln(νπ) + (p/2) ln 2π, p the observed count */
    private final double[] tConstants;

    private MixtureConditional(int d, double[] logWeights, GaussianConditional[] parts, double[] dof) {
        this.d = d;
        this.missing = parts[0].missing();
        this.logWeights = logWeights;
        this.parts = parts;
        this.dof = dof;
        this.tConstants = dof == null ? null : new double[dof.length];
        int p = d - missing.length;
        for (int k = 0; dof != null && k < dof.length; k++) {
            tConstants[k] = io.sufstat.common.special.Gamma.logGamma((dof[k] + p) / 2)
                    - io.sufstat.common.special.Gamma.logGamma(dof[k] / 2) - 0.5 * p * Math.log(dof[k] * Math.PI)
                    + 0.5 * p * io.sufstat.common.model.Gaussian.LOG_2PI;
        }
    }

    /** {@code m} conditioned on the coordinates where {@code missing[j]} is false. */
    public static MixtureConditional of(GaussianMixture m, boolean[] missing) {
        GaussianConditional[] parts = new GaussianConditional[m.size()];
        double[] lw = new double[m.size()];
        for (int k = 0; k < parts.length; k++) {
            parts[k] = GaussianConditional.of(m.component(k), missing);
            lw[k] = Math.log(m.weight(k));
        }
        return new MixtureConditional(m.dimension(), lw, parts, null);
    }

    /**
     * A Student-t mixture conditioned on the observed coordinates: each component's observed marginal is a
     * t with the same ν (scale Σ_oo), so {@code r_k ∝ π_k t_ν(x_o | μ_o, Σ_oo)}; its conditional is a t with
     * ν + p degrees of freedom (p observed), location the Gaussian conditional mean and scale
     * {@code (ν + δ_o)/(ν + p) Σ_m|o}; its variance {@code (ν + δ_o)/(ν + p − 2) Σ_m|o} (infinite for ν + p ≤ 2).
     */
    public static MixtureConditional of(io.sufstat.common.model.TMixture t, boolean[] missing) {
        MixtureConditional g = of(t.scales(), missing);
        return new MixtureConditional(t.dimension(), g.logWeights, g.parts, t.degreesOfFreedom());
    }

    /** Missing coordinates, ascending. */
    public int[] missing() {
        return missing.clone();
    }

    /** Component j's conditional (its conditional covariance does not depend on the row). */
    public GaussianConditional component(int j) {
        return parts[j];
    }

    /**
     * After {@link #impute} without a generator: component j's conditional mean of the missing coordinates,
     * at their indices of the returned array (other entries meaningless).
     */
    public double[] componentMean(Work w, int j) {
        return w.means[j];
    }

    /** Work arrays for {@link #impute}; one per thread. */
    public Work work() {
        return new Work(parts.length, d);
    }

    /** Reusable per-thread arrays. */
    public static final class Work {
        final double[][] z;
        final double[][] means;
        final double[][] vars;
        final double[] posteriors;
        final double[] mix;
        final double[] eps;
        final double[] delta;

        Work(int k, int d) {
            delta = new double[k];
            z = new double[k][d];
            means = new double[k][d];
            vars = new double[k][d];
            posteriors = new double[k];
            mix = new double[d];
            eps = new double[d];
        }

        /** The component posteriors of the last row given its observed coordinates. */
        public double[] posteriors() {
            return posteriors;
        }
    }

    /**
     * Fills the missing coordinates of {@code x} in place: with the conditional mean, or with a draw from
     * the conditional when {@code rng} is not null. When {@code variances} is not null its missing entries
     * receive the conditional variances ({@code Var(x_m | x_o)}, the same whether drawn or not). Returns the
     * log-density of the observed coordinates, {@code log Σ_k π_k N(x_o | μ_ko, Σ_koo)}.
     */
    public double impute(double[] x, RandomGenerator rng, double[] variances, Work w) {
        int k = parts.length;
        double[] r = w.posteriors;
        double max = Double.NEGATIVE_INFINITY;
        int p = d - missing.length;
        for (int j = 0; j < k; j++) {
            double gaussian = parts[j].whiten(x, w.z[j]);
            w.delta[j] = 0;
            if (dof == null || p == 0) {
                r[j] = logWeights[j] + gaussian;
            } else {
                // From log N = c − ½δ: δ_o = 2(c − log N), ln|Σ_oo| = −2c − p ln 2π.
                double c = parts[j].marginalLogConstant();
                w.delta[j] = 2 * (c - gaussian);
                r[j] = logWeights[j] + tConstants[j] + c - 0.5 * (dof[j] + p) * Math.log1p(w.delta[j] / dof[j]);
            }
            max = Math.max(max, r[j]);
        }
        double sum = 0;
        for (int j = 0; j < k; j++) {
            r[j] = Math.exp(r[j] - max);
            sum += r[j];
        }
        for (int j = 0; j < k; j++) {
            r[j] /= sum;
        }
        double logMarginal = max + Math.log(sum);
        if (rng == null || variances != null) {
            for (int t : missing) {
                w.mix[t] = 0;
            }
            for (int j = 0; j < k; j++) {
                parts[j].conditionalMean(w.z[j], w.means[j]);
                for (int t : missing) {
                    w.mix[t] += r[j] * w.means[j][t];
                }
            }
            if (variances != null) {
                for (int t : missing) {
                    variances[t] = 0;
                }
                for (int j = 0; j < k; j++) {
                    parts[j].conditionalVariances(w.vars[j]);
                    double scale = dof == null ? 1.0 : dof[j] + p > 2
                            ? (dof[j] + w.delta[j]) / (dof[j] + p - 2) : Double.POSITIVE_INFINITY;
                    for (int t : missing) {
                        w.vars[j][t] *= scale;
                    }
                    for (int t : missing) {
                        double dev = w.means[j][t] - w.mix[t];
                        variances[t] += r[j] * (w.vars[j][t] + dev * dev);
                    }
                }
            }
        }
        if (rng == null) {
            for (int t : missing) {
                x[t] = w.mix[t];
            }
        } else {
            double u = rng.nextDouble();
            int pick = 0;
            double acc = r[0];
            while (u >= acc && pick < k - 1) {
                acc += r[++pick];
            }
            parts[pick].sample(w.z[pick], rng, w.eps, x);
            if (dof != null) {
                // x_m = μ_m|o + √((ν + δ_o)/g) L ε with g ~ χ²(ν + p): the conditional t.
                double nu = dof[pick] + p;
                double delta = p == 0 ? 0 : w.delta[pick];
                double g = 2 * io.sufstat.common.model.TMixture.gammaDraw(nu / 2, rng);
                double s = Math.sqrt((dof[pick] + delta) / g);
                parts[pick].conditionalMean(w.z[pick], w.means[pick]);
                for (int t : missing) {
                    x[t] = w.means[pick][t] + s * (x[t] - w.means[pick][t]);
                }
            }
        }
        return logMarginal;
    }
}
