package io.sufstat.common.stats;

import java.util.Arrays;

/**
 * The statistics of one Lloyd iteration of k-means (Lloyd 1982): for every cluster the weight of the rows
 * assigned to it and the weighted sum of their differences from the cluster's current centre (so that the
 * new centre {@code c + Σ w (x − c) / Σ w} keeps its precision far from the origin), and the within-cluster
 * sum of squares {@code Σ w ‖x − c‖²} of the assignment. Mergeable: sums add.
 */
public final class ClusterSums implements Mergeable<ClusterSums> {
    private static final long serialVersionUID = 1L;

    private final int k;
    private final int d;
    private final double[] weights;
    private final double[] deviations;
    private double inertia;
    private long count;

    private ClusterSums(int k, int d) {
        this.k = k;
        this.d = d;
        this.weights = new double[k];
        this.deviations = new double[k * d];
    }

    /** Empty statistics of {@code k} clusters in {@code d} dimensions. */
    public static ClusterSums create(int k, int d) {
        if (k < 1 || d < 1) {
            throw new IllegalArgumentException("k and d must be positive, got " + k + " and " + d);
        }
        return new ClusterSums(k, d);
    }

    /** Adds a row ({@code d} values at {@code offset}) of weight {@code w} to {@code cluster}, whose centre is {@code centre}. */
    public void add(int cluster, double[] values, int offset, double w, double[] centre, double squaredDistance) {
        weights[cluster] += w;
        int o = cluster * d;
        for (int j = 0; j < d; j++) {
            deviations[o + j] += w * (values[offset + j] - centre[j]);
        }
        inertia += w * squaredDistance;
        count++;
    }

    @Override
    public ClusterSums combine(ClusterSums other) {
        if (other.k != k || other.d != d) {
            throw new IllegalArgumentException("cannot combine " + other.k + "×" + other.d + " with " + k + "×" + d);
        }
        for (int j = 0; j < k; j++) {
            weights[j] += other.weights[j];
        }
        for (int i = 0; i < deviations.length; i++) {
            deviations[i] += other.deviations[i];
        }
        inertia += other.inertia;
        count += other.count;
        return this;
    }

    public int clusters() {
        return k;
    }

    /** The weight assigned to {@code cluster}. */
    public double weight(int cluster) {
        return weights[cluster];
    }

    /** Rows seen. */
    public long count() {
        return count;
    }

    /** {@code Σ w ‖x − c(x)‖²}: the k-means objective of the assignment. */
    public double inertia() {
        return inertia;
    }

    /** The mean of the rows assigned to {@code cluster} (the next centre), or {@code centre} when none were. */
    public double[] centroid(int cluster, double[] centre) {
        double[] out = Arrays.copyOf(centre, d);
        if (weights[cluster] > 0) {
            for (int j = 0; j < d; j++) {
                out[j] += deviations[cluster * d + j] / weights[cluster];
            }
        }
        return out;
    }
}
