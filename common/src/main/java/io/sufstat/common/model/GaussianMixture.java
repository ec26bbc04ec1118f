package io.sufstat.common.model;

import io.sufstat.common.linalg.NotPositiveDefiniteException;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A Gaussian mixture {@code p(x) = Σ_k π_k N(x | μ_k, Σ_k)} with a {@link CovarianceType} constraint.
 * Every component is a {@link Gaussian} (so its Cholesky factors are computed once); covariances are
 * kept as full matrices whatever the type. Immutable.
 *
 * <p>{@code log p(x) = logsumexp_k (log π_k + log N(x | μ_k, Σ_k))}, evaluated in log space so that no
 * density underflows; posteriors {@code r_k(x) = exp(log π_k + log N_k(x) − log p(x))}.
 */
public final class GaussianMixture implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Mixture weights must sum to 1 within this. */
    public static final double WEIGHT_SUM_TOLERANCE = 1e-9;

    private final CovarianceType type;
    private final double[] weights;
    private final List<Gaussian> components;

    private GaussianMixture(CovarianceType type, double[] weights, List<Gaussian> components) {
        this.type = type;
        this.weights = weights;
        this.components = components;
    }

    /**
     * A mixture from weights (positive, summing to 1 within {@value #WEIGHT_SUM_TOLERANCE}; renormalised),
     * means ({@code K × d}) and full covariance matrices (each row-major {@code d × d}), which must obey
     * {@code type} (equal for tied, diagonal for diag, a multiple of I for spherical).
     *
     * @throws NotPositiveDefiniteException naming the component when a covariance is not positive definite
     */
    public static GaussianMixture of(CovarianceType type, double[] weights, double[][] means, double[][] covariances) {
        return create(type, weights, means, covariances, true);
    }

    /**
     * As {@link #of}, but the weights are kept bit for bit instead of renormalised: for a mixture read back
     * from its own saved parameters (an EM checkpoint), so that resuming reproduces the uninterrupted run
     * exactly. Renormalising weights that already sum to 1 within rounding can change their last bits.
     */
    public static GaussianMixture restore(CovarianceType type, double[] weights, double[][] means, double[][] covariances) {
        return create(type, weights, means, covariances, false);
    }

    private static GaussianMixture create(CovarianceType type, double[] weights, double[][] means, double[][] covariances,
                                          boolean renormalise) {
        int k = weights.length;
        if (k == 0 || means.length != k || covariances.length != k) {
            throw new IllegalArgumentException("a mixture needs K ≥ 1 weights, means and covariances of equal count, got "
                    + weights.length + ", " + means.length + ", " + covariances.length);
        }
        double sum = 0;
        for (int j = 0; j < k; j++) {
            if (!(weights[j] >= 0) || !Double.isFinite(weights[j])) {
                throw new IllegalArgumentException("weight " + (j + 1) + " is " + weights[j] + ": weights must be finite and ≥ 0");
            }
            sum += weights[j];
        }
        if (Math.abs(sum - 1) > WEIGHT_SUM_TOLERANCE) {
            throw new IllegalArgumentException("mixture weights sum to " + sum + ", not 1");
        }
        int d = means[0].length;
        double[] w = new double[k];
        List<Gaussian> comps = new ArrayList<>(k);
        for (int j = 0; j < k; j++) {
            w[j] = renormalise ? weights[j] / sum : weights[j];
            if (means[j].length != d || covariances[j].length != d * d) {
                throw new IllegalArgumentException("component " + (j + 1) + " has dimension " + means[j].length
                        + " (covariance " + covariances[j].length + " entries) where " + d + " was expected");
            }
            checkStructure(type, covariances[j], covariances[0], d, j);
            try {
                comps.add(Gaussian.of(means[j], covariances[j]));
            } catch (NotPositiveDefiniteException e) {
                throw new NotPositiveDefiniteException("component " + (j + 1) + " of " + k + ": " + e.getMessage(),
                        e.pivotIndex(), e.pivot(), e.diagonal());
            }
        }
        return new GaussianMixture(type, w, Collections.unmodifiableList(comps));
    }

    private static void checkStructure(CovarianceType type, double[] cov, double[] first, int d, int j) {
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < d; c++) {
                double v = cov[r * d + c];
                boolean ok = switch (type) {
                    case FULL -> true;
                    case TIED -> v == first[r * d + c];
                    case DIAG -> r == c || v == 0;
                    case SPHERICAL -> r == c ? v == cov[0] : v == 0;
                };
                if (!ok) {
                    throw new IllegalArgumentException("component " + (j + 1) + ": covariance entry [" + r + "][" + c
                            + "] = " + v + " does not fit covariance type " + type.label());
                }
            }
        }
    }

    public CovarianceType covarianceType() {
        return type;
    }

    /** K. */
    public int size() {
        return weights.length;
    }

    public int dimension() {
        return components.get(0).dimension();
    }

    /** π (a copy). */
    public double[] weights() {
        return weights.clone();
    }

    public double weight(int k) {
        return weights[k];
    }

    /** The components, in order. */
    public List<Gaussian> components() {
        return components;
    }

    public Gaussian component(int k) {
        return components.get(k);
    }

    /** {@code log p(x)} of one row, by log-sum-exp over the components. */
    public double logDensity(double[] x) {
        double[] lp = new double[size()];
        for (int k = 0; k < lp.length; k++) {
            lp[k] = Math.log(weights[k]) + components.get(k).logDensity(x);
        }
        return logSumExp(lp, 0, lp.length);
    }

    /** Posterior probabilities of the components for one row. */
    public double[] posteriors(double[] x) {
        double[] lp = new double[size()];
        for (int k = 0; k < lp.length; k++) {
            lp[k] = Math.log(weights[k]) + components.get(k).logDensity(x);
        }
        double lse = logSumExp(lp, 0, lp.length);
        for (int k = 0; k < lp.length; k++) {
            lp[k] = Math.exp(lp[k] - lse);
        }
        return lp;
    }

    /** {@code log Σ exp(a[from..to))}, exact for −∞ entries and stable for large ones. */
    public static double logSumExp(double[] a, int from, int to) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            max = Math.max(max, a[i]);
        }
        if (max == Double.NEGATIVE_INFINITY || max == Double.POSITIVE_INFINITY) {
            return max;
        }
        double s = 0;
        for (int i = from; i < to; i++) {
            s += Math.exp(a[i] - max);
        }
        return max + Math.log(s);
    }

    /** One draw: a component by its weight, then a row from it. */
    public double[] sample(RandomGenerator rng) {
        double u = rng.nextDouble();
        int k = 0;
        double acc = weights[0];
        while (u >= acc && k < weights.length - 1) {
            acc += weights[++k];
        }
        return components.get(k).sample(rng);
    }

    /** Means as {@code K × d} rows. */
    public double[][] means() {
        double[][] m = new double[size()][];
        for (int k = 0; k < m.length; k++) {
            m[k] = components.get(k).mean();
        }
        return m;
    }

    /** Covariances as {@code K} row-major {@code d × d} matrices. */
    public double[][] covariances() {
        double[][] c = new double[size()][];
        for (int k = 0; k < c.length; k++) {
            c[k] = components.get(k).covariance();
        }
        return c;
    }
}
