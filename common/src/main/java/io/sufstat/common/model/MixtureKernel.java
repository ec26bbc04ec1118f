package io.sufstat.common.model;

import io.sufstat.common.linalg.BlockProducts;


/**
 * A {@link GaussianMixture} prepared for evaluating blocks of rows, as broadcast to every task once per
 * EM iteration: a reference point {@code c = Σ π_k μ_k}, the precision factors {@code P_k = L_k⁻ᵀ}
 * side by side ({@code d × K·d}), the offsets {@code o_k = (μ_k − c)ᵀ P_k} and the constants
 * {@code log π_k − ½(d log 2π + log|Σ_k|)}.
 *
 * <p>A sub-block's rows are centred once, {@code [x − c, 1]}, and multiplied by the K factors stacked over
 * their offsets, {@code [P_1 … P_K; −o_1 … −o_K]}, which gives {@code z_ik = (x_i − c)ᵀ P_k − o_k =
 * (x_i − μ_k)ᵀ P_k} and {@code log π_k N(x_i | μ_k, Σ_k) = const_k − ½‖z_ik‖²}; the product and its
 * squares are {@link BlockProducts#squaredNorms} (one GEMM for all K, or SIMD kernels). Centring at c
 * keeps every term of the size of the data's spread, so a large common offset does not cancel. Diagonal
 * and spherical types use elementwise scaling instead; tied uses the product with K equal factors.
 * Immutable and thread-safe: work arrays live in the caller's {@link Workspace}.
 */
public final class MixtureKernel implements BlockDensity {
    private static final long serialVersionUID = 1L;
    /** Log-ratios below this give posteriors under half an ulp of 1: exactly 0. */
    private static final double NEGLIGIBLE = -40;

    private final CovarianceType type;
    private final int k;
    private final int d;
    private final double[] reference;
    /** means relative to the reference, K × d */
    private final double[] centredMeans;
    /** FULL, TIED: (d + 1) × K·d (P_k side by side over −o_k); DIAG: K × d inverse standard deviations; SPHERICAL: K. */
    private final double[] factors;
    private final double[] constants;
    /** FULL, TIED: the factors in the layout of the JVM's products, made on first use in each JVM. */
    private transient volatile Prepared prepared;

    /** Factors in one implementation's layout. */
    private record Prepared(BlockProducts products, double[] factors) {
    }

    private MixtureKernel(CovarianceType type, int k, int d, double[] reference, double[] centredMeans, double[] factors,
                          double[] constants) {
        this.type = type;
        this.k = k;
        this.d = d;
        this.reference = reference;
        this.centredMeans = centredMeans;
        this.factors = factors;
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
        switch (type) {
            case FULL, TIED -> {
                // (d + 1) × K·d, row-major: rows 0..d−1 hold P_k side by side, row d holds −o_k with
                // o_k = (μ_k − c)ᵀ P_k, so that [x − c, 1] · factors = (x − μ_k)ᵀ P_k for every k at once.
                int kd = k * d;
                factors = new double[(d + 1) * kd];
                for (int j = 0; j < k; j++) {
                    double[] p = m.component(j).precisionCholesky();
                    // The upper triangle only: the SIMD products rely on the zeros below the diagonal.
                    for (int r = 0; r < d; r++) {
                        System.arraycopy(p, r * d + r, factors, r * kd + j * d + r, d - r);
                    }
                    for (int col = 0; col < d; col++) {
                        double s = 0;
                        for (int r = 0; r <= col; r++) {
                            s += centred[j * d + r] * p[r * d + col];
                        }
                        factors[d * kd + j * d + col] = -s;
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
        return new MixtureKernel(type, k, d, c, centred, factors, constants);
    }

    /** Full and tied covariances use the GEMM path (tied as K equal factors). */
    public boolean wide() {
        return type == CovarianceType.FULL || type == CovarianceType.TIED;
    }

    @Override
    public int components() {
        return k;
    }

    @Override
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

    /** Coordinate {@code i} of {@code μ_j}, as {@code c + (μ_j − c)} rounded once: the means the M-step moves. */
    public double meanOf(int j, int i) {
        return reference[i] + centredMeans[j * d + i];
    }

    /** Coordinate {@code i} of {@code μ_j − c}. */
    public double centredMeanOf(int j, int i) {
        return centredMeans[j * d + i];
    }

    /** Per-task work arrays for blocks of up to {@code rows} rows. */
    @Override
    public Workspace workspace(int rows) {
        return new Workspace(rows);
    }

    /**
     * Rows per sub-block: the E-step's GEMM output for a sub-block ({@code rows × K·d} doubles) stays near
     * 256 KiB so that it, the rows and the gathered M-step rows stay in the core's cache; but never fewer
     * than 256 rows (when K·d is large), below which the GEMMs' inner dimension makes them inefficient.
     */
    public int subBlockRows() {
        return Math.max(256, Math.min(512, 32768 / Math.max(1, wide() ? k * d : d)));
    }

    /** Work arrays of one task; reuse across blocks, never share between threads. */
    public final class Workspace {
        final BlockProducts products = BlockProducts.get();
        final int capacity;
        final int sub;
        /** stride of the transposed sub-block: sub rounded up to the products' row alignment */
        final int ld;
        /** [x − c, 1] of a sub-block transposed, (d + 1) × ld: row j holds coordinate j, row d ones */
        final double[] centred;
        /** work space of the E-step product */
        final double[] work;
        /** squared norms of a sub-block, K × ld */
        final double[] norms;
        /** log π_k N_k(x_i), then posteriors r_ik: capacity × K */
        final double[] logp;
        /** log p(x_i), capacity */
        final double[] logDensity;
        /** E[u | x_i] of a Student-t mixture's rows, capacity (filled by {@link TMixtureKernel}) */
        final double[] latentWeight;
        /** per component, the sub-block's rows with positive posterior as [√w r (x − μ_k), √w r], padded to
         *  {@link BlockProducts#paddedWidth}: K × sub × paddedWidth(d + 1) */
        final double[] gathered;
        /** rows gathered per component */
        final int[] used;

        Workspace(int rows) {
            capacity = rows;
            sub = Math.min(rows, subBlockRows());
            int align = products.rowAlignment();
            // One alignment unit more than needed: a stride of a power of two bytes (512 rows = 4 KiB) would
            // map every coordinate's row to the same L1 set and thrash it.
            ld = (sub + align - 1) / align * align + Math.max(align, 8);
            centred = new double[(d + 1) * ld];
            java.util.Arrays.fill(centred, d * ld, (d + 1) * ld, 1.0);
            work = new double[wide() ? products.workSize(ld, k * d) : 0];
            norms = new double[k * ld];
            logp = new double[rows * k];
            logDensity = new double[rows];
            latentWeight = new double[rows];
            gathered = new double[k * sub * BlockProducts.paddedWidth(d + 1)];
            used = new int[k];
        }

        /** The most rows a block may have. */
        public int capacity() {
            return capacity;
        }

        /** Rows of a sub-block: callers that interleave E and M steps go this many rows at a time. */
        public int subBlock() {
            return sub;
        }

        /** The posteriors of the last block, row-major n × K (valid after {@link #posteriors}). */
        public double[] responsibilities() {
            return logp;
        }

        /** {@code E[u | x_i] = Σ_k τ_ik u_ik} of the last block's rows under a t-mixture ({@link TMixtureKernel}). */
        public double[] latentWeights() {
            return latentWeight;
        }

        /** {@code log p(x_i)} of the last block's rows. */
        public double[] logDensities() {
            return logDensity;
        }

        /** {@code [x − c, 1]} of the current sub-block, transposed: coordinate j of row i at {@code j · stride + i}. */
        public double[] centredRows() {
            return centred;
        }

        /** Stride of {@link #centredRows()}. */
        public int centredStride() {
            return ld;
        }

        /** Per-component gather buffers, K × subBlock × paddedWidth(d + 1). */
        public double[] gatheredRows() {
            return gathered;
        }

        /** δ of row {@code i} of the last {@link #squaredDistances} sub-block to component {@code j}. */
        public double squaredDistance(int j, int i) {
            return norms[j * ld + i];
        }

        /** Per-component counts of gathered rows. */
        public int[] gatheredCounts() {
            return used;
        }

        /** The products the kernels run on in this JVM. */
        public BlockProducts products() {
            return products;
        }
    }

    /**
     * E-step on a block: fills {@code ws.logDensities()} with {@code log p(x_i)} and
     * {@code ws.responsibilities()} with the posteriors {@code r_ik}; returns {@code Σ w_i log p(x_i)}
     * ({@code weights} null for unit weights).
     */
    @Override
    public double posteriors(double[] values, double[] weights, int rows, Workspace ws) {
        if (rows > ws.capacity) {
            throw new IllegalArgumentException(rows + " rows exceed the workspace's " + ws.capacity);
        }
        double ll = 0;
        for (int from = 0; from < rows; from += ws.sub) {
            ll += posteriors(values, weights, from, Math.min(rows, from + ws.sub), ws);
        }
        return ll;
    }

    /** The factors as {@code products} reads them; tasks of one executor sharing this kernel may race to make them. */
    private double[] preparedFactors(BlockProducts products) {
        Prepared p = prepared;
        if (p == null || p.products() != products) {
            p = new Prepared(products, products.prepareFactors(factors, d, k));
            prepared = p;
        }
        return p.factors();
    }

    /**
     * The squared Mahalanobis distances {@code δ_ik = (x_i − μ_k)ᵀ Σ_k⁻¹ (x_i − μ_k)} of rows [from, to) of a
     * block (at most {@link Workspace#subBlock()} of them) to every component, into the workspace: read them
     * with {@link Workspace#squaredDistance}. The first half of {@link #posteriors}; other models built on
     * the same locations and scales (Student-t mixtures) take their E-step from here.
     */
    public void squaredDistances(double[] values, int from, int to, Workspace ws) {
        int rows = to - from;
        if (rows > ws.sub || to > ws.capacity) {
            throw new IllegalArgumentException("rows [" + from + ", " + to + ") do not fit the workspace");
        }
        centre(values, from, to, ws);
        double[] xt = ws.centred;
        int ld = ws.ld;
        double[] norms = ws.norms;
        switch (type) {
            case FULL, TIED -> ws.products.squaredNorms(xt, ld, rows, d, k, preparedFactors(ws.products), ws.work,
                    norms);
            case DIAG, SPHERICAL -> diagonalNorms(xt, ld, rows, d, k, centredMeans, factors,
                    type == CovarianceType.DIAG, norms);
        }
    }

    /**
     * ‖(x − μ_k) / σ_k‖² for diagonal and spherical scales, coordinate by coordinate over all rows: a small
     * method of its own, so that the JIT compiles (and vectorises) its inner loop for these types alone.
     */
    private static void diagonalNorms(double[] xt, int ld, int rows, int d, int k, double[] centredMeans,
                                      double[] factors, boolean diag, double[] norms) {
        for (int j = 0; j < k; j++) {
            int o = j * ld;
            java.util.Arrays.fill(norms, o, o + rows, 0.0);
            for (int c = 0; c < d; c++) {
                double mu = centredMeans[j * d + c];
                double scale = diag ? factors[j * d + c] : factors[j];
                int xo = c * ld;
                for (int i = 0; i < rows; i++) {
                    double v = (xt[xo + i] - mu) * scale;
                    norms[o + i] += v * v;
                }
            }
        }
    }

    /** Writes rows [from, to) of a block as {@code [x − c, 1]}, transposed, into the workspace's centred rows. */
    public void centre(double[] values, int from, int to, Workspace ws) {
        double[] xt = ws.centred;
        int ld = ws.ld;
        int rows = to - from;
        // Eight rows at a time: the eight source rows stay in L1 while each coordinate's line is written.
        for (int i0 = 0; i0 < rows; i0 += 8) {
            int n = Math.min(8, rows - i0);
            for (int j = 0; j < d; j++) {
                double r = reference[j];
                int out = j * ld + i0;
                int src = (from + i0) * d + j;
                for (int i = 0; i < n; i++) {
                    xt[out + i] = values[src + i * d] - r;
                }
            }
        }
    }

    /**
     * E-step on rows {@code [from, to)} of a block (at most {@link Workspace#subBlock()} of them): their
     * log-densities and posteriors go to the same rows of the workspace's arrays.
     */
    public double posteriors(double[] values, double[] weights, int from, int to, Workspace ws) {
        int rows = to - from;
        squaredDistances(values, from, to, ws);
        double[] norms = ws.norms;
        int ld = ws.ld;
        double[] lp = ws.logp;
        int base = from * k;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < k; j++) {
                lp[base + i * k + j] = constants[j] - 0.5 * norms[j * ld + i];
            }
        }
        // log-sum-exp per row; each exponential once: r_ik = exp(l_ik − m)/Σ_j exp(l_ij − m).
        double ll = 0;
        for (int i = 0; i < rows; i++) {
            int o = base + i * k;
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                m = Math.max(m, lp[o + j]);
            }
            if (m == Double.NEGATIVE_INFINITY || m == Double.POSITIVE_INFINITY || Double.isNaN(m)) {
                // No component gives this row a finite density: report it, keep the posteriors finite.
                ws.logDensity[from + i] = m;
                for (int j = 0; j < k; j++) {
                    lp[o + j] = 1.0 / k;
                }
                ll += (weights == null ? 1.0 : weights[from + i]) * m;
                continue;
            }
            // A term below e^-40 ≈ 4e-18 cannot change a sum that is at least 1: it is 0, exp not called.
            double sum = 0;
            for (int j = 0; j < k; j++) {
                double t = lp[o + j] - m;
                double e = t < NEGLIGIBLE ? 0.0 : Math.exp(t);
                lp[o + j] = e;
                sum += e;
            }
            double inv = 1.0 / sum;
            for (int j = 0; j < k; j++) {
                lp[o + j] *= inv;
            }
            double lse = m + Math.log(sum);
            ws.logDensity[from + i] = lse;
            ll += (weights == null ? 1.0 : weights[from + i]) * lse;
        }
        return ll;
    }
}
