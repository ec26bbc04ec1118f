package io.sufstat.jobs.tmm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.em.TMixtureEm;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.TMixture;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.em.Checkpoint;
import io.sufstat.jobs.em.Codecs;
import io.sufstat.jobs.em.EmEngine;
import io.sufstat.jobs.em.FitOptions;
import io.sufstat.jobs.em.Selection;
import io.sufstat.jobs.gmm.Degeneracy;
import io.sufstat.jobs.gmm.Initializer;
import io.sufstat.jobs.io.AtomicOutput;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code sufstat tmm}: a mixture of multivariate Student-t distributions (Peel &amp; McLachlan 2000) by
 * distributed ECM ({@link TMixtureEm} on the one EM engine): robust clustering, in which outlying rows get
 * small latent weights u instead of dragging locations and inflating scales.
 */
public final class TmmJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(TmmJob.class);

    /** This job's main class, for spark-submit. */
    public static final String CLASS = "io.sufstat.jobs.tmm.TmmJob";

    public static void main(String[] args) {
        io.sufstat.jobs.core.Runner.main(new TmmJob(), args);
    }

    @Override
    public String name() {
        return "tmm";
    }

    @Override
    public String summary() {
        return "Mixture of Student-t distributions by distributed ECM: clustering that outliers do not drag.";
    }

    @Override
    public String synopsis() {
        return "--input PATH --output DIR --k K [--covariance full|diag|tied|spherical|all] [--dof NU | --dof-init 10]"
                + " [--dof-tied] [--init METHOD|MODEL] [options]";
    }

    @Override
    public String description() {
        return "Fits K multivariate Student-t components by ECM (McLachlan & Peel 2000, §7.5). Each iteration is one"
                + " pass: per block the squared Mahalanobis distances δ to every component (the Gaussian block kernels),"
                + " the posteriors τ in log space and the latent weights u = (ν + d)/(ν + δ); then CM-step 1 (π = Στ/n,"
                + " μ = Σ τu x / Σ τu, Σ = Σ τu (x − μ)(x − μ)ᵀ / Στ plus --reg-covar) and CM-step 2 (each ν solves the"
                + " digamma equation from the same E-step, clamped to [--dof-min, --dof-max]; --dof fixes ν, --dof-tied"
                + " shares one). Initial locations and scales come from the gmm initialisations (or a gaussian-mixture"
                + " or t-mixture model.json, ν = --dof-init for a Gaussian start). DIR/model.json (kind t-mixture) has"
                + " weights, means, scales (full d×d), degreesOfFreedom, the log-likelihood, BIC, AIC and its trace;"
                + " score adds each row's latent weight (tWeight, small for outliers). With several values of --k and/or"
                + " --covariance, every combination is fitted and the lowest BIC (ν's counted) is written, all fits to"
                + " DIR/selection.csv.";
    }

    static final Opt<Double> DOF = Opt.number("dof", "NU", "Fix every ν at this value (no CM-step 2).")
            .check(v -> v > 0, "positive");
    static final Opt<Double> DOF_INIT = Opt.number("dof-init", "NU", "Initial ν (also for a gaussian-mixture --init).")
            .defaultsTo("10").check(v -> v > 0, "positive");
    static final Opt<Boolean> DOF_TIED = Opt.flag("dof-tied", "One ν shared by every component.");
    static final Opt<Double> DOF_MIN = Opt.number("dof-min", "NU", "Smallest ν CM-step 2 may choose.").defaultsTo("0.5")
            .check(v -> v > 0, "positive");
    static final Opt<Double> DOF_MAX = Opt.number("dof-max", "NU", "Largest ν CM-step 2 may choose.").defaultsTo("200")
            .check(v -> v > 0, "positive");

    @Override
    public List<Opt<?>> options() {
        List<Opt<?>> specs = new ArrayList<>(InputOptions.SPECS);
        specs.addAll(List.of(AtomicOutput.OUTPUT, FitOptions.K, FitOptions.COVARIANCE, DOF, DOF_INIT, DOF_TIED, DOF_MIN,
                DOF_MAX, Initializer.INIT, FitOptions.N_INIT, FitOptions.MAX_ITER, FitOptions.TOL, FitOptions.REG_COVAR,
                FitOptions.SEED, FitOptions.CHECKPOINT, io.sufstat.jobs.report.FitReport.OPTION, AtomicOutput.OVERWRITE));
        return specs;
    }

    /** The options, parsed and checked. */
    private record Request(InputOptions in, List<Integer> ks, List<CovarianceType> types, TMixtureEm em, double dofInit,
                           int maxIter, double tol, double reg, long seed, int nInit, String init,
                           Initializer.Method method) {
        static Request parse(Options o, JobContext ctx) {
            InputOptions in = InputOptions.from(o, ctx.hadoopConf());
            List<Integer> ks = o.find(FitOptions.K).orElse(List.of());
            double reg = o.get(FitOptions.REG_COVAR);
            double min = o.get(DOF_MIN);
            double max = o.get(DOF_MAX);
            if (max < min) {
                throw new UsageException("--dof-min " + min + " is above --dof-max " + max);
            }
            TMixtureEm.DofMode mode = o.given(DOF) ? TMixtureEm.DofMode.FIXED
                    : o.get(DOF_TIED) ? TMixtureEm.DofMode.TIED : TMixtureEm.DofMode.PER_COMPONENT;
            double dofInit = o.find(DOF).orElse(o.get(DOF_INIT));
            String init = o.get(Initializer.INIT);
            Initializer.Method method = Initializer.Method.parse(init);
            if (method != null && ks.isEmpty()) {
                throw new UsageException("--k is required (unless --init is a model.json)");
            }
            return new Request(in, ks, o.get(FitOptions.COVARIANCE), TMixtureEm.of(reg, mode, min, max), dofInit,
                    o.get(FitOptions.MAX_ITER), o.get(FitOptions.TOL), reg, o.get(FitOptions.SEED), o.get(FitOptions.N_INIT),
                    init, method);
        }

        /** With a warm start the initial model fixes K and the covariance type. */
        Request warmStart(Options o, TMixture start) {
            if (o.given(FitOptions.K) && !(ks.size() == 1 && ks.get(0) == start.size())) {
                throw new UsageException("--k " + o.text(FitOptions.K).orElse("") + " does not match the initial model's " + start.size()
                        + " components");
            }
            if (o.given(FitOptions.COVARIANCE) && !(types.size() == 1 && types.get(0) == start.covarianceType())) {
                throw new UsageException("--covariance " + o.text(FitOptions.COVARIANCE).orElse("") + " does not match the initial"
                        + " model's " + start.covarianceType().label());
            }
            return new Request(in, List.of(start.size()), List.of(start.covarianceType()), em, dofInit, maxIter, tol,
                    reg, seed, 1, init, method);
        }
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        long t0 = System.nanoTime();
        Request req = Request.parse(o, ctx);
        ModelJson.Loaded warm = req.method() == null ? ModelJson.load(req.init(), ctx.hadoopConf()) : null;
        AtomicOutput out = AtomicOutput.prepare(o, ctx.hadoopConf());
        try {
            TableSource table = TableSource.open(req.in(), ctx.spark());
            TMixture start = warm == null ? null : warmStart(warm, req, table.features());
            if (start != null) {
                req = req.warmStart(o, start);
            }
            Request r = req;
            try (BlockCache cache = BlockCache.of(table, StorageLevel.MEMORY_AND_DISK())) {
                ReadStats stats = cache.stats();
                stats.warnIfSkipped(LOG);
                stats.requireUsableRows(req.in().path());
                Checkpoint checkpoint = FitOptions.checkpoint(o, table, cache, Map.of("init", warm == null ? req.init()
                        : FitOptions.identity(warm), "seed", Long.toString(req.seed()), "regCovar",
                        Double.toString(req.reg()), "dof", req.em().toString() + ":" + req.dofInit()), ctx);
                int d = table.dimension();
                Selection<TMixture> selection = Selection.run(req.ks(), req.types(),
                        (k, type) -> type.parameters(k, d) + r.em().dofParameters(k),
                        (k, type) -> {
                            if (k > cache.rowCount()) {
                                throw JobFailedException.fit("--k " + k + " is larger than the number of rows ("
                                        + cache.rowCount() + "); use a smaller --k");
                            }
                            return fit(ctx.spark(), cache, k, type, r.em(), r.dofInit(), r.method(), start, r.nInit(),
                                    r.maxIter(), r.tol(), r.reg(), r.seed(), checkpoint);
                        });
                write(out, req, table, stats, selection, t0);
                io.sufstat.jobs.report.FitReport.writeIf(o, out, name(), selection.chosen().fit().runTraces(),
                        "mean log-likelihood per row", ctx.sparkContext(), cache, req.seed());
                out.commit();
                io.sufstat.jobs.report.Summary.print(out);
                LOG.info("tmm: ν = {}; wrote {}", Arrays.toString(selection.chosen().fit().model().degreesOfFreedom()),
                        out.shown());
            }
        } finally {
            out.abort();
        }
    }

    /**
     * The fit as a library call (the job's and the Spark ML estimator's): the best of {@code nInit} ECM runs
     * from gmm's initialisations (ν = {@code dofInit}), or one from {@code warm}; with a checkpoint, resumable.
     */
    public static EmEngine.Fit<TMixture> fit(org.apache.spark.sql.SparkSession spark, BlockCache cache, int k,
                                             CovarianceType type, TMixtureEm em, double dofInit, Initializer.Method method,
                                             TMixture warm, int nInit, int maxIter, double tol, double reg, long seed,
                                             Checkpoint checkpoint) throws Exception {
        double[] dof = new double[k];
        Arrays.fill(dof, dofInit);
        org.apache.spark.api.java.JavaSparkContext jsc = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(
                spark.sparkContext());
        int d = cache.dimension();
        return EmEngine.best(warm != null ? 1 : nInit, r -> EmEngine.run(jsc, cache, em, () -> warm != null ? warm
                : TMixture.of(Initializer.initial(method, k, type, seed + r, reg, cache, spark), dof), maxIter, tol,
                nInit > 1 ? "tmm (init " + (r + 1) + "/" + nInit + ")" : "tmm",
                checkpoint == null ? null : checkpoint.slot("k" + k + "-" + type.label() + "-init" + r,
                        Map.of("k", Integer.toString(k), "covarianceType", type.label(), "initRun", Integer.toString(r)),
                        Codecs.tMixture(k, d, type))));
    }

    /** A t-mixture to continue, or a Gaussian mixture whose covariances become the scales (ν = --dof-init). */
    private static TMixture warmStart(ModelJson.Loaded warm, Request req, List<String> features) {
        if (!warm.features().equals(features)) {
            throw JobFailedException.model("the initial model's features " + warm.features() + " differ from the input's "
                    + features + " (name them with --features)");
        }
        if (warm.model() instanceof TMixture t) {
            return t;
        }
        GaussianMixture g = warm.as(GaussianMixture.class, "gaussian-mixture or t-mixture", req.init());
        double[] dof = new double[g.size()];
        Arrays.fill(dof, req.dofInit());
        return TMixture.of(g, dof);
    }

    private void write(AtomicOutput out, Request req, TableSource table, ReadStats stats, Selection<TMixture> selection,
                       long t0) throws java.io.IOException {
        Selection.Candidate<TMixture> chosen = selection.chosen();
        EmEngine.Fit<TMixture> fit = chosen.fit();
        TMixture t = fit.model();
        ObjectNode n = ModelJson.tMixture(table.features(), t);
        n.put("count", fit.count());
        n.put("weightSum", fit.weightSum());
        n.put("logLikelihood", Json.finite(fit.objective(), "logLikelihood"));
        n.put("meanLogLikelihood", Json.finite(fit.meanObjective(), "meanLogLikelihood"));
        n.put("parameters", chosen.parameters());
        n.put("bic", Json.finite(chosen.bic(), "bic"));
        n.put("aic", Json.finite(chosen.aic(), "aic"));
        n.put("iterations", fit.iterations());
        n.put("converged", fit.converged());
        n.set("logLikelihoodTrace", Json.array(fit.trace(), "logLikelihoodTrace"));
        n.put("init", io.sufstat.jobs.io.HadoopFiles.redact(req.init()));
        n.put("nInit", req.nInit());
        n.put("seed", req.seed());
        n.put("regCovar", req.reg());
        n.put("tol", req.tol());
        out.writeText("model.json", Json.write(n));
        out.writeText("selection.csv", selection.csv(req.method() == null ? "model" : req.method().label()));
        ObjectNode metrics = JobMetrics.start(name(), req.in(), table);
        stats.putInto(metrics);
        metrics.put("k", t.size());
        metrics.put("covarianceType", t.covarianceType().label());
        metrics.put("iterations", fit.iterations());
        metrics.put("converged", fit.converged());
        metrics.put("logLikelihood", fit.objective());
        metrics.put("bic", chosen.bic());
        JobMetrics.warnings(metrics, Degeneracy.of(t.scales(), fit.weightSum(), req.reg(), fit.converged(),
                fit.iterations()), LOG);
        selection.putInto(metrics);
        metrics.put("seconds", (System.nanoTime() - t0) / 1e9);
        out.writeText("metrics.json", Json.write(metrics));
    }
}
