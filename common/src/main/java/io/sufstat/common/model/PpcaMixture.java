package io.sufstat.common.model;

import java.util.Arrays;

/**
 * A mixture of probabilistic PCA models (Tipping &amp; Bishop 1999b): weights π_k and components
 * N(μ_k, W_k W_kᵀ + σ_k² I), all of one latent dimension q.
 */
public record PpcaMixture(double[] weights, Ppca[] components) {

    /** Validates: K ≥ 1 weights summing to 1 (1e-9), one component each, one dimension and q for all. */
    public PpcaMixture {
        if (weights.length == 0 || weights.length != components.length) {
            throw new IllegalArgumentException("a mixture of PPCA needs K ≥ 1 weights and as many components, got "
                    + weights.length + " and " + components.length);
        }
        double sum = 0;
        for (double w : weights) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("weights must be finite and non-negative: " + Arrays.toString(weights));
            }
            sum += w;
        }
        if (Math.abs(sum - 1) > GaussianMixture.WEIGHT_SUM_TOLERANCE) {
            throw new IllegalArgumentException("mixture weights sum to " + sum + ", not 1");
        }
        for (Ppca c : components) {
            if (c.dimension() != components[0].dimension() || c.latentDimension() != components[0].latentDimension()) {
                throw new IllegalArgumentException("every component needs the same d and q");
            }
        }
        weights = weights.clone();
        components = components.clone();
    }

    public int size() {
        return weights.length;
    }

    @Override
    public double[] weights() {
        return weights.clone();
    }

    @Override
    public Ppca[] components() {
        return components.clone();
    }

    /** The same mixture as a Gaussian mixture with full covariances W_k W_kᵀ + σ_k² I (forms K d × d matrices). */
    public GaussianMixture toGaussianMixture() {
        double[][] means = new double[size()][];
        double[][] covs = new double[size()][];
        for (int j = 0; j < size(); j++) {
            means[j] = components[j].mean();
            covs[j] = components[j].covariance();
        }
        return GaussianMixture.of(CovarianceType.FULL, weights, means, covs);
    }
}
