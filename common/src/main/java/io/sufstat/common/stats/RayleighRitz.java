package io.sufstat.common.stats;

import io.sufstat.common.linalg.Cholesky;
import io.sufstat.common.linalg.SymmetricEigen;

import java.util.Optional;

/**
 * The maximum-likelihood PPCA model of a covariance S restricted to a q-dimensional subspace span(B), as a change
 * of basis: with {@code G = BᵀB = LLᵀ} and {@code L⁻¹ (BᵀSB) L⁻ᵀ = VΛVᵀ}, {@code W = B T} with
 * {@code T = L⁻ᵀ V (Λ − σ²)^{1/2}} and {@code σ² = (tr S − ΣΛ)/(d − q)} (Tipping &amp; Bishop 1999, eq. 7–8,
 * within span(B)). Shared by {@link PpcaStatistics} and {@link MppcaStatistics}.
 *
 * @param basisChange T (q × q, row-major)
 * @param noiseVariance σ²
 */
record RayleighRitz(double[] basisChange, double noiseVariance) {

    /**
     * The step from {@code g = BᵀB} and {@code p = BᵀSB} (q × q, row-major; p is symmetrised here) and
     * {@code tr S}; empty when G is singular or the subspace is still poor (some {@code λ ≤ σ²}, where the
     * closed form would zero a column of W and EM could never bring it back).
     */
    static Optional<RayleighRitz> of(double[] g, double[] p, double traceS, int d, int q) {
        Cholesky cg = Cholesky.decompose(g, q);
        if (!cg.isPositiveDefinite()) {
            return Optional.empty();
        }
        double[] linvT = inverseTransposeOfLower(cg.lower(), q);
        double[] h = new double[q * q];
        for (int r = 0; r < q; r++) {
            for (int c = 0; c <= r; c++) {
                double v = 0;
                for (int x = 0; x < q; x++) {
                    for (int y = 0; y < q; y++) {
                        v += linvT[x * q + r] * 0.5 * (p[x * q + y] + p[y * q + x]) * linvT[y * q + c];
                    }
                }
                h[r * q + c] = v;
                h[c * q + r] = v;
            }
        }
        SymmetricEigen e = SymmetricEigen.of(h, q);
        double[] lambda = e.values();
        double[] v = e.vectors();
        double captured = 0;
        for (double x : lambda) {
            captured += x;
        }
        double s2 = (traceS - captured) / (d - q);
        if (!(s2 > 0) || lambda[q - 1] <= s2 * (1 + 1e-6)) {
            return Optional.empty();
        }
        double[] t = new double[q * q];
        for (int r = 0; r < q; r++) {
            for (int c = 0; c < q; c++) {
                double x = 0;
                for (int y = 0; y < q; y++) {
                    x += linvT[r * q + y] * v[y * q + c];
                }
                t[r * q + c] = x * Math.sqrt(lambda[c] - s2);
            }
        }
        return Optional.of(new RayleighRitz(t, s2));
    }

    /** {@code L⁻ᵀ} for lower-triangular L: solves {@code Lᵀ X = I} column by column (back substitution). */
    private static double[] inverseTransposeOfLower(double[] l, int q) {
        double[] x = new double[q * q];
        for (int col = 0; col < q; col++) {
            for (int r = q - 1; r >= 0; r--) {
                double v = r == col ? 1 : 0;
                for (int k = r + 1; k < q; k++) {
                    v -= l[k * q + r] * x[k * q + col];
                }
                x[r * q + col] = v / l[r * q + r];
            }
        }
        return x;
    }

    /** {@code A T} for row-major A (rows × q). */
    static double[] times(double[] a, double[] t, int rows, int q) {
        double[] out = new double[rows * q];
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < q; c++) {
                double x = 0;
                for (int y = 0; y < q; y++) {
                    x += a[i * q + y] * t[y * q + c];
                }
                out[i * q + c] = x;
            }
        }
        return out;
    }
}
