package io.sufstat.jobs.ppca;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.model.Ppca;
import io.sufstat.common.stats.MppcaStatistics;
import io.sufstat.jobs.Job;
import io.sufstat.jobs.JobContext;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Failure;
import io.sufstat.jobs.cli.OptionSpec;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.gmm.Initializer;
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

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
        io.sufstat.jobs.Sufstat.main(new MppcaJob(), args);
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
        return "--input PATH --output DIR --k K --q Q [--max-iter 200] [--tol 1e-6] [--seed S] [options]";
    }

    @Override
    public String description() {
        return "Fits K components, each x = μ_k + W_k z + ε with z ~ N(0, I_q), ε ~ N(0, σ_k² I), by EM: the"
                + " responsibilities in log space with C_k⁻¹ and log|C_k| through the q × q matrices M_k, and Tipping &"
                + " Bishop's two-stage M-step from per-component statistics of size d × q. Means start at k-means++"
                + " rows. DIR/model.json (kind mppca) has weights, means, loadings, noise variances and the"
                + " log-likelihood trace; score, sample and impute accept it as the Gaussian mixture it is.";
    }

    @Override
    public List<OptionSpec> options() {
        List<OptionSpec> specs = new ArrayList<>(InputOptions.SPECS);
        specs.add(OptionSpec.required("output", "DIR", "Output directory; absent or empty (see --overwrite)."));
        specs.add(OptionSpec.required("k", "K", "Number of components."));
        specs.add(OptionSpec.required("q", "Q", "Latent dimension of every component (1 ≤ Q < number of features)."));
        specs.add(OptionSpec.value("max-iter", "N", "Maximum EM iterations.", "200"));
        specs.add(OptionSpec.value("tol", "T", "Stop when the mean log-likelihood per row changes by less.", "1e-6"));
        specs.add(OptionSpec.value("seed", "S", "Random seed of the initialisation.", "0"));
        specs.add(OptionSpec.flag("overwrite", "Replace an earlier sufstat output in the output directory (never a directory sufstat did not write)."));
        return specs;
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        long t0 = System.nanoTime();
        InputOptions in = InputOptions.from(o, ctx.hadoopConf());
        int k = o.getInt("k");
        int q = o.getInt("q");
        int maxIter = o.getInt("max-iter");
        double tol = o.getDouble("tol");
        long seed = o.getLong("seed");
        if (k < 1 || maxIter < 1 || tol < 0) {
            throw new UsageException("--k and --max-iter must be at least 1 and --tol non-negative");
        }
        AtomicOutput out = AtomicOutput.prepare(o, ctx.hadoopConf());
        JavaSparkContext jsc = ctx.sparkContext();
        try {
            TableSource table = TableSource.open(in, ctx.spark());
            int d = table.dimension();
            PpcaJob.requireLatentDimension(q, d);
            if (table.hasWeights()) {
                throw new UsageException("mppca does not take --weight-col yet");
            }
            try (BlockCache cache = BlockCache.of(table, StorageLevel.MEMORY_AND_DISK(), false)) {
                ReadStats stats = cache.stats();
                stats.warnIfSkipped(LOG);
                stats.requireUsableRows(in.path());
                double[][] means = Initializer.kMeansPlusPlus(cache, k, seed);
                SplittableRandom rng = new SplittableRandom(seed);
                Ppca[] model = new Ppca[k];
                for (int j = 0; j < k; j++) {
                    model[j] = Ppca.of(means[j], PpcaJob.randomLoadings(rng, d, q), q, 1.0);
                }
                double[] weights = new double[k];
                java.util.Arrays.fill(weights, 1.0 / k);
                double[] trace = new double[maxIter];
                double previous = Double.NaN;
                boolean converged = false;
                int iterations = 0;
                long rows = 0;
                for (int it = 1; it <= maxIter; it++) {
                    long ti = System.nanoTime();
                    MppcaStatistics st = pass(jsc, cache, weights, model, d, q);
                    rows = st.count();
                    double ll = st.logLikelihood() / rows;
                    trace[it - 1] = ll;
                    try {
                        model = st.mStep(model, weights);
                    } catch (IllegalStateException e) {
                        throw new JobFailedException(Failure.FIT, "mppca, EM iteration " + it + ": " + e.getMessage());
                    }
                    iterations = it;
                    double change = Double.isNaN(previous) ? Double.NaN : ll - previous;
                    LOG.info("mppca: iteration {}: mean log-likelihood {}, change {}, {} s", it,
                            String.format("%.10f", ll), Double.isNaN(change) ? "-" : String.format("%.3e", change),
                            String.format("%.2f", (System.nanoTime() - ti) / 1e9));
                    if (!Double.isNaN(change) && Math.abs(change) < tol) {
                        converged = true;
                        break;
                    }
                    previous = ll;
                }
                MppcaStatistics last = pass(jsc, cache, weights, model, d, q);
                double ll = last.logLikelihood();
                out.writeText("model.json", Json.write(modelJson(table.features(), weights, model, rows, ll, iterations,
                        converged, java.util.Arrays.copyOf(trace, iterations), ll / rows)));
                ObjectNode metrics = JobMetrics.start(name(), in, table);
                stats.putInto(metrics);
                metrics.put("k", k);
                metrics.put("q", q);
                metrics.put("iterations", iterations);
                metrics.put("converged", converged);
                JobMetrics.warnings(metrics, converged ? java.util.List.of()
                        : java.util.List.of(io.sufstat.jobs.gmm.Degeneracy.stoppedAtMaxIter(iterations)), LOG);
                metrics.put("logLikelihood", ll);
                metrics.put("seconds", (System.nanoTime() - t0) / 1e9);
                out.writeText("metrics.json", Json.write(metrics));
                out.commit();
                LOG.info("mppca: {} after {} iterations, mean log-likelihood {}; wrote {}", converged ? "converged"
                        : "stopped at --max-iter", iterations, String.format("%.10f", ll / rows), out.shown());
            }
        } finally {
            out.abort();
        }
    }

    static MppcaStatistics pass(JavaSparkContext jsc, BlockCache cache, double[] weights, Ppca[] model, int d, int q)
            throws Exception {
        int k = model.length;
        Broadcast<MppcaStatistics.Step> step = jsc.broadcast(new MppcaStatistics.Step(weights, model));
        try {
            return OrderedReduce.reduce(cache.blocks().mapPartitions((Iterator<DataBlock> it) -> {
                MppcaStatistics.Step s = step.value();
                double[][] work = s.workspace();
                MppcaStatistics acc = MppcaStatistics.create(k, d, q);
                while (it.hasNext()) {
                    DataBlock b = it.next();
                    if (b.rows() > 0) {
                        acc.accumulate(s, b.values(), b.rows(), work);
                    }
                }
                return List.of(acc).iterator();
            }), MppcaStatistics::combine).orElseThrow();
        } finally {
            step.destroy();
        }
    }

    static ObjectNode modelJson(List<String> features, double[] weights, Ppca[] model, long count, double ll,
                                int iterations, boolean converged, double[] trace, double meanLl) {
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
        n.put("count", count);
        n.put("logLikelihood", Json.finite(ll, "logLikelihood"));
        n.put("meanLogLikelihood", Json.finite(meanLl, "meanLogLikelihood"));
        n.put("iterations", iterations);
        n.put("converged", converged);
        n.set("logLikelihoodTrace", Json.array(trace, "logLikelihoodTrace"));
        return n;
    }
}
