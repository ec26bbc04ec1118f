package io.sufstat.common.em;

import io.sufstat.common.linalg.Blas;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.MixtureKernel;
import io.sufstat.common.stats.ClusterSums;

import java.util.Arrays;

/**
 * One Lloyd iteration of k-means (Lloyd 1982) as a block pass: every row goes to its nearest centre
 * (squared Euclidean distances about the kernel's reference point, the cross products by {@code dgemm}; the
 * first centre on a tie) and adds itself to that cluster's {@link ClusterSums}; the next centres are the clusters' means
 * ({@link #next}). An empty cluster keeps its centre.
 */
public final class Lloyd implements EStep<ClusterSums, Lloyd.Workspace> {
    private static final long serialVersionUID = 1L;

    private final double[][] centres;
    private final MixtureKernel kernel;
    /** The centres minus the kernel's reference c, K × d row-major (d × K column-major for dgemm). */
    private final double[] centred;
    /** ‖μ_k − c‖². */
    private final double[] centredNorms;

    private Lloyd(double[][] centres, MixtureKernel kernel) {
        this.centres = centres;
        this.kernel = kernel;
        int k = centres.length;
        int d = centres[0].length;
        this.centred = new double[k * d];
        this.centredNorms = new double[k];
        for (int j = 0; j < k; j++) {
            for (int c = 0; c < d; c++) {
                double v = kernel.centredMeanOf(j, c);
                centred[j * d + c] = v;
                centredNorms[j] += v * v;
            }
        }
    }

    /** The iteration from {@code centres} (K rows of d coordinates, finite). */
    public static Lloyd from(double[][] centres) {
        int k = centres.length;
        if (k == 0) {
            throw new IllegalArgumentException("k-means needs at least one centre");
        }
        int d = centres[0].length;
        double[][] copy = new double[k][];
        double[][] unit = new double[k][];
        double[] identity = new double[d * d];
        for (int c = 0; c < d; c++) {
            identity[c * d + c] = 1;
        }
        for (int j = 0; j < k; j++) {
            if (centres[j].length != d) {
                throw new IllegalArgumentException("centre " + j + " has " + centres[j].length + " coordinates, not " + d);
            }
            copy[j] = centres[j].clone();
            unit[j] = identity;
        }
        double[] w = new double[k];
        Arrays.fill(w, 1.0 / k);
        return new Lloyd(copy, MixtureKernel.of(GaussianMixture.of(CovarianceType.SPHERICAL, w, copy, unit)));
    }

    @Override
    public ClusterSums zero() {
        return ClusterSums.create(centres.length, centres[0].length);
    }

    @Override
    public Workspace workspace(int blockRows) {
        MixtureKernel.Workspace ws = kernel.workspace(Math.max(1, blockRows));
        return new Workspace(ws, new double[ws.subBlock() * centres.length]);
    }

    /** The kernel's workspace (centred rows) and the sub-block's K scores per row. */
    public record Workspace(MixtureKernel.Workspace rows, double[] scores) {
    }

    /**
     * Assigns each row to the centre of least {@code ‖μ_k − c‖² − 2 (x − c)·(μ_k − c)} (its squared distance less
     * {@code ‖x − c‖²}, the same for every centre), the cross products of a sub-block in one {@code dgemm}, as
     * scikit-learn's Lloyd step does; the chosen centre's distance, for the inertia, is then summed directly.
     */
    @Override
    public void accumulate(ClusterSums s, Workspace work, double[] values, double[] weights, int rows) {
        int k = centres.length;
        int d = centres[0].length;
        MixtureKernel.Workspace ws = work.rows();
        double[] scores = work.scores();
        for (int from = 0; from < rows; from += ws.subBlock()) {
            int to = Math.min(rows, from + ws.subBlock());
            int n = to - from;
            kernel.centre(values, from, to, ws);
            double[] xt = ws.centredRows();
            int ld = ws.centredStride();
            // scores (n × K, column-major) = −2 · X̃ (n × d, column-major, stride ld) · C̃ᵀ (C̃ row-major K × d).
            Blas.get().dgemm("N", "N", n, k, d, -2.0, xt, ld, centred, d, 0.0, scores, n);
            for (int i = 0; i < n; i++) {
                int best = 0;
                double bestScore = scores[i] + centredNorms[0];
                for (int j = 1; j < k; j++) {
                    double score = scores[j * n + i] + centredNorms[j];
                    if (score < bestScore) {
                        bestScore = score;
                        best = j;
                    }
                }
                double dist = 0;
                for (int c = 0; c < d; c++) {
                    double v = xt[c * ld + i] - centred[best * d + c];
                    dist += v * v;
                }
                int row = from + i;
                s.add(best, values, row * d, weights == null ? 1.0 : weights[row], centres[best], dist);
            }
        }
    }

    /** The centres this iteration started from. */
    public double[][] centres() {
        double[][] out = new double[centres.length][];
        for (int j = 0; j < centres.length; j++) {
            out[j] = centres[j].clone();
        }
        return out;
    }

    /** The next centres: each cluster's mean (an empty cluster keeps its centre). */
    public double[][] next(ClusterSums s) {
        double[][] out = new double[centres.length][];
        for (int j = 0; j < centres.length; j++) {
            out[j] = s.centroid(j, centres[j]);
        }
        return out;
    }

    /** {@code Σ_j ‖a_j − b_j‖²}, the centre shift scikit-learn's tolerance is compared with. */
    public static double shift(double[][] a, double[][] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            for (int c = 0; c < a[j].length; c++) {
                double v = a[j][c] - b[j][c];
                s += v * v;
            }
        }
        return s;
    }
}
