package io.sufstat.common.model;

import io.sufstat.common.linalg.Cholesky;
import io.sufstat.common.linalg.SymmetricEigen;

import java.io.Serializable;

/**
 * Probabilistic PCA (Tipping &amp; Bishop 1999): {@code x = μ + W z + ε}, {@code z ~ N(0, I_q)},
 * {@code ε ~ N(0, σ² I_d)}, so {@code x ~ N(μ, C)} with {@code C = W Wᵀ + σ² I}. Everything here works
 * with the q × q matrix {@code M = WᵀW + σ² I} and never forms C: {@code log|C| = (d − q) log σ² + log|M|}
 * and {@code C⁻¹ = σ⁻² (I − W M⁻¹ Wᵀ)}. Immutable; W is row-major {@code d × q}.
 */
public final class Ppca implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int d;
    private final int q;
    private final double[] mean;
    private final double[] w;
    private final double sigma2;
    /** M = WᵀW + σ²I, q × q */
    private final double[] m;
    private final Cholesky mChol;

    private Ppca(int d, int q, double[] mean, double[] w, double sigma2) {
        this.d = d;
        this.q = q;
        this.mean = mean;
        this.w = w;
        this.sigma2 = sigma2;
        this.m = new double[q * q];
        for (int a = 0; a < q; a++) {
            for (int b = 0; b < q; b++) {
                double s = a == b ? sigma2 : 0;
                for (int i = 0; i < d; i++) {
                    s += w[i * q + a] * w[i * q + b];
                }
                m[a * q + b] = s;
            }
        }
        this.mChol = Cholesky.decompose(m, q).orThrow(null);
    }

    /**
     * A PPCA model from its mean (d), loadings W (row-major d × q) and noise variance σ² &gt; 0.
     *
     * @throws IllegalArgumentException on wrong sizes, non-finite values, q ≥ d or σ² ≤ 0
     */
    public static Ppca of(double[] mean, double[] loadings, int q, double sigma2) {
        int d = mean.length;
        if (q < 1 || q >= d) {
            throw new IllegalArgumentException("the latent dimension q must be between 1 and d − 1 = " + (d - 1) + ", not " + q);
        }
        if (loadings.length != d * q) {
            throw new IllegalArgumentException("W must have " + d + "×" + q + " entries, not " + loadings.length);
        }
        if (!(sigma2 > 0) || !Double.isFinite(sigma2)) {
            throw new IllegalArgumentException("the noise variance σ² must be finite and positive, not " + sigma2);
        }
        for (double v : mean) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("the mean has a non-finite entry");
            }
        }
        for (double v : loadings) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("W has a non-finite entry");
            }
        }
        return new Ppca(d, q, mean.clone(), loadings.clone(), sigma2);
    }

    public int dimension() {
        return d;
    }

    public int latentDimension() {
        return q;
    }

    public double[] mean() {
        return mean.clone();
    }

    /** W, row-major d × q (a copy). */
    public double[] loadings() {
        return w.clone();
    }

    public double noiseVariance() {
        return sigma2;
    }

    /** {@code M = WᵀW + σ² I} (q × q, a copy). */
    public double[] m() {
        return m.clone();
    }

    /** {@code log|C| = (d − q) log σ² + log|M|}. */
    public double logDeterminant() {
        return (d - q) * Math.log(sigma2) + mChol.logDeterminant();
    }

    /** {@code B = W M⁻¹} (d × q): the posterior mean of z is {@code Bᵀ(x − μ)}. */
    public double[] posteriorMap() {
        double[] b = new double[d * q];
        double[] row = new double[q];
        for (int i = 0; i < d; i++) {
            // Solve M bᵢ = wᵢ (M symmetric).
            System.arraycopy(w, i * q, row, 0, q);
            mChol.solveInPlace(row);
            System.arraycopy(row, 0, b, i * q, q);
        }
        return b;
    }

    /** {@code M⁻¹} (q × q). */
    public double[] mInverse() {
        double[] inv = new double[q * q];
        for (int c = 0; c < q; c++) {
            double[] e = new double[q];
            e[c] = 1;
            mChol.solveInPlace(e);
            for (int r = 0; r < q; r++) {
                inv[r * q + c] = e[r];
            }
        }
        return inv;
    }

    /** The full covariance {@code W Wᵀ + σ² I} (d × d): only for moderate d (score, sample, impute). */
    public double[] covariance() {
        double[] c = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double s = i == j ? sigma2 : 0;
                for (int a = 0; a < q; a++) {
                    s += w[i * q + a] * w[j * q + a];
                }
                c[i * d + j] = s;
                c[j * d + i] = s;
            }
        }
        return c;
    }

    /** The same density as a {@link Gaussian} (forms the d × d covariance). */
    public Gaussian toGaussian() {
        return Gaussian.of(mean, covariance());
    }

    /**
     * The principal subspace: an orthonormal basis U (row-major d × q, columns by decreasing variance) of
     * W's column space, with W = U (Λ − σ² I)^{1/2} R for a rotation R.
     */
    public double[] principalAxes() {
        SymmetricEigen e = SymmetricEigen.of(gram(), q);
        double[] lambda = e.values();
        double[] v = e.vectors();
        double[] u = new double[d * q];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < q; j++) {
                double s = 0;
                for (int a = 0; a < q; a++) {
                    s += w[i * q + a] * v[a * q + j];
                }
                u[i * q + j] = s / Math.sqrt(lambda[j]);
            }
        }
        return u;
    }

    /** Variance along each principal axis, {@code λ_j = eig(WᵀW)_j + σ²}, descending. */
    public double[] explainedVariances() {
        double[] lambda = SymmetricEigen.of(gram(), q).values();
        for (int j = 0; j < q; j++) {
            lambda[j] += sigma2;
        }
        return lambda;
    }

    private double[] gram() {
        double[] g = m.clone();
        for (int a = 0; a < q; a++) {
            g[a * q + a] -= sigma2;
        }
        return g;
    }
}
