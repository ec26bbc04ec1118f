package io.sufstat.jobs.bench;

import io.sufstat.common.linalg.Blas;
import org.apache.spark.api.java.JavaSparkContext;

import java.util.ArrayList;
import java.util.List;

/**
 * The machine's floor for dense floating-point work, measured where the EM passes run: one Spark task per core,
 * each multiplying 512 × 512 matrices with the BLAS sufstat uses (native when present), a warm-up job first. The
 * rate is all tasks' {@code 2n³} flops over the job's wall time.
 */
final class DgemmFloor {

    private static final int N = 512;

    private DgemmFloor() {
    }

    /** Flops per second of {@code tasks} concurrent dgemm loops, each about {@code seconds} long. */
    static double flopsPerSecond(JavaSparkContext jsc, int tasks, double seconds) {
        int reps = Math.max(1, (int) Math.round(seconds / secondsPerProduct()));
        run(jsc, tasks, Math.max(1, reps / 4));
        long t = System.nanoTime();
        run(jsc, tasks, reps);
        double wall = (System.nanoTime() - t) / 1e9;
        return tasks * reps * 2.0 * N * N * N / wall;
    }

    private static double secondsPerProduct() {
        double[] a = matrix(1);
        double[] c = new double[N * N];
        Blas.get().dgemm("N", "N", N, N, N, 1.0, a, N, a, N, 0.0, c, N);
        long t = System.nanoTime();
        Blas.get().dgemm("N", "N", N, N, N, 1.0, a, N, a, N, 0.0, c, N);
        return Math.max(1e-4, (System.nanoTime() - t) / 1e9);
    }

    private static void run(JavaSparkContext jsc, int tasks, int reps) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            ids.add(i);
        }
        jsc.parallelize(ids, tasks).map(i -> {
            double[] a = matrix(i + 1);
            double[] c = new double[N * N];
            for (int r = 0; r < reps; r++) {
                Blas.get().dgemm("N", "N", N, N, N, 1.0, a, N, a, N, 0.0, c, N);
            }
            return c[0];
        }).collect();
    }

    private static double[] matrix(long seed) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        double[] a = new double[N * N];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.nextDouble() - 0.5;
        }
        return a;
    }

    /**
     * The useful flops of one full-covariance EM iteration over {@code n} rows, K components, d features: per row
     * and component the triangular solve against the precision's Cholesky factor ({@code d(d+1)}), the squared
     * norm and centring ({@code 4d}) and the Gram update of {@code [√(wr)(x − μ), √(wr)]} (lower triangle,
     * {@code (d+1)(d+2)}).
     */
    static double emFlops(long n, int k, int d) {
        return (double) n * k * ((double) d * (d + 1) + (double) (d + 1) * (d + 2) + 4.0 * d);
    }
}
