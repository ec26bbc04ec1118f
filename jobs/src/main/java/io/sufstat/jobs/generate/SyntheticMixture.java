package io.sufstat.jobs.generate;

import io.sufstat.common.model.Gaussian;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A random Gaussian mixture and the rows drawn from it, both determined by a seed alone.
 *
 * <p>Parameters: weights ∝ U[1, 2); means {@code offset + scale·separation·z}, {@code z ~ N(0, I)};
 * covariances {@code scale²(½I + BBᵀ)} with {@code B} of i.i.d. {@code N(0, 1/d)} entries. Rows come in
 * chunks of {@value #CHUNK_ROWS}; chunk {@code c} draws from its own generator seeded by a hash of
 * {@code (seed, c)}, so the data are the same whatever the number of partitions.
 */
public final class SyntheticMixture implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Rows per generator stream. */
    public static final int CHUNK_ROWS = 65_536;

    private final long seed;
    private final double[] weights;
    private final List<Gaussian> components;
    /** Student-t components' ν (rows drawn as μ + (g − μ)√(ν/χ²_ν)), or null for Gaussian components. */
    private final double[] dof;

    private SyntheticMixture(long seed, double[] weights, List<Gaussian> components, double[] dof) {
        this.seed = seed;
        this.weights = weights;
        this.components = components;
        this.dof = dof;
    }

    /** Draws from a fitted model (the {@code sample} job): the same chunked, seeded streams. */
    public static SyntheticMixture of(io.sufstat.common.model.GaussianMixture m, long seed) {
        return new SyntheticMixture(seed, m.weights(), m.components(), null);
    }

    /** Draws from a fitted Student-t mixture: the same streams, each Gaussian draw scaled by √(ν/χ²_ν). */
    public static SyntheticMixture of(io.sufstat.common.model.TMixture t, long seed) {
        return new SyntheticMixture(seed, t.scales().weights(), t.scales().components(), t.degreesOfFreedom());
    }

    public static SyntheticMixture random(int d, int k, long seed, double separation, double offset, double scale) {
        if (d <= 0 || k <= 0) {
            throw new IllegalArgumentException("dimension and components must be positive: " + d + ", " + k);
        }
        if (!(scale > 0) || !Double.isFinite(scale) || !Double.isFinite(offset) || !(separation >= 0)) {
            throw new IllegalArgumentException("scale must be positive, offset finite and separation non-negative");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[] w = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            w[i] = 1 + rng.nextDouble();
            sum += w[i];
        }
        for (int i = 0; i < k; i++) {
            w[i] /= sum;
        }
        List<Gaussian> comps = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            double[] mean = new double[d];
            for (int j = 0; j < d; j++) {
                mean[j] = offset + scale * separation * rng.nextGaussian();
            }
            double[] b = new double[d * d];
            for (int j = 0; j < b.length; j++) {
                b[j] = rng.nextGaussian() / Math.sqrt(d);
            }
            double[] cov = new double[d * d];
            for (int r = 0; r < d; r++) {
                for (int c = 0; c <= r; c++) {
                    double s = r == c ? 0.5 : 0;
                    for (int m = 0; m < d; m++) {
                        s += b[r * d + m] * b[c * d + m];
                    }
                    cov[r * d + c] = scale * scale * s;
                    cov[c * d + r] = scale * scale * s;
                }
            }
            comps.add(Gaussian.of(mean, cov));
        }
        return new SyntheticMixture(seed, w, Collections.unmodifiableList(comps), null);
    }

    public int dimension() {
        return components.get(0).dimension();
    }

    public double[] weights() {
        return weights.clone();
    }

    public List<Gaussian> components() {
        return components;
    }

    /** Chunks needed for {@code rows} rows. */
    public static long chunks(long rows) {
        return (rows + CHUNK_ROWS - 1) / CHUNK_ROWS;
    }

    /** Receives generated rows. */
    @FunctionalInterface
    public interface RowSink {
        void accept(double[] row, int component);
    }

    /**
     * Draws the rows of chunk {@code c} of a data set of {@code totalRows} rows into {@code sink}
     * (the row array is reused).
     */
    public void drawChunk(long c, long totalRows, RowSink sink) {
        long first = c * CHUNK_ROWS;
        long n = Math.min(CHUNK_ROWS, totalRows - first);
        SplittableRandom rng = new SplittableRandom(mix(seed, c));
        int d = dimension();
        double[] row = new double[d];
        double[] cumulative = new double[weights.length];
        double acc = 0;
        for (int k = 0; k < weights.length; k++) {
            acc += weights[k];
            cumulative[k] = acc;
        }
        double[][] means = dof == null ? null : components.stream().map(Gaussian::mean).toArray(double[][]::new);
        for (long i = 0; i < n; i++) {
            double u = rng.nextDouble() * acc;
            int k = 0;
            while (k < cumulative.length - 1 && u >= cumulative[k]) {
                k++;
            }
            components.get(k).sample(rng, 1, row);
            if (dof != null) {
                double scale = Math.sqrt(dof[k] / (2 * io.sufstat.common.model.TMixture.gammaDraw(dof[k] / 2, rng)));
                double[] mu = means[k];
                for (int j = 0; j < d; j++) {
                    row[j] = mu[j] + (row[j] - mu[j]) * scale;
                }
            }
            sink.accept(row, k);
        }
    }

    /** A 64-bit mix of seed and chunk index (SplitMix64's finaliser), so that chunk streams are unrelated. */
    static long mix(long seed, long chunk) {
        long z = seed + 0x9E3779B97F4A7C15L * (chunk + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
