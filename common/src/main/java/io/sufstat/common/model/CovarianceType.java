package io.sufstat.common.model;

import java.util.Locale;

/**
 * How the covariances of a Gaussian mixture are constrained, as in scikit-learn's
 * {@code GaussianMixture(covariance_type=…)} and mclust: one full matrix per component, one full
 * matrix shared by all ({@code TIED}), a diagonal per component, or one variance per component
 * ({@code SPHERICAL}).
 */
public enum CovarianceType {
    FULL, TIED, DIAG, SPHERICAL;

    /** Free parameters of the covariances of a K-component, d-dimensional mixture (scikit-learn's count). */
    public long covarianceParameters(int k, int d) {
        long full = (long) d * (d + 1) / 2;
        return switch (this) {
            case FULL -> k * full;
            case TIED -> full;
            case DIAG -> (long) k * d;
            case SPHERICAL -> k;
        };
    }

    /** All free parameters: covariances, K·d means and K − 1 weights (for BIC and AIC). */
    public long parameters(int k, int d) {
        return covarianceParameters(k, d) + (long) k * d + k - 1;
    }

    /** The lower-case name used on the command line and in model.json. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code full|tied|diag|spherical}, case-insensitively. */
    public static CovarianceType parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("covariance type must be full, tied, diag or spherical, not '" + s + "'");
        }
    }
}
