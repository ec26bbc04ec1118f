package io.sufstat.common.stats;

import io.sufstat.common.linalg.Blas;
import io.sufstat.common.linalg.Cholesky;
import io.sufstat.common.model.Gaussian;
import io.sufstat.common.model.Ppca;

import java.io.Serializable;

/**
 * One EM iteration of a mixture of probabilistic PCA models (Tipping &amp; Bishop 1999b), as mergeable
 * statistics of size K·d·q, never d × d. For component k with its current μ_k, W_k, σ_k² and
 * {@code x_c = x − μ_k}, {@code y = W_kᵀ x_c}, {@code z = M_k⁻¹ y}:
 * {@code log N(x | μ_k, C_k) = −½ (d log 2π + log|C_k| + (‖x_c‖² − yᵀz)/σ_k²)}, responsibilities by
 * log-sum-exp, and {@code N_k = Σ r}, {@code a_k = Σ r x_c}, {@code T_k = Σ r x_c yᵀ}, {@code s_k = Σ r ‖x_c‖²}.
 * The M-step (the paper's two-stage update): {@code μ_k' = μ_k + a_k/N_k}; with
 * {@code δ = a_k/N_k}, the responsibility-weighted covariance about μ_k' enters only through
 * {@code S W = T/N − δ (δᵀW)} and {@code tr S = s/N − ‖δ‖²}; then
 * {@code W' = S W (σ² I + M⁻¹ Wᵀ S W)⁻¹}, {@code σ²' = (tr S − tr(S W M⁻¹ W'ᵀ)) / d}, {@code π_k' = N_k / N},
 * taken from the Rayleigh–Ritz model of S within span(W_k) (as ppca does; S W and Wᵀ S W are all it needs),
 * which fixes the variances along the current axes in one step where plain EM creeps towards them.
 */
public final class MppcaStatistics implements Mergeable<MppcaStatistics> {
    private static final long serialVersionUID = 1L;

    private final int k;
    private final int d;
    private final int q;
    private long count;
    private double logLikelihood;
    private final double[] n;
    private final double[] a;
    private final double[] t;
    private final double[] s;

    private MppcaStatistics(int k, int d, int q) {
        this.k = k;
        this.d = d;
        this.q = q;
        this.n = new double[k];
        this.a = new double[k * d];
        this.t = new double[k * d * q];
        this.s = new double[k];
    }

    public static MppcaStatistics create(int k, int d, int q) {
        return new MppcaStatistics(k, d, q);
    }

    /** What a task needs of the current mixture: per component μ, [B W] (d × 2q) and constants. */
    public static final class Step implements Serializable {
        private static final long serialVersionUID = 1L;
        final int k;
        final int d;
        final int q;
        final double[][] mean;
        /** per component, row-major d × 2q: B = W M⁻¹ in the first q columns, W in the last q */
        final double[][] bw;
        final double[] logWeightConst;
        final double[] sigma2;

        public Step(double[] weights, Ppca[] components) {
            this.k = components.length;
            this.d = components[0].dimension();
            this.q = components[0].latentDimension();
            this.mean = new double[k][];
            this.bw = new double[k][];
            this.logWeightConst = new double[k];
            this.sigma2 = new double[k];
            for (int j = 0; j < k; j++) {
                Ppca c = components[j];
                mean[j] = c.mean();
                double[] b = c.posteriorMap();
                double[] w = c.loadings();
                bw[j] = new double[d * 2 * q];
                for (int i = 0; i < d; i++) {
                    System.arraycopy(b, i * q, bw[j], i * 2 * q, q);
                    System.arraycopy(w, i * q, bw[j], i * 2 * q + q, q);
                }
                logWeightConst[j] = Math.log(weights[j]) - 0.5 * (d * Gaussian.LOG_2PI + c.logDeterminant());
                sigma2[j] = c.noiseVariance();
            }
        }

        /** Rows per sub-block: the centred rows stay within about 2 MiB. */
        public int subBlockRows() {
            return Math.max(16, Math.min(512, 262_144 / d));
        }

        public int components() {
            return k;
        }

        public int dimension() {
            return d;
        }

        public int latentDimension() {
            return q;
        }

        public double[][] workspace() {
            int rows = subBlockRows();
            return new double[][] {new double[rows * d], new double[k * rows * 2 * q], new double[rows * k],
                new double[rows * k], new double[rows * q]};
        }
    }

    /** Adds {@code rows} row-major rows. */
    public MppcaStatistics accumulate(Step st, double[] values, int rows, double[][] work) {
        double[] xc = work[0];
        double[] zy = work[1];
        double[] lp = work[2];
        double[] sq = work[3];
        double[] ry = work[4];
        int sub = st.subBlockRows();
        int q2 = 2 * q;
        for (int from = 0; from < rows; from += sub) {
            int m = Math.min(sub, rows - from);
            // E-step: log π_k N_k(x) for every component.
            int zs = sub * q2;
            for (int j = 0; j < k; j++) {
                centre(values, from, m, st.mean[j], xc, sq, j);
                // [Z Y] of component j, kept for its M statistics below.
                Blas.get().dgemm("N", "N", q2, m, d, 1.0, st.bw[j], 0, q2, xc, 0, d, 0.0, zy, j * zs, q2);
                for (int i = 0; i < m; i++) {
                    double yz = 0;
                    int o = j * zs + i * q2;
                    for (int c = 0; c < q; c++) {
                        yz += zy[o + c] * zy[o + q + c];
                    }
                    lp[i * k + j] = st.logWeightConst[j] - 0.5 * (sq[i * k + j] - yz) / st.sigma2[j];
                }
            }
            for (int i = 0; i < m; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    max = Math.max(max, lp[i * k + j]);
                }
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    double e = lp[i * k + j] - max < -40 ? 0 : Math.exp(lp[i * k + j] - max);
                    lp[i * k + j] = e;
                    sum += e;
                }
                for (int j = 0; j < k; j++) {
                    lp[i * k + j] /= sum;
                }
                logLikelihood += max + Math.log(sum);
            }
            count += m;
            // M statistics per component, about its current mean.
            for (int j = 0; j < k; j++) {
                centre(values, from, m, st.mean[j], xc, sq, j);
                for (int i = 0; i < m; i++) {
                    double r = lp[i * k + j];
                    n[j] += r;
                    s[j] += r * sq[i * k + j];
                    for (int c = 0; c < d; c++) {
                        a[j * d + c] += r * xc[i * d + c];
                    }
                    for (int c = 0; c < q; c++) {
                        ry[i * q + c] = r * zy[j * zs + i * q2 + q + c];
                    }
                }
                // T_j (row-major d × q = column-major q × d) += (r∘Y)ᵀ X_c.
                Blas.get().dgemm("N", "T", q, d, m, 1.0, ry, 0, q, xc, 0, d, 1.0, t, j * d * q, q);
            }
        }
        return this;
    }

    private void centre(double[] values, int from, int m, double[] mu, double[] xc, double[] sq, int j) {
        for (int i = 0; i < m; i++) {
            int src = (from + i) * d;
            double ss = 0;
            for (int c = 0; c < d; c++) {
                double v = values[src + c] - mu[c];
                xc[i * d + c] = v;
                ss += v * v;
            }
            sq[i * k + j] = ss;
        }
    }

    @Override
    public MppcaStatistics combine(MppcaStatistics o) {
        if (o.k != k || o.d != d || o.q != q) {
            throw new IllegalArgumentException("statistics of different shapes cannot be combined");
        }
        count += o.count;
        logLikelihood += o.logLikelihood;
        for (int i = 0; i < k; i++) {
            n[i] += o.n[i];
            s[i] += o.s[i];
        }
        for (int i = 0; i < a.length; i++) {
            a[i] += o.a[i];
        }
        for (int i = 0; i < t.length; i++) {
            t[i] += o.t[i];
        }
        return this;
    }

    public long count() {
        return count;
    }

    /** {@code Σ log p(x)} under the mixture the statistics were taken with. */
    public double logLikelihood() {
        return logLikelihood;
    }

    /** {@code N_k} (a copy). */
    public double[] componentWeights() {
        return n.clone();
    }

    /** The Rayleigh–Ritz step of a component with axes W and weighted covariance S ({@code SW} and tr S given). */
    private java.util.Optional<RayleighRitz> rayleighRitz(double[] w, double[] sw, double trS) {
        double[] g = new double[q * q];
        double[] p = new double[q * q];
        for (int i = 0; i < d; i++) {
            for (int r = 0; r < q; r++) {
                for (int c = 0; c < q; c++) {
                    g[r * q + c] += w[i * q + r] * w[i * q + c];
                    p[r * q + c] += w[i * q + r] * sw[i * q + c];
                }
            }
        }
        return RayleighRitz.of(g, p, trS, d, q);
    }

    /** The new weights (into {@code weights}) and components; throws naming a component that has collapsed. */
    public Ppca[] mStep(Ppca[] current, double[] weights) {
        double total = 0;
        for (double v : n) {
            total += v;
        }
        Ppca[] out = new Ppca[k];
        for (int j = 0; j < k; j++) {
            double nk = n[j];
            if (!(nk > q + 1)) {
                throw new IllegalStateException("component " + (j + 1) + " holds the weight of " + String.format("%.3g", nk)
                        + " rows, too few for q = " + q + " (fewer components or a smaller q)");
            }
            weights[j] = nk / total;
            Ppca c = current[j];
            double[] w = c.loadings();
            double[] mu = c.mean();
            double[] delta = new double[d];
            double dd = 0;
            for (int i = 0; i < d; i++) {
                delta[i] = a[j * d + i] / nk;
                mu[i] += delta[i];
                dd += delta[i] * delta[i];
            }
            // SW = T/N − δ (δᵀW).
            double[] dw = new double[q];
            for (int i = 0; i < d; i++) {
                for (int c2 = 0; c2 < q; c2++) {
                    dw[c2] += delta[i] * w[i * q + c2];
                }
            }
            double[] sw = new double[d * q];
            for (int i = 0; i < d; i++) {
                for (int c2 = 0; c2 < q; c2++) {
                    sw[i * q + c2] = t[j * d * q + i * q + c2] / nk - delta[i] * dw[c2];
                }
            }
            double trS = s[j] / nk - dd;
            double sigma2 = c.noiseVariance();
            // The Rayleigh–Ritz optimum within span(W) first (as in ppca): the variances along the current
            // axes exactly, then the EM step from there moves the subspace.
            java.util.Optional<RayleighRitz> ritz = rayleighRitz(w, sw, trS);
            if (ritz.isPresent()) {
                w = RayleighRitz.times(w, ritz.get().basisChange(), d, q);
                sw = RayleighRitz.times(sw, ritz.get().basisChange(), d, q);
                sigma2 = ritz.get().noiseVariance();
                c = Ppca.of(mu, w, q, sigma2);
            }
            double[] minv = c.mInverse();
            double[] mm = c.m();
            // W' = SW (σ² I + M⁻¹ WᵀSW)⁻¹ = SW H⁻¹ M with H = σ² M + WᵀSW, symmetric positive definite:
            // each row of W' is (H⁻¹ (SW)ᵢᵀ)ᵀ M, by the Cholesky factor of H.
            double[] h = new double[q * q];
            for (int i = 0; i < d; i++) {
                for (int r = 0; r < q; r++) {
                    for (int c2 = 0; c2 < q; c2++) {
                        h[r * q + c2] += w[i * q + r] * sw[i * q + c2];
                    }
                }
            }
            for (int r = 0; r < q; r++) {
                for (int c2 = 0; c2 <= r; c2++) {
                    double v = sigma2 * mm[r * q + c2] + 0.5 * (h[r * q + c2] + h[c2 * q + r]);
                    h[r * q + c2] = v;
                    h[c2 * q + r] = v;
                }
            }
            Cholesky ch = Cholesky.decompose(h, q).orThrow(null);
            double[] wNew = new double[d * q];
            double[] row = new double[q];
            for (int i = 0; i < d; i++) {
                System.arraycopy(sw, i * q, row, 0, q);
                ch.solveInPlace(row);
                for (int c2 = 0; c2 < q; c2++) {
                    double v = 0;
                    for (int x = 0; x < q; x++) {
                        v += row[x] * mm[x * q + c2];
                    }
                    wNew[i * q + c2] = v;
                }
            }
            // σ²' = (tr S − tr(SW M⁻¹ W'ᵀ)) / d.
            double tr = 0;
            for (int i = 0; i < d; i++) {
                for (int r = 0; r < q; r++) {
                    double v = 0;
                    for (int x = 0; x < q; x++) {
                        v += sw[i * q + x] * minv[x * q + r];
                    }
                    tr += v * wNew[i * q + r];
                }
            }
            double s2 = (trS - tr) / d;
            if (!(s2 > 0)) {
                throw new IllegalStateException("component " + (j + 1) + ": its noise variance vanished (the data lie"
                        + " on a q-dimensional subspace): use a smaller q");
            }
            out[j] = Ppca.of(mu, wNew, q, s2);
        }
        return out;
    }
}
