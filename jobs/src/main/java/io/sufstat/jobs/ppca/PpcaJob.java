package io.sufstat.jobs.ppca;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.model.Ppca;
import io.sufstat.common.em.PpcaEm;
import io.sufstat.common.stats.MeanSummary;
import io.sufstat.common.stats.PpcaStatistics;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.em.BlockPass;
import io.sufstat.jobs.em.Checkpoint;
import io.sufstat.jobs.em.Codecs;
import io.sufstat.jobs.em.EmEngine;
import io.sufstat.jobs.em.FitOptions;
import io.sufstat.jobs.io.AtomicOutput;
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
import java.util.SplittableRandom;

/**
 * {@code sufstat ppca}: probabilistic PCA by distributed EM (Tipping &amp; Bishop 1999; Roweis 1998). The
 * rows are cached once as blocks; one pass gives the mean; then each EM iteration is one pass of
 * {@link PpcaStatistics} (d × q and q × q, never d × d) and a driver-side M-step. Scales to d in the
 * tens of thousands, where a d × d covariance (MLlib's PCA) no longer fits.
 */
public final class PpcaJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(PpcaJob.class);

    /** This job's main class, for spark-submit. */
    public static final String CLASS = "io.sufstat.jobs.ppca.PpcaJob";

    /** {@code spark-submit --class {@value #CLASS} sufstat-jobs.jar [options]}: the same options as the launcher. */
    public static void main(String[] args) {
        io.sufstat.jobs.core.Runner.main(new PpcaJob(), args);
    }

    @Override
    public String name() {
        return "ppca";
    }

    @Override
    public String summary() {
        return "Probabilistic PCA by distributed EM: mean, loadings W, noise σ², principal subspace; no d × d matrix.";
    }

    @Override
    public String synopsis() {
        return "--input PATH --output DIR --q Q [--max-iter 500] [--tol 1e-9] [--seed S] [--n-init N] [--init MODEL]"
                + " [--checkpoint DIR] [options]";
    }

    @Override
    public String description() {
        return "Fits x = μ + W z + ε with z ~ N(0, I_q), ε ~ N(0, σ² I) by EM. Each iteration is one pass of"
                + " GEMMs over the cached row blocks that accumulates Σ (x − μ) E[z]ᵀ (d × q), Σ E[z] E[z]ᵀ (q × q)"
                + " and Σ ‖x − μ‖²; from them, the exact optimum within the current principal subspace (Rayleigh–Ritz)"
                + " and Tipping & Bishop's M-step, which moves the subspace. The log-likelihood, from the same"
                + " statistics, never decreases; EM stops when its change per row is below --tol. DIR/model.json (kind ppca)"
                + " holds μ, W, σ², the principal axes (an orthonormal basis of W's columns by decreasing variance)"
                + " and their variances; score, sample and impute accept it (as the Gaussian N(μ, WWᵀ + σ²I)).";
    }

    static final Opt<Integer> Q = Opt.integer("q", "Q", "Latent dimension (1 ≤ Q < number of features).").required()
            .check(q -> q >= 1, "at least 1");
    static final Opt<Integer> MAX_ITER = FitOptions.MAX_ITER.defaultsTo("500");
    static final Opt<Double> TOL = FitOptions.TOL.defaultsTo("1e-9");
    static final Opt<String> INIT = Opt.text("init", "MODEL", "A ppca model.json (or its directory) to start from: a"
            + " warm start. Default: random loadings.").protectsPath();

    @Override
    public List<Opt<?>> options() {
        List<Opt<?>> specs = new ArrayList<>(InputOptions.SPECS);
        specs.addAll(List.of(AtomicOutput.OUTPUT, Q, MAX_ITER, TOL, FitOptions.SEED, FitOptions.N_INIT, INIT,
                FitOptions.CHECKPOINT, io.sufstat.jobs.report.FitReport.OPTION, AtomicOutput.OVERWRITE));
        return specs;
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        long t0 = System.nanoTime();
        InputOptions in = InputOptions.from(o, ctx.hadoopConf());
        int q = o.get(Q);
        int maxIter = o.get(MAX_ITER);
        double tol = o.get(TOL);
        long seed = o.get(FitOptions.SEED);
        int nInit = o.get(FitOptions.N_INIT);
        ModelJson.Loaded warmModel = o.find(INIT).map(p -> ModelJson.load(p, ctx.hadoopConf())).orElse(null);
        AtomicOutput out = AtomicOutput.prepare(o, ctx.hadoopConf());
        JavaSparkContext jsc = ctx.sparkContext();
        try {
            TableSource table = TableSource.open(in, ctx.spark());
            int d = table.dimension();
            requireLatentDimension(q, d);
            Ppca warm = warmStart(warmModel, o.find(INIT).orElse(""), table.features(), q);
            try (BlockCache cache = BlockCache.of(table, StorageLevel.MEMORY_AND_DISK(), false)) {
                ReadStats stats = cache.stats();
                stats.warnIfSkipped(LOG);
                stats.requireUsableRows(in.path());
                Checkpoint checkpoint = FitOptions.checkpoint(o, table, cache, Map.of("q", Integer.toString(q),
                        "seed", Long.toString(seed), "init", warm == null ? "random" : FitOptions.identity(warmModel)), ctx);
                EmEngine.Fit<Ppca> f = fit(jsc, cache, d, q, maxIter, tol, seed, nInit, warm, checkpoint);
                out.writeText("model.json", Json.write(modelJson(table.features(), f)));
                ObjectNode metrics = JobMetrics.start(name(), in, table);
                stats.putInto(metrics);
                metrics.put("q", q);
                metrics.put("iterations", f.iterations());
                metrics.put("converged", f.converged());
                JobMetrics.warnings(metrics, f.converged() ? List.of()
                        : List.of(io.sufstat.jobs.gmm.Degeneracy.stoppedAtMaxIter(f.iterations())), LOG);
                metrics.put("logLikelihood", f.objective());
                metrics.put("secondsPerIteration", f.secondsPerIteration());
                metrics.put("seconds", (System.nanoTime() - t0) / 1e9);
                out.writeText("metrics.json", Json.write(metrics));
                io.sufstat.jobs.report.FitReport.writeIf(o, out, name(), f.runTraces(), "mean log-likelihood per row",
                        jsc, cache, seed);
                out.commit();
                io.sufstat.jobs.report.Summary.print(out);
                LOG.info("wrote {}", out.shown());
            }
        } finally {
            out.abort();
        }
    }

    /** The --init model as a PPCA model of the input's features and q (null without --init). */
    static Ppca warmStart(ModelJson.Loaded warm, String path, List<String> features, int q) {
        if (warm == null) {
            return null;
        }
        Ppca p = warm.as(Ppca.class, "ppca", path);
        if (!warm.features().equals(features) || p.latentDimension() != q) {
            throw JobFailedException.model("the initial model " + path + " has features " + warm.features() + " and q = "
                    + p.latentDimension() + "; the input has " + features + " and --q is " + q);
        }
        return p;
    }

    /**
     * The mean pass, then EM with a Rayleigh–Ritz step per pass ({@link PpcaEm}) on cached blocks, the best of
     * {@code nInit} random starts (seeds S, S+1, …) or from {@code warm}: the job's and bench-ppca's fit.
     */
    public static EmEngine.Fit<Ppca> fit(JavaSparkContext jsc, BlockCache cache, int d, int q, int maxIter, double tol,
                                         long seed, int nInit, Ppca warm, Checkpoint checkpoint) throws Exception {
        MeanSummary mean = BlockPass.run(jsc, cache, new io.sufstat.common.em.MeanStep(d));
        if (mean.weightSum() == 0) {
            throw JobFailedException.input("all rows have weight 0");
        }
        LOG.info("ppca: {} rows × {} features, q = {}; cached without a d × d matrix", mean.count(), d, q);
        PpcaEm em = new PpcaEm();
        return EmEngine.best(warm != null ? 1 : nInit, r -> EmEngine.run(jsc, cache, em,
                () -> warm != null ? warm : Ppca.of(mean.mean(), randomLoadings(new SplittableRandom(seed + r), d, q), q, 1.0),
                maxIter, tol, nInit > 1 ? "ppca (init " + (r + 1) + "/" + nInit + ")" : "ppca",
                checkpoint == null ? null : checkpoint.slot("q" + q + "-init" + r, Map.of("initRun", Integer.toString(r)),
                        Codecs.ppca(d, q))));
    }

    /** The usage check of {@code --q} against the input's d, shared with {@code mppca}. */
    static void requireLatentDimension(int q, int d) {
        if (q < 1 || q >= d) {
            throw new UsageException("--q must be between 1 and the number of features minus one (" + (d - 1)
                    + "), not " + q);
        }
    }

    /** Initial loadings: standard normal entries (EM's first M-step sets their scale and σ²). */
    static double[] randomLoadings(SplittableRandom rng, int d, int q) {
        double[] w = new double[d * q];
        for (int i = 0; i < w.length; i++) {
            w[i] = rng.nextGaussian();
        }
        return w;
    }

    static ObjectNode modelJson(List<String> features, EmEngine.Fit<Ppca> f) {
        Ppca m = f.model();
        double ll = f.objective();
        int d = m.dimension();
        int q = m.latentDimension();
        ObjectNode n = Json.object();
        n.put("kind", "ppca");
        n.put("formatVersion", ModelJson.FORMAT_VERSION);
        features.forEach(n.putArray("features")::add);
        n.put("latentDimension", q);
        n.set("mean", Json.array(m.mean(), "mean"));
        n.set("loadings", Json.matrix(m.loadings(), q, "loadings"));
        n.put("noiseVariance", Json.finite(m.noiseVariance(), "noiseVariance"));
        n.set("principalAxes", Json.matrix(m.principalAxes(), q, "principalAxes"));
        n.set("explainedVariance", Json.array(m.explainedVariances(), "explainedVariance"));
        n.put("count", f.count());
        n.put("weightSum", f.weightSum());
        n.put("logLikelihood", Json.finite(ll, "logLikelihood"));
        n.put("meanLogLikelihood", Json.finite(f.meanObjective(), "meanLogLikelihood"));
        n.put("iterations", f.iterations());
        n.put("converged", f.converged());
        n.set("logLikelihoodTrace", Json.array(f.trace(), "logLikelihoodTrace"));
        return n;
    }
}
