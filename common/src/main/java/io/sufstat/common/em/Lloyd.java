package io.sufstat.common.em;

import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.MixtureKernel;
import io.sufstat.common.stats.ClusterSums;

import java.util.Arrays;

/**
 * One Lloyd iteration of k-means (Lloyd 1982) as a block pass: every row goes to its nearest centre
 * (squared Euclidean distances from the spherical block kernel with unit variances; the first centre on a
 * tie) and adds itself to that cluster's {@link ClusterSums}; the next centres are the clusters' means
 * ({@link #next}). An empty cluster keeps its centre.
 */
public final class Lloyd implements EStep<ClusterSums, MixtureKernel.Workspace> {
    private static final long serialVersionUID = 1L;

    private final double[][] centres;
    private final MixtureKernel kernel;

    private Lloyd(double[][] centres, MixtureKernel kernel) {
        this.centres = centres;
        this.kernel = kernel;
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
    public MixtureKernel.Workspace workspace(int blockRows) {
        return kernel.workspace(Math.max(1, blockRows));
    }

    @Override
    public void accumulate(ClusterSums s, MixtureKernel.Workspace ws, double[] values, double[] weights, int rows) {
        int k = centres.length;
        int d = centres[0].length;
        for (int from = 0; from < rows; from += ws.subBlock()) {
            int to = Math.min(rows, from + ws.subBlock());
            kernel.squaredDistances(values, from, to, ws);
            for (int i = from; i < to; i++) {
                int best = 0;
                double bestD = ws.squaredDistance(0, i - from);
                for (int j = 1; j < k; j++) {
                    double dist = ws.squaredDistance(j, i - from);
                    if (dist < bestD) {
                        bestD = dist;
                        best = j;
                    }
                }
                s.add(best, values, i * d, weights == null ? 1.0 : weights[i], centres[best], Math.max(0, bestD));
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
