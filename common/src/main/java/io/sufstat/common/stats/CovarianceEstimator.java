package io.sufstat.common.stats;

/**
 * How a co-moment matrix {@code M = Σ wᵢ(xᵢ−μ)(xᵢ−μ)ᵀ} becomes a covariance.
 */
public enum CovarianceEstimator {
    /** Maximum likelihood: {@code M / W}, with {@code W = Σ wᵢ}. The default. */
    MAXIMUM_LIKELIHOOD,
    /**
     * Unbiased for reliability weights: {@code M / (W − Σwᵢ²/W)}, which is {@code M/(n−1)} for unit
     * weights — the same denominator as Spark's {@code Summarizer} and numpy's {@code cov(aweights=…)}.
     */
    UNBIASED
}
