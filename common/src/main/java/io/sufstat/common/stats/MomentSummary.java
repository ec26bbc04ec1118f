package io.sufstat.common.stats;

import io.sufstat.common.linalg.Blas;
import io.sufstat.common.model.Gaussian;


/**
 * The weighted first and second moments of a set of rows in mergeable form: row count {@code n},
 * weight sum {@code W = Σwᵢ}, {@code Σwᵢ²}, mean {@code μ = Σwᵢxᵢ/W} and centred co-moment matrix
 * {@code M = Σwᵢ(xᵢ−μ)(xᵢ−μ)ᵀ} — the sufficient statistics of a Gaussian.
 *
 * <p>A mutable accumulator in the shape of {@code Stream.collect(create, accept, combine)} and Spark's
 * {@code aggregate(zero, seqOp, combOp)}: {@link #add add} a row, {@link #addBlock add} a block, and
 * {@link #combine combine} two summaries by the pairwise update of Chan, Golub &amp; LeVeque (1979/1983),
 * weighted as in Pébay (2008):
 * {@code δ = μ_b − μ_a, W = W_a + W_b, μ = μ_a + δ·W_b/W, M = M_a + M_b + δδᵀ·W_a·W_b/W}.
 * All sums are of {@code x − c} for a reference point {@code c} (the first row), and the mean is kept as
 * {@code c + (μ − c)}; a block is reduced about its own mean (two passes while it is in cache, the
 * co-moment by one SYRK). So data with a large offset and a small spread keep their digits, unlike the
 * raw-moment formula {@code Σwxxᵀ − Wμμᵀ}.
 *
 * <p>Rows must hold finite values and finite, non-negative weights: readers check them. An empty
 * summary (no weight) has no mean or covariance; asking for one throws.
 */
public final class MomentSummary implements Mergeable<MomentSummary> {
    private static final long serialVersionUID = 1L;

    private final int dim;
    private long count;
    private double weightSum;
    private double weightSquareSum;
    /**
     * Reference point {@code c} (the first row seen, or the other side's in a merge); {@code null} while
     * empty. Every sum is taken of {@code x − c}, which is exact for data near c, so that a large common
     * offset never meets a rounding step.
     */
    private double[] shift;
    /** {@code μ − c}: the mean is stored as the unevaluated sum {@code c + (μ − c)}. */
    private final double[] meanOffset;
    /** Row-major d×d; only the lower triangle (row ≥ column) is maintained. */
    private final double[] comoment;
    private transient double[] scratch;

    private MomentSummary(int dim) {
        this.dim = dim;
        this.meanOffset = new double[dim];
        this.comoment = new double[dim * dim];
    }

    /** An empty summary of rows with {@code dim} coordinates. */
    public static MomentSummary create(int dim) {
        if (dim <= 0) {
            throw new IllegalArgumentException("dimension must be positive: " + dim);
        }
        return new MomentSummary(dim);
    }

    /**
     * A summary from its saved parts (as {@link #reference()}, {@link #meanOffset()} and {@link #comoment()} give
     * them), so that a summary written to disk merges exactly as the one that was kept: the mean stays the
     * unevaluated sum {@code c + (μ − c)}. Every part is checked: finite, of dimension {@code dim}, a symmetric
     * co-moment matrix with a non-negative diagonal, {@code 0 ≤ Σw² ≤ W²}; with no weight, the mean parts must
     * be empty (length 0) and the co-moments zero.
     *
     * @throws IllegalArgumentException naming the first part that is not what a summary can hold
     */
    public static MomentSummary restore(int dim, long count, double weightSum, double weightSquareSum,
                                        double[] reference, double[] meanOffset, double[] comoment) {
        MomentSummary s = create(dim);
        if (count < 0) {
            throw new IllegalArgumentException("count must be non-negative, not " + count);
        }
        checkWeight(weightSum);
        if (!(weightSquareSum >= 0) || weightSquareSum > weightSum * weightSum * (1 + 1e-12)) {
            throw new IllegalArgumentException("the sum of squared weights must be in [0, W²] = [0, "
                    + weightSum * weightSum + "], not " + weightSquareSum);
        }
        if (weightSum > 0 && count == 0) {
            throw new IllegalArgumentException("a weight sum of " + weightSum + " needs at least one row");
        }
        if (comoment.length != dim * dim) {
            throw new IllegalArgumentException("the co-moment matrix must have " + dim + " x " + dim + " = " + dim * dim
                    + " entries, not " + comoment.length);
        }
        for (int r = 0; r < dim; r++) {
            for (int c = 0; c < dim; c++) {
                double v = comoment[r * dim + c];
                if (!Double.isFinite(v) || v != comoment[c * dim + r] || (r == c && v < 0)) {
                    throw new IllegalArgumentException("the co-moment matrix must be finite and symmetric with a"
                            + " non-negative diagonal; entry (" + r + ", " + c + ") is " + v);
                }
                if (weightSum == 0 && v != 0) {
                    throw new IllegalArgumentException("a summary with no weight has zero co-moments, not " + v);
                }
            }
        }
        if (weightSum == 0) {
            if (reference.length != 0 || meanOffset.length != 0) {
                throw new IllegalArgumentException("a summary with no weight has no mean");
            }
        } else {
            if (reference.length != dim || meanOffset.length != dim) {
                throw new IllegalArgumentException("the mean must have " + dim + " coordinates, not "
                        + reference.length + " and " + meanOffset.length);
            }
            for (int j = 0; j < dim; j++) {
                if (!Double.isFinite(reference[j]) || !Double.isFinite(meanOffset[j])) {
                    throw new IllegalArgumentException("the mean must be finite; coordinate " + j + " is "
                            + reference[j] + " + " + meanOffset[j]);
                }
            }
            s.shift = reference.clone();
            System.arraycopy(meanOffset, 0, s.meanOffset, 0, dim);
        }
        s.count = count;
        s.weightSum = weightSum;
        s.weightSquareSum = weightSquareSum;
        for (int r = 0; r < dim; r++) {
            System.arraycopy(comoment, r * dim, s.comoment, r * dim, r + 1);
        }
        return s;
    }

    /**
     * These statistics with every weight multiplied by {@code a > 0}: {@code W, M} times a, {@code Σw²} times a²,
     * the mean and count unchanged (a copy). With {@link #combine} it forms the convex combinations of stepwise EM.
     */
    public MomentSummary scaled(double a) {
        if (!(a > 0) || a == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("a scale must be finite and positive, not " + a);
        }
        MomentSummary o = new MomentSummary(dim);
        o.count = count;
        o.weightSum = weightSum * a;
        o.weightSquareSum = weightSquareSum * a * a;
        o.shift = shift == null ? null : shift.clone();
        System.arraycopy(meanOffset, 0, o.meanOffset, 0, dim);
        for (int i = 0; i < comoment.length; i++) {
            o.comoment[i] = comoment[i] * a;
        }
        return o;
    }

    /** Adds one row with unit weight. */
    public MomentSummary add(double[] x) {
        return add(x, 1.0);
    }

    /** Adds one row with weight {@code w} (weighted Welford update: a merge with a one-row summary). */
    public MomentSummary add(double[] x, double w) {
        checkDim(x.length);
        checkWeight(w);
        count++;
        if (w == 0) {
            return this;
        }
        if (shift == null) {
            shift = x.clone();
        }
        double total = weightSum + w;
        double f = weightSum * w / total;
        double g = w / total;
        double[] delta = scratch(dim);
        for (int j = 0; j < dim; j++) {
            delta[j] = (x[j] - shift[j]) - meanOffset[j];
            meanOffset[j] += g * delta[j];
        }
        rankOneUpdate(delta, f);
        weightSum = total;
        weightSquareSum += w * w;
        return this;
    }

    /** Adds the rows of a block (with their weights). */
    public MomentSummary addBlock(RowBlock block) {
        checkDim(block.dimension());
        return addBlock(block.values(), block.weights(), block.rows());
    }

    /**
     * Adds {@code rows} row-major rows of {@code values} with {@code weights} (an array of at least
     * {@code rows} entries). Two passes over the block: its weighted mean about a reference point, then
     * {@code M_b = YᵀY} by one SYRK with {@code yᵢ = √wᵢ (xᵢ − μ_b)}; then the pairwise merge.
     */
    public MomentSummary addBlock(double[] values, double[] weights, int rows) {
        if (rows == 0) {
            return this;
        }
        if (values.length < rows * dim || weights.length < rows) {
            throw new IllegalArgumentException("block arrays hold fewer than " + rows + " rows");
        }
        // Pass 1: block weight and mean of x − c, c the reference point (the block's first row when
        // the summary is still empty).
        if (shift == null) {
            shift = java.util.Arrays.copyOf(values, dim);
        }
        double[] blockOffset = new double[dim];
        double wb = 0;
        double wb2 = 0;
        for (int i = 0; i < rows; i++) {
            double w = weights[i];
            checkWeight(w);
            if (w == 0) {
                continue;
            }
            wb += w;
            wb2 += w * w;
            int o = i * dim;
            for (int j = 0; j < dim; j++) {
                blockOffset[j] += w * (values[o + j] - shift[j]);
            }
        }
        count += rows;
        if (wb == 0) {
            return this;
        }
        for (int j = 0; j < dim; j++) {
            blockOffset[j] /= wb;
        }
        // Pass 2: centred, weight-scaled copy; M += YᵀY (SYRK; the row-major lower triangle is the
        // column-major upper one).
        double[] y = scratch(rows * dim);
        for (int i = 0; i < rows; i++) {
            double s = Math.sqrt(weights[i]);
            int o = i * dim;
            for (int j = 0; j < dim; j++) {
                y[o + j] = s * ((values[o + j] - shift[j]) - blockOffset[j]);
            }
        }
        Blas.get().dsyrk("U", "N", dim, rows, 1.0, y, dim, 1.0, comoment, dim);
        mergeMoments(wb, wb2, blockOffset);
        return this;
    }

    /** Merges {@code other} into this summary (Chan et al. pairwise update); {@code other} is unchanged. */
    @Override
    public MomentSummary combine(MomentSummary other) {
        checkDim(other.dim);
        count += other.count;
        if (other.weightSum == 0) {
            return this;
        }
        for (int k = 0; k < comoment.length; k++) {
            comoment[k] += other.comoment[k];
        }
        if (shift == null || weightSum == 0) {
            shift = other.shift.clone();
        }
        // other's mean relative to this shift: (c_b − c_a) + (μ_b − c_b); the first difference is exact
        // for nearby reference points.
        double[] otherOffset = new double[dim];
        for (int j = 0; j < dim; j++) {
            otherOffset[j] = (other.shift[j] - shift[j]) + other.meanOffset[j];
        }
        mergeMoments(other.weightSum, other.weightSquareSum, otherOffset);
        return this;
    }

    /**
     * Adds the mean part of a merge with a part of weight {@code wb} whose mean is {@code c + offsetB}:
     * weights, the mean shift, and the {@code δδᵀ·W_a·W_b/W} term.
     */
    private void mergeMoments(double wb, double wb2, double[] offsetB) {
        if (weightSum == 0) {
            System.arraycopy(offsetB, 0, meanOffset, 0, dim);
            weightSum = wb;
            weightSquareSum = wb2;
            return;
        }
        double total = weightSum + wb;
        double f = weightSum * wb / total;
        double g = wb / total;
        double[] delta = new double[dim];
        for (int j = 0; j < dim; j++) {
            delta[j] = offsetB[j] - meanOffset[j];
            meanOffset[j] += g * delta[j];
        }
        rankOneUpdate(delta, f);
        weightSum = total;
        weightSquareSum += wb2;
    }

    private void rankOneUpdate(double[] delta, double f) {
        for (int r = 0; r < dim; r++) {
            double a = f * delta[r];
            int o = r * dim;
            for (int c = 0; c <= r; c++) {
                comoment[o + c] += a * delta[c];
            }
        }
    }

    private double[] scratch(int n) {
        if (scratch == null || scratch.length < n) {
            scratch = new double[Math.max(n, dim)];
        }
        return scratch;
    }

    private void checkDim(int d) {
        if (d != dim) {
            throw new IllegalArgumentException("expected " + dim + " coordinates, got " + d);
        }
    }

    private static void checkWeight(double w) {
        if (!(w >= 0) || w == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("weights must be finite and non-negative, got " + w);
        }
    }

    public int dimension() {
        return dim;
    }

    /** Rows added (including rows of weight 0). */
    public long count() {
        return count;
    }

    /** {@code W = Σwᵢ}. */
    public double weightSum() {
        return weightSum;
    }

    /** {@code Σwᵢ²}. */
    public double weightSquareSum() {
        return weightSquareSum;
    }

    /** {@code μ = Σwᵢxᵢ / W} (a copy). */
    public double[] mean() {
        requireWeight();
        double[] m = new double[dim];
        for (int j = 0; j < dim; j++) {
            m[j] = shift[j] + meanOffset[j];
        }
        return m;
    }

    /** The reference point c of the mean {@code μ = c + (μ − c)} (a copy; empty while the summary has no weight). */
    public double[] reference() {
        return weightSum == 0 ? new double[0] : shift.clone();
    }

    /** {@code μ − c} (a copy; empty while the summary has no weight). */
    public double[] meanOffset() {
        return weightSum == 0 ? new double[0] : meanOffset.clone();
    }

    /** {@code M = Σwᵢ(xᵢ−μ)(xᵢ−μ)ᵀ}, full symmetric row-major {@code d × d} (a copy). */
    public double[] comoment() {
        double[] m = new double[dim * dim];
        for (int r = 0; r < dim; r++) {
            for (int c = 0; c <= r; c++) {
                double v = comoment[r * dim + c];
                m[r * dim + c] = v;
                m[c * dim + r] = v;
            }
        }
        return m;
    }

    /**
     * The covariance {@code M / W} or {@code M / (W − Σw²/W)}, full symmetric row-major.
     *
     * @throws IllegalStateException when there is no weight, or too little for the unbiased estimate
     */
    public double[] covariance(CovarianceEstimator estimator) {
        double denominator = denominator(estimator);
        double[] m = comoment();
        for (int k = 0; k < m.length; k++) {
            m[k] /= denominator;
        }
        return m;
    }

    private double denominator(CovarianceEstimator estimator) {
        requireWeight();
        if (estimator == CovarianceEstimator.MAXIMUM_LIKELIHOOD) {
            return weightSum;
        }
        double d = weightSum - weightSquareSum / weightSum;
        if (!(d > 0)) {
            throw new IllegalStateException("the unbiased covariance needs more than one row of positive weight"
                    + " (W − Σw²/W = " + d + ")");
        }
        return d;
    }

    /**
     * The Gaussian with this summary's mean and covariance, plus {@code ridge} on the diagonal.
     *
     * @throws io.sufstat.common.linalg.NotPositiveDefiniteException when the covariance is singular
     */
    public Gaussian toGaussian(CovarianceEstimator estimator, double ridge) {
        if (!(ridge >= 0) || Double.isInfinite(ridge)) {
            throw new IllegalArgumentException("ridge must be finite and non-negative, got " + ridge);
        }
        double[] cov = covariance(estimator);
        for (int j = 0; j < dim; j++) {
            cov[j * dim + j] += ridge;
        }
        return Gaussian.of(mean(), cov);
    }

    /**
     * The weighted log-likelihood {@code Σwᵢ log N(xᵢ | m, S)} of the summarised rows under any Gaussian
     * {@code g = N(m, S)}, in closed form from the sufficient statistics:
     * {@code −½ [W(d log 2π + log|S|) + tr(S⁻¹M) + W(μ−m)ᵀS⁻¹(μ−m)]}.
     */
    public double logLikelihood(Gaussian g) {
        checkDim(g.dimension());
        requireWeight();
        double[] p = g.precisionCholesky();
        double[] m = comoment();
        // tr(S⁻¹M) = tr(Pᵀ M P) = Σ_rc P_rc (M P)_rc, with S⁻¹ = P Pᵀ.
        double[] mp = new double[dim * dim];
        Blas.get().dgemm("N", "N", dim, dim, dim, 1.0, p, dim, m, dim, 0.0, mp, dim);
        double trace = 0;
        for (int k = 0; k < mp.length; k++) {
            trace += p[k] * mp[k];
        }
        double[] diff = g.mean();
        for (int j = 0; j < dim; j++) {
            diff[j] = (shift[j] - diff[j]) + meanOffset[j];
        }
        double quad = g.mahalanobisSquared(diff);
        return -0.5 * (weightSum * (dim * Gaussian.LOG_2PI + g.logDeterminant()) + trace + weightSum * quad);
    }

    private void requireWeight() {
        if (weightSum == 0) {
            throw new IllegalStateException(count == 0
                    ? "no rows: the summary is empty"
                    : "the " + count + " rows all have weight 0");
        }
    }

    @Override
    public String toString() {
        return "MomentSummary[d=" + dim + ", n=" + count + ", W=" + weightSum + "]";
    }
}
