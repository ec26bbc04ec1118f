package io.sufstat.jobs.ppca;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.model.Ppca;
import io.sufstat.common.stats.PpcaStatistics;
import io.sufstat.jobs.Job;
import io.sufstat.jobs.JobContext;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Failure;
import io.sufstat.jobs.cli.OptionSpec;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.io.AtomicOutput;
import io.sufstat.jobs.io.InputOptions;
import io.sufstat.jobs.io.JobMetrics;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.ModelJson;
import io.sufstat.jobs.io.ReadStats;
import io.sufstat.jobs.io.TableSource;
import io.sufstat.jobs.spark.BlockCache;
import io.sufstat.jobs.spark.DataBlock;
import io.sufstat.jobs.spark.OrderedReduce;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
        io.sufstat.jobs.Sufstat.main(new PpcaJob(), args);
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
        return "--input PATH --output DIR --q Q [--max-iter 500] [--tol 1e-9] [--seed S] [options]";
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

    @Override
    public List<OptionSpec> options() {
        List<OptionSpec> specs = new ArrayList<>(InputOptions.SPECS);
        specs.add(OptionSpec.required("output", "DIR", "Output directory; absent or empty (see --overwrite)."));
        specs.add(OptionSpec.required("q", "Q", "Latent dimension (1 ≤ Q < number of features)."));
        specs.add(OptionSpec.value("max-iter", "N", "Maximum EM iterations.", "500"));
        specs.add(OptionSpec.value("tol", "T", "Stop when the mean log-likelihood per row changes by less.", "1e-9"));
        specs.add(OptionSpec.value("seed", "S", "Random seed of the initial W.", "0"));
        specs.add(OptionSpec.flag("overwrite", "Replace an earlier sufstat output in the output directory (never a directory sufstat did not write)."));
        return specs;
    }

    /** Weighted mean of blocks, merged by Chan's update (each block's mean taken about its first row). */
    record MeanPart(double weight, long count, double[] mean) implements Serializable {
        MeanPart merge(MeanPart o) {
            if (o.weight == 0) {
                return new MeanPart(weight, count + o.count, mean);
            }
            if (weight == 0) {
                return new MeanPart(o.weight, count + o.count, o.mean);
            }
            double w = weight + o.weight;
            double[] m = mean.clone();
            for (int j = 0; j < m.length; j++) {
                m[j] += (o.mean[j] - m[j]) * (o.weight / w);
            }
            return new MeanPart(w, count + o.count, m);
        }
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        long t0 = System.nanoTime();
        InputOptions in = InputOptions.from(o, ctx.hadoopConf());
        int q = o.getInt("q");
        int maxIter = o.getInt("max-iter");
        double tol = o.getDouble("tol");
        long seed = o.getLong("seed");
        if (maxIter < 1 || tol < 0) {
            throw new UsageException("--max-iter must be at least 1 and --tol non-negative");
        }
        AtomicOutput out = AtomicOutput.prepare(o, ctx.hadoopConf());
        JavaSparkContext jsc = ctx.sparkContext();
        try {
            TableSource table = TableSource.open(in, ctx.spark());
            int d = table.dimension();
            requireLatentDimension(q, d);
            try (BlockCache cache = BlockCache.of(table, StorageLevel.MEMORY_AND_DISK(), false)) {
                ReadStats stats = cache.stats();
                stats.warnIfSkipped(LOG);
                stats.requireUsableRows(in.path());
                Fit f = fit(jsc, cache, d, q, maxIter, tol, seed);
                Ppca fitted = f.model();
                PpcaStatistics best = f.statistics();
                double ll = f.logLikelihood();
                int iterations = f.iterations();
                boolean converged = f.converged();
                double[] trace = f.trace();
                double iterSeconds = f.secondsPerIteration() * iterations;
                ObjectNode json = modelJson(table.features(), fitted, best, ll, iterations, converged, trace);
                out.writeText("model.json", Json.write(json));
                ObjectNode metrics = JobMetrics.start(name(), in, table);
                stats.putInto(metrics);
                metrics.put("q", q);
                metrics.put("iterations", iterations);
                metrics.put("converged", converged);
                JobMetrics.warnings(metrics, converged ? java.util.List.of()
                        : java.util.List.of(io.sufstat.jobs.gmm.Degeneracy.stoppedAtMaxIter(iterations)), LOG);
                metrics.put("logLikelihood", ll);
                metrics.put("secondsPerIteration", iterations == 0 ? 0 : iterSeconds / iterations);
                metrics.put("seconds", (System.nanoTime() - t0) / 1e9);
                out.writeText("metrics.json", Json.write(metrics));
                out.commit();
                LOG.info("wrote {}", out.shown());
            }
        } finally {
            out.abort();
        }
    }

    /** A PPCA fit: the model, the statistics of its last pass (in its basis), its log-likelihood and trace. */
    public record Fit(Ppca model, PpcaStatistics statistics, double logLikelihood, int iterations, boolean converged,
                      double[] trace, double secondsPerIteration) {
    }

    /** The mean pass, then EM with a Rayleigh–Ritz step per pass, on cached blocks (the job's and bench-ppca's fit). */
    public static Fit fit(JavaSparkContext jsc, BlockCache cache, int d, int q, int maxIter, double tol, long seed)
            throws Exception {
        MeanPart mean = OrderedReduce.reduce(cache.blocks().mapPartitions((Iterator<DataBlock> it) -> {
            MeanPart acc = new MeanPart(0, 0, new double[d]);
            while (it.hasNext()) {
                DataBlock b = it.next();
                if (b.rows() > 0) {
                    acc = acc.merge(blockMean(b, d));
                }
            }
            return List.of(acc).iterator();
        }), MeanPart::merge).orElseThrow();
        if (mean.weight() == 0) {
            throw new JobFailedException(Failure.INPUT, "all rows have weight 0");
        }
        LOG.info("ppca: {} rows × {} features, q = {}; cached without a d × d matrix", mean.count(), d, q);
        Ppca model = Ppca.of(mean.mean(), randomLoadings(new SplittableRandom(seed), d, q), q, 1.0);
        double[] trace = new double[maxIter + 1];
        double previous = Double.NaN;
        boolean converged = false;
        int iterations = 0;
        double iterSeconds = 0;
        PpcaStatistics best = null;
        Ppca fitted = model;
        for (int it = 1; it <= maxIter; it++) {
            long ti = System.nanoTime();
            PpcaStatistics st = pass(jsc, cache, model, d, q);
            // The exact optimum within the current subspace (when the subspace is good enough), then
            // EM's step from it, which moves the subspace; both from this one pass's statistics.
            var ritz = st.rayleighRitz(model);
            if (ritz.isPresent()) {
                fitted = ritz.get().model();
                best = st.inBasis(ritz.get().basisChange());
            } else {
                fitted = model;
                best = st;
            }
            double ll = best.logLikelihood(fitted) / best.weightSum();
            trace[it - 1] = ll;
            model = best.mStep(fitted);
            iterations = it;
            double change = Double.isNaN(previous) ? Double.NaN : ll - previous;
            double s = (System.nanoTime() - ti) / 1e9;
            iterSeconds += s;
            LOG.info("ppca: iteration {}: mean log-likelihood {}, change {}, σ² {}, {} s", it,
                    String.format("%.10f", ll), Double.isNaN(change) ? "-" : String.format("%.3e", change),
                    String.format("%.6g", fitted.noiseVariance()), String.format("%.2f", s));
            if (!Double.isNaN(change) && Math.abs(change) < tol) {
                converged = true;
                break;
            }
            previous = ll;
        }
        LOG.info("ppca: {} after {} iterations, mean log-likelihood {}, σ² {}", converged ? "converged"
                : "stopped at --max-iter", iterations, String.format("%.10f", trace[iterations - 1]),
                String.format("%.6g", fitted.noiseVariance()));
        return new Fit(fitted, best, best.logLikelihood(fitted), iterations, converged,
                java.util.Arrays.copyOf(trace, iterations), iterations == 0 ? 0 : iterSeconds / iterations);
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

    static MeanPart blockMean(DataBlock b, int d) {
        double[] v = b.values();
        double[] w = b.weights();
        double[] m = new double[d];
        double total = 0;
        for (int i = 0; i < b.rows(); i++) {
            double wt = w == null ? 1.0 : w[i];
            total += wt;
            for (int j = 0; j < d; j++) {
                m[j] += wt * (v[i * d + j] - v[j]);
            }
        }
        for (int j = 0; j < d; j++) {
            m[j] = total == 0 ? v[j] : v[j] + m[j] / total;
        }
        return new MeanPart(total, b.rows(), m);
    }

    static PpcaStatistics pass(JavaSparkContext jsc, BlockCache cache, Ppca model, int d, int q) throws Exception {
        Broadcast<PpcaStatistics.Step> step = jsc.broadcast(new PpcaStatistics.Step(model));
        try {
            return OrderedReduce.reduce(cache.blocks().mapPartitions((Iterator<DataBlock> it) -> {
                PpcaStatistics.Step s = step.value();
                double[][] work = s.workspace();
                PpcaStatistics acc = PpcaStatistics.create(d, q);
                while (it.hasNext()) {
                    DataBlock b = it.next();
                    if (b.rows() > 0) {
                        acc.accumulate(s, b.values(), b.weights(), b.rows(), work);
                    }
                }
                return List.of(acc).iterator();
            }), PpcaStatistics::combine).orElseThrow();
        } finally {
            step.destroy();
        }
    }

    static ObjectNode modelJson(List<String> features, Ppca m, PpcaStatistics s, double ll, int iterations,
                                boolean converged, double[] trace) {
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
        n.put("count", s.count());
        n.put("weightSum", s.weightSum());
        n.put("logLikelihood", Json.finite(ll, "logLikelihood"));
        n.put("meanLogLikelihood", Json.finite(ll / s.weightSum(), "meanLogLikelihood"));
        n.put("iterations", iterations);
        n.put("converged", converged);
        ArrayNode t = n.putArray("logLikelihoodTrace");
        for (double v : trace) {
            t.add(v);
        }
        return n;
    }
}
