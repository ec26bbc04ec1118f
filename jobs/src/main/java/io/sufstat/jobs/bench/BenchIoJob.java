package io.sufstat.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.core.Runner;
import io.sufstat.jobs.generate.GenerateJob;
import io.sufstat.jobs.gmm.GmmJob;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.ModelJson;
import io.sufstat.jobs.ml.SufstatGaussianMixture;
import io.sufstat.jobs.ml.SufstatGaussianMixtureModel;
import io.sufstat.jobs.score.ScoreJob;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/**
 * {@code sufstat bench-io}: sufstat's jobs on Parquet against their peers in one session — {@code score}
 * against Spark copying the same Parquet, a {@code gmm} fit against the same fit on the data once cached,
 * and the Spark ML estimator's fit and transform against the command-line jobs.
 */
public final class BenchIoJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(BenchIoJob.class);

    /** {@code spark-submit --class {@value #CLASS} sufstat-jobs.jar [options]}. */
    public static void main(String[] args) {
        Runner.main(new BenchIoJob(), args);
    }

    /** This job's main class, for spark-submit. */
    public static final String CLASS = "io.sufstat.jobs.bench.BenchIoJob";

    static final Opt<Long> ROWS = Opt.whole("rows", "N", "Rows.").defaultsTo("10000000").check(n -> n > 0, "positive");
    static final Opt<Integer> K = Opt.integer("k", "K", "Components.").defaultsTo("8").check(k -> k > 0, "positive");
    static final Opt<Integer> ITERATIONS = Opt.integer("iterations", "N", "EM iterations of each fit (tol 0).")
            .defaultsTo("10").check(n -> n > 0, "positive");
    static final Opt<Integer> REPEAT = Opt.integer("repeat", "R", "Timed runs of each (the median is reported).")
            .defaultsTo("3").check(r -> r > 0, "positive");
    static final Opt<String> WORK_DIR = Opt.text("work-dir", "DIR", "Local directory for a temporary directory of"
            + " the data and outputs, deleted at the end (default: java.io.tmpdir).");

    @Override
    public String name() {
        return "bench-io";
    }

    @Override
    public String summary() {
        return "Benchmark: score, gmm and the Spark ML API on Parquet against Spark's own copy and a cached fit.";
    }

    @Override
    public String synopsis() {
        return "[--rows 10m] [--dim 20] [--k 8] [--iterations 10] [--repeat 3] [--work-dir DIR] [--results FILE]";
    }

    @Override
    public String description() {
        return "Generates N rows × D of a K-component mixture as Parquet in a temporary directory, then, in this one"
                + " Spark session and --repeat times each: Spark copying the Parquet (read, write; no computation);"
                + " Spark adding columns of the types score adds by SQL (copies of inputs) and writing them;"
                + " 'score' Parquet to Parquet with the true model; the Spark ML model's transform of the same rows"
                + " (VectorAssembler, transform, write Parquet) and the VectorAssembler alone; 'gmm' on the Parquet"
                + " (K components, --iterations, tol 0),"
                + " whose own metrics split reading and caching from the fit on the cached rows; the Spark ML"
                + " estimator's fit on the same rows; the Spark ML fit and transform again reading the columns directly"
                + " (inputCols). Prints the medians and the ratios: score / copy, gmm /"
                + " its fit on the cache, ML fit / gmm and ML transform / score. Reports are off in the jobs.";
    }

    @Override
    public List<Opt<?>> options() {
        return List.of(ROWS, BenchResults.DIM, K, ITERATIONS, REPEAT, WORK_DIR, BenchResults.RESULTS);
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        SparkSession spark = ctx.spark();
        long rows = o.get(ROWS);
        int d = o.get(BenchResults.DIM);
        int k = o.get(K);
        int iterations = o.get(ITERATIONS);
        int repeat = o.get(REPEAT);
        Path parent = Path.of(o.find(WORK_DIR).orElse(System.getProperty("java.io.tmpdir")));
        Path work = Files.createTempDirectory(Files.createDirectories(parent), "sufstat-bench-io-");
        try {
            String data = work.resolve("data").toString();
            cli(new GenerateJob(), spark, "--output", data, "--rows", Long.toString(rows), "--dim", Integer.toString(d),
                    "--components", Integer.toString(k), "--format", "parquet", "--seed", "5");
            String truth = work.resolve("data/_truth.json").toString();
            String[] features = IntStream.rangeClosed(1, d).mapToObj(j -> "x" + j).toArray(String[]::new);
            VectorAssembler assembler = new VectorAssembler().setInputCols(features).setOutputCol("features");
            SufstatGaussianMixtureModel trueModel = SufstatGaussianMixtureModel.of(
                    ModelJson.load(truth, ctx.hadoopConf()).mixture(), List.of(features));
            Map<String, List<Double>> seconds = new LinkedHashMap<>();
            List<Double> gmmFitOnCache = new ArrayList<>();
            for (int r = 0; r < repeat; r++) {
                time(seconds, COPY, () -> {
                    spark.read().parquet(data).write().mode(SaveMode.Overwrite).parquet(work.resolve("copy").toString());
                    return null;
                });
                time(seconds, SAME_SHAPE, () -> {
                    Dataset<Row> in = spark.read().parquet(data);
                    Column[] posteriors = IntStream.range(0, k).mapToObj(j -> functions.col(features[j % d]))
                            .toArray(Column[]::new);
                    in.withColumn("logDensity", functions.col(features[0])).withColumn("cluster", functions.lit(0))
                            .withColumn("probabilities", functions.array(posteriors)).write().mode(SaveMode.Overwrite)
                            .parquet(work.resolve("same-shape").toString());
                    return null;
                });
                time(seconds, SCORE, () -> cli(new ScoreJob(), spark, "--model", truth, "--input", data, "--output",
                        work.resolve("scored").toString(), "--overwrite", "--report", "false"));
                time(seconds, ASSEMBLE, () -> {
                    assembler.transform(spark.read().parquet(data)).write().mode(SaveMode.Overwrite)
                            .parquet(work.resolve("assembled").toString());
                    return null;
                });
                time(seconds, TRANSFORM, () -> {
                    trueModel.transform(assembler.transform(spark.read().parquet(data))).drop("features").write()
                            .mode(SaveMode.Overwrite).parquet(work.resolve("transformed").toString());
                    return null;
                });
                time(seconds, TRANSFORM_COLUMNS, () -> {
                    trueModel.copy(org.apache.spark.ml.param.ParamMap.empty()).setInputCols(features)
                            .transform(spark.read().parquet(data)).write().mode(SaveMode.Overwrite)
                            .parquet(work.resolve("transformed-columns").toString());
                    return null;
                });
                time(seconds, GMM, () -> cli(new GmmJob(), spark, "--input", data, "--format", "parquet", "--k",
                        Integer.toString(k), "--max-iter", Integer.toString(iterations), "--tol", "0", "--output",
                        work.resolve("gmm").toString(), "--overwrite", "--report", "false"));
                JsonNode m = Json.MAPPER.readTree(work.resolve("gmm/metrics.json").toFile());
                gmmFitOnCache.add(m.path("seconds").path("fit").asDouble());
                time(seconds, ML_FIT, () -> new SufstatGaussianMixture().setK(k).setMaxIter(iterations).setTol(0)
                        .setSeed(0).fit(assembler.transform(spark.read().parquet(data))));
                time(seconds, ML_FIT_COLUMNS, () -> new SufstatGaussianMixture().setK(k).setMaxIter(iterations).setTol(0)
                        .setSeed(0).setInputCols(features).fit(spark.read().parquet(data)));
                LOG.info("repeat {} of {}: {}", r + 1, repeat, seconds.entrySet().stream().map(e -> e.getKey() + " "
                        + String.format("%.2f s", e.getValue().get(e.getValue().size() - 1))).toList());
            }
            seconds.put(GMM_CACHED, gmmFitOnCache);
            report(seconds, rows, d, k, iterations, ctx, o);
        } finally {
            BenchStartupJob.deleteTree(work);
        }
    }

    static final String COPY = "Spark: read Parquet, write Parquet";
    static final String SAME_SHAPE = "Spark: read, add score's columns by SQL, write";
    static final String SCORE = "sufstat score, Parquet to Parquet";
    static final String ASSEMBLE = "Spark ML VectorAssembler, write Parquet";
    static final String TRANSFORM = "Spark ML VectorAssembler + model.transform, write";
    static final String GMM = "sufstat gmm on Parquet";
    static final String GMM_CACHED = "  of which the fit on the cached rows";
    static final String ML_FIT = "Spark ML VectorAssembler + estimator fit";
    static final String ML_FIT_COLUMNS = "Spark ML estimator fit, inputCols";
    static final String TRANSFORM_COLUMNS = "Spark ML model.transform, inputCols, write";

    /** Runs a job's command line on this session; fails the benchmark when it fails. */
    private static Object cli(Job job, SparkSession spark, String... args) {
        int exit = Runner.run(job, args, spark);
        if (exit != 0) {
            throw JobFailedException.fit(job.name() + " " + String.join(" ", args) + " failed with exit " + exit);
        }
        return null;
    }

    private static void time(Map<String, List<Double>> seconds, String label, Callable<?> body) throws Exception {
        long t0 = System.nanoTime();
        body.call();
        seconds.computeIfAbsent(label, x -> new ArrayList<>()).add((System.nanoTime() - t0) / 1e9);
    }

    private static void report(Map<String, List<Double>> seconds, long rows, int d, int k, int iterations,
                               JobContext ctx, Options o) throws java.io.IOException {
        Map<String, Double> median = new LinkedHashMap<>();
        seconds.forEach((label, s) -> median.put(label, BenchStartupJob.median(s)));
        StringBuilder table = new StringBuilder(String.format("%n%,d rows × %d, K = %d, %d EM iterations; median of %d%n"
                + "%-48s %10s  %s%n", rows, d, k, iterations, seconds.get(COPY).size(), "", "median s", "all runs (s)"));
        for (String label : List.of(COPY, SAME_SHAPE, SCORE, ASSEMBLE, TRANSFORM, TRANSFORM_COLUMNS, GMM, GMM_CACHED, ML_FIT,
                ML_FIT_COLUMNS)) {
            table.append(String.format("%-48s %10.2f  %s%n", label, median.get(label), seconds.get(label).stream()
                    .map(s -> String.format("%.2f", s)).toList()));
        }
        double scoreRatio = median.get(SCORE) / median.get(COPY);
        double sameShapeRatio = median.get(SCORE) / median.get(SAME_SHAPE);
        double gmmRatio = median.get(GMM) / median.get(GMM_CACHED);
        double fitRatio = median.get(ML_FIT) / median.get(GMM);
        double transformRatio = median.get(TRANSFORM) / median.get(SCORE);
        double fitColumnsRatio = median.get(ML_FIT_COLUMNS) / median.get(GMM);
        double transformColumnsRatio = median.get(TRANSFORM_COLUMNS) / median.get(SCORE);
        table.append(String.format("score / Spark copy: %.2f×   score / Spark writing the same columns: %.2f×%n"
                + "gmm on Parquet / its fit on the cache: %.2f×%n"
                + "ML fit / gmm: %.2f× (inputCols), %.2f× (VectorAssembler)   ML transform / score: %.2f× (inputCols),"
                + " %.2f× (VectorAssembler)%n", scoreRatio, sameShapeRatio, gmmRatio, fitColumnsRatio, fitRatio,
                transformColumnsRatio, transformRatio));
        System.out.print(table);
        ObjectNode results = BenchResults.start(ctx.sparkContext(), rows, d, 0);
        results.put("k", k);
        results.put("iterations", iterations);
        ObjectNode med = results.putObject("medianSeconds");
        median.forEach((label, s) -> med.put(label.strip(), s));
        results.put("scoreOverCopy", scoreRatio);
        results.put("scoreOverSameColumnsBySql", sameShapeRatio);
        results.put("gmmOverFitOnCache", gmmRatio);
        results.put("mlFitOverGmm", fitRatio);
        results.put("mlTransformOverScore", transformRatio);
        results.put("mlFitInputColsOverGmm", fitColumnsRatio);
        results.put("mlTransformInputColsOverScore", transformColumnsRatio);
        BenchResults.save(o, results);
    }
}
