package io.sufstat.jobs.generate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.model.Gaussian;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.io.AtomicOutput;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.ModelJson;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import io.sufstat.jobs.spark.InternalFrames;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * {@code sufstat generate}: rows drawn from a random Gaussian mixture (a single Gaussian when K = 1),
 * generated in parallel, the same for a given seed whatever the number of partitions. The true model is
 * written beside the data as {@code _truth.json} (hidden from readers).
 */
public final class GenerateJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(GenerateJob.class);

    /** {@code spark-submit --class {@value #CLASS} sufstat-jobs.jar [options]}: the same options as the launcher. */
    public static void main(String[] args) {
        io.sufstat.jobs.core.Runner.main(new GenerateJob(), args);
    }

    /** This job's main class, for spark-submit. */
    public static final String CLASS = "io.sufstat.jobs.generate.GenerateJob";

    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String summary() {
        return "Synthetic rows from a random Gaussian or Gaussian mixture (seeded, distributed).";
    }

    @Override
    public String synopsis() {
        return "--output DIR [--rows N] [--dim D] [--components K] [--seed S] [options]";
    }

    @Override
    public String description() {
        return "Draws N rows with columns x1…xD from a random mixture of K Gaussians: weights ∝ U[1,2),"
                + " means offset + scale·separation·N(0, I), covariances scale²(½I + BBᵀ) with B of N(0, 1/D)"
                + " entries. The same seed gives the same rows whatever --partitions is. The true parameters go"
                + " to DIR/_truth.json in the model.json format; output is atomic with _SUCCESS.";
    }

    /** {@code --rows}, shared with {@code sample}. */
    public static final Opt<Long> ROWS = Opt.whole("rows", "N", "Rows to draw (suffixes k, m, g allowed: 10m).")
            .defaultsTo("10000").check(n -> n > 0, "positive");
    static final Opt<Integer> DIM = Opt.integer("dim", "D", "Number of features.").defaultsTo("5")
            .check(n -> n > 0, "positive");
    static final Opt<Integer> COMPONENTS = Opt.integer("components", "K", "Mixture components (1: a single Gaussian).")
            .defaultsTo("1").check(n -> n > 0, "positive");
    /** {@code --seed} of the draws, shared with {@code sample}. */
    public static final Opt<Long> SEED = Opt.whole("seed", "S", "Random seed.").defaultsTo("42");
    static final Opt<Double> SEPARATION = Opt.number("separation", "SEP", "Spread of the component means, in units of"
            + " scale.").defaultsTo("4");
    static final Opt<Double> OFFSET = Opt.number("offset", "X", "Added to every mean: large values test numerical"
            + " stability.").defaultsTo("0");
    static final Opt<Double> SCALE = Opt.number("scale", "S", "Standard deviation scale of the data.").defaultsTo("1");
    static final Opt<Boolean> LABEL = Opt.flag("label", "Add an integer column 'component' with the true component of"
            + " each row.");

    @Override
    public List<Opt<?>> options() {
        return List.of(AtomicOutput.OUTPUT, ROWS, DIM, COMPONENTS, SEED, SEPARATION, OFFSET, SCALE, PARTITIONS, FORMAT,
                LABEL, AtomicOutput.OVERWRITE);
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        long rows = o.get(ROWS);
        int d = o.get(DIM);
        int k = o.get(COMPONENTS);
        long seed = o.get(SEED);
        String format = o.get(FORMAT);
        boolean label = o.get(LABEL);
        SyntheticMixture truth;
        try {
            truth = SyntheticMixture.random(d, k, seed, o.get(SEPARATION), o.get(OFFSET), o.get(SCALE));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        AtomicOutput out = AtomicOutput.prepare(o, ctx.hadoopConf());
        try {
            JavaSparkContext jsc = ctx.sparkContext();
            int partitions = partitions(o, rows, jsc);
            Dataset<Row> df = InternalFrames.of(ctx.spark(), rows(jsc, truth, rows, partitions, label), schema(d, label));
            LOG.info("generating {} rows × {} features from {} component(s), seed {}, {} partitions", rows, d, k, seed,
                    partitions);
            long t = System.nanoTime();
            df.write().format(format).option("header", "true").save(out.root());
            out.writeText("_truth.json", Json.write(truthJson(truth, rows, seed, o)));
            ObjectNode metrics = Json.object();
            metrics.put("job", name());
            metrics.put("rows", rows);
            metrics.put("partitions", partitions);
            metrics.put("seed", seed);
            metrics.put("seconds", (System.nanoTime() - t) / 1e9);
            out.writeText("_metrics.json", Json.write(metrics));
            out.commit();
            LOG.info("wrote {}", out.shown());
        } finally {
            out.abort();
        }
    }

    /** {@code --partitions}, shared with {@code sample}. */
    public static final Opt<Integer> PARTITIONS = Opt.integer("partitions", "P", "Output partitions (default: one per 1M"
            + " rows, at least the default parallelism, at most one per 65,536-row chunk).").check(n -> n > 0, "positive");
    /** {@code --format} of generated rows, shared with {@code sample}. */
    public static final Opt<String> FORMAT = Opt.choice("format", "Output format.", "csv", "parquet", "json", "orc")
            .defaultsTo("csv");

    /** The output partitions: {@code --partitions}, or one per million rows within the parallelism and the chunks. */
    public static int partitions(Options o, long rows, JavaSparkContext jsc) {
        return o.find(PARTITIONS).orElseGet(() -> (int) Math.max(1, Math.min(SyntheticMixture.chunks(rows),
                Math.max(jsc.defaultParallelism(), (rows + 999_999) / 1_000_000))));
    }

    static StructType schema(int d, boolean label) {
        List<StructField> f = new ArrayList<>();
        for (int j = 1; j <= d; j++) {
            f.add(DataTypes.createStructField("x" + j, DataTypes.DoubleType, false));
        }
        if (label) {
            f.add(DataTypes.createStructField("component", DataTypes.IntegerType, false));
        }
        return DataTypes.createStructType(f);
    }

    /**
     * The rows as a distributed collection of Spark's internal rows ({@code d} doubles, then the component as
     * an int with {@code label}): partition p draws a contiguous range of chunks.
     */
    public static JavaRDD<InternalRow> rows(JavaSparkContext jsc, SyntheticMixture truth, long rows, int partitions,
                                            boolean label) {
        long chunks = SyntheticMixture.chunks(rows);
        List<Integer> parts = IntStream.range(0, partitions).boxed().toList();
        return jsc.parallelize(parts, partitions).mapPartitions((Iterator<Integer> it) -> {
            if (!it.hasNext()) {
                return java.util.Collections.emptyIterator();
            }
            int p = it.next();
            long from = chunks * p / partitions;
            long to = chunks * (p + 1) / partitions;
            return LongStream.range(from, to).boxed().flatMap(c -> {
                List<InternalRow> out = new ArrayList<>(SyntheticMixture.CHUNK_ROWS);
                truth.drawChunk(c, rows, (x, comp) -> {
                    UnsafeRow row = InternalFrames.fixedWidthRow(x.length + (label ? 1 : 0));
                    for (int j = 0; j < x.length; j++) {
                        row.setDouble(j, x[j]);
                    }
                    if (label) {
                        row.setInt(x.length, comp);
                    }
                    out.add(row);
                });
                return out.stream();
            }).iterator();
        });
    }

    private static ObjectNode truthJson(SyntheticMixture truth, long rows, long seed, Options o) {
        int d = truth.dimension();
        List<String> features = IntStream.rangeClosed(1, d).mapToObj(j -> "x" + j).toList();
        ObjectNode n;
        if (truth.components().size() == 1) {
            Gaussian g = truth.components().get(0);
            n = Json.object();
            n.put("kind", "gaussian");
            n.put("formatVersion", ModelJson.FORMAT_VERSION);
            features.forEach(n.putArray("features")::add);
            n.set("mean", Json.array(g.mean(), "mean"));
            n.set("covariance", Json.matrix(g.covariance(), d, "covariance"));
        } else {
            n = Json.object();
            n.put("kind", "gaussian-mixture");
            n.put("formatVersion", ModelJson.FORMAT_VERSION);
            features.forEach(n.putArray("features")::add);
            n.put("covarianceType", "full");
            n.set("weights", Json.array(truth.weights(), "weights"));
            ArrayNode means = n.putArray("means");
            ArrayNode covs = n.putArray("covariances");
            for (Gaussian g : truth.components()) {
                means.add(Json.array(g.mean(), "mean"));
                covs.add(Json.matrix(g.covariance(), d, "covariance"));
            }
        }
        ObjectNode gen = n.putObject("generator");
        gen.put("rows", rows);
        gen.put("seed", seed);
        gen.put("separation", o.get(SEPARATION));
        gen.put("offset", o.get(OFFSET));
        gen.put("scale", o.get(SCALE));
        return n;
    }
}
