package io.sufstat.common.model;

import io.sufstat.common.linalg.Blas;
import io.sufstat.common.linalg.Cholesky;

import java.io.Serializable;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A multivariate normal distribution {@code N(μ, Σ)}, kept with the Cholesky factor {@code Σ = LLᵀ}
 * and the precision factor {@code P = L⁻ᵀ} ({@code Σ⁻¹ = PPᵀ}) computed once at construction.
 *
 * <p>{@code log N(x | μ, Σ) = −½ (d log 2π + log|Σ| + ‖(x−μ)ᵀP‖²)}; entropy
 * {@code ½ (d (1 + log 2π) + log|Σ|)}; a sample is {@code μ + Lz} with {@code z ~ N(0, I)}.
 * Immutable; matrices are row-major {@code double[]} and every accessor returns a copy.
 */
public final class Gaussian implements Serializable {
    private static final long serialVersionUID = 1L;

    /** {@code log 2π}. */
    public static final double LOG_2PI = Math.log(2 * Math.PI);

    private static final double SYMMETRY_TOLERANCE = 1e-9;

    private final int dim;
    private final double[] mean;
    private final double[] covariance;
    private final double[] lower;
    private final double[] precisionCholesky;
    private final double logDet;

    private Gaussian(int dim, double[] mean, double[] covariance, Cholesky chol) {
        this.dim = dim;
        this.mean = mean;
        this.covariance = covariance;
        this.lower = chol.lower();
        this.precisionCholesky = chol.inverseTransposedFactor();
        this.logDet = chol.logDeterminant();
    }

    /**
     * The Gaussian with the given mean and covariance (row-major {@code d × d}, symmetric to a relative
     * {@value #SYMMETRY_TOLERANCE}, positive definite). Arrays are copied.
     *
     * @throws IllegalArgumentException on wrong sizes, non-finite or asymmetric values
     * @throws io.sufstat.common.linalg.NotPositiveDefiniteException when Σ is not positive definite
     */
    public static Gaussian of(double[] mean, double[] covariance) {
        int d = mean.length;
        if (d == 0) {
            throw new IllegalArgumentException("a Gaussian needs at least one coordinate");
        }
        if (covariance.length != d * d) {
            throw new IllegalArgumentException("mean has " + d + " coordinates but the covariance has "
                    + covariance.length + " entries (expected " + d * d + ")");
        }
        for (int j = 0; j < d; j++) {
            if (!Double.isFinite(mean[j])) {
                throw new IllegalArgumentException("mean[" + j + "] is not finite: " + mean[j]);
            }
        }
        double[] cov = covariance.clone();
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < r; c++) {
                double a = cov[r * d + c];
                double b = cov[c * d + r];
                if (!Double.isFinite(a) || !Double.isFinite(b)) {
                    throw new IllegalArgumentException("covariance[" + r + "][" + c + "] is not finite");
                }
                double scale = Math.sqrt(Math.abs(cov[r * d + r] * cov[c * d + c]));
                if (Math.abs(a - b) > SYMMETRY_TOLERANCE * Math.max(scale, Double.MIN_NORMAL)) {
                    throw new IllegalArgumentException("covariance is not symmetric: entry [" + r + "][" + c
                            + "] = " + a + " but [" + c + "][" + r + "] = " + b);
                }
                double avg = 0.5 * (a + b);
                cov[r * d + c] = avg;
                cov[c * d + r] = avg;
            }
        }
        Cholesky chol = Cholesky.decompose(cov, d).orThrow(null);
        return new Gaussian(d, mean.clone(), cov, chol);
    }

    /** As {@link #of(double[], double[])} with the covariance as nested rows. */
    public static Gaussian of(double[] mean, double[][] covariance) {
        return of(mean, flatten(covariance, mean.length));
    }

    /** Row-major copy of a square nested matrix, checking that it is {@code d × d}. */
    public static double[] flatten(double[][] m, int d) {
        if (m.length != d) {
            throw new IllegalArgumentException("expected " + d + " rows, got " + m.length);
        }
        double[] out = new double[d * d];
        for (int r = 0; r < d; r++) {
            if (m[r].length != d) {
                throw new IllegalArgumentException("row " + r + " has " + m[r].length + " entries, expected " + d);
            }
            System.arraycopy(m[r], 0, out, r * d, d);
        }
        return out;
    }

    /** Nested rows of a row-major {@code d × d} matrix. */
    public static double[][] nest(double[] m, int d) {
        double[][] out = new double[d][];
        for (int r = 0; r < d; r++) {
            out[r] = Arrays.copyOfRange(m, r * d, (r + 1) * d);
        }
        return out;
    }

    public int dimension() {
        return dim;
    }

    /** μ (a copy). */
    public double[] mean() {
        return mean.clone();
    }

    /** Σ, row-major (a copy). */
    public double[] covariance() {
        return covariance.clone();
    }

    /** Σ as nested rows. */
    public double[][] covarianceMatrix() {
        return nest(covariance, dim);
    }

    /** The lower Cholesky factor L of Σ, row-major (a copy). */
    public double[] choleskyLower() {
        return lower.clone();
    }

    /** {@code P = L⁻ᵀ}, upper triangular, row-major, with {@code Σ⁻¹ = PPᵀ} (a copy). */
    public double[] precisionCholesky() {
        return precisionCholesky.clone();
    }

    /** {@code log |Σ|}. */
    public double logDeterminant() {
        return logDet;
    }

    /** {@code vᵀ Σ⁻¹ v = ‖vᵀP‖²} for a difference vector {@code v}. */
    public double mahalanobisSquared(double[] v) {
        if (v.length != dim) {
            throw new IllegalArgumentException("expected " + dim + " coordinates, got " + v.length);
        }
        double q = 0;
        for (int c = 0; c < dim; c++) {
            double z = 0;
            for (int r = 0; r <= c; r++) {
                z += v[r] * precisionCholesky[r * dim + c];
            }
            q += z * z;
        }
        return q;
    }

    /** {@code log N(x | μ, Σ)} of one row. */
    public double logDensity(double[] x) {
        if (x.length != dim) {
            throw new IllegalArgumentException("expected " + dim + " coordinates, got " + x.length);
        }
        double[] v = new double[dim];
        for (int j = 0; j < dim; j++) {
            v[j] = x[j] - mean[j];
        }
        return -0.5 * (dim * LOG_2PI + logDet + mahalanobisSquared(v));
    }

    /**
     * {@code out[i] = log N(xᵢ | μ, Σ)} for {@code rows} row-major rows of {@code x}: the rows are centred
     * into {@code work} (at least {@code rows·d} long, overwritten) and multiplied by P in one TRMM.
     */
    public void logDensity(double[] x, int rows, double[] out, double[] work) {
        if (x.length < rows * dim || out.length < rows || work.length < rows * dim) {
            throw new IllegalArgumentException("arrays too short for " + rows + " rows of " + dim);
        }
        for (int i = 0; i < rows; i++) {
            int o = i * dim;
            for (int j = 0; j < dim; j++) {
                work[o + j] = x[o + j] - mean[j];
            }
        }
        // Column-major view: work is d × rows with column i = xᵢ − μ; P row-major is Pᵀ column-major
        // (lower triangular), so B := Pᵀ·B gives column i = Pᵀ(xᵢ − μ).
        Blas.get().dtrmm("L", "L", "N", "N", dim, rows, 1.0, precisionCholesky, dim, work, dim);
        double c = dim * LOG_2PI + logDet;
        for (int i = 0; i < rows; i++) {
            int o = i * dim;
            double q = 0;
            for (int j = 0; j < dim; j++) {
                double z = work[o + j];
                q += z * z;
            }
            out[i] = -0.5 * (c + q);
        }
    }

    /** {@code log N(x | μ, Σ)} of each row of a block; allocates its work array. */
    public double[] logDensity(double[] x, int rows) {
        double[] out = new double[rows];
        logDensity(x, rows, out, new double[rows * dim]);
        return out;
    }

    /** Differential entropy {@code ½ (d (1 + log 2π) + log|Σ|)} in nats. */
    public double entropy() {
        return 0.5 * (dim * (1 + LOG_2PI) + logDet);
    }

    /** One draw {@code μ + Lz}, {@code z} from {@code rng.nextGaussian()}. */
    public double[] sample(RandomGenerator rng) {
        double[] out = new double[dim];
        sample(rng, 1, out);
        return out;
    }

    /**
     * {@code rows} draws written row-major into {@code out}; consumes exactly {@code rows·d} standard
     * normals from {@code rng}, row by row, so a seeded generator gives the same rows on every machine.
     */
    public void sample(RandomGenerator rng, int rows, double[] out) {
        if (out.length < rows * dim) {
            throw new IllegalArgumentException("output too short for " + rows + " rows of " + dim);
        }
        double[] z = new double[dim];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < dim; j++) {
                z[j] = rng.nextGaussian();
            }
            int o = i * dim;
            for (int r = 0; r < dim; r++) {
                double s = mean[r];
                int lr = r * dim;
                for (int c = 0; c <= r; c++) {
                    s += lower[lr + c] * z[c];
                }
                out[o + r] = s;
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Gaussian g)) {
            return false;
        }
        return Arrays.equals(mean, g.mean) && Arrays.equals(covariance, g.covariance);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(covariance);
    }

    @Override
    public String toString() {
        return "Gaussian[d=" + dim + ", mean=" + Arrays.toString(mean) + "]";
    }
}
