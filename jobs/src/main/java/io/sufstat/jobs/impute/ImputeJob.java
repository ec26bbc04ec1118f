package io.sufstat.jobs.impute;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.inference.MixtureConditional;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.TMixture;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.io.AtomicOutput;
import io.sufstat.jobs.io.HadoopFiles;
import io.sufstat.jobs.io.InputOptions;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.ModelInput;
import io.sufstat.jobs.io.ModelJson;
import io.sufstat.jobs.io.ReadStats;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import io.sufstat.jobs.spark.InternalFrames;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.SpecificInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.util.CollectionAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code sufstat impute}: missing feature values (null, NaN, empty CSV field) replaced by their
 * conditional mean given the row's observed features — closed form for a Gaussian, the
 * posterior-weighted mix of the components' conditionals for a mixture ({@link MixtureConditional}) —
 * or by a draw from the conditional. Conditionals are prepared once per missingness pattern and cached
 * per task.
 */
public final class ImputeJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(ImputeJob.class);
    /** Missingness patterns kept per task (least recently used dropped beyond). */
    static final int PATTERN_CACHE = 4096;

    /** This job's main class, for spark-submit. */
    public static final String CLASS = "io.sufstat.jobs.impute.ImputeJob";

    /** {@code spark-submit --class {@value #CLASS} sufstat-jobs.jar [options]}: the same options as the launcher. */
    public static void main(String[] args) {
        io.sufstat.jobs.core.Runner.main(new ImputeJob(), args);
    }

    @Override
    public String name() {
        return "impute";
    }

    @Override
    public String summary() {
        return "Fill missing values with conditional means (or draws) given each row's observed features.";
    }

    @Override
    public String synopsis() {
        return "--model DIR|model.json --input PATH --output DIR [--draw] [--variance-columns] [options]";
    }

    @Override
    public String description() {
        return "Writes the input with every missing feature value (null, NaN or an empty CSV field) replaced by"
                + " E[x_m | x_o] under the model: μ_m + Σ_mo Σ_oo⁻¹ (x_o − μ_o) for a Gaussian; for a mixture"
                + " Σ_k r_k E_k[x_m | x_o] with r_k the posteriors computed from the observed coordinates' marginals."
                + " A row with every feature missing gets the model's mean. --draw samples from the conditional"
                + " instead (seeded; reproducible for the same input files). --variance-columns adds a column"
                + " <feature>_variance with Var[x_m | x_o] (0 where the value was observed). Feature columns are"
                + " written as doubles. _metrics.json counts the imputed cells per feature. Non-numeric or infinite"
                + " values follow --on-bad-record. Output is atomic with _SUCCESS.";
    }

    static final Opt<Boolean> DRAW = Opt.flag("draw", "Draw from the conditional instead of taking its mean.");
    static final Opt<Long> SEED = Opt.whole("seed", "S", "Random seed for --draw.").defaultsTo("42");
    static final Opt<Boolean> VARIANCE_COLUMNS = Opt.flag("variance-columns", "Add <feature>_variance columns with the"
            + " conditional variances.");

    @Override
    public List<Opt<?>> options() {
        List<Opt<?>> specs = new ArrayList<>(InputOptions.SPECS);
        specs.addAll(ModelInput.SPECS);
        specs.addAll(List.of(DRAW, SEED, VARIANCE_COLUMNS));
        return specs;
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        long t0 = System.nanoTime();
        InputOptions in = InputOptions.from(o, ctx.hadoopConf());
        String format = ModelInput.outputFormat(o, in);
        boolean draw = o.get(DRAW);
        boolean variances = o.get(VARIANCE_COLUMNS);
        long seed = o.get(SEED);
        ModelJson.Loaded model = ModelJson.load(o.get(ModelInput.MODEL), ctx.hadoopConf());
        AtomicOutput out = AtomicOutput.prepare(o, ctx.hadoopConf());
        try {
            ModelInput input = ModelInput.open(in, model.features(), ctx.spark(), true);
            StructField[] inFields = input.schema().fields();
            int[] featureAt = new int[model.features().size()];
            List<String> names = input.columns();
            List<String> mapped = in.features().isEmpty() ? model.features() : in.features();
            for (int j = 0; j < featureAt.length; j++) {
                featureAt[j] = names.indexOf(mapped.get(j));
            }
            List<StructField> fields = new ArrayList<>();
            for (int c = 0; c < inFields.length; c++) {
                final int col = c;
                boolean feature = Arrays.stream(featureAt).anyMatch(a -> a == col);
                fields.add(feature ? DataTypes.createStructField(inFields[c].name(), DataTypes.DoubleType, true) : inFields[c]);
            }
            List<String> added = new ArrayList<>();
            if (variances) {
                for (String f : mapped) {
                    added.add(f + "_variance");
                    fields.add(DataTypes.createStructField(f + "_variance", DataTypes.DoubleType, false));
                }
            }
            input.requireNewColumns(added);
            // A t-mixture is imputed with its own (t) conditionals; every other model as a Gaussian mixture.
            Broadcast<Object> bm = ctx.sparkContext().broadcast(model.model() instanceof TMixture t ? t : model.mixture());
            CollectionAccumulator<ReadStats> stats = ModelInput.statsAccumulator(ctx.spark(), "impute rows");
            CollectionAccumulator<long[]> counts = ctx.spark().sparkContext().collectionAccumulator("imputed cells");
            Imputer imputer = new Imputer(input, bm, featureAt, draw, seed, variances, stats, counts);
            StructType inSchema = input.schema();
            Dataset<Row> imputed = input.hasInternalRows()
                    ? InternalFrames.of(ctx.spark(), input.internalRows().mapPartitionsWithIndex(
                            (Integer p, Iterator<InternalRow> it) -> imputer.imputeInternal(p, it, inSchema), false),
                            DataTypes.createStructType(fields))
                    : ctx.spark().createDataFrame(input.rows(stats).mapPartitionsWithIndex(imputer::impute, false),
                            DataTypes.createStructType(fields));
            imputed.write().format(format).option("header", "true").save(out.root());
            ReadStats read = ModelInput.merged(stats);
            read.warnIfSkipped(LOG);
            read.requireUsableRows(in.path());
            int d = featureAt.length;
            long[] total = new long[d + 2];
            for (long[] c : counts.value()) {
                for (int j = 0; j < total.length; j++) {
                    total[j] += c[j];
                }
            }
            ObjectNode metrics = Json.object();
            metrics.put("job", name());
            metrics.put("model", HadoopFiles.redact(o.get(ModelInput.MODEL)));
            metrics.put("input", HadoopFiles.redact(in.path()));
            metrics.put("method", draw ? "draw" : "conditional-mean");
            read.putInto(metrics);
            ObjectNode cells = metrics.putObject("imputedCells");
            long all = 0;
            for (int j = 0; j < d; j++) {
                cells.put(model.features().get(j), total[j]);
                all += total[j];
            }
            metrics.put("imputedCellsTotal", all);
            metrics.put("rowsWithMissing", total[d]);
            metrics.put("rowsAllMissing", total[d + 1]);
            metrics.put("seconds", (System.nanoTime() - t0) / 1e9);
            out.writeText("_metrics.json", Json.write(metrics));
            out.commit();
            bm.destroy();
            LOG.info("imputed {} cells in {} of {} rows ({} with every feature missing); wrote {}", all, total[d],
                    read.rowsUsed(), total[d + 1], out.shown());
        } finally {
            out.abort();
        }
    }

    /** The per-partition work: each row's pattern, its cached conditional, the filled row. */
    static final class Imputer implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final ModelInput input;
        private final Broadcast<Object> model;
        private final int[] featureAt;
        private final boolean draw;
        private final long seed;
        private final boolean variances;
        private final CollectionAccumulator<ReadStats> stats;
        private final CollectionAccumulator<long[]> counts;

        Imputer(ModelInput input, Broadcast<Object> model, int[] featureAt, boolean draw, long seed,
                boolean variances, CollectionAccumulator<ReadStats> stats, CollectionAccumulator<long[]> counts) {
            this.input = input;
            this.model = model;
            this.featureAt = featureAt;
            this.draw = draw;
            this.seed = seed;
            this.variances = variances;
            this.stats = stats;
            this.counts = counts;
        }

        /** The rows of a partition of {@code Row}s (CSV input), each with its missing features filled. */
        Iterator<Row> impute(int partition, Iterator<Row> rows) {
            Filler f = new Filler(partition);
            ModelInput.FeatureReader reader = input.reader();
            return keptAndMapped(rows, r -> {
                if (!reader.read(r, f.x, 0, f.missing, false)) {
                    return null;
                }
                f.fill();
                Object[] v = new Object[r.length() + (variances ? f.d : 0)];
                for (int c = 0; c < r.length(); c++) {
                    v[c] = r.get(c);
                }
                for (int j = 0; j < f.d; j++) {
                    v[featureAt[j]] = f.x[j];
                }
                if (variances) {
                    for (int j = 0; j < f.d; j++) {
                        v[r.length() + j] = f.var[j];
                    }
                }
                return RowFactory.create(v);
            }, () -> {
                stats.add(reader.stats());
                counts.add(f.count);
            });
        }

        /**
         * The same for Spark's internal rows (numeric features): the output row is projected from the input row
         * joined with the filled features and variances, without a Row or a boxed value.
         */
        Iterator<InternalRow> imputeInternal(int partition, Iterator<InternalRow> rows, StructType inSchema) {
            Filler f = new Filler(partition);
            ModelInput.InternalReader reader = input.internalReader();
            int width = inSchema.size();
            List<Expression> columns = new ArrayList<>();
            for (int c = 0; c < width; c++) {
                StructField field = inSchema.fields()[c];
                columns.add(new BoundReference(c, field.dataType(), field.nullable()));
            }
            for (int j = 0; j < f.d; j++) {
                columns.set(featureAt[j], new BoundReference(width + j, DataTypes.DoubleType, true));
                if (variances) {
                    columns.add(new BoundReference(width + f.d + j, DataTypes.DoubleType, false));
                }
            }
            UnsafeProjection project = UnsafeProjection.create(
                    scala.jdk.javaapi.CollectionConverters.asScala(columns).toSeq());
            SpecificInternalRow filled = new SpecificInternalRow(scala.jdk.javaapi.CollectionConverters.asScala(
                    java.util.Collections.nCopies(2 * f.d, (DataType) DataTypes.DoubleType)).toSeq());
            JoinedRow joined = new JoinedRow();
            return keptAndMapped(rows, r -> {
                if (!reader.read(r, f.x, 0, f.missing, false)) {
                    return null;
                }
                f.fill();
                for (int j = 0; j < f.d; j++) {
                    filled.setDouble(j, f.x[j]);
                    filled.setDouble(f.d + j, f.var[j]);
                }
                return project.apply(joined.apply(r, filled));
            }, () -> {
                stats.add(reader.stats());
                counts.add(f.count);
            });
        }

        /** A partition's imputation state: each row's pattern, its cached conditional, the filled values. */
        private final class Filler {
            final TMixture t;
            final GaussianMixture m;
            final int d;
            final SplittableRandom rng;
            final double[] x;
            final double[] var;
            final boolean[] missing;
            final long[] count;
            final Map<Pattern, Entry> cache = new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Pattern, Entry> eldest) {
                    return size() > PATTERN_CACHE;
                }
            };
            final Pattern probe;

            Filler(int partition) {
                t = model.value() instanceof TMixture tm ? tm : null;
                m = t != null ? t.scales() : (GaussianMixture) model.value();
                d = m.dimension();
                rng = draw ? new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (partition + 1))) : null;
                x = new double[d];
                var = new double[d];
                missing = new boolean[d];
                count = new long[d + 2];
                probe = new Pattern(missing);
            }

            /** Fills the missing entries of {@code x} (and their variances in {@code var}) and counts them. */
            void fill() {
                int nm = 0;
                Arrays.fill(var, 0.0);
                for (int j = 0; j < d; j++) {
                    if (missing[j]) {
                        nm++;
                        count[j]++;
                    }
                }
                if (nm == 0) {
                    return;
                }
                count[d]++;
                if (nm == d) {
                    count[d + 1]++;
                }
                probe.rehash();
                Entry e = cache.get(probe);
                if (e == null) {
                    MixtureConditional mc = t != null ? MixtureConditional.of(t, missing.clone())
                            : MixtureConditional.of(m, missing.clone());
                    e = new Entry(mc, mc.work());
                    cache.put(new Pattern(missing.clone()), e);
                }
                e.conditional.impute(x, rng, variances ? var : null, e.work);
            }
        }
    }

    /** {@code rows} mapped by {@code f}, leaving out those it maps to null; {@code atEnd} runs once, after the last. */
    static <I, O> Iterator<O> keptAndMapped(Iterator<I> rows, java.util.function.Function<I, O> f, Runnable atEnd) {
        return new Iterator<>() {
            O pending;
            boolean done;

            @Override
            public boolean hasNext() {
                while (pending == null && !done) {
                    if (!rows.hasNext()) {
                        done = true;
                        atEnd.run();
                        break;
                    }
                    pending = f.apply(rows.next());
                }
                return pending != null;
            }

            @Override
            public O next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                O r = pending;
                pending = null;
                return r;
            }
        };
    }

    private record Entry(MixtureConditional conditional, MixtureConditional.Work work) {
    }

    /** A missingness pattern as a map key; the probe instance tracks a live mask and is rehashed per row. */
    private static final class Pattern {
        private final boolean[] mask;
        private int hash;

        Pattern(boolean[] mask) {
            this.mask = mask;
            rehash();
        }

        void rehash() {
            hash = Arrays.hashCode(mask);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Pattern p && Arrays.equals(mask, p.mask);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
