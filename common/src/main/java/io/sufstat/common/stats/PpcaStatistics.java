package io.sufstat.common.stats;

import io.sufstat.common.linalg.Blas;
import io.sufstat.common.linalg.Cholesky;
import io.sufstat.common.model.Gaussian;
import io.sufstat.common.model.Ppca;

import java.io.Serializable;

/**
 * The sufficient statistics of one EM iteration for probabilistic PCA (Tipping &amp; Bishop 1999, §3.2;
 * Roweis 1998), mergeable across partitions, never of size d × d: with {@code x_c = x − μ} and the
 * posterior means {@code E[z] = Bᵀ x_c}, {@code B = W M⁻¹},
 * {@code S_xz = Σ w x_c E[z]ᵀ} (d × q), {@code S_zz = Σ w E[z]E[z]ᵀ} (q × q) and {@code s = Σ w ‖x_c‖²}.
 * Per block, three GEMMs: {@code Z = X_c B}, {@code S_xz += X_cᵀ Z}, {@code S_zz += ZᵀZ}.
 *
 * <p>M-step: with {@code A = Σ E[zzᵀ] = N σ² M⁻¹ + S_zz}, {@code W' = S_xz A⁻¹} and
 * {@code σ²' = (s − 2 tr(W'ᵀ S_xz) + tr(A W'ᵀW')) / (N d)}. The log-likelihood of the current
 * parameters comes from the same statistics: {@code Σ w x_cᵀ C⁻¹ x_c = (s − tr(M S_zz)) / σ²}.
 */
public final class PpcaStatistics implements Mergeable<PpcaStatistics> {
    private static final long serialVersionUID = 1L;

    private final int d;
    private final int q;
    private long count;
    private double weightSum;
    private double sumSquares;
    private final double[] sxz;
    private final double[] szz;

    private PpcaStatistics(int d, int q) {
        this.d = d;
        this.q = q;
        this.sxz = new double[d * q];
        this.szz = new double[q * q];
    }

    /** What a task needs of the current model: μ, {@code B = W M⁻¹}; broadcast once per iteration. */
    public static final class Step implements Serializable {
        private static final long serialVersionUID = 1L;
        final int d;
        final int q;
        final double[] mean;
        final double[] b;

        public Step(Ppca model) {
            this.d = model.dimension();
            this.q = model.latentDimension();
            this.mean = model.mean();
            this.b = model.posteriorMap();
        }

        /** Rows per sub-block: the centred rows stay within about 2 MiB. */
        public int subBlockRows() {
            return Math.max(16, Math.min(1024, 262_144 / d));
        }

        public int dimension() {
            return d;
        }

        public int latentDimension() {
            return q;
        }

        /** Work arrays of one task. */
        public double[][] workspace() {
            int n = subBlockRows();
            return new double[][] {new double[n * d], new double[n * q]};
        }
    }

    public static PpcaStatistics create(int d, int q) {
        return new PpcaStatistics(d, q);
    }

    /** Adds {@code rows} row-major rows ({@code weights} null for unit weights). */
    public PpcaStatistics accumulate(Step step, double[] values, double[] weights, int rows, double[][] work) {
        double[] xc = work[0];
        double[] z = work[1];
        int sub = step.subBlockRows();
        for (int from = 0; from < rows; from += sub) {
            int n = Math.min(sub, rows - from);
            for (int i = 0; i < n; i++) {
                double wt = weights == null ? 1.0 : weights[from + i];
                double sw = Math.sqrt(wt);
                int src = (from + i) * d;
                int dst = i * d;
                double ss = 0;
                for (int j = 0; j < d; j++) {
                    double v = sw * (values[src + j] - step.mean[j]);
                    xc[dst + j] = v;
                    ss += v * v;
                }
                sumSquares += ss;
                weightSum += wt;
            }
            count += n;
            // Column-major views: X_cᵀ is d × n (ld d), B row-major is q × d column-major, Zᵀ is q × n.
            Blas.get().dgemm("N", "N", q, n, d, 1.0, step.b, q, xc, d, 0.0, z, q);
            Blas.get().dgemm("N", "T", q, d, n, 1.0, z, q, xc, d, 1.0, sxz, q);
            Blas.get().dgemm("N", "T", q, q, n, 1.0, z, q, z, q, 1.0, szz, q);
        }
        return this;
    }

    @Override
    public PpcaStatistics combine(PpcaStatistics o) {
        if (o.d != d || o.q != q) {
            throw new IllegalArgumentException("statistics of different shapes cannot be combined");
        }
        count += o.count;
        weightSum += o.weightSum;
        sumSquares += o.sumSquares;
        for (int i = 0; i < sxz.length; i++) {
            sxz[i] += o.sxz[i];
        }
        for (int i = 0; i < szz.length; i++) {
            szz[i] += o.szz[i];
        }
        return this;
    }

    public long count() {
        return count;
    }

    public double weightSum() {
        return weightSum;
    }

    /** {@code Σ w log N(x | μ, C)} under {@code model}, the model these statistics were taken with. */
    public double logLikelihood(Ppca model) {
        double[] m = model.m();
        double trace = 0;
        for (int a = 0; a < q; a++) {
            for (int b = 0; b < q; b++) {
                trace += m[a * q + b] * szz[b * q + a];
            }
        }
        double quad = (sumSquares - trace) / model.noiseVariance();
        return -0.5 * weightSum * (d * Gaussian.LOG_2PI + model.logDeterminant()) - 0.5 * quad;
    }

    /**
     * The best model whose principal subspace is that of {@code model}'s W (these statistics' model): the
     * Rayleigh–Ritz solution. With {@code G = BᵀB = LLᵀ} and {@code H = L⁻¹ (BᵀSB) L⁻ᵀ = VΛVᵀ} (S the
     * sample covariance, {@code BᵀSB = S_zz/N}), the axes are {@code U = B L⁻ᵀ V}, {@code σ² = (tr S − ΣΛ)/(d − q)}
     * and {@code W = U (Λ − σ²)^{1/2}}: Tipping &amp; Bishop's closed form restricted to that subspace.
     * Plain EM fixes the variances along the axes only at the rate {@code 1 − 2σ²/λ} per iteration (slow
     * for strong components); this step fixes them exactly, and EM's own step then moves the subspace.
     * Returns the model and the change of basis T with {@code B_new = B T}, for {@link #inBasis}; empty
     * while the subspace is still poor (some {@code λ_j ≤ σ²}, where the closed form would zero a column of W
     * and EM could never bring it back): plain EM steps then.
     */
    public java.util.Optional<RitzStep> rayleighRitz(Ppca model) {
        double n = weightSum;
        double[] b = model.posteriorMap();
        double[] g = new double[q * q];
        for (int i = 0; i < d; i++) {
            for (int r = 0; r < q; r++) {
                for (int c = 0; c < q; c++) {
                    g[r * q + c] += b[i * q + r] * b[i * q + c];
                }
            }
        }
        double[] p = new double[q * q];
        for (int i = 0; i < q * q; i++) {
            p[i] = szz[i] / n;
        }
        java.util.Optional<RayleighRitz> step = RayleighRitz.of(g, p, sumSquares / n, d, q);
        if (step.isEmpty()) {
            return java.util.Optional.empty();
        }
        double[] t0 = step.get().basisChange();
        double sigma2 = step.get().noiseVariance();
        // W_new = B T0.
        double[] wNew = RayleighRitz.times(b, t0, d, q);
        Ppca ritz = Ppca.of(model.mean(), wNew, q, sigma2);
        // B_new = W_new M_new⁻¹ = B T0 M_new⁻¹.
        double[] minv = ritz.mInverse();
        return java.util.Optional.of(new RitzStep(ritz, RayleighRitz.times(t0, minv, q, q)));
    }

    /** A Rayleigh–Ritz model and the change of basis {@code T} from the pass's B to the model's. */
    public record RitzStep(Ppca model, double[] basisChange) {
    }

    /**
     * These statistics as if taken with {@code B T} instead of B (any model whose B spans the same columns):
     * {@code S_xz T} and {@code Tᵀ S_zz T}; s and N are unchanged.
     */
    public PpcaStatistics inBasis(double[] t) {
        PpcaStatistics o = new PpcaStatistics(d, q);
        o.count = count;
        o.weightSum = weightSum;
        o.sumSquares = sumSquares;
        for (int i = 0; i < d; i++) {
            for (int c = 0; c < q; c++) {
                double x = 0;
                for (int k = 0; k < q; k++) {
                    x += sxz[i * q + k] * t[k * q + c];
                }
                o.sxz[i * q + c] = x;
            }
        }
        for (int r = 0; r < q; r++) {
            for (int c = 0; c < q; c++) {
                double x = 0;
                for (int i = 0; i < q; i++) {
                    for (int j = 0; j < q; j++) {
                        x += t[i * q + r] * szz[i * q + j] * t[j * q + c];
                    }
                }
                o.szz[r * q + c] = x;
            }
        }
        return o;
    }


    /** The M-step: the new W and σ² (μ stays the mean). */
    public Ppca mStep(Ppca model) {
        double n = weightSum;
        double s2 = model.noiseVariance();
        double[] minv = model.mInverse();
        double[] a = new double[q * q];
        for (int i = 0; i < a.length; i++) {
            a[i] = n * s2 * minv[i] + szz[i];
        }
        for (int r = 0; r < q; r++) {
            for (int c = 0; c < r; c++) {
                double v = 0.5 * (a[r * q + c] + a[c * q + r]);
                a[r * q + c] = v;
                a[c * q + r] = v;
            }
        }
        Cholesky ca = Cholesky.decompose(a, q).orThrow(null);
        // W'ᵢ (row i) solves A W'ᵢᵀ = S_xz,iᵀ.
        double[] wNew = new double[d * q];
        double[] row = new double[q];
        for (int i = 0; i < d; i++) {
            System.arraycopy(sxz, i * q, row, 0, q);
            ca.solveInPlace(row);
            System.arraycopy(row, 0, wNew, i * q, q);
        }
        double cross = 0;
        for (int i = 0; i < d * q; i++) {
            cross += wNew[i] * sxz[i];
        }
        double[] g = new double[q * q];
        for (int i = 0; i < d; i++) {
            for (int r = 0; r < q; r++) {
                double wr = wNew[i * q + r];
                for (int c = 0; c < q; c++) {
                    g[r * q + c] += wr * wNew[i * q + c];
                }
            }
        }
        double tr = 0;
        for (int r = 0; r < q; r++) {
            for (int c = 0; c < q; c++) {
                tr += a[r * q + c] * g[c * q + r];
            }
        }
        double sigma2 = (sumSquares - 2 * cross + tr) / (n * d);
        return Ppca.of(model.mean(), wNew, q, Math.max(sigma2, Double.MIN_NORMAL));
    }
}
