package io.sufstat.common.linalg;

/**
 * Cholesky factorisation {@code A = L·Lᵀ} of a symmetric matrix (row-major, lower triangle read),
 * by the Cholesky–Banachiewicz row order.
 *
 * <p>Like EJML's decompositions it reports failure instead of throwing from deep inside:
 * {@link #isPositiveDefinite()} is false when a pivot {@code a_kk − Σ_j l_kj²} is not above
 * {@code d·ε·a_kk} (the coordinate is, to rounding, a linear combination of the earlier ones) or is
 * not finite. {@link #orThrow(String[])} turns that into a message a user can act on.
 */
public final class Cholesky {

    private static final double EPS = Math.ulp(1.0);

    private final int dim;
    private final double[] lower;
    private final int failedIndex;
    private final double failedPivot;
    private final double failedDiagonal;
    private final double smallestRelativePivot;
    private final int smallestRelativePivotIndex;

    private Cholesky(int dim, double[] lower, int failedIndex, double failedPivot, double failedDiagonal,
                     double smallestRelativePivot, int smallestRelativePivotIndex) {
        this.dim = dim;
        this.lower = lower;
        this.failedIndex = failedIndex;
        this.failedPivot = failedPivot;
        this.failedDiagonal = failedDiagonal;
        this.smallestRelativePivot = smallestRelativePivot;
        this.smallestRelativePivotIndex = smallestRelativePivotIndex;
    }

    /**
     * Factorises the {@code d × d} symmetric matrix {@code a} (row-major; only its lower triangle is
     * read). Never throws for numerical reasons: check {@link #isPositiveDefinite()}.
     */
    public static Cholesky decompose(double[] a, int d) {
        if (d <= 0 || a.length != d * d) {
            throw new IllegalArgumentException("expected a " + d + "×" + d + " matrix, got " + a.length + " values");
        }
        double[] l = new double[d * d];
        double smallest = Double.POSITIVE_INFINITY;
        int smallestAt = -1;
        for (int i = 0; i < d; i++) {
            int ri = i * d;
            for (int j = 0; j <= i; j++) {
                int rj = j * d;
                double s = a[ri + j];
                for (int k = 0; k < j; k++) {
                    s -= l[ri + k] * l[rj + k];
                }
                if (i == j) {
                    double diag = a[ri + i];
                    if (!(s > d * EPS * diag) || !Double.isFinite(s)) {
                        return new Cholesky(d, null, i, s, diag, smallest, smallestAt);
                    }
                    double relative = s / diag;
                    if (relative < smallest) {
                        smallest = relative;
                        smallestAt = i;
                    }
                    l[ri + i] = Math.sqrt(s);
                } else {
                    l[ri + j] = s / l[rj + j];
                }
            }
        }
        return new Cholesky(d, l, -1, Double.NaN, Double.NaN, smallest, smallestAt);
    }

    public boolean isPositiveDefinite() {
        return lower != null;
    }

    /** Zero-based index of the failing pivot, or −1 when the factorisation succeeded. */
    public int failedIndex() {
        return failedIndex;
    }

    /**
     * Smallest pivot relative to its diagonal entry, {@code min_k (a_kk − Σ_j l_kj²)/a_kk}, over the
     * pivots computed (all of them on success): near 0 means nearly collinear coordinates.
     */
    public double smallestRelativePivot() {
        return smallestRelativePivot;
    }

    /**
     * This factorisation, or a {@link NotPositiveDefiniteException} that names the failing coordinate
     * (by {@code names[k]} when given), its pivot, and the remedies.
     */
    public Cholesky orThrow(String[] names) {
        if (isPositiveDefinite()) {
            return this;
        }
        String which = names != null && failedIndex < names.length
                ? "'" + names[failedIndex] + "' (coordinate " + (failedIndex + 1) + " of " + dim + ")"
                : "coordinate " + (failedIndex + 1) + " of " + dim;
        String why = failedDiagonal == 0.0
                ? "its variance is 0 (the values are constant)"
                : !Double.isFinite(failedPivot)
                ? "the matrix holds a non-finite value"
                : "its pivot is " + failedPivot + " against a variance of " + failedDiagonal
                  + " (it is, to rounding, a linear combination of the coordinates before it)";
        throw new NotPositiveDefiniteException(
                "covariance is not positive definite at " + which + ": " + why
                        + ". Remedies: drop constant or collinear features, scale the data, or add a ridge"
                        + " to the diagonal (--reg-covar, e.g. 1e-6).",
                failedIndex, failedPivot, failedDiagonal);
    }

    /** Dimension d. */
    public int dimension() {
        return dim;
    }

    /** The lower factor L, row-major {@code d × d} (a copy). */
    public double[] lower() {
        requireSuccess();
        return lower.clone();
    }

    /** {@code log det A = 2 Σ_k log l_kk}. */
    public double logDeterminant() {
        requireSuccess();
        double s = 0;
        for (int k = 0; k < dim; k++) {
            s += Math.log(lower[k * dim + k]);
        }
        return 2 * s;
    }

    /**
     * {@code L⁻ᵀ}, row-major and upper triangular: the Cholesky factor of the precision
     * ({@code A⁻¹ = L⁻ᵀ L⁻¹}), so that {@code ‖(x−μ)ᵀ L⁻ᵀ‖² = (x−μ)ᵀ A⁻¹ (x−μ)}.
     */
    public double[] inverseTransposedFactor() {
        requireSuccess();
        int d = dim;
        // Column c of L⁻¹ by forward substitution: L·v = e_c; stored as row c of the result (= (L⁻¹)ᵀ).
        double[] u = new double[d * d];
        for (int c = 0; c < d; c++) {
            int rc = c * d;
            for (int i = c; i < d; i++) {
                double s = i == c ? 1.0 : 0.0;
                int ri = i * d;
                for (int k = c; k < i; k++) {
                    s -= lower[ri + k] * u[rc + k];
                }
                u[rc + i] = s / lower[ri + i];
            }
        }
        return u;
    }

    /** Solves {@code L·y = b} in place (forward substitution). */
    public void solveLowerInPlace(double[] b) {
        requireSuccess();
        for (int i = 0; i < dim; i++) {
            double s = b[i];
            int ri = i * dim;
            for (int k = 0; k < i; k++) {
                s -= lower[ri + k] * b[k];
            }
            b[i] = s / lower[ri + i];
        }
    }

    /** Solves {@code A x = b} in place ({@code A = LLᵀ}): forward, then back substitution. */
    public void solveInPlace(double[] b) {
        solveLowerInPlace(b);
        for (int i = dim - 1; i >= 0; i--) {
            double s = b[i];
            for (int k = i + 1; k < dim; k++) {
                s -= lower[k * dim + i] * b[k];
            }
            b[i] = s / lower[i * dim + i];
        }
    }

    private void requireSuccess() {
        if (lower == null) {
            orThrow(null);
        }
    }

    @Override
    public String toString() {
        return isPositiveDefinite()
                ? "Cholesky[d=" + dim + ", logDet=" + logDeterminant() + "]"
                : "Cholesky[d=" + dim + ", failed at " + failedIndex + ", pivot " + failedPivot + "]";
    }
}
