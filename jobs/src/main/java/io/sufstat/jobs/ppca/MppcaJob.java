package io.sufstat.jobs.ppca;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.em.PpcaMixtureEm;
import io.sufstat.common.model.Ppca;
import io.sufstat.common.model.PpcaMixture;
import io.sufstat.common.stats.MppcaStatistics;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.gmm.Initializer;
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
 * {@code sufstat mppca}: a mixture of probabilistic PCA models (Tipping &amp; Bishop 1999b) by distributed
 * EM — a Gaussian mixture whose covariances are {@code W_k W_kᵀ + σ_k² I}, for clustering in dimensions
 * where full covariances are too many parameters. Each iteration is one pass of {@link MppcaStatistics}
 * (K·d·q numbers); means start from k-means++ rows (partition-independent), loadings at random.
 */
public final class MppcaJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(MppcaJob.class);

    /** This job's main class, for spark-submit. */
    public static final String CLASS = "io.sufstat.jobs.ppca.MppcaJob";

    /** {@code spark-submit --class {@value #CLASS} sufstat-jobs.jar [options]}: the same options as the launcher. */
    public static void main(String[] args) {
        io.sufstat.jobs.core.Runner.main(new MppcaJob(), args);
    }

    @Override
    public String name() {
        return "mppca";
    }

    @Override
    public String summary() {
        return "Mixture of probabilistic PCA models by distributed EM (covariances W_k W_kᵀ + σ_k² I).";
    }

    @Override
    public String synopsis() {
        return "--input PATH --output DIR --k K --q Q [--max-iter 200] [--tol 1e-6] [--seed S] [--n-init N]"
                + " [--init MODEL] [--checkpoint DIR] [options]";
    }

    @Override
    public String description() {
        return "Fits K components, each x = μ_k + W_k z + ε with z ~ N(0, I_q), ε ~ N(0, σ_k² I), by EM: the"
                + " responsibilities in log space with C_k⁻¹ and log|C_k| through the q × q matrices M_k, and Tipping &"
                + " Bishop's two-stage M-step from per-component statistics of size d × q. Means start at k-means++"
                + " rows. DIR/model.json (kind mppca) has weights, means, loadings, noise variances and the"
                + " log-likelihood trace; score, sample and impute accept it as the Gaussian mixture it is.";
    }

    static final Opt<Integer> K = Opt.integer("k", "K", "Number of components.").required()
            .check(k -> k >= 1, "at least 1");
    static final Opt<Integer> Q = Opt.integer("q", "Q", "Latent dimension of every component (1 ≤ Q < number of"
            + " features).").required().check(q -> q >= 1, "at least 1");
    static final Opt<Integer> MAX_ITER = FitOptions.MAX_ITER.defaultsTo("200");
    static final Opt<Double> TOL = FitOptions.TOL.defaultsTo("1e-6");
    static final Opt<String> INIT = Opt.text("init", "MODEL", "An mppca model.json (or its directory) to start from: a"
            + " warm start. Default: k-means++ means and random loadings.").protectsPath();

    @Override
    public List<Opt<?>> options() {
        List<Opt<?>> specs = new ArrayList<>(InputOptions.SPECS);
        specs.addAll(List.of(AtomicOutput.OUTPUT, K, Q, MAX_ITER, TOL, FitOptions.SEED, FitOptions.N_INIT, INIT,
                FitOptions.CHECKPOINT, io.sufstat.jobs.report.FitReport.OPTION, AtomicOutput.OVERWRITE));
        return specs;
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        long t0 = System.nanoTime();
        InputOptions in = InputOptions.from(o, ctx.hadoopConf());
        int k = o.get(K);
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
            PpcaJob.requireLatentDimension(q, d);
            if (table.hasWeights()) {
                throw new UsageException("mppca does not take --weight-col yet");
            }
            PpcaMixture warm = warmStart(warmModel, o.find(INIT).orElse(""), table.features(), k, q);
            try (BlockCache cache = BlockCache.of(table, StorageLevel.MEMORY_AND_DISK(), false)) {
                ReadStats stats = cache.stats();
                stats.warnIfSkipped(LOG);
                stats.requireUsableRows(in.path());
                Checkpoint checkpoint = FitOptions.checkpoint(o, table, cache, Map.of("k", Integer.toString(k), "q",
                        Integer.toString(q), "seed", Long.toString(seed), "init",
                        warm == null ? "k-means++" : FitOptions.identity(warmModel)), ctx);
                PpcaMixtureEm em = new PpcaMixtureEm();
                EmEngine.Fit<PpcaMixture> f = EmEngine.best(warm != null ? 1 : nInit, r -> EmEngine.run(jsc, cache, em,
                        () -> warm != null ? warm : initial(cache, k, d, q, seed + r), maxIter, tol,
                        nInit > 1 ? "mppca (init " + (r + 1) + "/" + nInit + ")" : "mppca",
                        checkpoint == null ? null : checkpoint.slot("k" + k + "-q" + q + "-init" + r,
                                Map.of("initRun", Integer.toString(r)), Codecs.ppcaMixture(k, d, q))));
                out.writeText("model.json", Json.write(modelJson(table.features(), f)));
                ObjectNode metrics = JobMetrics.start(name(), in, table);
                stats.putInto(metrics);
                metrics.put("k", k);
                metrics.put("q", q);
                metrics.put("iterations", f.iterations());
                metrics.put("converged", f.converged());
                JobMetrics.warnings(metrics, f.converged() ? List.of()
                        : List.of(io.sufstat.jobs.gmm.Degeneracy.stoppedAtMaxIter(f.iterations())), LOG);
                metrics.put("logLikelihood", f.objective());
                metrics.put("seconds", (System.nanoTime() - t0) / 1e9);
                out.writeText("metrics.json", Json.write(metrics));
                io.sufstat.jobs.report.FitReport.writeIf(o, out, name(), f.runTraces(), "mean log-likelihood per row",
                        jsc, cache, seed);
                out.commit();
                io.sufstat.jobs.report.Summary.print(out);
                LOG.info("mppca: wrote {}", out.shown());
            }
        } finally {
            out.abort();
        }
    }

    /** k-means++ means (independent of the partitioning), random loadings, unit noise and equal weights. */
    static PpcaMixture initial(BlockCache cache, int k, int d, int q, long seed) throws Exception {
        double[][] means = Initializer.kMeansPlusPlus(cache, k, seed);
        SplittableRandom rng = new SplittableRandom(seed);
        Ppca[] model = new Ppca[k];
        for (int j = 0; j < k; j++) {
            model[j] = Ppca.of(means[j], PpcaJob.randomLoadings(rng, d, q), q, 1.0);
        }
        double[] weights = new double[k];
        java.util.Arrays.fill(weights, 1.0 / k);
        return new PpcaMixture(weights, model);
    }

    /** The --init model as a mixture of K PPCA models of the input's features and q (null without --init). */
    static PpcaMixture warmStart(ModelJson.Loaded warm, String path, List<String> features, int k, int q) {
        if (warm == null) {
            return null;
        }
        PpcaMixture m = warm.as(PpcaMixture.class, "mppca", path);
        if (!warm.features().equals(features) || m.size() != k || m.components()[0].latentDimension() != q) {
            throw JobFailedException.model("the initial model " + path + " has features " + warm.features() + ", K = "
                    + m.size() + ", q = " + m.components()[0].latentDimension() + "; this run has " + features
                    + ", --k " + k + ", --q " + q);
        }
        return m;
    }

    static ObjectNode modelJson(List<String> features, EmEngine.Fit<PpcaMixture> f) {
        double[] weights = f.model().weights();
        Ppca[] model = f.model().components();
        int q = model[0].latentDimension();
        ObjectNode n = Json.object();
        n.put("kind", "mppca");
        n.put("formatVersion", ModelJson.FORMAT_VERSION);
        features.forEach(n.putArray("features")::add);
        n.put("latentDimension", q);
        n.set("weights", Json.array(weights, "weights"));
        ArrayNode means = n.putArray("means");
        ArrayNode loadings = n.putArray("loadings");
        double[] noise = new double[model.length];
        for (int j = 0; j < model.length; j++) {
            means.add(Json.array(model[j].mean(), "means"));
            loadings.add(Json.matrix(model[j].loadings(), q, "loadings"));
            noise[j] = model[j].noiseVariance();
        }
        n.set("noiseVariances", Json.array(noise, "noiseVariances"));
        n.put("count", f.count());
        n.put("logLikelihood", Json.finite(f.objective(), "logLikelihood"));
        n.put("meanLogLikelihood", Json.finite(f.meanObjective(), "meanLogLikelihood"));
        n.put("iterations", f.iterations());
        n.put("converged", f.converged());
        n.set("logLikelihoodTrace", Json.array(f.trace(), "logLikelihoodTrace"));
        return n;
    }
}
