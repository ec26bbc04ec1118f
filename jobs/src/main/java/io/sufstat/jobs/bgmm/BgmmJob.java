package io.sufstat.jobs.bgmm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.em.BayesianMixtureEm;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.VariationalMixture;
import io.sufstat.common.stats.EmStatistics;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.em.BlockPass;
import io.sufstat.jobs.em.Checkpoint;
import io.sufstat.jobs.em.Codecs;
import io.sufstat.jobs.em.EmEngine;
import io.sufstat.jobs.em.FitOptions;
import io.sufstat.jobs.gmm.Initializer;
import io.sufstat.jobs.io.AtomicOutput;
import io.sufstat.jobs.io.HadoopFiles;
import io.sufstat.jobs.io.InputOptions;
import io.sufstat.jobs.io.JobMetrics;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.ModelJson;
import io.sufstat.jobs.io.ReadStats;
import io.sufstat.jobs.io.TableSource;
import io.sufstat.jobs.spark.BlockCache;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code sufstat bgmm}: a variational Bayesian Gaussian mixture (Bishop 2006, §10.2; Blei &amp; Jordan 2006)
 * with scikit-learn's {@code BayesianGaussianMixture} priors, updates and lower bound, on the one EM
 * engine ({@link BayesianMixtureEm}). K is an upper bound: components the data do not need are emptied.
 */
public final class BgmmJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(BgmmJob.class);

    /** This job's main class, for spark-submit. */
    public static final String CLASS = "io.sufstat.jobs.bgmm.BgmmJob";

    public static void main(String[] args) {
        io.sufstat.jobs.core.Runner.main(new BgmmJob(), args);
    }

    @Override
    public String name() {
        return "bgmm";
    }

    @Override
    public String summary() {
        return "Variational Bayesian Gaussian mixture (scikit-learn's BayesianGaussianMixture); K is an upper bound.";
    }

    @Override
    public String synopsis() {
        return "--input PATH --output DIR --k K [--covariance full|diag|tied|spherical]"
                + " [--weight-prior dirichlet-process|dirichlet-distribution] [--init METHOD|MODEL] [options]";
    }

    @Override
    public String description() {
        return "Fits the variational posterior of a Bayesian Gaussian mixture by variational EM, each iteration one pass:"
                + " per block the responsibilities from E[ln π_k] + E[ln N(x | μ_k, Λ_k⁻¹)] in log space and their"
                + " weighted moments; then the variational M-step (weight concentration, mean precision, means, Wishart"
                + " degrees of freedom and covariances). The priors, updates and lower bound are scikit-learn 1.2's, so K"
                + " is an upper bound and unneeded components are emptied. --tol is on the change of the total lower"
                + " bound (scikit-learn's). The initial responsibilities are the posteriors of the gmm initialisation"
                + " (or of a gaussian-mixture --init model), followed by the variational M-step. DIR/model.json (kind"
                + " bayesian-gaussian-mixture) holds the point estimates (weights, means, covariances), every"
                + " variational parameter, the priors, lowerBound, lowerBoundTrace and effectiveComponents (weights above"
                + " 1e-3); score, sample and impute read it as the point-estimate mixture.";
    }

    static final Opt<String> WEIGHT_PRIOR = Opt.choice("weight-prior", "dirichlet-process (stick-breaking) or"
            + " dirichlet-distribution.", "dirichlet-process", "dirichlet-distribution").defaultsTo("dirichlet-process");
    static final Opt<Double> WEIGHT_CONCENTRATION = Opt.number("weight-concentration", "G", "Weight concentration prior"
            + " (default 1/K).").check(v -> v > 0, "positive");
    static final Opt<Double> MEAN_PRECISION = Opt.number("mean-precision", "B", "Mean precision prior β₀.").defaultsTo("1")
            .check(v -> v > 0, "positive");
    static final Opt<double[]> MEAN_PRIOR = Opt.of("mean-prior", "M1,M2,…", "Mean prior m₀ (default: the data mean).",
            BgmmJob::numbers);
    static final Opt<Double> DOF_PRIOR = Opt.number("dof-prior", "NU", "Degrees-of-freedom prior ν₀ (> d − 1; default"
            + " d).");
    static final Opt<Double> COVARIANCE_PRIOR = Opt.number("covariance-prior", "S", "Covariance prior as S·I (default:"
            + " the data's unbiased covariance, variances or their mean, per covariance type, as scikit-learn).")
            .check(v -> v > 0, "positive");
    static final Opt<Double> TOL = Opt.number("tol", "T", "Stop when the total lower bound changes by less than T"
            + " (scikit-learn's).").defaultsTo("1e-3").check(t -> t >= 0, "non-negative");

    @Override
    public List<Opt<?>> options() {
        List<Opt<?>> specs = new ArrayList<>(InputOptions.SPECS);
        specs.addAll(List.of(AtomicOutput.OUTPUT, FitOptions.K, FitOptions.COVARIANCE, WEIGHT_PRIOR, WEIGHT_CONCENTRATION,
                MEAN_PRECISION, MEAN_PRIOR, DOF_PRIOR, COVARIANCE_PRIOR, Initializer.INIT, FitOptions.N_INIT,
                FitOptions.MAX_ITER, TOL, FitOptions.REG_COVAR, FitOptions.SEED, FitOptions.CHECKPOINT,
                io.sufstat.jobs.report.FitReport.OPTION, AtomicOutput.OVERWRITE));
        return specs;
    }

    private static double[] numbers(String text) {
        String[] parts = text.split(",");
        double[] out = new double[parts.length];
        for (int j = 0; j < parts.length; j++) {
            try {
                out[j] = Double.parseDouble(parts[j].trim());
            } catch (NumberFormatException e) {
                throw new UsageException("--mean-prior: '" + parts[j].trim() + "' is not a number");
            }
            if (!Double.isFinite(out[j])) {
                throw new UsageException("--mean-prior: '" + parts[j].trim() + "' is not finite");
            }
        }
        return out;
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        long t0 = System.nanoTime();
        InputOptions in = InputOptions.from(o, ctx.hadoopConf());
        CovarianceType type = FitOptions.single(o, FitOptions.COVARIANCE, "bgmm");
        boolean process = o.get(WEIGHT_PRIOR).equals("dirichlet-process");
        int maxIter = o.get(FitOptions.MAX_ITER);
        int nInit = o.get(FitOptions.N_INIT);
        double tol = o.get(TOL);
        double reg = o.get(FitOptions.REG_COVAR);
        long seed = o.get(FitOptions.SEED);
        String init = o.get(Initializer.INIT);
        Initializer.Method method = Initializer.Method.parse(init);
        ModelJson.Loaded warm = method == null ? ModelJson.load(init, ctx.hadoopConf()) : null;
        if (warm == null && !o.given(FitOptions.K)) {
            throw new UsageException("--k is required (unless --init is a model.json)");
        }
        int k = warm != null ? warm.mixture().size() : FitOptions.single(o, FitOptions.K, "bgmm");
        AtomicOutput out = AtomicOutput.prepare(o, ctx.hadoopConf());
        try {
            TableSource table = TableSource.open(in, ctx.spark());
            if (warm != null && !warm.features().equals(table.features())) {
                throw JobFailedException.model("the initial model's features " + warm.features() + " differ from the"
                        + " input's " + table.features());
            }
            try (BlockCache cache = BlockCache.of(table, StorageLevel.MEMORY_AND_DISK())) {
                ReadStats stats = cache.stats();
                stats.warnIfSkipped(LOG);
                stats.requireUsableRows(in.path());
                if (k > cache.rowCount()) {
                    throw JobFailedException.fit("--k " + k + " is larger than the number of rows (" + cache.rowCount() + ")");
                }
                BayesianMixtureEm em = BayesianMixtureEm.of(type, k, reg, priors(o, process, k, type, cache));
                int d = table.dimension();
                Checkpoint checkpoint = FitOptions.checkpoint(o, table, cache, Map.of("k", Integer.toString(k),
                        "covarianceType", type.label(), "init", warm == null ? init : FitOptions.identity(warm),
                        "seed", Long.toString(seed), "regCovar", Double.toString(reg), "priors", describe(em.priors())), ctx);
                EmEngine.Fit<VariationalMixture> fit = fit(ctx.spark(), cache, em, warm == null ? null : warm.mixture(),
                        method, nInit, maxIter, tol, reg, seed, checkpoint);
                write(out, o, table, in, stats, em, fit, t0);
                io.sufstat.jobs.report.FitReport.writeIf(o, out, name(), fit.runTraces(), "lower bound",
                        ctx.sparkContext(), cache, seed);
                out.commit();
                io.sufstat.jobs.report.Summary.print(out);
                LOG.info("bgmm: wrote {}", out.shown());
            }
        } finally {
            out.abort();
        }
    }

    /**
     * The fit as a library call (the job's and the Spark ML estimator's): from the posteriors of {@code start}
     * (or of gmm's initialisation by {@code method}, best of {@code nInit}), the variational M-step, then
     * variational EM; with a checkpoint, resumable.
     */
    public static EmEngine.Fit<VariationalMixture> fit(org.apache.spark.sql.SparkSession spark, BlockCache cache,
                                                       BayesianMixtureEm em, GaussianMixture start,
                                                       Initializer.Method method, int nInit, int maxIter, double tol,
                                                       double reg, long seed, Checkpoint checkpoint) throws Exception {
        org.apache.spark.api.java.JavaSparkContext jsc = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(
                spark.sparkContext());
        int k = em.components();
        CovarianceType type = em.covarianceType();
        int d = cache.dimension();
        return EmEngine.best(start != null ? 1 : nInit, r -> EmEngine.run(jsc, cache, em, () -> {
            GaussianMixture s = start != null ? start : Initializer.initial(method, k, type, seed + r, reg, cache, spark);
            EmStatistics first = BlockPass.run(jsc, cache, em.initialStep(s));
            return em.mStep(first, em.momentKernel(s));
        }, maxIter, tol, nInit > 1 ? "bgmm (init " + (r + 1) + "/" + nInit + ")" : "bgmm",
                checkpoint == null ? null : checkpoint.slot("k" + k + "-" + type.label() + "-init" + r,
                        Map.of("initRun", Integer.toString(r)), Codecs.variational(k, d, type, em.priors().dirichletProcess()))));
    }

    /** scikit-learn's default priors from the cached data, with the options that replace them. */
    private static BayesianMixtureEm.Priors priors(Options o, boolean process, int k, CovarianceType type, BlockCache cache) {
        BayesianMixtureEm.Priors def = BayesianMixtureEm.defaultPriors(process, k, cache.moments(), type);
        int d = cache.dimension();
        double[] mean = def.mean();
        if (o.given(MEAN_PRIOR)) {
            double[] v = o.get(MEAN_PRIOR);
            if (v.length != d) {
                throw new UsageException("--mean-prior needs " + d + " numbers, not " + v.length);
            }
            mean = v.clone();
        }
        double[] cov = def.covariance();
        if (o.given(COVARIANCE_PRIOR)) {
            double s = o.get(COVARIANCE_PRIOR);
            java.util.Arrays.fill(cov, 0);
            switch (type) {
                case FULL, TIED -> {
                    for (int j = 0; j < d; j++) {
                        cov[j * d + j] = s;
                    }
                }
                default -> java.util.Arrays.fill(cov, s);
            }
        }
        try {
            return new BayesianMixtureEm.Priors(process,
                    o.find(WEIGHT_CONCENTRATION).orElse(def.weightConcentration()), o.get(MEAN_PRECISION), mean,
                    o.find(DOF_PRIOR).orElse(def.dof()), cov);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static String describe(BayesianMixtureEm.Priors p) {
        return (p.dirichletProcess() ? "process" : "distribution") + ";" + p.weightConcentration() + ";" + p.meanPrecision()
                + ";" + java.util.Arrays.toString(p.mean()) + ";" + p.dof() + ";" + java.util.Arrays.toString(p.covariance());
    }

    private void write(AtomicOutput out, Options o, TableSource table, InputOptions in, ReadStats stats, BayesianMixtureEm em,
                       EmEngine.Fit<VariationalMixture> fit, long t0) throws java.io.IOException {
        VariationalMixture v = fit.model();
        int k = v.size();
        ObjectNode n = ModelJson.mixture(table.features(), v.pointEstimate());
        n.put("kind", "bayesian-gaussian-mixture");
        ArrayNode concentration = n.putArray("weightConcentration");
        double[] beta = new double[k];
        double[] dof = new double[k];
        for (int j = 0; j < k; j++) {
            concentration.add(v.dirichletProcess() ? Json.array(v.concentration(j), "weightConcentration")
                    : concentration.numberNode(v.concentration(j)[0]));
            beta[j] = v.meanPrecision(j);
            dof[j] = v.degreesOfFreedom(j);
        }
        n.set("meanPrecision", Json.array(beta, "meanPrecision"));
        n.set("degreesOfFreedom", Json.array(dof, "degreesOfFreedom"));
        BayesianMixtureEm.Priors p = em.priors();
        ObjectNode priors = n.putObject("priors");
        priors.put("weightPrior", p.dirichletProcess() ? "dirichlet-process" : "dirichlet-distribution");
        priors.put("weightConcentration", p.weightConcentration());
        priors.put("meanPrecision", p.meanPrecision());
        priors.set("mean", Json.array(p.mean(), "mean prior"));
        priors.put("degreesOfFreedom", p.dof());
        priors.set("covariance", Json.array(p.covariance(), "covariance prior"));
        int effective = BayesianMixtureEm.effectiveComponents(v);
        n.put("count", fit.count());
        n.put("weightSum", fit.weightSum());
        n.put("lowerBound", Json.finite(fit.objective(), "lowerBound"));
        n.set("lowerBoundTrace", Json.array(fit.trace(), "lowerBoundTrace"));
        n.put("effectiveComponents", effective);
        n.put("iterations", fit.iterations());
        n.put("converged", fit.converged());
        n.put("init", HadoopFiles.redact(o.get(Initializer.INIT)));
        n.put("seed", o.get(FitOptions.SEED));
        n.put("regCovar", o.get(FitOptions.REG_COVAR));
        n.put("tol", o.get(TOL));
        out.writeText("model.json", Json.write(n));
        ObjectNode metrics = JobMetrics.start(name(), in, table);
        stats.putInto(metrics);
        metrics.put("k", k);
        metrics.put("effectiveComponents", effective);
        metrics.put("iterations", fit.iterations());
        metrics.put("converged", fit.converged());
        metrics.put("lowerBound", fit.objective());
        JobMetrics.warnings(metrics, fit.converged() ? List.of()
                : List.of(io.sufstat.jobs.gmm.Degeneracy.stoppedAtMaxIter(fit.iterations())), LOG);
        metrics.put("seconds", (System.nanoTime() - t0) / 1e9);
        out.writeText("metrics.json", Json.write(metrics));
        LOG.info("bgmm: {} effective components of {}", effective, k);
    }
}
