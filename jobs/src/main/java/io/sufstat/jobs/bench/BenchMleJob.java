package io.sufstat.jobs.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.linalg.Blas;
import io.sufstat.common.stats.CovarianceEstimator;
import io.sufstat.common.stats.MomentSummary;
import io.sufstat.common.stats.RowBlock;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.generate.SyntheticMixture;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.spark.OrderedReduce;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.stat.Summarizer;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.linalg.distributed.RowMatrix;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * {@code sufstat bench-mle}: sufstat's moment aggregation against Spark MLlib's
 * {@code RowMatrix.computeCovariance} and {@code Summarizer} on the same cached data in one run —
 * seconds (median of the repeats), the time ratio, and each method's largest relative difference from a
 * compensated two-pass reference — for data at offset 0 and at a large offset.
 */
public final class BenchMleJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(BenchMleJob.class);

    /** {@code spark-submit --class {@value #CLASS} sufstat-jobs.jar [options]}: the same options as the launcher. */
    public static void main(String[] args) {
        io.sufstat.jobs.core.Runner.main(new BenchMleJob(), args);
    }

    /** This job's main class, for spark-submit. */
    public static final String CLASS = "io.sufstat.jobs.bench.BenchMleJob";

    @Override
    public String name() {
        return "bench-mle";
    }

    @Override
    public String summary() {
        return "Benchmark: mle's aggregation vs MLlib RowMatrix.computeCovariance and Summarizer.";
    }

    @Override
    public String synopsis() {
        return "[--rows N] [--dim D] [--offsets 0,1e9] [--repeat R] [--results FILE]";
    }

    @Override
    public String description() {
        return "Generates N rows of a random D-dimensional Gaussian (per offset), caches them once as an"
                + " RDD of vectors and once as a DataFrame with a vector column, then times on that cached"
                + " data: sufstat's MomentSummary aggregation, MLlib RowMatrix.computeCovariance (same RDD),"
                + " sufstat's Spark ML estimator SufstatGaussian (unbiased) and MLlib Summarizer mean+variance (same"
                + " DataFrame). Accuracy is the largest relative"
                + " difference of (unbiased) covariance entries from a two-pass reference with compensated"
                + " sums. Give the driver enough memory for two cached copies (about 2 × 200 bytes a row"
                + " at D = 20): SUFSTAT_DRIVER_MEMORY=16g deploy/sufstat bench-mle --rows 10m.";
    }

    static final Opt<Long> ROWS = Opt.whole("rows", "N", "Rows per data set.").defaultsTo("1000000")
            .check(n -> n > 0, "positive");
    static final Opt<List<Double>> OFFSETS = Opt.of("offsets", "X1,X2", "Offsets added to every coordinate, one data set"
            + " each.", BenchMleJob::offsets).defaultsTo("0,1e9");
    static final Opt<Integer> REPEAT = Opt.integer("repeat", "R", "Timed runs of each method (the median is"
            + " reported).").defaultsTo("3").check(r -> r > 0, "positive");

    @Override
    public List<Opt<?>> options() {
        return List.of(ROWS, BenchResults.DIM, OFFSETS, REPEAT, BenchResults.PARTITIONS, BenchResults.SEED,
                BenchResults.RESULTS);
    }

    private static List<Double> offsets(String text) {
        List<Double> out = new java.util.ArrayList<>();
        for (String part : text.split(",")) {
            try {
                double x = Double.parseDouble(part.trim());
                if (Double.isFinite(x)) {
                    out.add(x);
                    continue;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new UsageException("--offsets must be finite numbers separated by commas, not '" + text + "'");
        }
        return List.copyOf(out);
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        long n = o.get(ROWS);
        int d = o.get(BenchResults.DIM);
        int repeat = o.get(REPEAT);
        long seed = o.get(BenchResults.SEED);
        JavaSparkContext jsc = ctx.sparkContext();
        int partitions = BenchResults.partitions(o, jsc);
        ObjectNode results = BenchResults.start(jsc, n, d, partitions);
        ArrayNode runs = results.putArray("runs");
        StringBuilder table = new StringBuilder(String.format("%n%-10s %-44s %10s %9s %14s%n", "offset", "method",
                "median s", "ratio", "max rel diff"));
        LOG.info("bench-mle: {} rows × {} features, {} partitions, {} repeats, BLAS {}", n, d, partitions, repeat,
                Blas.describe());
        for (double offset : o.get(OFFSETS)) {
            SyntheticMixture truth = SyntheticMixture.random(d, 1, seed, 0, offset, 1);
            JavaRDD<Vector> rdd = vectors(jsc, truth, n, partitions).persist(StorageLevel.MEMORY_ONLY());
            long t = System.nanoTime();
            long count = rdd.count();
            LOG.info("offset {}: cached {} rows as RDD<Vector> in {} s", offset, count, secs(t));
            Dataset<Row> df = ctx.spark().createDataFrame(rdd.map(v -> RowFactory.create(v.asML())),
                    DataTypes.createStructType(List.of(DataTypes.createStructField("features", SQLDataTypes.VectorType(), false))))
                    .persist(StorageLevel.MEMORY_ONLY());
            t = System.nanoTime();
            df.count();
            LOG.info("offset {}: cached the same rows as a DataFrame in {} s", offset, secs(t));

            double[] reference = referenceCovariance(rdd, d);

            Timed<double[]> oursRdd = time(repeat, () -> sufstatCovariance(rdd, d));
            Timed<double[]> rowMatrix = time(repeat, () -> {
                Matrix m = new RowMatrix(rdd.rdd()).computeCovariance();
                return columnMajorToRowMajor(m.toArray(), d);
            });
            // The Spark ML estimator, as a user calls it: it reads the vector column from Spark's internal rows.
            io.sufstat.jobs.ml.SufstatGaussian estimator = new io.sufstat.jobs.ml.SufstatGaussian().setFeaturesCol("features");
            estimator.set(estimator.unbiased(), true);
            Timed<double[]> oursDf = time(repeat, () -> estimator.fit(df).mixture().component(0).covariance());
            Timed<double[]> summarizer = time(repeat, () -> {
                Row r = df.select(Summarizer.metrics("mean", "variance").summary(functions.col("features")).as("s"))
                        .select("s.variance").first();
                return ((org.apache.spark.ml.linalg.Vector) r.get(0)).toArray();
            });
            double[] refDiag = diagonal(reference, d);

            addRow(table, runs, offset, "sufstat MomentSummary on the cached RDD", oursRdd, oursRdd,
                    maxRelDiff(oursRdd.value, reference));
            addRow(table, runs, offset, "MLlib RowMatrix.computeCovariance (same RDD)", rowMatrix, oursRdd,
                    maxRelDiff(rowMatrix.value, reference));
            addRow(table, runs, offset, "sufstat Spark ML SufstatGaussian, cached DF", oursDf, oursDf,
                    maxRelDiff(oursDf.value, reference));
            addRow(table, runs, offset, "MLlib Summarizer mean+variance (same DF)", summarizer, oursDf,
                    maxRelDiff(summarizer.value, refDiag));
            table.append(String.format("%-10s sufstat vs RowMatrix: largest relative difference of covariance entries %.3g%n",
                    offsetLabel(offset), maxRelDiff(oursRdd.value, rowMatrix.value)));
            rdd.unpersist(true);
            df.unpersist(true);
        }
        table.append("ratio = MLlib seconds / sufstat seconds on the same cached data; max rel diff = max over")
                .append(" entries of |c − ref| / |ref|, ref a compensated two-pass covariance.\n");
        System.out.print(table);
        BenchResults.save(o, results);
    }

    private static void addRow(StringBuilder table, ArrayNode runs, double offset, String method, Timed<double[]> t,
                               Timed<double[]> ours, double err) {
        double ratio = t.median / ours.median;
        table.append(String.format("%-10s %-44s %10.3f %8.2f× %14.3g%n", offsetLabel(offset), method, t.median, ratio, err));
        ObjectNode r = runs.addObject();
        r.put("offset", offset);
        r.put("method", method);
        r.put("medianSeconds", t.median);
        r.set("seconds", Json.array(t.all, "seconds"));
        r.put("ratioToSufstat", ratio);
        r.put("maxRelativeDifferenceFromReference", err);
    }

    private static String offsetLabel(double offset) {
        return offset == 0 ? "0" : String.format("%.0e", offset);
    }

    /** The cached rows: a K = 1 synthetic mixture, as MLlib dense vectors. */
    static JavaRDD<Vector> vectors(JavaSparkContext jsc, SyntheticMixture truth, long n, int partitions) {
        long chunks = SyntheticMixture.chunks(n);
        return jsc.parallelize(IntStream.range(0, partitions).boxed().toList(), partitions).mapPartitions(it -> {
            int p = it.next();
            return LongStream.range(chunks * p / partitions, chunks * (p + 1) / partitions).boxed().flatMap(c -> {
                List<Vector> out = new ArrayList<>(SyntheticMixture.CHUNK_ROWS);
                truth.drawChunk(c, n, (x, k) -> out.add(Vectors.dense(x.clone())));
                return out.stream();
            }).iterator();
        });
    }

    /** sufstat's path: blocks of rows into a MomentSummary per partition, merged in partition order. */
    static double[] sufstatCovariance(JavaRDD<Vector> rdd, int d) throws Exception {
        MomentSummary s = OrderedReduce.reduce(rdd.mapPartitions((Iterator<Vector> it) -> {
            MomentSummary m = MomentSummary.create(d);
            RowBlock block = RowBlock.forDimension(d);
            while (it.hasNext()) {
                block.add(it.next().toArray(), 1.0);
                if (block.isFull()) {
                    m.addBlock(block);
                    block.clear();
                }
            }
            m.addBlock(block);
            return List.of(m).iterator();
        }), MomentSummary::combine).orElseThrow();
        return s.covariance(CovarianceEstimator.UNBIASED);
    }

    /**
     * Reference covariance (unbiased): pass 1 the mean by Neumaier-compensated sums, pass 2 the centred
     * products by compensated sums; partition sums merged on the driver, compensated.
     */
    static double[] referenceCovariance(JavaRDD<Vector> rdd, int d) {
        Compensated sum = rdd.mapPartitions((Iterator<Vector> it) -> {
            Compensated c = new Compensated(d + 1);
            double[] term = new double[d + 1];
            term[d] = 1;
            while (it.hasNext()) {
                System.arraycopy(it.next().toArray(), 0, term, 0, d);
                c.add(term);
            }
            return List.of(c).iterator();
        }).reduce(Compensated::merge);
        double[] totals = sum.value();
        double count = totals[d];
        double[] mean = new double[d];
        for (int j = 0; j < d; j++) {
            mean[j] = totals[j] / count;
        }
        Compensated products = rdd.mapPartitions((Iterator<Vector> it) -> {
            Compensated c = new Compensated(d * d);
            double[] dev = new double[d];
            double[] term = new double[d * d];
            while (it.hasNext()) {
                double[] x = it.next().toArray();
                for (int j = 0; j < d; j++) {
                    dev[j] = x[j] - mean[j];
                }
                for (int r = 0; r < d; r++) {
                    for (int c2 = 0; c2 < d; c2++) {
                        term[r * d + c2] = dev[r] * dev[c2];
                    }
                }
                c.add(term);
            }
            return List.of(c).iterator();
        }).reduce(Compensated::merge);
        double[] m = products.value();
        for (int k = 0; k < m.length; k++) {
            m[k] /= count - 1;
        }
        return m;
    }

    /** Neumaier-compensated sums of vectors. */
    static final class Compensated implements Serializable {
        private static final long serialVersionUID = 1L;
        final double[] sum;
        final double[] comp;

        Compensated(int n) {
            sum = new double[n];
            comp = new double[n];
        }

        void add(double[] x) {
            for (int i = 0; i < x.length; i++) {
                addOne(i, x[i]);
            }
        }

        private void addOne(int i, double v) {
            double t = sum[i] + v;
            comp[i] += Math.abs(sum[i]) >= Math.abs(v) ? (sum[i] - t) + v : (v - t) + sum[i];
            sum[i] = t;
        }

        static Compensated merge(Compensated a, Compensated b) {
            for (int i = 0; i < a.sum.length; i++) {
                a.addOne(i, b.sum[i]);
                a.addOne(i, b.comp[i]);
            }
            return a;
        }

        double[] value() {
            double[] v = new double[sum.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = sum[i] + comp[i];
            }
            return v;
        }
    }

    static double[] columnMajorToRowMajor(double[] m, int d) {
        double[] out = new double[d * d];
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < d; c++) {
                out[r * d + c] = m[c * d + r];
            }
        }
        return out;
    }

    static double[] diagonal(double[] m, int d) {
        double[] out = new double[d];
        for (int j = 0; j < d; j++) {
            out[j] = m[j * d + j];
        }
        return out;
    }

    static double maxRelDiff(double[] a, double[] ref) {
        double worst = 0;
        for (int k = 0; k < ref.length; k++) {
            double e = Math.abs(a[k] - ref[k]) / Math.abs(ref[k]);
            worst = Math.max(worst, Double.isNaN(e) ? Double.POSITIVE_INFINITY : e);
        }
        return worst;
    }

    private static double secs(long t) {
        return Math.round((System.nanoTime() - t) / 1e6) / 1e3;
    }

    private record Timed<T>(T value, double median, double[] all) {
    }

    private static <T> Timed<T> time(int repeat, Callable<T> f) throws Exception {
        double[] s = new double[repeat];
        T value = null;
        for (int i = 0; i < repeat; i++) {
            long t = System.nanoTime();
            value = f.call();
            s[i] = (System.nanoTime() - t) / 1e9;
        }
        double[] sorted = s.clone();
        Arrays.sort(sorted);
        double median = repeat % 2 == 1 ? sorted[repeat / 2] : 0.5 * (sorted[repeat / 2 - 1] + sorted[repeat / 2]);
        return new Timed<>(value, median, s);
    }
}
