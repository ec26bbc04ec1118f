package io.sufstat.jobs.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.em.GaussianMixtureEm;
import io.sufstat.common.linalg.Blas;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.stats.EmStatistics;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.em.BlockPass;
import io.sufstat.jobs.generate.SyntheticMixture;
import io.sufstat.jobs.gmm.Initializer;
import io.sufstat.jobs.gmm.StochasticEm;
import io.sufstat.jobs.spark.BlockCache;
import io.sufstat.jobs.spark.DataBlock;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code sufstat bench-stochastic}: full passes over the data that batch EM and stepwise EM
 * ({@code gmm --algorithm stochastic}) need, from the same k-means++ start on the same cached rows, to reach
 * within {@code --within} of the mean log-likelihood where batch EM converges.
 */
public final class BenchStochasticJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(BenchStochasticJob.class);

    /** {@code spark-submit --class {@value #CLASS} sufstat-jobs.jar [options]}. */
    public static void main(String[] args) {
        io.sufstat.jobs.core.Runner.main(new BenchStochasticJob(), args);
    }

    /** This job's main class, for spark-submit. */
    public static final String CLASS = "io.sufstat.jobs.bench.BenchStochasticJob";

    static final Opt<Long> ROWS = Opt.whole("rows", "N", "Rows.").defaultsTo("1000000").check(n -> n > 0, "positive");
    static final Opt<Integer> K = Opt.integer("k", "K", "Components.").defaultsTo("8").check(k -> k > 0, "positive");
    static final Opt<Double> SEPARATION = Opt.number("separation", "SEP", "Spread of the true means (small: overlapping"
            + " components, slow EM).").defaultsTo("1.5");
    static final Opt<Double> WITHIN = Opt.number("within", "E", "Target: mean log-likelihood within E of batch EM's"
            + " optimum.").defaultsTo("1e-3").check(e -> e > 0, "positive");
    static final Opt<Integer> MAX_PASSES = Opt.integer("max-passes", "P", "Give up after P passes' worth of reading.")
            .defaultsTo("200").check(p -> p > 0, "positive");

    @Override
    public String name() {
        return "bench-stochastic";
    }

    @Override
    public String summary() {
        return "Benchmark: full passes to reach batch EM's optimum, stochastic (stepwise) EM vs batch EM.";
    }

    @Override
    public String synopsis() {
        return "[--rows 1m] [--dim 20] [--k 8] [--batch-fraction 0.05] [--step-decay 0.6] [--within 1e-3] [--results FILE]";
    }

    @Override
    public String description() {
        return "Generates N rows of a random K-component mixture (full covariances), caches them once and starts both"
                + " methods from the same k-means++ seeding. Batch EM runs to convergence (change below 1e-9 per row,"
                + " at most --max-passes); its last mean log-likelihood is the optimum. Stepwise EM (gmm --algorithm"
                + " stochastic) runs until its model is within --within of it, checked every quarter pass by a full"
                + " evaluation that is not counted. Prints, for both, the passes' worth of rows read and the seconds"
                + " spent (evaluations excluded), and their ratios.";
    }

    @Override
    public List<Opt<?>> options() {
        return List.of(ROWS, BenchResults.DIM, K, SEPARATION, StochasticEm.BATCH_FRACTION, StochasticEm.STEP_DECAY,
                WITHIN, MAX_PASSES, BenchResults.PARTITIONS, BenchResults.SEED, BenchResults.RESULTS);
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        long n = o.get(ROWS);
        int d = o.get(BenchResults.DIM);
        int k = o.get(K);
        long seed = o.get(BenchResults.SEED);
        double within = o.get(WITHIN);
        int maxPasses = o.get(MAX_PASSES);
        JavaSparkContext jsc = ctx.sparkContext();
        int partitions = BenchResults.partitions(o, jsc);
        SyntheticMixture truth = SyntheticMixture.random(d, k, seed, o.get(SEPARATION), 0, 1);
        ObjectNode results = BenchResults.start(jsc, n, d, partitions);
        results.put("k", k);
        LOG.info("bench-stochastic: {} rows × {} features, K = {}, {} partitions, BLAS {}", n, d, k, partitions,
                Blas.describe());
        JavaRDD<DataBlock> generated = BlockCache.generated(jsc, d, SyntheticMixture.chunks(n), partitions,
                (c, sink) -> truth.drawChunk(c, n, (x, component) -> sink.accept(x)));
        try (BlockCache cache = BlockCache.of(generated, d, StorageLevel.MEMORY_ONLY())) {
            GaussianMixture init = Initializer.initial(Initializer.Method.KMEANS_PLUS_PLUS, k, CovarianceType.FULL, seed,
                    1e-6, cache, ctx.spark());
            GaussianMixtureEm em = GaussianMixtureEm.of(1e-6, false);
            Trace batch = batch(jsc, cache, em, init, maxPasses);
            double optimum = batch.values.get(batch.values.size() - 1);
            int batchPasses = batch.passesTo(optimum - within);
            LOG.info("batch EM: optimum {} after {} passes; within {} after {} passes", String.format("%.8f", optimum),
                    batch.values.size() - 1, within, batchPasses);
            StochasticEm.Settings settings = new StochasticEm.Settings(o.get(StochasticEm.BATCH_FRACTION),
                    o.get(StochasticEm.STEP_DECAY), (int) Math.ceil(maxPasses / o.get(StochasticEm.BATCH_FRACTION)), 0);
            Stepwise stepwise = stepwise(jsc, cache, em, init, settings, seed, optimum - within, maxPasses);
            double batchSeconds = batch.secondsPerPass * batchPasses;
            StringBuilder table = new StringBuilder(String.format("%n%-40s %14s %10s %12s %16s%n", "method",
                    "passes read", "ratio", "seconds", "mean log-lik"));
            table.append(String.format("%-40s %14d %10s %12.2f %16.8f%n", "batch EM (to within " + within + ")",
                    batchPasses, "1.00×", batchSeconds, batch.values.get(batchPasses)));
            table.append(String.format("%-40s %14.2f %9.2f× %12.2f %16.8f%n", "stepwise EM, batch fraction "
                    + settings.fraction(), stepwise.passes, stepwise.passes / batchPasses, stepwise.seconds,
                    stepwise.reached));
            table.append(String.format("batch EM's optimum: %.8f per row after %d passes (%.3f s per pass); stepwise EM"
                    + " %s within %s of it.%n", optimum, batch.values.size() - 1, batch.secondsPerPass,
                    stepwise.reached >= optimum - within ? "came" : "did NOT come", within));
            System.out.print(table);
            results.put("optimum", optimum);
            results.put("batchPasses", batchPasses);
            results.put("batchSeconds", batchSeconds);
            results.put("stochasticPasses", stepwise.passes);
            results.put("stochasticSeconds", stepwise.seconds);
            results.put("stochasticReached", stepwise.reached);
            results.put("batchFraction", settings.fraction());
            results.put("stepDecay", settings.kappa());
        }
        BenchResults.save(o, results);
    }

    /** Mean log-likelihood per row after each batch pass (entry i: the model after i updates). */
    private record Trace(List<Double> values, double secondsPerPass) {
        int passesTo(double target) {
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i) >= target) {
                    return i;
                }
            }
            return values.size() - 1;
        }
    }

    private static Trace batch(JavaSparkContext jsc, BlockCache cache, GaussianMixtureEm em, GaussianMixture init,
                               int maxPasses) throws Exception {
        List<Double> values = new ArrayList<>();
        GaussianMixture model = init;
        long t0 = System.nanoTime();
        for (int pass = 0; pass <= maxPasses; pass++) {
            EmStatistics s = BlockPass.run(jsc, cache, em.eStep(model, true));
            double mean = s.logLikelihood() / s.weightSum();
            values.add(mean);
            if (pass > 0 && Math.abs(mean - values.get(pass - 1)) < 1e-9) {
                break;
            }
            model = em.update(model, s);
        }
        return new Trace(values, (System.nanoTime() - t0) / 1e9 / values.size());
    }

    /** Passes' worth read, seconds of stepping (evaluations excluded) and the mean log-likelihood reached. */
    private record Stepwise(double passes, double seconds, double reached) {
    }

    private static Stepwise stepwise(JavaSparkContext jsc, BlockCache cache, GaussianMixtureEm em, GaussianMixture init,
                                     StochasticEm.Settings settings, long seed, double target, int maxPasses)
            throws Exception {
        double[] state = {0, 0, Double.NEGATIVE_INFINITY, 0};
        long[] evalNanos = {0};
        long t0 = System.nanoTime();
        StochasticEm.run(jsc, cache, init, settings, 1e-6, seed, "bench stepwise", (step, passes, model) -> {
            state[0] = passes;
            if (passes - state[3] < 0.25 && passes < maxPasses) {
                return true;
            }
            state[3] = passes;
            long te = System.nanoTime();
            EmStatistics s = BlockPass.run(jsc, cache, em.eStep(model, false));
            evalNanos[0] += System.nanoTime() - te;
            state[2] = s.logLikelihood() / s.weightSum();
            LOG.info("stepwise EM: {} passes read, mean log-likelihood {}", String.format("%.2f", passes),
                    String.format("%.8f", state[2]));
            return state[2] < target && passes < maxPasses;
        });
        return new Stepwise(state[0], (System.nanoTime() - t0 - evalNanos[0]) / 1e9, state[2]);
    }
}
