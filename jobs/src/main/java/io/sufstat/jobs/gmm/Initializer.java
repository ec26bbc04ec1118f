package io.sufstat.jobs.gmm;

import io.sufstat.common.em.EStep;
import io.sufstat.common.em.Initialisation;
import io.sufstat.common.linalg.NotPositiveDefiniteException;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.MixtureKernel;
import io.sufstat.common.em.Lloyd;
import io.sufstat.common.stats.ClusterSums;
import io.sufstat.common.stats.EmStatistics;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Failure;
import io.sufstat.jobs.em.RowSample;
import io.sufstat.jobs.em.BlockPass;
import io.sufstat.jobs.spark.BlockCache;
import io.sufstat.common.em.RowHash;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Initial mixtures for EM, in the manner of scikit-learn's {@code init_params}:
 * <ul>
 * <li>{@code kmeans}: k-means++ seeding and Lloyd iterations on the cached blocks ({@link #kMeans}), then
 * one M-step from the hard assignments to the final centres;</li>
 * <li>{@code k-means++}: K rows chosen by D² sampling (Arthur &amp; Vassilvitskii 2007) as means;</li>
 * <li>{@code random-from-data}: K rows drawn uniformly (by weight) as means;</li>
 * <li>{@code random}: random responsibilities for every row, then one M-step.</li>
 * </ul>
 * With K = 1 every method gives the maximum-likelihood Gaussian (one M-step with every responsibility 1).
 * Means chosen from rows start with weights 1/K and the data's covariance (shaped to the covariance
 * type) plus reg_covar. Row choices and random responsibilities are drawn from a hash of the row's
 * values and the seed ({@link RowHash}), so they are the same however the data are partitioned.
 */
public final class Initializer {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Initializer.class);

    public enum Method {
        KMEANS("kmeans"), KMEANS_PLUS_PLUS("k-means++"), RANDOM_FROM_DATA("random-from-data"), RANDOM("random");

        final String label;

        public String label() {
            return label;
        }

        Method(String label) {
            this.label = label;
        }

        /** The method named {@code s}, or null when {@code s} names none (a model path). */
        public static Method parse(String s) {
            for (Method m : values()) {
                if (m.label.equals(s.toLowerCase(Locale.ROOT))) {
                    return m;
                }
            }
            return null;
        }
    }

    /** {@code --init}: a method, or the path of a model.json to start from. */
    public static final Opt<String> INIT = Opt.text("init", "METHOD|MODEL", "kmeans (k-means++ seeding, then Lloyd iterations), k-means++,"
            + " random-from-data, random (random responsibilities), or the path of a model.json to start from (warm"
            + " start).").defaultsTo("kmeans").protectsPath()
            .check(v -> Method.parse(v) != null || v.contains("/") || v.endsWith(".json"),
                    "kmeans, k-means++, random-from-data, random or a model.json path");

    private Initializer() {
    }

    public static GaussianMixture initial(Method method, int k, CovarianceType type, long seed, double reg, BlockCache cache,
                                   SparkSession spark) throws Exception {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int d = cache.dimension();
        try {
            if (k == 1) {
                // One component: every row's responsibility is 1, and the M-step is the maximum-likelihood
                // Gaussian (plus reg-covar), whatever the method.
                MixtureKernel ref = MixtureKernel.of(fromMeans(new double[][] {cache.moments().mean()}, type, reg, cache));
                return statisticsFor(jsc, cache, ref, (values, rows, resp) -> Arrays.fill(resp, 0, rows, 1.0))
                        .mStep(ref, reg);
            }
            return switch (method) {
                case RANDOM_FROM_DATA -> fromMeans(pickRows(cache, k, seed), type, reg, cache);
                case KMEANS_PLUS_PLUS -> fromMeans(kMeansPlusPlus(cache, k, seed), type, reg, cache);
                case RANDOM -> {
                    double[][] means = new double[k][];
                    Arrays.fill(means, cache.moments().mean());
                    MixtureKernel ref = MixtureKernel.of(fromMeans(means, type, reg, cache));
                    yield statisticsFor(jsc, cache, ref, (values, rows, resp) ->
                            Initialisation.randomResponsibilities(values, rows, d, k, seed, resp)).mStep(ref, reg);
                }
                case KMEANS -> {
                    double[][] centres = kMeans(jsc, cache, k, seed);
                    MixtureKernel ref = MixtureKernel.of(fromMeans(centres, type, reg, cache));
                    yield statisticsFor(jsc, cache, ref, (values, rows, resp) ->
                            Initialisation.nearestCentre(values, rows, d, centres, resp)).mStep(ref, reg);
                }
            };
        } catch (NotPositiveDefiniteException e) {
            throw new JobFailedException(Failure.FIT, "initialisation " + method.label + " with " + k + " components failed: "
                    + e.getMessage().replace("Remedies:", "Remedies: fewer components (--k), another --init, a larger"
                    + " --reg-covar (now " + reg + "),"), e);
        }
    }

    /** Fills posteriors (row-major rows × K) for a block. */
    @FunctionalInterface
    interface Responsibilities extends Serializable {
        void fill(double[] values, int rows, double[] resp);
    }

    /** The M statistics of every block for responsibilities given by {@code r}, about {@code ref}'s means. */
    private static EmStatistics statisticsFor(JavaSparkContext jsc, BlockCache cache, MixtureKernel ref,
                                              Responsibilities r) throws Exception {
        return BlockPass.run(jsc, cache, new GivenResponsibilities(ref, r));
    }

    /** A pass whose responsibilities are given (k-means labels, random draws, all ones). */
    private record GivenResponsibilities(MixtureKernel kernel, Responsibilities r)
            implements EStep<EmStatistics, GivenResponsibilities.Work> {
        record Work(MixtureKernel.Workspace ws, double[] resp) {
        }

        @Override
        public EmStatistics zero() {
            return EmStatistics.create(kernel);
        }

        @Override
        public Work workspace(int blockRows) {
            return new Work(kernel.workspace(blockRows), new double[blockRows * kernel.components()]);
        }

        @Override
        public void accumulate(EmStatistics s, Work w, double[] values, double[] weights, int rows) {
            r.fill(values, rows, w.resp());
            s.accumulateResponsibilities(kernel, w.ws(), values, weights, rows, w.resp());
        }
    }

    /** Weights 1/K, the given means, and the data covariance shaped to the type, plus reg on the diagonal. */
    static GaussianMixture fromMeans(double[][] means, CovarianceType type, double reg, BlockCache cache) {
        return Initialisation.fromMeans(means, type, reg, cache.moments());
    }

    /** The {@code count} rows with the smallest keys, in key order ({@link RowSample#smallestKeys}). */
    private static double[][] smallestKeys(BlockCache cache, int count, RowSample.RowKey rowKey) throws Exception {
        return RowSample.smallestKeys(JavaSparkContext.fromSparkContext(cache.blocks().context()), cache, count, rowKey);
    }

    /**
     * K rows sampled without replacement with probability ∝ weight (Efraimidis &amp; Spirakis: the K
     * smallest keys {@code −ln(u)/w}, u from the row hash).
     */
    static double[][] pickRows(BlockCache cache, int k, long seed) throws Exception {
        int d = cache.dimension();
        double[][] best = smallestKeys(cache, k, (values, offset, w) -> Initialisation.pickKey(values, offset, d, w, seed));
        if (best.length < k) {
            throw new JobFailedException(Failure.FIT, "--k " + k + " is larger than the number of rows with positive weight ("
                    + best.length + "); use a smaller --k");
        }
        return best;
    }

    /** k-means++ seeding: each next centre drawn with probability ∝ weight × squared distance to the nearest centre. */
    public static double[][] kMeansPlusPlus(BlockCache cache, int k, long seed) throws Exception {
        int d = cache.dimension();
        List<double[]> centres = new ArrayList<>();
        centres.add(pickRows(cache, 1, seed)[0]);
        for (int step = 1; step < k; step++) {
            double[][] current = centres.toArray(new double[0][]);
            int at = step;
            double[][] best = smallestKeys(cache, 1, (values, offset, w) ->
                    Initialisation.kMeansPlusPlusKey(values, offset, d, w, seed, at, current));
            if (best.length == 0) {
                throw new JobFailedException(Failure.FIT, "--k " + k + " is larger than the number of distinct rows (" + centres.size()
                        + "); use a smaller --k");
            }
            centres.add(best[0]);
        }
        return centres.toArray(new double[0][]);
    }

    /** Most Lloyd iterations of the {@code kmeans} initialisation. */
    static final int KMEANS_MAX_ITER = 100;

    /**
     * k-means as scikit-learn initialises a Gaussian mixture: k-means++ seeding ({@link #kMeansPlusPlus}), then
     * Lloyd iterations, each one pass of {@link Lloyd} over the cached blocks, until the centres move by at most
     * 1e-4 × the mean of the features' variances (scikit-learn's tolerance, as a total squared shift) or
     * {@value #KMEANS_MAX_ITER} iterations. Every random choice comes from the row hash, so the centres do not
     * depend on the partitioning beyond rounding.
     */
    static double[][] kMeans(JavaSparkContext jsc, BlockCache cache, int k, long seed) throws Exception {
        long t0 = System.nanoTime();
        double[][] centres = kMeansPlusPlus(cache, k, seed);
        double seeding = (System.nanoTime() - t0) / 1e9;
        int d = cache.dimension();
        double[] cov = cache.moments().covariance(io.sufstat.common.stats.CovarianceEstimator.MAXIMUM_LIKELIHOOD);
        double tol = 0;
        for (int c = 0; c < d; c++) {
            tol += 1e-4 * cov[c * d + c] / d;
        }
        int it = 0;
        double inertia = Double.NaN;
        while (it < KMEANS_MAX_ITER) {
            it++;
            Lloyd step = Lloyd.from(centres);
            ClusterSums sums = BlockPass.run(jsc, cache, step);
            double[][] next = step.next(sums);
            double shift = Lloyd.shift(centres, next);
            centres = next;
            inertia = sums.inertia();
            if (shift <= tol) {
                break;
            }
        }
        LOG.info("k-means: k-means++ seeding {} s, then {} Lloyd iterations, within-cluster sum of squares {}, {} s",
                String.format("%.2f", seeding), it, String.format("%.6g", inertia),
                String.format("%.2f", (System.nanoTime() - t0) / 1e9));
        return centres;
    }
}
