package io.sufstat.jobs.gmm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.em.GaussianMixtureEm;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.em.Checkpoint;
import io.sufstat.jobs.em.Codecs;
import io.sufstat.jobs.em.EmEngine;
import io.sufstat.jobs.em.FitOptions;
import io.sufstat.jobs.io.SavedStatistics;
import io.sufstat.common.stats.EmStatistics;
import io.sufstat.common.model.MixtureKernel;
import io.sufstat.jobs.em.Selection;
import io.sufstat.jobs.io.AtomicOutput;
import io.sufstat.jobs.io.HadoopFiles;
import io.sufstat.jobs.io.InputOptions;
import io.sufstat.jobs.io.JobMetrics;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.ModelJson;
import io.sufstat.jobs.io.ReadStats;
import io.sufstat.jobs.io.TableSource;
import io.sufstat.jobs.spark.BlockCache;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code sufstat gmm}: a Gaussian mixture fitted by EM, each iteration one distributed pass over the
 * input cached as dense row blocks ({@link EmEngine}); optionally the best of several initialisations,
 * and model selection by BIC over a range of K and covariance types on the one cached data set.
 */
public final class GmmJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(GmmJob.class);

    /** {@code spark-submit --class {@value #CLASS} sufstat-jobs.jar [options]}: the same options as the launcher. */
    public static void main(String[] args) {
        io.sufstat.jobs.core.Runner.main(new GmmJob(), args);
    }

    /** This job's main class, for spark-submit. */
    public static final String CLASS = "io.sufstat.jobs.gmm.GmmJob";

    @Override
    public String name() {
        return "gmm";
    }

    @Override
    public String summary() {
        return "Gaussian mixture by distributed EM (all covariance types, BIC model selection).";
    }

    @Override
    public String synopsis() {
        return "--input PATH --output DIR --k K [--covariance full|diag|tied|spherical|all] [--init …] [options]";
    }

    @Override
    public String description() {
        return "Fits a mixture of K Gaussians by expectation-maximisation. The input is read once and cached as"
                + " dense blocks of rows; each iteration is one pass that computes, per block, the posteriors in log"
                + " space (one GEMM against all K precision factors) and the responsibility-weighted sums and"
                + " co-moments about the current means (one GEMM per component over the rows it holds), merged in partition order; the M-step on the driver"
                + " is scikit-learn's, with reg_covar on every covariance diagonal. Convergence: the mean"
                + " log-likelihood per row changes by less than --tol. With several values of --k and/or"
                + " --covariance all, every combination is fitted and the lowest BIC (scikit-learn's definition)"
                + " is written, all fits to DIR/selection.csv.\nOutput: DIR/model.json (covariances always as full"
                + " d×d matrices), DIR/metrics.json, DIR/selection.csv, atomically with _SUCCESS.";
    }

    @Override
    public List<Opt<?>> options() {
        List<Opt<?>> specs = new ArrayList<>(InputOptions.SPECS);
        specs.addAll(List.of(AtomicOutput.OUTPUT, FitOptions.K, FitOptions.COVARIANCE, Initializer.INIT,
                FitOptions.N_INIT, FitOptions.MAX_ITER, FitOptions.TOL, FitOptions.REG_COVAR, FitOptions.SEED,
                InputOptions.MISSING, FitOptions.CHECKPOINT, io.sufstat.jobs.report.FitReport.OPTION,
                AtomicOutput.OVERWRITE));
        specs.addAll(StochasticEm.OPTIONS);
        specs.addAll(List.of(EVALUATE, SAVE_STATISTICS));
        return specs;
    }

    static final Opt<Boolean> EVALUATE = Opt.flag("evaluate", "With --init MODEL.json: no EM iteration; write that"
            + " mixture with its log-likelihood, BIC and AIC on this data (and its E statistics with --save-statistics).");
    static final Opt<Boolean> SAVE_STATISTICS = Opt.flag("save-statistics", "Also write DIR/stats/: per component the"
            + " responsibility-weighted weight, mean and centred co-moments of the rows under the written mixture (its"
            + " E statistics), which merge combines across runs taken under the same mixture.");

    /** --evaluate and --save-statistics, checked against the rest of the request. */
    private static void checkEvaluation(Options o, Request req) {
        if (o.get(EVALUATE) && req.method() != null) {
            throw new UsageException("--evaluate scores a given mixture: give --init MODEL.json");
        }
        if (o.get(EVALUATE) && req.stochastic().isPresent()) {
            throw new UsageException("--evaluate runs no EM at all; it does not combine with --algorithm stochastic");
        }
        if (o.get(SAVE_STATISTICS) && (req.types().contains(CovarianceType.TIED) || req.in().missingAllowed())) {
            throw new UsageException("--save-statistics writes per-component statistics: not for tied covariances"
                    + " (summed over the components) or --missing em");
        }
    }

    /** What the command line asks for, parsed and checked. */
    private record Request(InputOptions in, List<Integer> ks, List<CovarianceType> types, int nInit, int maxIter,
                           double tol, double reg, long seed, String initSpec, Initializer.Method method,
                           java.util.Optional<StochasticEm.Settings> stochastic) {
        static Request parse(Options o, JobContext ctx) {
            InputOptions in = InputOptions.from(o, ctx.hadoopConf());
            List<Integer> ks = o.find(FitOptions.K).orElse(List.of());
            String initSpec = o.get(Initializer.INIT);
            Initializer.Method method = Initializer.Method.parse(initSpec);
            if (method != null && ks.isEmpty()) {
                throw new UsageException("--k is required (unless --init is a model.json to start from)");
            }
            return new Request(in, ks, o.get(FitOptions.COVARIANCE), o.get(FitOptions.N_INIT), o.get(FitOptions.MAX_ITER),
                    o.get(FitOptions.TOL), o.get(FitOptions.REG_COVAR), o.get(FitOptions.SEED), initSpec, method,
                    StochasticEm.Settings.from(o));
        }

        /** No EM iteration: the initial model is written as it is. */
        Request evaluateOnly() {
            return new Request(in, ks, types, nInit, 0, tol, reg, seed, initSpec, method, stochastic);
        }

        /** With a warm start the initial model fixes K and the covariance type. */
        Request warmStart(Options o, ModelJson.Loaded warm, List<String> features) {
            if (!warm.features().equals(features)) {
                throw JobFailedException.model("the initial model's features " + warm.features()
                        + " differ from the input's " + features + " (name them with --features)");
            }
            if (o.given(FitOptions.K) && !(ks.size() == 1 && ks.get(0) == warm.mixture().size())) {
                throw new UsageException("--k " + o.text(FitOptions.K).orElse("") + " does not match the initial model's "
                        + warm.mixture().size() + " components");
            }
            if (o.given(FitOptions.COVARIANCE) && !(types.size() == 1 && types.get(0) == warm.mixture().covarianceType())) {
                throw new UsageException("--covariance " + o.text(FitOptions.COVARIANCE).orElse("") + " does not match the initial"
                        + " model's " + warm.mixture().covarianceType().label());
            }
            return new Request(in, List.of(warm.mixture().size()), List.of(warm.mixture().covarianceType()), 1, maxIter,
                    tol, reg, seed, initSpec, method, stochastic);
        }
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        long t0 = System.nanoTime();
        Request req = Request.parse(o, ctx);
        ModelJson.Loaded warm = req.method() == null ? ModelJson.load(req.initSpec(), ctx.hadoopConf()) : null;
        AtomicOutput out = AtomicOutput.prepare(o, ctx.hadoopConf());
        try {
            TableSource table = TableSource.open(req.in(), ctx.spark());
            LOG.info("reading {} ({}): {} features [{}], {} partitions", HadoopFiles.redact(req.in().path()),
                    req.in().format(), table.dimension(), String.join(", ", table.features()), table.numPartitions());
            if (warm != null) {
                req = req.warmStart(o, warm, table.features());
            }
            Request checked = req;
            req.stochastic().ifPresent(st -> st.check(checked.types(), checked.in().missingAllowed()));
            checkEvaluation(o, req);
            if (o.get(EVALUATE)) {
                req = req.evaluateOnly();
            }
            try (BlockCache cache = BlockCache.of(table, StorageLevel.MEMORY_AND_DISK())) {
                double readSeconds = (System.nanoTime() - t0) / 1e9;
                ReadStats stats = cache.stats();
                stats.warnIfSkipped(LOG);
                stats.requireUsableRows(req.in().path());
                if (cache.weightSum() == 0) {
                    throw JobFailedException.input("all " + cache.rowCount() + " rows have weight 0");
                }
                long cacheBytes = logCache(cache, ctx.sparkContext());
                Checkpoint checkpoint = checkpoint(o, req, table, cache, warm, ctx);
                Selection<GaussianMixture> selection = fitAll(req, cache, warm, checkpoint, ctx);
                double fitSeconds = (System.nanoTime() - t0) / 1e9 - readSeconds;
                write(out, req, table, cache, selection, new double[] {readSeconds, fitSeconds}, cacheBytes, t0);
                if (o.get(SAVE_STATISTICS)) {
                    saveStatistics(out, table, cache, selection.chosen().fit().model(), req, ctx);
                }
                io.sufstat.jobs.report.FitReport.writeIf(o, out, name(), selection.chosen().fit().runTraces(),
                        "mean log-likelihood per row", ctx.sparkContext(), cache, req.seed());
                out.commit();
                io.sufstat.jobs.report.Summary.print(out);
                LOG.info("wrote {}", out.shown());
            }
        } finally {
            out.abort();
        }
    }

    /** DIR/stats/: the written mixture's E statistics, one row per component, for merge. */
    private static void saveStatistics(AtomicOutput out, TableSource table, BlockCache cache, GaussianMixture model,
                                       Request req, JobContext ctx) throws Exception {
        GaussianMixtureEm em = GaussianMixtureEm.of(req.reg(), false);
        EmStatistics stats = io.sufstat.jobs.em.BlockPass.run(ctx.sparkContext(), cache, em.eStep(model, true));
        io.sufstat.common.stats.MomentSummary[] parts = stats.componentMoments(MixtureKernel.of(model));
        ObjectNode modelJson = ModelJson.mixture(table.features(), model);
        modelJson.put("regCovar", req.reg());
        SavedStatistics.Header header = SavedStatistics.Header.mixture(table.features(),
                req.in().weightCol().orElse(""), Json.write(modelJson));
        List<org.apache.spark.sql.Row> rows = new ArrayList<>();
        for (int j = 0; j < parts.length; j++) {
            rows.add(SavedStatistics.row(header, List.of(Integer.toString(j)), parts[j]));
        }
        SavedStatistics.write(ctx.spark(), ctx.sparkContext().parallelize(rows, 1), out);
        LOG.info("saved the E statistics of {} components under the written mixture in stats/", parts.length);
    }

    /** Logs the cache's size; returns its bytes in memory. */
    private static long logCache(BlockCache cache, JavaSparkContext jsc) {
        long rawBytes = cache.rowCount() * cache.dimension() * 8L;
        long cacheBytes = cache.memoryBytes(jsc);
        LOG.info("cached {} rows × {} features as row blocks: {} MiB in memory ({} × the {} MiB of raw doubles)",
                cache.rowCount(), cache.dimension(), String.format("%.1f", cacheBytes / 1048576.0),
                String.format("%.3f", rawBytes == 0 ? 0 : (double) cacheBytes / rawBytes),
                String.format("%.1f", rawBytes / 1048576.0));
        return cacheBytes;
    }

    /** The checkpoint of this run: the data, and the options that change the EM path (K, type, init run per fit). */
    private static Checkpoint checkpoint(Options o, Request req, TableSource table, BlockCache cache,
                                         ModelJson.Loaded warm, JobContext ctx) throws java.io.IOException {
        return FitOptions.checkpoint(o, table, cache, Map.of("init", warm == null ? req.initSpec() : FitOptions.identity(warm),
                "seed", Long.toString(req.seed()), "regCovar", Double.toString(req.reg()),
                "algorithm", req.stochastic().map(Object::toString).orElse("batch")), ctx);
    }

    /**
     * Every (K, covariance type) fit on the one cache ({@link Selection}: a failing combination is listed and
     * the others go on).
     */
    private static Selection<GaussianMixture> fitAll(Request req, BlockCache cache, ModelJson.Loaded warm,
                                                     Checkpoint checkpoint, JobContext ctx) throws Exception {
        // With --missing em, initialisations see the complete rows only (EM then uses every row).
        BlockCache initCache = cache.hasMissing() ? cache.completeRows(StorageLevel.MEMORY_AND_DISK()) : cache;
        try {
            if (cache.hasMissing()) {
                LOG.info("--missing em: {} of {} rows are complete; initialising from them", initCache.rowCount(),
                        cache.rowCount());
                if (initCache.rowCount() == 0 && warm == null) {
                    throw JobFailedException.input("no row is complete, so there is nothing to initialise from: give"
                            + " --init a model.json");
                }
            }
            int d = cache.dimension();
            return Selection.run(req.ks(), req.types(), (k, type) -> type.parameters(k, d),
                    (k, type) -> fitOne(req, k, type, cache, initCache, warm, checkpoint, ctx));
        } finally {
            if (initCache != cache) {
                initCache.close();
            }
        }
    }

    /** One (K, type) fit: the best of --n-init EM runs, each from its initialisation or its checkpoint. */
    private static EmEngine.Fit<GaussianMixture> fitOne(Request req, int k, CovarianceType type, BlockCache cache,
                                                        BlockCache initCache, ModelJson.Loaded warm, Checkpoint checkpoint,
                                                        JobContext ctx) throws Exception {
        String label = "k=" + k + " " + type.label();
        if (k > cache.rowCount()) {
            throw JobFailedException.fit("--k " + k + " is larger than the number of rows (" + cache.rowCount()
                    + "); use a smaller --k");
        }
        GaussianMixtureEm em = GaussianMixtureEm.of(req.reg(), cache.hasMissing());
        int d = cache.dimension();
        return EmEngine.best(req.nInit(), r -> {
            String runLabel = req.nInit() > 1 ? label + " (init " + (r + 1) + "/" + req.nInit() + ")" : label;
            Checkpoint.Slot<GaussianMixture> slot = checkpoint == null ? null : checkpoint.slot(
                    "k" + k + "-" + type.label() + "-init" + r, Map.of("k", Integer.toString(k), "covarianceType",
                            type.label(), "initRun", Integer.toString(r)), Codecs.mixture(k, d, type));
            long seed = req.seed() + r;
            // A saved state replaces the initialisation (which may be a costly k-means) and the stochastic steps.
            EmEngine.Start<GaussianMixture> initial = () -> warm != null ? warm.mixture()
                    : Initializer.initial(req.method(), k, type, seed, req.reg(), initCache, ctx.spark());
            EmEngine.Start<GaussianMixture> start = req.stochastic().isEmpty() ? initial
                    : () -> StochasticEm.run(ctx.sparkContext(), cache, initial.initial(), req.stochastic().get(),
                            req.reg(), seed, runLabel);
            int maxIter = req.stochastic().map(StochasticEm.Settings::polish).orElse(req.maxIter());
            return EmEngine.run(ctx.sparkContext(), cache, em, start, maxIter, req.tol(), runLabel, slot);
        });
    }

    private void write(AtomicOutput out, Request req, TableSource table, BlockCache cache,
                       Selection<GaussianMixture> selection, double[] seconds, long cacheBytes, long t0)
            throws java.io.IOException {
        long tw = System.nanoTime();
        int d = table.dimension();
        Selection.Candidate<GaussianMixture> chosen = selection.chosen();
        out.writeText("model.json", Json.write(modelJson(table.features(), chosen, req.initSpec(), req.reg(),
                req.tol(), req.seed(), req.nInit())));
        out.writeText("selection.csv", selection.csv(req.method() == null ? "model" : req.method().label));
        ObjectNode metrics = JobMetrics.start("gmm", req.in(), table);
        cache.stats().putInto(metrics);
        metrics.put("cacheBytes", cacheBytes);
        metrics.put("rawDataBytes", cache.rowCount() * d * 8L);
        metrics.put("k", chosen.k());
        metrics.put("covarianceType", chosen.type().label());
        metrics.put("algorithm", req.stochastic().map(Object::toString).orElse("batch"));
        metrics.put("iterations", chosen.fit().iterations());
        metrics.put("converged", chosen.fit().converged());
        metrics.put("logLikelihood", chosen.fit().objective());
        metrics.put("meanLogLikelihood", chosen.fit().meanObjective());
        metrics.put("bic", chosen.bic());
        JobMetrics.warnings(metrics, Degeneracy.of(chosen.fit().model(), chosen.fit().weightSum(), req.reg(),
                chosen.fit().converged(), chosen.fit().iterations()), LOG);
        selection.putInto(metrics);
        ObjectNode time = metrics.putObject("seconds");
        time.put("readAndCache", round(seconds[0]));
        time.put("fit", round(seconds[1]));
        time.put("write", round((System.nanoTime() - tw) / 1e9));
        time.put("total", round((System.nanoTime() - t0) / 1e9));
        out.writeText("metrics.json", Json.write(metrics));
    }

    private static double round(double s) {
        return Math.round(s * 1000) / 1000.0;
    }

    static ObjectNode modelJson(List<String> features, Selection.Candidate<GaussianMixture> c, String init, double reg,
                                double tol, long seed, int nInit) {
        EmEngine.Fit<GaussianMixture> f = c.fit();
        ObjectNode n = ModelJson.mixture(features, f.model());
        n.put("count", f.count());
        n.put("weightSum", f.weightSum());
        n.put("logLikelihood", Json.finite(f.objective(), "logLikelihood"));
        n.put("meanLogLikelihood", Json.finite(f.meanObjective(), "meanLogLikelihood"));
        n.put("bic", Json.finite(c.bic(), "bic"));
        n.put("aic", Json.finite(c.aic(), "aic"));
        n.put("iterations", f.iterations());
        n.put("converged", f.converged());
        n.set("logLikelihoodTrace", Json.array(f.trace(), "logLikelihoodTrace"));
        n.put("init", HadoopFiles.redact(init));
        n.put("nInit", nInit);
        n.put("seed", seed);
        n.put("regCovar", reg);
        n.put("tol", tol);
        return n;
    }
}
