package io.sufstat.common.model;

import io.sufstat.common.linalg.Blas;

import java.io.Serializable;

/**
 * A {@link GaussianMixture} prepared for evaluating blocks of rows, as broadcast to every task once per
 * EM iteration: a reference point {@code c = Σ π_k μ_k}, the precision factors {@code P_k = L_k⁻ᵀ}
 * side by side ({@code d × K·d}), the offsets {@code o_k = (μ_k − c)ᵀ P_k} and the constants
 * {@code log π_k − ½(d log 2π + log|Σ_k|)}.
 *
 * <p>For a block {@code X} (n rows), {@code X − c} is formed once and multiplied by all K factors in a
 * single GEMM; then {@code z_ik = (x_i − c)ᵀ P_k − o_k = (x_i − μ_k)ᵀ P_k} and
 * {@code log π_k N(x_i | μ_k, Σ_k) = const_k − ½‖z_ik‖²}. Centring at c keeps every term of the size
 * of the data's spread, so a large common offset does not cancel. Diagonal and spherical types use
 * elementwise scaling instead of the GEMM; tied uses one d × d factor. Immutable and thread-safe:
 * work arrays live in the caller's {@link Workspace}.
 */
public final class MixtureKernel implements Serializable {
    private static final long serialVersionUID = 1L;

    private final CovarianceType type;
    private final int k;
    private final int d;
    private final double[] reference;
    /** means relative to the reference, K × d */
    private final double[] centredMeans;
    /** FULL: d × K·d (P_k side by side); TIED: d × d; DIAG: K × d inverse standard deviations; SPHERICAL: K. */
    private final double[] factors;
    /** FULL/TIED: K × d offsets o_k. */
    private final double[] offsets;
    private final double[] constants;

    private MixtureKernel(CovarianceType type, int k, int d, double[] reference, double[] centredMeans, double[] factors,
                          double[] offsets, double[] constants) {
        this.type = type;
        this.k = k;
        this.d = d;
        this.reference = reference;
        this.centredMeans = centredMeans;
        this.factors = factors;
        this.offsets = offsets;
        this.constants = constants;
    }

    /** Prepares {@code m} for block evaluation. */
    public static MixtureKernel of(GaussianMixture m) {
        int k = m.size();
        int d = m.dimension();
        double[] c = new double[d];
        for (int j = 0; j < k; j++) {
            double[] mu = m.component(j).mean();
            for (int i = 0; i < d; i++) {
                c[i] += m.weight(j) * mu[i];
            }
        }
        double[] centred = new double[k * d];
        double[] constants = new double[k];
        for (int j = 0; j < k; j++) {
            Gaussian g = m.component(j);
            double[] mu = g.mean();
            for (int i = 0; i < d; i++) {
                centred[j * d + i] = mu[i] - c[i];
            }
            constants[j] = Math.log(m.weight(j)) - 0.5 * (d * Gaussian.LOG_2PI + g.logDeterminant());
        }
        CovarianceType type = m.covarianceType();
        double[] factors;
        double[] offsets = null;
        switch (type) {
            case FULL -> {
                factors = new double[d * k * d];
                for (int j = 0; j < k; j++) {
                    double[] p = m.component(j).precisionCholesky();
                    for (int r = 0; r < d; r++) {
                        System.arraycopy(p, r * d, factors, r * k * d + j * d, d);
                    }
                }
                offsets = new double[k * d];
                for (int j = 0; j < k; j++) {
                    for (int col = 0; col < d; col++) {
                        double s = 0;
                        for (int r = 0; r <= col; r++) {
                            s += centred[j * d + r] * factors[r * k * d + j * d + col];
                        }
                        offsets[j * d + col] = s;
                    }
                }
            }
            case TIED -> {
                factors = m.component(0).precisionCholesky();
                offsets = new double[k * d];
                for (int j = 0; j < k; j++) {
                    for (int col = 0; col < d; col++) {
                        double s = 0;
                        for (int r = 0; r <= col; r++) {
                            s += centred[j * d + r] * factors[r * d + col];
                        }
                        offsets[j * d + col] = s;
                    }
                }
            }
            case DIAG -> {
                factors = new double[k * d];
                for (int j = 0; j < k; j++) {
                    double[] cov = m.component(j).covariance();
                    for (int i = 0; i < d; i++) {
                        factors[j * d + i] = 1 / Math.sqrt(cov[i * d + i]);
                    }
                }
            }
            default -> {
                factors = new double[k];
                for (int j = 0; j < k; j++) {
                    factors[j] = 1 / Math.sqrt(m.component(j).covariance()[0]);
                }
            }
        }
        return new MixtureKernel(type, k, d, c, centred, factors, offsets, constants);
    }

    public int components() {
        return k;
    }

    public int dimension() {
        return d;
    }

    public CovarianceType covarianceType() {
        return type;
    }

    /** The reference point c (a copy). */
    public double[] reference() {
        return reference.clone();
    }

    /** Coordinate {@code i} of {@code μ_j − c}. */
    public double centredMeanOf(int j, int i) {
        return centredMeans[j * d + i];
    }

    /** Per-task work arrays for blocks of up to {@code rows} rows. */
    public Workspace workspace(int rows) {
        return new Workspace(rows);
    }

    /** Work arrays of one task; reuse across blocks, never share between threads. */
    public final class Workspace {
        final int capacity;
        /** X − c, n × d */
        final double[] centred;
        /** GEMM output, n × K·d (FULL) or n × d (TIED) */
        final double[] z;
        /** log π_k N_k(x_i), then posteriors r_ik: n × K */
        final double[] logp;
        /** log p(x_i) */
        final double[] logDensity;
        /** a component's weighted, centred rows for SYRK, n × d */
        final double[] scaled;

        Workspace(int rows) {
            capacity = rows;
            centred = new double[rows * d];
            z = new double[type == CovarianceType.FULL ? rows * k * d : type == CovarianceType.TIED ? rows * d : 0];
            logp = new double[rows * k];
            logDensity = new double[rows];
            scaled = new double[rows * d];
        }

        /** The most rows a block may have. */
        public int capacity() {
            return capacity;
        }

        /** The posteriors of the last block, row-major n × K (valid after {@link #posteriors}). */
        public double[] responsibilities() {
            return logp;
        }

        /** {@code log p(x_i)} of the last block's rows. */
        public double[] logDensities() {
            return logDensity;
        }

        /** Scratch for a component's weighted, centred rows (n × d). */
        public double[] scaledRows() {
            return scaled;
        }
    }

    /**
     * E-step on a block: fills {@code ws.logDensities()} with {@code log p(x_i)} and
     * {@code ws.responsibilities()} with the posteriors {@code r_ik}; returns {@code Σ w_i log p(x_i)}
     * ({@code weights} null for unit weights).
     */
    public double posteriors(double[] values, double[] weights, int rows, Workspace ws) {
        if (rows > ws.capacity) {
            throw new IllegalArgumentException(rows + " rows exceed the workspace's " + ws.capacity);
        }
        double[] xc = ws.centred;
        for (int i = 0; i < rows; i++) {
            int o = i * d;
            for (int j = 0; j < d; j++) {
                xc[o + j] = values[o + j] - reference[j];
            }
        }
        double[] lp = ws.logp;
        switch (type) {
            case FULL -> {
                int kd = k * d;
                // Column-major view: Zᵀ (Kd × n) = factorsᵀ (Kd × d) · Xcᵀ (d × n).
                Blas.get().dgemm("N", "N", kd, rows, d, 1.0, factors, kd, xc, d, 0.0, ws.z, kd);
                for (int i = 0; i < rows; i++) {
                    int zo = i * kd;
                    for (int j = 0; j < k; j++) {
                        double q = 0;
                        int base = zo + j * d;
                        int oo = j * d;
                        for (int c = 0; c < d; c++) {
                            double v = ws.z[base + c] - offsets[oo + c];
                            q += v * v;
                        }
                        lp[i * k + j] = constants[j] - 0.5 * q;
                    }
                }
            }
            case TIED -> {
                Blas.get().dgemm("N", "N", d, rows, d, 1.0, factors, d, xc, d, 0.0, ws.z, d);
                for (int i = 0; i < rows; i++) {
                    int zo = i * d;
                    for (int j = 0; j < k; j++) {
                        double q = 0;
                        int oo = j * d;
                        for (int c = 0; c < d; c++) {
                            double v = ws.z[zo + c] - offsets[oo + c];
                            q += v * v;
                        }
                        lp[i * k + j] = constants[j] - 0.5 * q;
                    }
                }
            }
            case DIAG -> {
                for (int i = 0; i < rows; i++) {
                    int xo = i * d;
                    for (int j = 0; j < k; j++) {
                        double q = 0;
                        int mo = j * d;
                        for (int c = 0; c < d; c++) {
                            double v = (xc[xo + c] - centredMeans[mo + c]) * factors[mo + c];
                            q += v * v;
                        }
                        lp[i * k + j] = constants[j] - 0.5 * q;
                    }
                }
            }
            default -> {
                for (int i = 0; i < rows; i++) {
                    int xo = i * d;
                    for (int j = 0; j < k; j++) {
                        double q = 0;
                        int mo = j * d;
                        for (int c = 0; c < d; c++) {
                            double v = xc[xo + c] - centredMeans[mo + c];
                            q += v * v;
                        }
                        lp[i * k + j] = constants[j] - 0.5 * q * factors[j] * factors[j];
                    }
                }
            }
        }
        double ll = 0;
        for (int i = 0; i < rows; i++) {
            int o = i * k;
            double lse = GaussianMixture.logSumExp(lp, o, o + k);
            ws.logDensity[i] = lse;
            for (int j = 0; j < k; j++) {
                lp[o + j] = Math.exp(lp[o + j] - lse);
            }
            ll += (weights == null ? 1.0 : weights[i]) * lse;
        }
        return ll;
    }
}
