package io.sufstat.jobs.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.linalg.Blas;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.generate.SyntheticMixture;
import io.sufstat.jobs.gmm.GmmBench;
import io.sufstat.jobs.spark.BlockCache;
import io.sufstat.jobs.spark.DataBlock;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.clustering.GaussianMixtureModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.RDDInfo;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code sufstat bench-gmm}: seconds per EM iteration of sufstat and of Spark MLlib's
 * {@code GaussianMixture} on the same rows, cached once for each (sufstat's dense row blocks, MLlib's
 * DataFrame of vectors), in one run.
 */
public final class BenchGmmJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(BenchGmmJob.class);

    /** {@code spark-submit --class {@value #CLASS} sufstat-jobs.jar [options]}. */
    public static void main(String[] args) {
        io.sufstat.jobs.core.Runner.main(new BenchGmmJob(), args);
    }

    /** This job's main class, for spark-submit. */
    public static final String CLASS = "io.sufstat.jobs.bench.BenchGmmJob";

    @Override
    public String name() {
        return "bench-gmm";
    }

    @Override
    public String summary() {
        return "Benchmark: seconds per EM iteration, sufstat vs Spark MLlib GaussianMixture.";
    }

    @Override
    public String synopsis() {
        return "[--rows 1m] [--dim 20] [--k 8] [--iterations 10] [--mllib true|false] [--results FILE]";
    }

    @Override
    public String description() {
        return "Generates N rows of a random K-component mixture in D dimensions and caches them twice: as"
                + " sufstat's dense row blocks and as a DataFrame of vectors for Spark MLlib. sufstat runs"
                + " --iterations EM iterations (full covariance, k-means++ start, tol 0) and reports its mean"
                + " seconds per iteration; MLlib's GaussianMixture (tol 0) is fitted, after a warm-up fit, with"
                + " --mllib-iterations A and B iterations asked, and its seconds per iteration is (t_B − t_A) over the"
                + " difference of the iterations it actually ran (it stops early when its log-likelihood change is"
                + " exactly 0 or NaN), so that its fixed costs do not count. Prints both, their ratio, both final mean log-likelihoods and the cache sizes.";
    }

    static final Opt<Long> ROWS = Opt.whole("rows", "N", "Rows.").defaultsTo("1000000").check(n -> n > 0, "positive");
    static final Opt<Integer> K = Opt.integer("k", "K", "Components.").defaultsTo("8").check(k -> k > 0, "positive");
    static final Opt<CovarianceType> COVARIANCE = Opt.of("covariance", "TYPE", "sufstat's covariance type (MLlib has"
            + " full only).", CovarianceType::parse).defaultsTo("full");
    static final Opt<Integer> ITERATIONS = Opt.integer("iterations", "N", "sufstat's EM iterations.").defaultsTo("10")
            .check(i -> i > 0, "positive");
    static final Opt<List<Integer>> MLLIB_ITERATIONS = Opt.of("mllib-iterations", "A,B", "MLlib's two iteration counts"
            + " (asked; it may stop earlier).", BenchGmmJob::twoCounts).defaultsTo("2,12");
    static final Opt<Double> SEPARATION = Opt.number("separation", "SEP", "Spread of the true means.").defaultsTo("3");

    @Override
    public List<Opt<?>> options() {
        return List.of(ROWS, BenchResults.DIM, K, COVARIANCE, ITERATIONS, BenchResults.MLLIB, MLLIB_ITERATIONS,
                BenchResults.PARTITIONS, SEPARATION, BenchResults.SEED, BenchResults.RESULTS);
    }

    private static List<Integer> twoCounts(String text) {
        String[] parts = text.split(",");
        try {
            if (parts.length == 2) {
                int a = Integer.parseInt(parts[0].trim());
                int b = Integer.parseInt(parts[1].trim());
                if (a >= 1 && b > a) {
                    return List.of(a, b);
                }
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException("--mllib-iterations must be two counts A,B with 1 ≤ A < B, not '" + text + "'");
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        long n = o.get(ROWS);
        int d = o.get(BenchResults.DIM);
        int k = o.get(K);
        int iterations = o.get(ITERATIONS);
        long seed = o.get(BenchResults.SEED);
        CovarianceType type = o.get(COVARIANCE);
        JavaSparkContext jsc = ctx.sparkContext();
        int partitions = BenchResults.partitions(o, jsc);
        SyntheticMixture truth = SyntheticMixture.random(d, k, seed, o.get(SEPARATION), 0, 1);
        ObjectNode results = BenchResults.start(jsc, n, d, partitions);
        results.put("k", k);
        results.put("covarianceType", type.label());
        LOG.info("bench-gmm: {} rows × {} features, K = {}, {} partitions, BLAS {}", n, d, k, partitions, Blas.describe());

        JavaRDD<DataBlock> generated = BlockCache.generated(jsc, truth.dimension(),
                io.sufstat.jobs.generate.SyntheticMixture.chunks(n), partitions, (c, sink) -> truth.drawChunk(c, n, (x, component) -> sink.accept(x)));
        long t = System.nanoTime();
        try (BlockCache cache = BlockCache.of(generated, d, StorageLevel.MEMORY_ONLY())) {
            long cacheBytes = cache.memoryBytes(jsc);
            long raw = n * d * 8L;
            LOG.info("sufstat cache: {} MiB for {} MiB of doubles ({}×), built in {} s", cacheBytes >> 20, raw >> 20,
                    String.format("%.3f", (double) cacheBytes / raw), secs(t));
            GmmBench.Result ours = GmmBench.run(ctx.spark(), cache, k, type, iterations, seed);
            String floorLine = "";
            results.put("sufstatCacheBytes", cacheBytes);
            results.put("rawBytes", raw);
            results.put("sufstatSecondsPerIteration", ours.secondsPerIteration());
            results.put("sufstatIterations", iterations);
            results.put("sufstatMeanLogLikelihood", ours.meanLogLikelihood());
            StringBuilder table = new StringBuilder(String.format("%n%-44s %12s %10s %14s %12s%n", "method",
                    "s/iteration", "ratio", "mean log-lik", "cache MiB"));
            table.append(String.format("%-44s %12.3f %10s %14.6f %12.1f%n", "sufstat EM (" + type.label() + ", block cache)",
                    ours.secondsPerIteration(), "1.00×", ours.meanLogLikelihood(), cacheBytes / 1048576.0));
            if (type == CovarianceType.FULL) {
                int cores = jsc.defaultParallelism();
                double peak = DgemmFloor.flopsPerSecond(jsc, cores, 2.0);
                double flops = DgemmFloor.emFlops(n, k, d);
                double floor = flops / peak;
                results.put("usefulFlopsPerIteration", flops);
                results.put("dgemmFlopsPerSecond", peak);
                results.put("floorSecondsPerIteration", floor);
                results.put("timesFloor", ours.secondsPerIteration() / floor);
                floorLine = String.format("useful work: %.2f GFLOP per iteration; dgemm on %d cores: %.1f GFLOP/s, so the"
                        + " floor is %.3f s per iteration and sufstat runs at %.1f× it (%.0f%% of the dgemm peak).%n",
                        flops / 1e9, cores, peak / 1e9, floor, ours.secondsPerIteration() / floor,
                        100 * floor / ours.secondsPerIteration());
            }

            if (o.get(BenchResults.MLLIB)) {
                JavaRDD<Row> vectors = generated.flatMap((DataBlock b) -> {
                    List<Row> out = new ArrayList<>(b.rows());
                    for (int i = 0; i < b.rows(); i++) {
                        out.add(RowFactory.create(Vectors.dense(java.util.Arrays.copyOfRange(b.values(), i * d, (i + 1) * d))));
                    }
                    return out.iterator();
                });
                Dataset<Row> df = ctx.spark().createDataFrame(vectors, DataTypes.createStructType(List.of(
                        DataTypes.createStructField("features", SQLDataTypes.VectorType(), false))))
                        .persist(StorageLevel.MEMORY_ONLY());
                t = System.nanoTime();
                df.count();
                long dfBytes = 0;
                for (RDDInfo info : jsc.sc().getRDDStorageInfo()) {
                    if (info.name() != null && info.name().contains("features")) {
                        dfBytes += info.memSize();
                    }
                }
                LOG.info("MLlib DataFrame cached in {} s", secs(t));
                List<Integer> its = o.get(MLLIB_ITERATIONS);
                int a = its.get(0);
                int b = its.get(1);
                mllibFit(df, k, 1, seed + 1);
                LOG.info("MLlib warm-up fit done");
                MllibFit fa = mllibFit(df, k, a, seed);
                MllibFit fb = mllibFit(df, k, b, seed);
                // MLlib stops before maxIter when the log-likelihood change is exactly 0 or NaN: use the
                // iterations it ran. When both ran as many, fall back to the whole fit's time per iteration.
                double perIteration = fb.iterations() > fa.iterations()
                        ? (fb.seconds() - fa.seconds()) / (fb.iterations() - fa.iterations())
                        : fb.seconds() / Math.max(1, fb.iterations());
                GaussianMixtureModel model = fb.model();
                double mllibMean = model.summary().logLikelihood() / n;
                LOG.info("MLlib: {} iterations (of {} asked) in {} s, {} iterations (of {} asked) in {} s", fa.iterations(), a,
                        String.format("%.2f", fa.seconds()), fb.iterations(), b, String.format("%.2f", fb.seconds()));
                results.put("mllibIterationsRun", fb.iterations());
                table.append(String.format("%-44s %12.3f %9.1f× %14.6f %12.1f%n", "Spark MLlib GaussianMixture (full, DataFrame)",
                        perIteration, perIteration / ours.secondsPerIteration(), mllibMean, dfBytes / 1048576.0));
                results.put("mllibSecondsPerIteration", perIteration);
                results.put("mllibMeanLogLikelihood", mllibMean);
                results.put("mllibIterationsAsked", b);
                results.put("speedup", perIteration / ours.secondsPerIteration());
                df.unpersist(true);
            }
            table.append("sufstat: mean s/iteration over ").append(iterations).append(" iterations from k-means++ after a 2-iteration warm-up;")
                    .append(" MLlib: (t_B − t_A)/(iterations run B − A) from fits asked for ").append(o.text(MLLIB_ITERATIONS).orElse(""))
                    .append(" iterations. Log-likelihoods are per row; MLlib's is that of its last E-step.\n");
            System.out.print(table);
            System.out.print(floorLine);
        }
        BenchResults.save(o, results);
    }

    private record MllibFit(GaussianMixtureModel model, int iterations, double seconds) {
    }

    private static MllibFit mllibFit(Dataset<Row> df, int k, int iterations, long seed) {
        long t = System.nanoTime();
        GaussianMixtureModel m = new org.apache.spark.ml.clustering.GaussianMixture().setK(k).setMaxIter(iterations)
                .setTol(0).setSeed(seed).fit(df);
        return new MllibFit(m, m.summary().numIter(), (System.nanoTime() - t) / 1e9);
    }

    private static double secs(long t) {
        return Math.round((System.nanoTime() - t) / 1e6) / 1e3;
    }
}
