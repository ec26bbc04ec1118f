package io.sufstat.common.inference;

import io.sufstat.common.model.GaussianMixture;

import java.util.random.RandomGenerator;

/**
 * A Gaussian mixture conditioned on one pattern of observed coordinates: the posterior of each
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

    private MixtureConditional(int d, double[] logWeights, GaussianConditional[] parts) {
        this.d = d;
        this.missing = parts[0].missing();
        this.logWeights = logWeights;
        this.parts = parts;
    }

    /** {@code m} conditioned on the coordinates where {@code missing[j]} is false. */
    public static MixtureConditional of(GaussianMixture m, boolean[] missing) {
        GaussianConditional[] parts = new GaussianConditional[m.size()];
        double[] lw = new double[m.size()];
        for (int k = 0; k < parts.length; k++) {
            parts[k] = GaussianConditional.of(m.component(k), missing);
            lw[k] = Math.log(m.weight(k));
        }
        return new MixtureConditional(m.dimension(), lw, parts);
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

        Work(int k, int d) {
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
        for (int j = 0; j < k; j++) {
            r[j] = logWeights[j] + parts[j].whiten(x, w.z[j]);
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
        }
        return logMarginal;
    }
}
