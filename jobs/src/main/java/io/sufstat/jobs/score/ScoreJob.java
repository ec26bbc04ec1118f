package io.sufstat.jobs.score;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.BlockDensity;
import io.sufstat.common.model.MixtureKernel;
import io.sufstat.common.model.TMixture;
import io.sufstat.common.model.TMixtureKernel;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.io.AtomicOutput;
import io.sufstat.jobs.io.HadoopFiles;
import io.sufstat.jobs.io.InputOptions;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.ModelInput;
import io.sufstat.jobs.report.DataReports;
import io.sufstat.jobs.report.FitReport;
import io.sufstat.jobs.report.ValueSample;
import io.sufstat.jobs.io.ModelJson;
import io.sufstat.jobs.io.ReadStats;
import io.sufstat.jobs.spark.KernelBlocks;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.SpecificInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * {@code sufstat score}: every input row with its log-density under a model and, for mixtures, the
 * most probable component and the posterior probabilities — one distributed pass with the block
 * kernels of EM ({@link MixtureKernel}). Optionally flags anomalies: rows whose log-density is below
 * a given threshold, or below the q-quantile of the scored rows' log-densities.
 */
public final class ScoreJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(ScoreJob.class);
    /** Rows per block handed to the kernel. */
    static final int BLOCK = 2048;

    /** This job's main class, for spark-submit. */
    public static final String CLASS = "io.sufstat.jobs.score.ScoreJob";

    /** {@code spark-submit --class {@value #CLASS} sufstat-jobs.jar [options]}: the same options as the launcher. */
    public static void main(String[] args) {
        io.sufstat.jobs.core.Runner.main(new ScoreJob(), args);
    }

    @Override
    public String name() {
        return "score";
    }

    @Override
    public String summary() {
        return "Log-density, cluster and posteriors of every row under a model; anomaly flags.";
    }

    @Override
    public String synopsis() {
        return "--model DIR|model.json --input PATH --output DIR [--anomaly-quantile Q | --anomaly-threshold T] [options]";
    }

    @Override
    public String description() {
        return "Writes the input's columns plus logDensity (natural log of the model's density at the row) and,"
                + " for a mixture, cluster (the component with the largest posterior, 0-based) and probabilities"
                + " (the posteriors; in CSV output one column probability_k per component). --anomaly-threshold T"
                + " adds a boolean column anomaly, true where logDensity < T; --anomaly-quantile Q sets T between"
                + " the ⌈Q·n⌉-th and the next smallest log-density of the n scored rows, so that exactly ⌈Q·n⌉ rows"
                + " are flagged (ties aside), at the cost of a second pass. _metrics.json has the threshold and the"
                + " count. The model's features are matched by name (or give the input columns with --features)."
                + " Output is atomic with _SUCCESS.";
    }

    static final Opt<Double> ANOMALY_QUANTILE = Opt.number("anomaly-quantile", "Q", "Flag the fraction Q (0 < Q < 1)"
            + " of rows with the lowest log-density.").check(q -> q > 0 && q < 1, "strictly between 0 and 1");
    static final Opt<Double> ANOMALY_THRESHOLD = Opt.number("anomaly-threshold", "T", "Flag rows whose log-density is"
            + " below T.");

    @Override
    public List<Opt<?>> options() {
        List<Opt<?>> specs = new ArrayList<>(InputOptions.SPECS);
        specs.addAll(ModelInput.SPECS);
        specs.addAll(List.of(ANOMALY_QUANTILE, ANOMALY_THRESHOLD, FitReport.OPTION));
        return specs;
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        long t0 = System.nanoTime();
        InputOptions in = InputOptions.from(o, ctx.hadoopConf());
        if (o.given(ANOMALY_QUANTILE) && o.given(ANOMALY_THRESHOLD)) {
            throw new UsageException("give --anomaly-quantile or --anomaly-threshold, not both");
        }
        Double quantile = o.find(ANOMALY_QUANTILE).orElse(null);
        Double threshold = o.find(ANOMALY_THRESHOLD).orElse(null);
        String format = ModelInput.outputFormat(o, in);
        ModelJson.Loaded model = ModelJson.load(o.get(ModelInput.MODEL), ctx.hadoopConf());
        GaussianMixture m = model.mixture();
        AtomicOutput out = AtomicOutput.prepare(o, ctx.hadoopConf());
        try {
            ModelInput input = ModelInput.open(in, model.features(), ctx.spark(), false);
            boolean mixture = m.size() > 1;
            boolean flatten = format.equals("csv");
            boolean flag = quantile != null || threshold != null;
            List<StructField> fields = new ArrayList<>(List.of(input.schema().fields()));
            fields.add(DataTypes.createStructField("logDensity", DataTypes.DoubleType, false));
            if (mixture) {
                fields.add(DataTypes.createStructField("cluster", DataTypes.IntegerType, false));
                if (flatten) {
                    for (int k = 0; k < m.size(); k++) {
                        fields.add(DataTypes.createStructField("probability_" + k, DataTypes.DoubleType, false));
                    }
                } else {
                    fields.add(DataTypes.createStructField("probabilities",
                            DataTypes.createArrayType(DataTypes.DoubleType, false), false));
                }
            }
            boolean latent = model.model() instanceof TMixture;
            if (latent) {
                fields.add(DataTypes.createStructField("tWeight", DataTypes.DoubleType, false));
            }
            if (flag) {
                fields.add(DataTypes.createStructField("anomaly", DataTypes.BooleanType, false));
            }
            input.requireNewColumns(fields.subList(input.schema().fields().length, fields.size()).stream()
                    .map(StructField::name).toList());
            StructType schema = DataTypes.createStructType(fields);
            BlockDensity density = model.model() instanceof TMixture t ? TMixtureKernel.of(t) : MixtureKernel.of(m);
            Broadcast<BlockDensity> kernel = ctx.sparkContext().broadcast(density);
            ObjectNode metrics = Json.object();
            metrics.put("job", name());
            metrics.put("model", HadoopFiles.redact(o.get(ModelInput.MODEL)));
            metrics.put("input", HadoopFiles.redact(in.path()));
            metrics.put("components", m.size());
            if (quantile != null) {
                long t = System.nanoTime();
                threshold = quantileThreshold(input, kernel, quantile, metrics);
                LOG.info("anomaly threshold {} (quantile {}) from a first pass in {} s", threshold, quantile,
                        String.format("%.2f", (System.nanoTime() - t) / 1e9));
            }
            CollectionAccumulator<ReadStats> acc = ModelInput.statsAccumulator(ctx.spark(), "score rows");
            org.apache.spark.util.LongAccumulator flagged = ctx.spark().sparkContext().longAccumulator("anomalies");
            CollectionAccumulator<double[]> logDensitySample = ctx.spark().sparkContext().collectionAccumulator(
                    "log-density sample");
            StructType added = DataTypes.createStructType(fields.subList(input.schema().fields().length, fields.size()));
            Scorer scorer = new Scorer(input, kernel, mixture, flatten, latent, flag ? threshold : null,
                    o.get(FitReport.OPTION), added, acc, flagged, logDensitySample);
            Dataset<Row> df = input.hasInternalRows()
                    ? io.sufstat.jobs.spark.InternalFrames.of(ctx.spark(), input.internalRows().mapPartitions(scorer::scoreInternal), schema)
                    : ctx.spark().createDataFrame(input.rows(acc).mapPartitions(scorer::score), schema);
            long t = System.nanoTime();
            df.write().format(format).option("header", "true").save(out.root());
            ReadStats stats = ModelInput.merged(acc);
            stats.warnIfSkipped(LOG);
            stats.requireUsableRows(in.path());
            stats.putInto(metrics);
            if (flag) {
                metrics.put("anomalyThreshold", threshold);
                // Counted in the write's own tasks, whose accumulator updates Spark applies once per partition.
                long anomalies = flagged.value();
                metrics.put("anomalies", anomalies);
                LOG.info("{} anomalies of {} rows (log-density < {})", anomalies, stats.rowsUsed(), threshold);
            }
            metrics.put("writeSeconds", (System.nanoTime() - t) / 1e9);
            metrics.put("seconds", (System.nanoTime() - t0) / 1e9);
            out.writeText("_metrics.json", Json.write(metrics));
            if (o.get(FitReport.OPTION)) {
                DataReports.score(out, ValueSample.merge(logDensitySample.value(), DataReports.SCORE_SAMPLE),
                        stats.rowsUsed(), flag ? threshold : Double.NaN);
            }
            out.commit();
            io.sufstat.jobs.report.Summary.print(out);
            kernel.destroy();
            LOG.info("scored {} rows in {} s; wrote {}", stats.rowsUsed(), String.format("%.2f", (System.nanoTime() - t0) / 1e9),
                    out.shown());
        } finally {
            out.abort();
        }
    }

    /**
     * The threshold that flags exactly ⌈q·n⌉ rows: halfway between the ⌈q·n⌉-th and the next smallest
     * log-density (only those two are collected, by a bounded top-k per partition).
     */
    static double quantileThreshold(ModelInput input, Broadcast<BlockDensity> kernel, double q, ObjectNode metrics) {
        JavaRDD<Double> logDensities = input.hasInternalRows()
                ? input.internalRows().mapPartitions((Iterator<InternalRow> rows) -> {
                    ModelInput.InternalReader reader = input.internalReader();
                    return KernelBlocks.map(rows, kernel.value(), BLOCK,
                            (r, values, off) -> reader.read(r, values, off, null, true),
                            (r, i, ws) -> ws.logDensities()[i], () -> { });
                })
                : input.rows(null).mapPartitions((Iterator<Row> rows) -> {
                    ModelInput.FeatureReader reader = input.reader();
                    return KernelBlocks.map(rows, kernel.value(), BLOCK,
                            (r, values, off) -> reader.read(r, values, off, null, true),
                            (r, i, ws) -> ws.logDensities()[i], () -> { });
                });
        JavaRDD<Double> densities = logDensities.persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        try {
            long n = densities.count();
            if (n == 0) {
                throw io.sufstat.jobs.cli.JobFailedException.input("no usable rows to compute the anomaly quantile from");
            }
            long flagged = (long) Math.ceil(q * n);
            boolean fromBelow = flagged <= n / 2;
            // The flagged-th and flagged+1-th smallest values, taken from the nearer end.
            List<Double> ends = fromBelow
                    ? densities.takeOrdered((int) Math.min(n, flagged + 1))
                    : densities.top((int) (n - flagged + 1));
            double lower;
            double upper;
            if (fromBelow) {
                lower = ends.get((int) flagged - 1);
                upper = flagged < n ? ends.get((int) flagged) : Double.POSITIVE_INFINITY;
            } else {
                upper = n - flagged >= 1 ? ends.get((int) (n - flagged - 1)) : Double.POSITIVE_INFINITY;
                lower = ends.get((int) (n - flagged));
            }
            metrics.put("anomalyQuantile", q);
            metrics.put("rowsForQuantile", n);
            return upper == Double.POSITIVE_INFINITY ? Math.nextUp(lower) : lower + (upper - lower) / 2;
        } finally {
            densities.unpersist(false);
        }
    }

    /**
     * The per-partition scoring: blocks of rows through the kernel, then one output row per input row — the
     * input's row with the added columns ({@link #added}). Internal rows (non-CSV input with numeric features)
     * go in and out as Spark's internal rows; CSV rows as {@code Row}s.
     */
    static final class Scorer implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final ModelInput input;
        private final Broadcast<BlockDensity> kernel;
        private final boolean mixture;
        private final boolean flatten;
        private final boolean latent;
        private final Double threshold;
        private final boolean report;
        private final StructType added;
        private final CollectionAccumulator<ReadStats> acc;
        private final org.apache.spark.util.LongAccumulator flagged;
        private final CollectionAccumulator<double[]> logDensitySample;

        Scorer(ModelInput input, Broadcast<BlockDensity> kernel, boolean mixture, boolean flatten, boolean latent,
               Double threshold, boolean report, StructType added, CollectionAccumulator<ReadStats> acc,
               org.apache.spark.util.LongAccumulator flagged, CollectionAccumulator<double[]> logDensitySample) {
            this.input = input;
            this.kernel = kernel;
            this.mixture = mixture;
            this.flatten = flatten;
            this.latent = latent;
            this.threshold = threshold;
            this.report = report;
            this.added = added;
            this.acc = acc;
            this.flagged = flagged;
            this.logDensitySample = logDensitySample;
        }

        /** Puts block row {@code i}'s added columns into {@code out}; a sample of log-densities goes to {@code sample}. */
        private void fill(SpecificInternalRow out, int i, MixtureKernel.Workspace ws, int kk, ValueSample sample) {
            double ld = ws.logDensities()[i];
            sample.add(ld);
            int at = 0;
            out.setDouble(at++, ld);
            if (mixture) {
                double[] post = ws.responsibilities();
                out.setInt(at++, KernelBlocks.argmax(post, i, kk));
                if (flatten) {
                    for (int j = 0; j < kk; j++) {
                        out.setDouble(at++, post[i * kk + j]);
                    }
                } else {
                    double[] p = new double[kk];
                    System.arraycopy(post, i * kk, p, 0, kk);
                    out.update(at++, UnsafeArrayData.fromPrimitiveArray(p));
                }
            }
            if (latent) {
                out.setDouble(at++, ws.latentWeights()[i]);
            }
            if (threshold != null) {
                boolean anomaly = ld < threshold;
                out.setBoolean(at, anomaly);
                if (anomaly) {
                    flagged.add(1);
                }
            }
        }

        Iterator<InternalRow> scoreInternal(Iterator<InternalRow> rows) {
            BlockDensity k = kernel.value();
            ModelInput.InternalReader reader = input.internalReader();
            ValueSample sample = new ValueSample(report ? DataReports.SCORE_SAMPLE : 0);
            SpecificInternalRow extra = new SpecificInternalRow(added);
            JoinedRow joined = new JoinedRow();
            return KernelBlocks.map(rows, k, BLOCK, (r, values, off) -> reader.read(r, values, off, null, true),
                    InternalRow::copy, (r, i, ws) -> {
                        fill(extra, i, ws, k.components(), sample);
                        return (InternalRow) joined.apply(r, extra);
                    }, () -> {
                        acc.add(reader.stats());
                        logDensitySample.add(sample.values());
                    });
        }

        Iterator<Row> score(Iterator<Row> rows) {
            BlockDensity k = kernel.value();
            ModelInput.FeatureReader reader = input.reader();
            ValueSample sample = new ValueSample(report ? DataReports.SCORE_SAMPLE : 0);
            SpecificInternalRow extra = new SpecificInternalRow(added);
            StructField[] types = added.fields();
            return KernelBlocks.map(rows, k, BLOCK, (r, values, off) -> reader.read(r, values, off, null, true), (r, i, ws) -> {
                fill(extra, i, ws, k.components(), sample);
                int width = r.length();
                Object[] v = new Object[width + types.length];
                for (int c = 0; c < width; c++) {
                    v[c] = r.get(c);
                }
                for (int c = 0; c < types.length; c++) {
                    Object x = extra.get(c, types[c].dataType());
                    v[width + c] = x instanceof ArrayData a ? a.toDoubleArray() : x;
                }
                return RowFactory.create(v);
            }, () -> {
                acc.add(reader.stats());
                logDensitySample.add(sample.values());
            });
        }
    }
}
