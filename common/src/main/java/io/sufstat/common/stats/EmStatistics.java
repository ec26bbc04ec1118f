package io.sufstat.common.stats;

import io.sufstat.common.linalg.Blas;
import io.sufstat.common.linalg.BlockProducts;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.MixtureKernel;


/**
 * The sufficient statistics of one EM iteration for a Gaussian mixture, mergeable across partitions:
 * {@code N_k = Σ wᵢ rᵢₖ}, {@code S_k = Σ wᵢ rᵢₖ (xᵢ − μ_k)} and the second moments
 * {@code Q_k = Σ wᵢ rᵢₖ (xᵢ − μ_k)(xᵢ − μ_k)ᵀ} (full; summed over k for tied; diagonal only for diag and
 * spherical), taken about the current means μ_k so that they stay small near convergence, plus
 * {@code Σ wᵢ log p(xᵢ)}.
 *
 * <p>E and M statistics come from the same pass over a block: the posteriors from
 * {@link MixtureKernel#posteriors}, then per component one Gram product ({@link io.sufstat.common.linalg.BlockProducts#addGram}) over the rows with a positive
 * posterior, {@code √(wᵢ rᵢₖ)(xᵢ − μ_k)}.
 * {@link #mStep} is scikit-learn's M-step ({@code _estimate_gaussian_parameters}, with its
 * {@code N_k + 10ε} and {@code reg_covar} on the diagonal): {@code μ_k' = μ_k + S_k/N_k},
 * {@code Σ_k' = (Q_k − N_k δ_k δ_kᵀ)/N_k + reg·I} with {@code δ_k = S_k/N_k}, {@code π_k' = N_k / Σ N}.
 */
public final class EmStatistics implements Mergeable<EmStatistics> {
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
    /** FULL, TIED: per component the (d + 1) × paddedWidth(d + 1) Gram matrix of [√(w r)(x − μ_k), √(w r)],
     *  lower triangle; DIAG, SPHERICAL: K × d diagonal second moments. */
    private final double[] q;
    private final int wp;

    private EmStatistics(CovarianceType type, int k, int d) {
        this.type = type;
        this.k = k;
        this.d = d;
        this.wp = BlockProducts.paddedWidth(d + 1);
        this.nk = new double[k];
        this.s = new double[k * d];
        this.q = new double[switch (type) {
            case FULL, TIED -> k * (d + 1) * BlockProducts.paddedWidth(d + 1);
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
        countRows(weights, rows);
        // E and M on one cache-sized sub-block at a time, while its rows are in cache.
        for (int from = 0; from < rows; from += ws.subBlock()) {
            int to = Math.min(rows, from + ws.subBlock());
            logLikelihood += kernel.posteriors(values, weights, from, to, ws);
            if (withMoments) {
                accumulateMoments(kernel, values, weights, from, to, ws.responsibilities(), ws);
            }
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
        countRows(weights, rows);
        for (int from = 0; from < rows; from += ws.subBlock()) {
            int to = Math.min(rows, from + ws.subBlock());
            accumulateMoments(kernel, values, weights, from, to, resp, ws);
        }
        return this;
    }

    /**
     * E-step and M statistics of a block whose rows may have missing coordinates (NaN), for EM over the
     * missing values: complete rows go through {@link #accumulate} together; a row with missing values
     * contributes, per component, its posterior from the observed coordinates' marginal, its observed
     * values with the component's conditional means in the missing ones, and in the second moments the
     * conditional covariance of the missing block: {@code E[(x − μ)(x − μ)ᵀ | x_o, k] =
     * (x̂_k − μ_k)(x̂_k − μ_k)ᵀ + [Σ_k,m|o in the missing block]}; the log-likelihood is
     * {@code log p(x_o)}. {@code patterns} caches the conditionals per missingness pattern (per task).
     */
    public EmStatistics accumulateWithMissing(MixtureKernel kernel, MixtureKernel.Workspace ws, GaussianMixture mixture,
                                              java.util.Map<MissingPattern, PatternConditional> patterns, double[] values,
                                              double[] weights, int rows, boolean withMoments) {
        boolean gaps = false;
        for (int e = 0; e < rows * d && !gaps; e++) {
            gaps = Double.isNaN(values[e]);
        }
        if (!gaps) {
            return accumulate(kernel, ws, values, weights, rows, withMoments);
        }
        double[] complete = new double[rows * d];
        double[] completeWeights = weights == null ? null : new double[rows];
        int nc = 0;
        // Rows with gaps grouped by pattern, in order of first appearance (a deterministic summation order).
        java.util.Map<MissingPattern, int[]> groups = new java.util.LinkedHashMap<>();
        java.util.Map<MissingPattern, Integer> sizes = new java.util.HashMap<>();
        boolean[] mask = new boolean[d];
        for (int i = 0; i < rows; i++) {
            boolean any = false;
            for (int c = 0; c < d; c++) {
                mask[c] = Double.isNaN(values[i * d + c]);
                any |= mask[c];
            }
            if (!any) {
                System.arraycopy(values, i * d, complete, nc * d, d);
                if (completeWeights != null) {
                    completeWeights[nc] = weights[i];
                }
                nc++;
                continue;
            }
            MissingPattern key = new MissingPattern(mask.clone());
            int[] members = groups.computeIfAbsent(key, x -> new int[8]);
            int size = sizes.getOrDefault(key, 0);
            if (size == members.length) {
                members = java.util.Arrays.copyOf(members, 2 * size);
                groups.put(key, members);
            }
            members[size] = i;
            sizes.put(key, size + 1);
        }
        for (var e : groups.entrySet()) {
            PatternConditional pc = patterns.computeIfAbsent(e.getKey(), p -> new PatternConditional(mixture, p.mask()));
            addPatternGroup(kernel, ws, pc, values, weights, e.getValue(), sizes.get(e.getKey()), withMoments);
        }
        if (nc > 0) {
            accumulate(kernel, ws, complete, completeWeights, nc, withMoments);
        }
        return this;
    }

    /**
     * Rows of one missingness pattern at once, with level-3 kernels: per component the observed parts are
     * whitened by one triangular solve ({@code Z = (X_o − μ_o) L_oo⁻ᵀ}), the conditional means are
     * {@code μ_m + Z L_moᵀ} (one GEMM), the marginal log-densities {@code c − ½‖z‖²}; after the posteriors,
     * the completed rows weighted by {@code √(w r)} go through the Gram product, and the conditional
     * covariance of the missing block is added once, times {@code Σ w r}.
     */
    private void addPatternGroup(MixtureKernel kernel, MixtureKernel.Workspace ws, PatternConditional pc, double[] values,
                                 double[] weights, int[] members, int n, boolean withMoments) {
        int[] obs = pc.observed;
        int[] mis = pc.missing;
        int no = obs.length;
        int nm = mis.length;
        double[] lp = new double[n * k];
        double[][] filled = new double[k][];
        for (int j = 0; j < k; j++) {
            double[] mu = pc.means[j];
            double[] z = new double[n * Math.max(no, 1)];
            for (int i = 0; i < n; i++) {
                int row = members[i];
                for (int a = 0; a < no; a++) {
                    z[i * no + a] = values[row * d + obs[a]] - mu[obs[a]];
                }
            }
            if (no > 0) {
                // L_oo Zᵀ = (X_o − μ_o)ᵀ: row-major L_oo is column-major L_ooᵀ, hence "U", "T".
                Blas.get().dtrsm("L", "U", "T", "N", no, n, 1.0, pc.lOo[j], no, z, no);
            }
            double[] xh = new double[n * nm];
            if (no > 0 && nm > 0) {
                Blas.get().dgemm("T", "N", nm, n, no, 1.0, pc.lMo[j], no, z, no, 0.0, xh, nm);
            }
            double[] full = new double[n * d];
            for (int i = 0; i < n; i++) {
                int row = members[i];
                double ss = 0;
                for (int a = 0; a < no; a++) {
                    ss += z[i * no + a] * z[i * no + a];
                    full[i * d + obs[a]] = values[row * d + obs[a]];
                }
                for (int t = 0; t < nm; t++) {
                    full[i * d + mis[t]] = mu[mis[t]] + xh[i * nm + t];
                }
                lp[i * k + j] = pc.constants[j] - 0.5 * ss;
            }
            filled[j] = full;
        }
        double[] r = new double[n * k];
        for (int i = 0; i < n; i++) {
            double wt = weights == null ? 1.0 : weights[members[i]];
            double lse = GaussianMixture.logSumExp(lp, i * k, (i + 1) * k);
            for (int j = 0; j < k; j++) {
                r[i * k + j] = wt * Math.exp(lp[i * k + j] - lse);
            }
            count++;
            weightSum += wt;
            logLikelihood += wt * lse;
        }
        if (!withMoments) {
            return;
        }
        for (int j = 0; j < k; j++) {
            double[] full = filled[j];
            double total = 0;
            if (kernel.wide()) {
                double[] g = new double[n * wp];
                int used = 0;
                for (int i = 0; i < n; i++) {
                    double wr = r[i * k + j];
                    if (wr == 0) {
                        continue;
                    }
                    total += wr;
                    double sw = Math.sqrt(wr);
                    for (int c = 0; c < d; c++) {
                        g[used * wp + c] = sw * (full[i * d + c] - kernel.meanOf(j, c));
                    }
                    g[used * wp + d] = sw;
                    used++;
                }
                int base = j * (d + 1) * wp;
                if (used > 0) {
                    ws.products().addGram(g, 0, used, d + 1, q, base);
                }
                double[] cov = pc.covariance[j];
                for (int a = 0; a < nm; a++) {
                    for (int b = 0; b < nm; b++) {
                        if (mis[a] >= mis[b]) {
                            q[base + mis[a] * wp + mis[b]] += total * cov[a * nm + b];
                        }
                    }
                }
            } else {
                for (int i = 0; i < n; i++) {
                    double wr = r[i * k + j];
                    if (wr == 0) {
                        continue;
                    }
                    total += wr;
                    nk[j] += wr;
                    for (int c = 0; c < d; c++) {
                        double dev = full[i * d + c] - kernel.meanOf(j, c);
                        s[j * d + c] += wr * dev;
                        q[j * d + c] += wr * dev * dev;
                    }
                }
                double[] cov = pc.covariance[j];
                for (int t = 0; t < nm; t++) {
                    q[j * d + mis[t]] += total * cov[t * nm + t];
                }
            }
        }
    }

    /** The row-by-row form of {@link #accumulateWithMissing}: the reference its block kernels are tested against. */
    EmStatistics accumulateWithMissingRowByRow(MixtureKernel kernel, MixtureKernel.Workspace ws, GaussianMixture mixture,
                                              java.util.Map<MissingPattern, PatternConditional> patterns, double[] values,
                                              double[] weights, int rows, boolean withMoments) {
        double[] complete = new double[rows * d];
        double[] completeWeights = weights == null ? null : new double[rows];
        int nc = 0;
        double[] x = new double[d];
        boolean[] mask = new boolean[d];
        for (int i = 0; i < rows; i++) {
            boolean any = false;
            for (int c = 0; c < d; c++) {
                double v = values[i * d + c];
                mask[c] = Double.isNaN(v);
                any |= mask[c];
            }
            double wt = weights == null ? 1.0 : weights[i];
            if (!any) {
                System.arraycopy(values, i * d, complete, nc * d, d);
                if (completeWeights != null) {
                    completeWeights[nc] = wt;
                }
                nc++;
                continue;
            }
            PatternConditional pc = patterns.computeIfAbsent(new MissingPattern(mask.clone()),
                    p -> new PatternConditional(mixture, p.mask()));
            System.arraycopy(values, i * d, x, 0, d);
            count++;
            weightSum += wt;
            logLikelihood += wt * pc.conditional.impute(x, null, null, pc.work);
            if (withMoments) {
                addIncomplete(kernel, pc, values, i, wt);
            }
        }
        if (nc > 0) {
            accumulate(kernel, ws, complete, completeWeights, nc, withMoments);
        }
        return this;
    }

    /** A missingness pattern as a map key. */
    public record MissingPattern(boolean[] mask) {
        @Override
        public boolean equals(Object o) {
            return o instanceof MissingPattern p && java.util.Arrays.equals(mask, p.mask);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(mask);
        }
    }

    /**
     * The mixture conditioned on one pattern: its work arrays, and per component the conditional covariance,
     * the factor blocks {@code L_oo} (|o| × |o|) and {@code L_mo} (|m| × |o|), the mean and
     * {@code log π_j + marginal constant}.
     */
    public static final class PatternConditional {
        final io.sufstat.common.inference.MixtureConditional conditional;
        final io.sufstat.common.inference.MixtureConditional.Work work;
        final int[] missing;
        final int[] observed;
        final double[][] covariance;
        final double[][] lOo;
        final double[][] lMo;
        final double[][] means;
        final double[] constants;

        public PatternConditional(GaussianMixture m, boolean[] mask) {
            this.conditional = io.sufstat.common.inference.MixtureConditional.of(m, mask);
            this.work = conditional.work();
            this.missing = conditional.missing();
            this.observed = conditional.component(0).observed();
            int k = m.size();
            int d = m.dimension();
            int no = observed.length;
            int nm = missing.length;
            this.covariance = new double[k][];
            this.lOo = new double[k][];
            this.lMo = new double[k][];
            this.means = new double[k][];
            this.constants = new double[k];
            for (int j = 0; j < k; j++) {
                io.sufstat.common.inference.GaussianConditional gc = conditional.component(j);
                covariance[j] = gc.conditionalCovariance();
                double[] l = gc.factor();
                lOo[j] = new double[no * no];
                for (int a = 0; a < no; a++) {
                    System.arraycopy(l, a * d, lOo[j], a * no, no);
                }
                lMo[j] = new double[nm * no];
                for (int t = 0; t < nm; t++) {
                    System.arraycopy(l, (no + t) * d, lMo[j], t * no, no);
                }
                means[j] = m.component(j).mean();
                constants[j] = Math.log(m.weight(j)) + gc.marginalLogConstant();
            }
        }
    }

    private void addIncomplete(MixtureKernel kernel, PatternConditional pc, double[] values, int row, double wt) {
        double[] post = pc.work.posteriors();
        int[] mis = pc.missing;
        int nm = mis.length;
        double[] dev = new double[d];
        int[] where = new int[d];
        java.util.Arrays.fill(where, -1);
        for (int t = 0; t < nm; t++) {
            where[mis[t]] = t;
        }
        for (int j = 0; j < k; j++) {
            double r = wt * post[j];
            if (r == 0) {
                continue;
            }
            double[] xhat = pc.conditional.componentMean(pc.work, j);
            for (int c = 0; c < d; c++) {
                double v = where[c] >= 0 ? xhat[c] : values[row * d + c];
                dev[c] = v - kernel.meanOf(j, c);
            }
            double[] cov = pc.covariance[j];
            if (kernel.wide()) {
                int base = j * (d + 1) * wp;
                for (int a = 0; a < d; a++) {
                    int ta = where[a];
                    for (int b = 0; b <= a; b++) {
                        double v = dev[a] * dev[b];
                        if (ta >= 0 && where[b] >= 0) {
                            v += cov[ta * nm + where[b]];
                        }
                        q[base + a * wp + b] += r * v;
                    }
                    q[base + d * wp + a] += r * dev[a];
                }
                q[base + d * wp + d] += r;
            } else {
                nk[j] += r;
                for (int c = 0; c < d; c++) {
                    s[j * d + c] += r * dev[c];
                    double v = dev[c] * dev[c];
                    if (where[c] >= 0) {
                        v += cov[where[c] * nm + where[c]];
                    }
                    q[j * d + c] += r * v;
                }
            }
        }
    }

    /** Counts rows and their weight without moments (a pass that only evaluates). */
    public EmStatistics countRowsOnly(double[] weights, int rows) {
        countRows(weights, rows);
        return this;
    }

    private void countRows(double[] weights, int rows) {
        count += rows;
        for (int i = 0; i < rows; i++) {
            weightSum += weights == null ? 1.0 : weights[i];
        }
    }

    /**
     * M statistics of rows [from, to) of {@code values}, posteriors at the same
     * rows of {@code resp}. Full and tied: every row is appended, once, to each component where it has
     * positive weight as {@code [√(w r)(x − μ_k), √(w r)]}; one Gram product per component then adds
     * {@code Q_k} (top-left d × d), {@code S_k} (last row) and {@code N_k} (corner) at once. Rows with a
     * posterior of exactly 0 cost nothing. Diagonal and spherical: the sums directly.
     */
    private void accumulateMoments(MixtureKernel kernel, double[] values, double[] weights, int from, int to,
                                   double[] resp, MixtureKernel.Workspace ws) {
        int rows = to - from;
        // Deviations from the means straight from the rows (contiguous, and one rounding instead of two).
        double[] m = new double[k * d];
        for (int j = 0; j < k; j++) {
            for (int c = 0; c < d; c++) {
                m[j * d + c] = kernel.meanOf(j, c);
            }
        }
        if (kernel.wide()) {
            double[] g = ws.gatheredRows();
            int[] used = ws.gatheredCounts();
            java.util.Arrays.fill(used, 0);
            int stride = ws.subBlock() * wp;
            for (int i = 0; i < rows; i++) {
                int row = from + i;
                double wt = weights == null ? 1.0 : weights[row];
                for (int j = 0; j < k; j++) {
                    double wr = wt * resp[row * k + j];
                    if (wr == 0) {
                        continue;
                    }
                    double sw = Math.sqrt(wr);
                    int go = j * stride + used[j] * wp;
                    int mo = j * d;
                    int xo = row * d;
                    for (int c = 0; c < d; c++) {
                        g[go + c] = sw * (values[xo + c] - m[mo + c]);
                    }
                    g[go + d] = sw;
                    used[j]++;
                }
            }
            BlockProducts products = ws.products();
            for (int j = 0; j < k; j++) {
                if (used[j] > 0) {
                    products.addGram(g, j * stride, used[j], d + 1, q, j * (d + 1) * wp);
                }
            }
            return;
        }
        for (int i = 0; i < rows; i++) {
            int row = from + i;
            double wt = weights == null ? 1.0 : weights[row];
            for (int j = 0; j < k; j++) {
                double wr = wt * resp[row * k + j];
                if (wr == 0) {
                    continue;
                }
                nk[j] += wr;
                int so = j * d;
                int xo = row * d;
                for (int c = 0; c < d; c++) {
                    double dev = values[xo + c] - m[so + c];
                    double v = wr * dev;
                    s[so + c] += v;
                    q[so + c] += v * dev;
                }
            }
        }
    }

    /** Adds {@code other} (statistics of other rows under the same kernel) to these. */
    @Override
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
        if (type == CovarianceType.FULL || type == CovarianceType.TIED) {
            double[] out = new double[k];
            for (int j = 0; j < k; j++) {
                out[j] = q[(j * (d + 1) + d) * wp + d];
            }
            return out;
        }
        return nk.clone();
    }

    /** {@code S_k}, component j's sum of {@code w r (x − μ_k)}, coordinate c. */
    private double firstMoment(int j, int c) {
        if (type == CovarianceType.FULL || type == CovarianceType.TIED) {
            return q[(j * (d + 1) + d) * wp + c];
        }
        return s[j * d + c];
    }

    /**
     * Each component's responsibility-weighted moments as a {@link MomentSummary}: weight {@code N_k}, mean
     * {@code μ_k + S_k/N_k} (kept as the kernel's mean plus the offset) and centred co-moments
     * {@code Q_k − N_k δ_k δ_kᵀ} (only the diagonal for diag and spherical; off-diagonal entries are zero). A
     * component without weight is an empty summary. Tied statistics sum Q over the components, so they have
     * no per-component form.
     *
     * @throws IllegalArgumentException for tied statistics
     */
    public MomentSummary[] componentMoments(MixtureKernel kernel) {
        if (type == CovarianceType.TIED) {
            throw new IllegalArgumentException("tied statistics have no per-component co-moments");
        }
        double[] ref = kernel.reference();
        double[] nk = componentWeights();
        MomentSummary[] out = new MomentSummary[k];
        for (int j = 0; j < k; j++) {
            if (!(nk[j] > 0)) {
                out[j] = MomentSummary.create(d);
                continue;
            }
            double[] reference = new double[d];
            double[] offset = new double[d];
            for (int c = 0; c < d; c++) {
                reference[c] = ref[c] + kernel.centredMeanOf(j, c);
                offset[c] = firstMoment(j, c) / nk[j];
            }
            double[] m = new double[d * d];
            for (int r = 0; r < d; r++) {
                for (int c = 0; c <= r; c++) {
                    double v;
                    if (type == CovarianceType.FULL) {
                        v = q[(j * (d + 1) + r) * wp + c] - nk[j] * offset[r] * offset[c];
                    } else {
                        v = r == c ? q[j * d + c] - nk[j] * offset[c] * offset[c] : 0;
                    }
                    if (r == c) {
                        v = Math.max(v, 0);
                    }
                    m[r * d + c] = v;
                    m[c * d + r] = v;
                }
            }
            out[j] = MomentSummary.restore(d, Math.max(1, count), nk[j], 0, reference, offset, m);
        }
        return out;
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
        double[] nk = componentWeights();
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
                delta[j][c] = firstMoment(j, c) / n[j];
                means[j][c] = (ref[c] + kernel.centredMeanOf(j, c)) + delta[j][c];
            }
        }
        double[][] covs = new double[k][];
        switch (type) {
            case FULL -> {
                for (int j = 0; j < k; j++) {
                    covs[j] = centredCovariance(q, j * (d + 1) * wp, new double[][] {delta[j]}, new double[] {nk[j]},
                            n[j], regCovar);
                }
            }
            case TIED -> {
                double[] sum = new double[(d + 1) * wp];
                for (int j = 0; j < k; j++) {
                    for (int e = 0; e < sum.length; e++) {
                        sum[e] += q[j * sum.length + e];
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
                double v = qa[offset + r * wp + col];
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
