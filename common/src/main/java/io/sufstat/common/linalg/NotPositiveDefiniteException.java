package io.sufstat.common.linalg;

/**
 * A covariance (or other matrix that must be symmetric positive definite) is not, numerically.
 * Carries the pivot where the Cholesky factorisation stopped so that callers can name the feature.
 */
public final class NotPositiveDefiniteException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int pivotIndex;
    private final double pivot;
    private final double diagonal;

    public NotPositiveDefiniteException(String message, int pivotIndex, double pivot, double diagonal) {
        super(message);
        this.pivotIndex = pivotIndex;
        this.pivot = pivot;
        this.diagonal = diagonal;
    }

    /** Zero-based index of the coordinate whose pivot failed. */
    public int pivotIndex() {
        return pivotIndex;
    }

    /** The pivot {@code a_kk − Σ_j l_kj²} at the failing index (≤ the tolerance, or not finite). */
    public double pivot() {
        return pivot;
    }

    /** The diagonal entry {@code a_kk} at the failing index. */
    public double diagonal() {
        return diagonal;
    }
}
