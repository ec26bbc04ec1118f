package io.sufstat.jobs.stream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.em.GaussianMixtureEm;
import io.sufstat.common.em.StepwiseMixtureStatistics;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.Gaussian;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.MixtureKernel;
import io.sufstat.common.stats.CovarianceEstimator;
import io.sufstat.common.stats.EmStatistics;
import io.sufstat.common.stats.MomentSummary;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.em.BlockPass;
import io.sufstat.jobs.em.FitOptions;
import io.sufstat.jobs.gmm.MixtureFitter;
import io.sufstat.jobs.gmm.StochasticEm;
import io.sufstat.jobs.io.HadoopFiles;
import io.sufstat.jobs.io.InputOptions;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.ModelJson;
import io.sufstat.jobs.io.TableSource;
import io.sufstat.jobs.mle.MleJob;
import io.sufstat.jobs.spark.BlockCache;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code sufstat stream}: a Spark Structured Streaming fit on the file source. For {@code gaussian} each
 * micro-batch's moment summary is merged exactly into the running one (optionally forgetting old rows with a
 * half-life); for {@code gaussian-mixture} each micro-batch is one online-EM step from the current mixture
 * ({@link StepwiseMixtureStatistics} with the batch's statistics per row). Every micro-batch writes model version
 * {@code DIR/versions/<batch id>/} atomically, with the state the next batch starts from, then moves
 * {@code DIR/latest/model.json} to it; Spark's checkpoint replays an unfinished batch with the same files after a
 * crash, and a replayed batch whose version exists is not applied twice, so a rerun ends with the same bytes.
 */
public final class StreamJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(StreamJob.class);

    /** {@code spark-submit --class {@value #CLASS} sufstat-jobs.jar [options]}. */
    public static void main(String[] args) {
        io.sufstat.jobs.core.Runner.main(new StreamJob(), args);
    }

    /** This job's main class, for spark-submit. */
    public static final String CLASS = "io.sufstat.jobs.stream.StreamJob";

    static final Opt<String> KIND = Opt.choice("kind", "What to fit.", "gaussian", "gaussian-mixture").required();
    static final Opt<String> OUTPUT = Opt.text("output", "DIR", "Model versions (DIR/versions/<batch id>/) and"
            + " DIR/latest/model.json.").required();
    static final Opt<String> CHECKPOINT = Opt.text("checkpoint", "DIR", "Spark's checkpoint location: which files"
            + " each micro-batch read. Keep it with the output; the same command with the same checkpoint resumes.")
            .required().protectsPath();
    static final Opt<String> TRIGGER = Opt.text("trigger", "WHEN", "available-now (every file there now, then stop)"
            + " or processing-time=INTERVAL (e.g. processing-time=1 minute; runs until stopped).")
            .defaultsTo("available-now");
    static final Opt<Integer> MAX_FILES = Opt.integer("max-files-per-batch", "N", "At most N new files per"
            + " micro-batch (Spark's maxFilesPerTrigger). Default: every new file.").check(n -> n >= 1, "at least 1");
    static final Opt<Double> HALF_LIFE = Opt.number("half-life", "ROWS", "Forget old rows exponentially: the weight"
            + " of what came before halves with every ROWS rows (weight) that arrive. Default: never forget.")
            .check(h -> h > 0, "positive");
    static final Opt<String> INIT = Opt.text("init", "MODEL.json", "gaussian-mixture: the starting mixture. Default:"
            + " fit --k components (k-means start) on the first micro-batch.");
    static final Opt<Integer> K = Opt.integer("k", "K", "gaussian-mixture without --init: components to fit on the"
            + " first micro-batch.").check(k -> k >= 1, "at least 1");
    static final Opt<CovarianceType> COVARIANCE = Opt.of("covariance", "TYPE", "gaussian-mixture without --init:"
            + " full, diag or spherical.", CovarianceType::parse).defaultsTo("full");

    static final Opt<Double> REG_COVAR = Opt.number("reg-covar", "R", "Added to every covariance diagonal. Default: 0 for"
            + " gaussian (as mle), 1e-6 for gaussian-mixture (as gmm).").check(r -> r >= 0, "non-negative");

    @Override
    public String name() {
        return "stream";
    }

    @Override
    public String summary() {
        return "Streaming fit on new files: exact running Gaussian, or online EM for a mixture; a model per batch.";
    }

    @Override
    public String synopsis() {
        return "--kind gaussian|gaussian-mixture --input DIR --output DIR --checkpoint DIR [options]";
    }

    @Override
    public String description() {
        return "Reads the files of the input directory as a Spark Structured Streaming file source (CSV, Parquet, JSON"
                + " or ORC; the schema is taken from the files there at the first start and kept in the checkpoint)."
                + " gaussian: each micro-batch's moment summary is merged exactly into the running one, so after every"
                + " file the model equals mle on all of them to rounding. gaussian-mixture: each micro-batch is one"
                + " online-EM step (Cappé–Moulines) with step size (t + 2)^-KAPPA, or 1 − 2^(−batch rows/half-life)"
                + " with --half-life. Every batch writes DIR/versions/<batch id>/ atomically and then replaces"
                + " DIR/latest/model.json in one rename. Stop a processing-time stream with SIGTERM; rerun the same"
                + " command to resume.";
    }

    @Override
    public List<Opt<?>> options() {
        List<Opt<?>> specs = new ArrayList<>(List.of(KIND));
        specs.addAll(InputOptions.SPECS);
        specs.addAll(List.of(OUTPUT, CHECKPOINT, TRIGGER, MAX_FILES, HALF_LIFE, INIT, K, COVARIANCE,
                StochasticEm.STEP_DECAY, REG_COVAR, FitOptions.SEED));
        return specs;
    }

    /** The settings of one stream, fixed at its start. */
    record Settings(String kind, List<String> features, Optional<String> weight, boolean skipBad, Optional<Double> halfLife,
                    double kappa, double reg, long seed, Optional<GaussianMixture> init, int k, CovarianceType type) {
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        SparkSession spark = ctx.spark();
        InputOptions in = InputOptions.from(o, ctx.hadoopConf());
        String kind = o.get(KIND);
        if (in.featuresCol().isPresent()) {
            throw new UsageException("stream reads feature columns (--features), not a vector column (--features-col)");
        }
        Optional<GaussianMixture> init = o.find(INIT).map(p -> ModelJson.load(p, ctx.hadoopConf()).mixture());
        if (kind.equals("gaussian-mixture") && init.isEmpty() && o.find(K).isEmpty()) {
            throw new UsageException("--kind gaussian-mixture needs --init MODEL.json or --k K (fitted on the first batch)");
        }
        if (kind.equals("gaussian") && (o.given(INIT) || o.given(K))) {
            throw new UsageException("--init and --k apply to --kind gaussian-mixture");
        }
        StructType schema = schema(spark, in, o.get(CHECKPOINT));
        List<String> features = features(schema, in);
        Settings s = new Settings(kind, features, in.weightCol(), in.skipBadRecords(), o.find(HALF_LIFE),
                o.get(StochasticEm.STEP_DECAY), o.find(REG_COVAR).orElse(kind.equals("gaussian") ? 0 : 1e-6),
                o.get(FitOptions.SEED), init,
                o.find(K).orElse(0), o.get(COVARIANCE));
        if (kind.equals("gaussian-mixture") && init.map(GaussianMixture::covarianceType).orElse(o.get(COVARIANCE))
                == CovarianceType.TIED) {
            throw new UsageException("online EM does not fit tied covariances (their statistics are summed over the"
                    + " components); use full, diag or spherical");
        }
        init.ifPresent(m -> {
            if (m.dimension() != features.size()) {
                throw JobFailedException.model("--init has " + m.dimension() + " features, the input " + features.size());
            }
        });
        StreamOutput out = StreamOutput.open(o.get(OUTPUT), ctx.hadoopConf());
        DataStreamReader reader = spark.readStream().format(in.format()).schema(schema);
        if (in.format().equals("csv")) {
            reader = reader.option("header", in.header()).option("sep", String.valueOf(in.delimiter()));
        }
        if (o.find(MAX_FILES).isPresent()) {
            reader = reader.option("maxFilesPerTrigger", o.get(MAX_FILES));
        }
        StreamingQuery query = reader.load(in.path()).writeStream()
                .foreachBatch((Dataset<Row> batch, Long id) -> apply(spark, batch, id, s, out))
                .option("checkpointLocation", o.get(CHECKPOINT))
                .trigger(trigger(o.get(TRIGGER)))
                .start();
        LOG.info("stream {} of {} features [{}] from {} into {}; trigger {}", kind, features.size(),
                String.join(", ", features), HadoopFiles.redact(in.path()), out.shown(), o.get(TRIGGER));
        try {
            query.awaitTermination();
        } catch (org.apache.spark.sql.streaming.StreamingQueryException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(cause.getMessage(), cause);
        }
        out.latestModel().ifPresent(latest -> {
            try {
                System.out.print(io.sufstat.jobs.report.ShowJob.summarise(latest, ctx.hadoopConf()));
                System.out.flush();
            } catch (IOException e) {
                LOG.warn("could not print the summary of {}: {}", latest, e.getMessage());
            }
        });
    }

    static Trigger trigger(String text) {
        String t = text.trim();
        if (t.equals("available-now")) {
            return Trigger.AvailableNow();
        }
        if (t.startsWith("processing-time=")) {
            String interval = t.substring("processing-time=".length()).trim();
            try {
                return Trigger.ProcessingTime(interval);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--trigger processing-time=" + interval + ": not an interval such as '1 minute'");
            }
        }
        throw new UsageException("--trigger must be available-now or processing-time=INTERVAL, not '" + text + "'");
    }

    /** The input's schema: kept in the checkpoint at the first start, so that every restart reads the same columns. */
    private static StructType schema(SparkSession spark, InputOptions in, String checkpoint) throws IOException {
        Path saved = new Path(checkpoint, "sufstat-input-schema.json");
        FileSystem fs = HadoopFiles.fileSystem(saved, spark.sparkContext().hadoopConfiguration());
        if (fs.exists(saved)) {
            return (StructType) DataType.fromJson(HadoopFiles.readText(fs, saved, 1L << 20, "schema"));
        }
        StructType schema;
        try {
            schema = in.format().equals("csv")
                    ? spark.read().option("header", in.header()).option("sep", String.valueOf(in.delimiter()))
                            .option("inferSchema", true).csv(in.path()).schema()
                    : spark.read().format(in.format()).load(in.path()).schema();
        } catch (Exception e) {
            throw JobFailedException.input("cannot take the schema from the files in " + HadoopFiles.redact(in.path())
                    + " (" + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + "); a stream starts once its"
                    + " first file is there");
        }
        if (schema.fields().length == 0) {
            throw JobFailedException.input(HadoopFiles.redact(in.path()) + " has no files yet; a stream starts once its"
                    + " first file is there");
        }
        fs.mkdirs(saved.getParent());
        try (var os = fs.create(saved, true)) {
            os.write(schema.json().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return schema;
    }

    private static List<String> features(StructType schema, InputOptions in) {
        if (!in.features().isEmpty()) {
            for (String f : in.features()) {
                if (!List.of(schema.fieldNames()).contains(f)) {
                    throw new UsageException("--features names '" + f + "', which the input does not have ("
                            + String.join(", ", schema.fieldNames()) + ")");
                }
            }
            return in.features();
        }
        List<String> out = new ArrayList<>();
        List<String> unused = new ArrayList<>();
        for (StructField f : schema.fields()) {
            if (in.weightCol().map(f.name()::equals).orElse(false)) {
                continue;
            }
            (f.dataType() instanceof NumericType ? out : unused).add(f.name());
        }
        if (!unused.isEmpty()) {
            LOG.warn("columns not used as features (not numeric in the files at the first start): {}; name the features"
                    + " with --features to choose", String.join(", ", unused));
        }
        if (out.isEmpty()) {
            throw JobFailedException.input("the input has no numeric column; name the features with --features");
        }
        return out;
    }

    /** One micro-batch, exactly once: a batch whose version exists (a replay after a crash) only re-points latest. */
    private static void apply(SparkSession spark, Dataset<Row> batch, long id, Settings s, StreamOutput out)
            throws Exception {
        if (out.hasVersion(id)) {
            LOG.info("batch {}: already applied (replayed after a restart)", id);
            out.moveLatest(id);
            return;
        }
        Optional<StreamState> before = out.stateBefore(id).map(t -> StreamState.fromJson(t, s.features().size(),
                out.stateSource(id)));
        TableSource table = TableSource.of(batch, s.features(), Optional.empty(), s.weight(), s.skipBad(),
                "micro-batch " + id);
        Map<String, String> files = s.kind().equals("gaussian") ? gaussian(table, id, before, s)
                : mixture(spark, table, id, before, s);
        out.writeVersion(id, files);
        out.moveLatest(id);
    }

    private static Map<String, String> gaussian(TableSource table, long id, Optional<StreamState> before, Settings s)
            throws Exception {
        MomentSummary b = MleJob.summary(table, "micro-batch " + id);
        MomentSummary running = before.map(StreamState::summary).orElseGet(() -> MomentSummary.create(s.features().size()));
        if (s.halfLife().isPresent() && running.weightSum() > 0 && b.weightSum() > 0) {
            running = running.scaled(Math.pow(2, -b.weightSum() / s.halfLife().get()));
        }
        running = running.scaled(1).combine(b);
        long rows = before.map(StreamState::rows).orElse(0L) + b.count();
        Map<String, String> files = new LinkedHashMap<>();
        files.put("state.json", StreamState.gaussian(id, rows, running).toJson(s.features()));
        ObjectNode metrics = metrics(id, b.count(), rows);
        try {
            Gaussian g = MleJob.solve(running, CovarianceEstimator.MAXIMUM_LIKELIHOOD, s.reg(), s.features(),
                    "the rows so far");
            ObjectNode model = ModelJson.gaussian(s.features(), running.count(), running.weightSum(), g,
                    running.logLikelihood(g), "mle", s.reg());
            model.put("batch", id);
            files.put("model.json", Json.write(model));
            LOG.info("batch {}: {} rows merged ({} so far, weight {}), log-likelihood {}", id, b.count(), rows,
                    running.weightSum(), running.logLikelihood(g));
        } catch (JobFailedException e) {
            // Not yet estimable (too few rows, a constant feature): the state is kept, no model is written.
            metrics.put("noModel", e.getMessage());
            LOG.warn("batch {}: no model yet: {}", id, e.getMessage());
        }
        files.put("metrics.json", Json.write(metrics));
        return files;
    }

    private static Map<String, String> mixture(SparkSession spark, TableSource table, long id,
                                               Optional<StreamState> before, Settings s) throws Exception {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        GaussianMixtureEm em = GaussianMixtureEm.of(s.reg(), false);
        try (BlockCache cache = BlockCache.of(table, StorageLevel.MEMORY_AND_DISK())) {
            long rows = before.map(StreamState::rows).orElse(0L) + cache.rowCount();
            if (cache.weightSum() == 0) {
                LOG.info("batch {}: no rows", id);
                return before.map(st -> Map.of("state.json", StreamState.mixture(id, st.rows(), st.mixture(), st.stepwise(),
                        st.steps()).toJson(s.features()), "metrics.json", Json.write(metrics(id, 0, st.rows()))))
                        .orElseGet(() -> Map.of("metrics.json", Json.write(metrics(id, 0, 0))));
            }
            GaussianMixture model = before.map(StreamState::mixture).or(s::init).orElse(null);
            if (model == null) {
                model = MixtureFitter.fit(spark, table, s.k(), s.type(), "kmeans", 1, 100, 1e-3, s.reg(), s.seed()).model();
                LOG.info("batch {}: initial mixture of {} components fitted on its {} rows", id, s.k(), cache.rowCount());
            }
            MixtureKernel kernel = MixtureKernel.of(model);
            EmStatistics stats = BlockPass.run(jsc, cache, em.eStep(model, true));
            long steps = before.map(StreamState::steps).orElse(0L);
            double perRow = 1 / stats.weightSum();
            StepwiseMixtureStatistics stepwise = before.isEmpty()
                    ? StepwiseMixtureStatistics.of(stats, kernel, perRow)
                    : before.get().stepwise().step(stats, kernel, perRow, stepSize(s, steps, stats.weightSum()));
            GaussianMixture next = stepwise.mStep(model, s.reg());
            ObjectNode json = ModelJson.mixture(s.features(), next);
            json.put("batch", id);
            json.put("steps", steps + 1);
            json.put("rows", rows);
            json.put("batchMeanLogLikelihood", stats.logLikelihood() / stats.weightSum());
            LOG.info("batch {}: online EM step {} on {} rows ({} so far): batch mean log-likelihood {}", id, steps + 1,
                    cache.rowCount(), rows, String.format("%.6f", stats.logLikelihood() / stats.weightSum()));
            Map<String, String> files = new LinkedHashMap<>();
            files.put("state.json", StreamState.mixture(id, rows, next, stepwise, steps + 1).toJson(s.features()));
            files.put("model.json", Json.write(json));
            files.put("metrics.json", Json.write(metrics(id, cache.rowCount(), rows)));
            return files;
        }
    }

    /** Step t's weight on its batch: (t + 2)^−κ, or with a half-life the share of the batch's rows in the decay. */
    private static double stepSize(Settings s, long t, double batchWeight) {
        if (s.halfLife().isPresent()) {
            return 1 - Math.pow(2, -batchWeight / s.halfLife().get());
        }
        return StepwiseMixtureStatistics.stepSize((int) Math.min(Integer.MAX_VALUE - 2, t), s.kappa());
    }

    private static ObjectNode metrics(long id, long batchRows, long rows) {
        ObjectNode m = Json.object();
        m.put("job", "stream");
        m.put("batch", id);
        m.put("batchRows", batchRows);
        m.put("rows", rows);
        return m;
    }
}
