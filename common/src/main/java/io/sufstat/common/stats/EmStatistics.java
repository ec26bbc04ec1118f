package io.sufstat.common.stats;

import io.sufstat.common.linalg.Blas;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.MixtureKernel;

import java.io.Serializable;

/**
 * The sufficient statistics of one EM iteration for a Gaussian mixture, mergeable across partitions:
 * {@code N_k = Σ wᵢ rᵢₖ}, {@code S_k = Σ wᵢ rᵢₖ (xᵢ − μ_k)} and the second moments
 * {@code Q_k = Σ wᵢ rᵢₖ (xᵢ − μ_k)(xᵢ − μ_k)ᵀ} (full; summed over k for tied; diagonal only for diag and
 * spherical), taken about the current means μ_k so that they stay small near convergence, plus
 * {@code Σ wᵢ log p(xᵢ)}.
 *
 * <p>E and M statistics come from the same pass over a block: the posteriors from
 * {@link MixtureKernel#posteriors}, then per component one GEMM over the block's rows with a positive
 * posterior, {@code √(wᵢ rᵢₖ)(xᵢ − μ_k)}.
 * {@link #mStep} is scikit-learn's M-step ({@code _estimate_gaussian_parameters}, with its
 * {@code N_k + 10ε} and {@code reg_covar} on the diagonal): {@code μ_k' = μ_k + S_k/N_k},
 * {@code Σ_k' = (Q_k − N_k δ_k δ_kᵀ)/N_k + reg·I} with {@code δ_k = S_k/N_k}, {@code π_k' = N_k / Σ N}.
 */
public final class EmStatistics implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final double EPS = Math.ulp(1.0);

    private final CovarianceType type;
    private final int k;
    private final int d;
    private long count;
    private double weightSum;
    private double logLikelihood;
    private final double[] nk;
    private final double[] s;
    private final double[] q;

    private EmStatistics(CovarianceType type, int k, int d) {
        this.type = type;
        this.k = k;
        this.d = d;
        this.nk = new double[k];
        this.s = new double[k * d];
        this.q = new double[switch (type) {
            case FULL, TIED -> k * d * d;
            case DIAG, SPHERICAL -> k * d;
        }];
    }

    /** Empty statistics for a kernel's mixture. */
    public static EmStatistics create(MixtureKernel kernel) {
        return new EmStatistics(kernel.covarianceType(), kernel.components(), kernel.dimension());
    }

    /**
     * E-step and M statistics of a block of {@code rows} row-major rows ({@code weights} null for unit
     * weights) under {@code kernel}'s mixture. With {@code withMoments} false only the log-likelihood is
     * accumulated (the final evaluation of a fit).
     */
    public EmStatistics accumulate(MixtureKernel kernel, MixtureKernel.Workspace ws, double[] values, double[] weights,
                                   int rows, boolean withMoments) {
        count += rows;
        for (int i = 0; i < rows; i++) {
            weightSum += weights == null ? 1.0 : weights[i];
        }
        logLikelihood += kernel.posteriors(values, weights, rows, ws);
        if (withMoments) {
            accumulateMoments(kernel, values, weights, rows, ws.responsibilities(), ws);
        }
        return this;
    }

    /**
     * M statistics of a block for given responsibilities ({@code resp}, row-major n × K), about the
     * kernel's means — used by initialisations that start from responsibilities (k-means labels,
     * random responsibilities). The log-likelihood is not touched.
     */
    public EmStatistics accumulateResponsibilities(MixtureKernel kernel, MixtureKernel.Workspace ws, double[] values,
                                                   double[] weights, int rows, double[] resp) {
        count += rows;
        for (int i = 0; i < rows; i++) {
            weightSum += weights == null ? 1.0 : weights[i];
        }
        accumulateMoments(kernel, values, weights, rows, resp, ws);
        return this;
    }

    /**
     * M statistics of a block's rows with posteriors {@code resp} (rows × K). Per component, the rows with
     * {@code wᵢrᵢₖ > 0} are gathered as {@code √(wᵢrᵢₖ)(xᵢ − μ_k)} and their co-moments added by one GEMM;
     * rows whose posterior is exactly 0 (far from the component) cost nothing.
     */
    private void accumulateMoments(MixtureKernel kernel, double[] values, double[] weights, int rows, double[] resp,
                                   MixtureKernel.Workspace ws) {
        double[] ref = kernel.reference();
        double[] y = ws.scaledRows();
        double[] mu = new double[d];
        boolean wide = type == CovarianceType.FULL || type == CovarianceType.TIED;
        for (int j = 0; j < k; j++) {
            for (int c = 0; c < d; c++) {
                mu[c] = ref[c] + kernel.centredMeanOf(j, c);
            }
            int so = j * d;
            double n = 0;
            int used = 0;
            for (int i = 0; i < rows; i++) {
                double wr = (weights == null ? 1.0 : weights[i]) * resp[i * k + j];
                if (wr == 0) {
                    continue;
                }
                n += wr;
                int xo = i * d;
                if (wide) {
                    double sw = Math.sqrt(wr);
                    int yo = used * d;
                    for (int c = 0; c < d; c++) {
                        double dev = values[xo + c] - mu[c];
                        s[so + c] += wr * dev;
                        y[yo + c] = sw * dev;
                    }
                } else {
                    for (int c = 0; c < d; c++) {
                        double dev = values[xo + c] - mu[c];
                        double v = wr * dev;
                        s[so + c] += v;
                        q[so + c] += v * dev;
                    }
                }
                used++;
            }
            nk[j] += n;
            if (wide && used > 0) {
                // YᵀY (both triangles) by GEMM: for d × d outputs faster than SYRK in OpenBLAS.
                Blas.get().dgemm("N", "T", d, d, used, 1.0, y, 0, d, y, 0, d, 1.0, q, j * d * d, d);
            }
        }
    }

    /** Adds {@code other} (statistics of other rows under the same kernel) to these. */
    public EmStatistics combine(EmStatistics other) {
        if (other.type != type || other.k != k || other.d != d) {
            throw new IllegalArgumentException("statistics of different mixtures cannot be combined");
        }
        count += other.count;
        weightSum += other.weightSum;
        logLikelihood += other.logLikelihood;
        add(nk, other.nk);
        add(s, other.s);
        add(q, other.q);
        return this;
    }

    private static void add(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
    }

    /** Rows seen. */
    public long count() {
        return count;
    }

    /** {@code W = Σ wᵢ}. */
    public double weightSum() {
        return weightSum;
    }

    /** {@code Σ wᵢ log p(xᵢ)} under the kernel's mixture. */
    public double logLikelihood() {
        return logLikelihood;
    }

    /** {@code N_k} (a copy). */
    public double[] componentWeights() {
        return nk.clone();
    }

    /**
     * The M-step: the mixture that maximises the expected complete-data log-likelihood given these
     * statistics, with {@code regCovar} added to every covariance diagonal.
     *
     * @throws io.sufstat.common.linalg.NotPositiveDefiniteException naming the component whose covariance
     *         is not positive definite even with the ridge
     */
    public GaussianMixture mStep(MixtureKernel kernel, double regCovar) {
        double[] ref = kernel.reference();
        double[] n = new double[k];
        double total = 0;
        for (int j = 0; j < k; j++) {
            n[j] = nk[j] + 10 * EPS;
            total += n[j];
        }
        double[] weights = new double[k];
        double[][] means = new double[k][d];
        double[][] delta = new double[k][d];
        for (int j = 0; j < k; j++) {
            weights[j] = n[j] / total;
            for (int c = 0; c < d; c++) {
                delta[j][c] = s[j * d + c] / n[j];
                means[j][c] = (ref[c] + kernel.centredMeanOf(j, c)) + delta[j][c];
            }
        }
        double[][] covs = new double[k][];
        switch (type) {
            case FULL -> {
                for (int j = 0; j < k; j++) {
                    covs[j] = centredCovariance(q, j * d * d, new double[][] {delta[j]}, new double[] {nk[j]}, n[j],
                            regCovar);
                }
            }
            case TIED -> {
                double[] sum = new double[d * d];
                for (int j = 0; j < k; j++) {
                    for (int e = 0; e < sum.length; e++) {
                        sum[e] += q[j * d * d + e];
                    }
                }
                double[] tied = centredCovariance(sum, 0, delta, nk, total, regCovar);
                for (int j = 0; j < k; j++) {
                    covs[j] = tied.clone();
                }
            }
            case DIAG, SPHERICAL -> {
                for (int j = 0; j < k; j++) {
                    double[] diag = new double[d];
                    double mean = 0;
                    for (int c = 0; c < d; c++) {
                        diag[c] = (q[j * d + c] - nk[j] * delta[j][c] * delta[j][c]) / n[j] + regCovar;
                        mean += diag[c];
                    }
                    mean /= d;
                    covs[j] = new double[d * d];
                    for (int c = 0; c < d; c++) {
                        covs[j][c * d + c] = type == CovarianceType.DIAG ? diag[c] : mean;
                    }
                }
            }
        }
        return GaussianMixture.of(type, weights, means, covs);
    }

    /** {@code (Q − Σ_j N_j δ_j δ_jᵀ)/divisor + reg·I}, symmetric, from the lower triangle of Q at offset. */
    private double[] centredCovariance(double[] qa, int offset, double[][] deltas, double[] ns, double divisor, double reg) {
        double[] c = new double[d * d];
        for (int r = 0; r < d; r++) {
            for (int col = 0; col <= r; col++) {
                double v = qa[offset + r * d + col];
                for (int j = 0; j < deltas.length; j++) {
                    v -= ns[j] * deltas[j][r] * deltas[j][col];
                }
                v /= divisor;
                if (r == col) {
                    v += reg;
                }
                c[r * d + col] = v;
                c[col * d + r] = v;
            }
        }
        return c;
    }
}
