package io.sufstat.jobs.mle;

import io.sufstat.jobs.io.SavedStatistics;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.linalg.Cholesky;
import io.sufstat.common.linalg.NotPositiveDefiniteException;
import io.sufstat.common.model.Gaussian;
import io.sufstat.common.stats.CovarianceEstimator;
import io.sufstat.common.stats.MomentSummary;
import io.sufstat.common.stats.RowBlock;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Failure;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.em.RowSample;
import io.sufstat.jobs.io.AtomicOutput;
import io.sufstat.jobs.report.FitReport;
import io.sufstat.jobs.io.HadoopFiles;
import io.sufstat.jobs.io.InputOptions;
import io.sufstat.jobs.io.JobMetrics;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.ModelJson;
import io.sufstat.jobs.io.ReadStats;
import io.sufstat.jobs.io.RowCursor;
import io.sufstat.jobs.io.TableSource;
import io.sufstat.jobs.spark.OrderedReduce;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * {@code sufstat mle}: the maximum-likelihood Gaussian (mean and covariance) of the input's rows, overall
 * or per group, in one distributed pass: each partition reduces its rows to a {@link MomentSummary},
 * the summaries are merged in partition order, and the model is solved in closed form on the driver.
 */
public final class MleJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(MleJob.class);

    /** {@code spark-submit --class {@value #CLASS} sufstat-jobs.jar [options]}: the same options as the launcher. */
    public static void main(String[] args) {
        io.sufstat.jobs.core.Runner.main(new MleJob(), args);
    }

    /** This job's main class, for spark-submit. */
    public static final String CLASS = "io.sufstat.jobs.mle.MleJob";

    @Override
    public String name() {
        return "mle";
    }

    @Override
    public String summary() {
        return "Maximum-likelihood Gaussian (mean, covariance), overall or per group.";
    }

    @Override
    public String synopsis() {
        return "--input PATH --output DIR [options]";
    }

    @Override
    public String description() {
        return "Fits N(μ, Σ) to the rows of the input by maximum likelihood in one pass: each partition keeps"
                + " the weight sum, mean and centred co-moment matrix of its rows, the driver merges them"
                + " (Chan–Golub–LeVeque) and writes DIR/model.json with the mean, the full covariance and the"
                + " log-likelihood of the data, plus DIR/metrics.json. With --group-by, one model per group"
                + " in DIR/models/parquet and DIR/models/json (one model per line) and the group sizes in"
                + " DIR/group-counts.\nOutput is atomic: DIR appears, with _SUCCESS, only when the job succeeds.";
    }

    static final Opt<Boolean> UNBIASED = Opt.flag("unbiased", "Divide the co-moments by W − Σw²/W (n − 1 for unit"
            + " weights) instead of the maximum-likelihood W.");
    static final Opt<Double> REG_COVAR = Opt.number("reg-covar", "R", "Add R to the covariance diagonal (a ridge for"
            + " constant or collinear features).").defaultsTo("0").check(r -> r >= 0, "non-negative");

    @Override
    public List<Opt<?>> options() {
        List<Opt<?>> specs = new ArrayList<>(InputOptions.SPECS);
        specs.addAll(List.of(InputOptions.GROUP_BY, InputOptions.MISSING, AtomicOutput.OUTPUT, UNBIASED, REG_COVAR,
                FitReport.OPTION, AtomicOutput.OVERWRITE));
        return specs;
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        long t0 = System.nanoTime();
        InputOptions in = InputOptions.from(o, ctx.hadoopConf());
        double ridge = o.get(REG_COVAR);
        CovarianceEstimator estimator = o.get(UNBIASED) ? CovarianceEstimator.UNBIASED
                : CovarianceEstimator.MAXIMUM_LIKELIHOOD;
        AtomicOutput out = AtomicOutput.prepare(o, ctx.hadoopConf());
        try {
            TableSource table = TableSource.open(in, ctx.spark());
            LOG.info("reading {} ({}): {} features [{}], {} partitions", HadoopFiles.redact(in.path()), in.format(), table.dimension(),
                    String.join(", ", table.features()), table.numPartitions());
            ObjectNode metrics = JobMetrics.start("mle", in, table);
            if (in.missingAllowed()) {
                if (!in.groupBy().isEmpty() || estimator != CovarianceEstimator.MAXIMUM_LIKELIHOOD) {
                    throw new UsageException("--missing em fits one maximum-likelihood Gaussian: it does not combine"
                            + " with --group-by or --unbiased");
                }
                fitWithMissing(table, in, ridge, out, metrics, t0, ctx);
            } else if (in.groupBy().isEmpty()) {
                fitOne(ctx.spark(), table, in, estimator, ridge, out, metrics, t0, o.get(FitReport.OPTION));
            } else {
                GroupedMle.fit(ctx.spark(), table, in, estimator, ridge, out, metrics, t0);
            }
            out.commit();
            io.sufstat.jobs.report.Summary.print(out);
            LOG.info("wrote {}", out.shown());
        } finally {
            out.abort();
        }
    }

    private static void fitOne(org.apache.spark.sql.SparkSession spark, TableSource table, InputOptions in,
                               CovarianceEstimator estimator, double ridge, AtomicOutput out, ObjectNode metrics,
                               long t0, boolean report) throws Exception {
        Aggregate agg = aggregate(table, report ? FitReport.sampleRows(table.dimension()) : 0);
        double aggregateSeconds = (System.nanoTime() - t0) / 1e9;
        ReadStats stats = agg.stats;
        stats.warnIfSkipped(LOG);
        stats.requireUsableRows(in.path());
        stats.putInto(metrics);
        SavedStatistics.Header header = SavedStatistics.Header.gaussian(table.features(), in.weightCol().orElse(""), List.of());
        writeOne(spark, header, agg.summary, estimator, ridge, out, metrics, aggregateSeconds, t0);
        if (report) {
            FitReport.write(out, "mle", List.of(), "", agg.sample.sample(), agg.summary);
        }
    }

    /**
     * Solves and writes the Gaussian of one summary (model.json, metrics.json) and the summary itself (stats/):
     * shared by {@code mle} and {@code merge}.
     */
    static void writeOne(org.apache.spark.sql.SparkSession spark, SavedStatistics.Header header, MomentSummary s,
                         CovarianceEstimator estimator, double ridge, AtomicOutput out, ObjectNode metrics,
                         double aggregateSeconds, long t0) throws java.io.IOException {
        if (s.weightSum() == 0) {
            throw new JobFailedException(Failure.INPUT, "all " + s.count() + " rows have weight 0");
        }
        List<String> features = header.features();
        Gaussian g = solve(s, estimator, ridge, features, "the rows");
        double ll = s.logLikelihood(g);
        LOG.info("fitted a {}-dimensional Gaussian to {} rows (weight {}): log-likelihood {}", g.dimension(),
                s.count(), s.weightSum(), ll);
        long tw = System.nanoTime();
        out.writeText("model.json", Json.write(ModelJson.gaussian(features, s.count(), s.weightSum(), g, ll,
                estimatorName(estimator), ridge)));
        SavedStatistics.write(spark, org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(List.of(SavedStatistics.row(header, List.of(), s)), 1), out);
        metrics.put("logLikelihood", ll);
        ObjectNode seconds = metrics.putObject("seconds");
        seconds.put("readAndAggregate", round(aggregateSeconds));
        seconds.put("write", round((System.nanoTime() - tw) / 1e9));
        seconds.put("total", round((System.nanoTime() - t0) / 1e9));
        out.writeText("metrics.json", Json.write(metrics));
    }

    /** Iterations and tolerance (change of the mean log-likelihood per row) of EM over missing values. */
    static final int MISSING_EM_MAX_ITER = 500;
    static final double MISSING_EM_TOL = 1e-10;

    /**
     * The maximum-likelihood Gaussian when some values are missing (at random): EM over the missing
     * coordinates (each row adds its observed values and the conditional expectations of the missing ones),
     * started from the complete rows' Gaussian. Not one pass, but one pass per iteration.
     */
    private static void fitWithMissing(TableSource table, InputOptions in, double ridge, AtomicOutput out,
                                       ObjectNode metrics, long t0, io.sufstat.jobs.core.JobContext ctx) throws Exception {
        try (io.sufstat.jobs.spark.BlockCache cache = io.sufstat.jobs.spark.BlockCache.of(table,
                org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK())) {
            ReadStats stats = cache.stats();
            stats.warnIfSkipped(LOG);
            stats.requireUsableRows(in.path());
            Gaussian start;
            try (io.sufstat.jobs.spark.BlockCache complete = cache.completeRows(
                    org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK())) {
                if (complete.rowCount() <= table.dimension()) {
                    throw new JobFailedException(Failure.INPUT, "--missing em starts from the complete rows, and only "
                            + complete.rowCount() + " of " + cache.rowCount() + " rows are complete (more than "
                            + table.dimension() + " are needed)");
                }
                start = solve(complete.moments(), CovarianceEstimator.MAXIMUM_LIKELIHOOD, ridge, table.features(),
                        "the complete rows");
                LOG.info("--missing em: starting from the {} complete rows of {}", complete.rowCount(), cache.rowCount());
            }
            io.sufstat.common.model.GaussianMixture init = io.sufstat.common.model.GaussianMixture.of(
                    io.sufstat.common.model.CovarianceType.FULL, new double[] {1.0}, new double[][] {start.mean()},
                    new double[][] {start.covariance()});
            io.sufstat.jobs.gmm.MixtureFitter.Result r = io.sufstat.jobs.gmm.MixtureFitter.fitFrom(ctx.sparkContext(),
                    cache, init, MISSING_EM_MAX_ITER, MISSING_EM_TOL, ridge, "mle --missing em");
            Gaussian g = r.model().component(0);
            ObjectNode model = ModelJson.gaussian(table.features(), r.count(), r.weightSum(), g, r.logLikelihood(),
                    "mle", ridge);
            model.put("missing", "em");
            model.put("iterations", r.iterations());
            model.put("converged", r.converged());
            out.writeText("model.json", Json.write(model));
            stats.putInto(metrics);
            metrics.put("logLikelihood", r.logLikelihood());
            metrics.put("iterations", r.iterations());
            metrics.put("converged", r.converged());
            metrics.put("seconds", round((System.nanoTime() - t0) / 1e9));
            out.writeText("metrics.json", Json.write(metrics));
            io.sufstat.jobs.report.FitReport.writeIf(ctx.options(), out, "mle", List.of(), "", ctx.sparkContext(), cache, 0);
        }
    }

    /** A fitted Gaussian with its row count, weight sum and log-likelihood. */
    public record Fit(Gaussian gaussian, long count, double weightSum, double logLikelihood) {
    }

    /**
     * The job's fit as a library call (the Spark ML estimator): one pass over {@code table}, bad rows failing
     * the fit, the covariance by {@code estimator} plus {@code ridge·I}.
     */
    public static Fit fit(TableSource table, CovarianceEstimator estimator, double ridge, String what) throws Exception {
        Aggregate agg = aggregate(table);
        agg.stats.requireUsableRows(what);
        MomentSummary s = agg.summary;
        if (s.weightSum() == 0) {
            throw new JobFailedException(Failure.INPUT, "all " + s.count() + " rows have weight 0");
        }
        Gaussian g = solve(s, estimator, ridge, table.features(), what);
        return new Fit(g, s.count(), s.weightSum(), s.logLikelihood(g));
    }

    /**
     * The moment summary of every usable row of {@code table} in one pass (bad rows per the table's policy;
     * skipped ones are logged), merged in partition order: a streaming micro-batch's statistics.
     */
    public static MomentSummary summary(TableSource table, String what) throws Exception {
        Aggregate agg = aggregate(table);
        agg.stats.warnIfSkipped(LOG);
        return agg.summary;
    }

    static String estimatorName(CovarianceEstimator e) {
        return e == CovarianceEstimator.UNBIASED ? "unbiased" : "mle";
    }

    static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }

    /**
     * The Gaussian of a summary, or a {@link JobFailedException} naming the feature when the covariance
     * is singular (or too few rows for the unbiased estimate).
     */
    public static Gaussian solve(MomentSummary s, CovarianceEstimator estimator, double ridge, List<String> features,
                          String what) {
        double[] cov;
        try {
            cov = s.covariance(estimator);
        } catch (IllegalStateException e) {
            throw new JobFailedException(Failure.FIT, "cannot estimate the covariance of " + what + ": " + e.getMessage());
        }
        int d = s.dimension();
        for (int j = 0; j < d; j++) {
            cov[j * d + j] += ridge;
        }
        try {
            Cholesky.decompose(cov, d).orThrow(features.toArray(new String[0]));
            return Gaussian.of(s.mean(), cov);
        } catch (NotPositiveDefiniteException e) {
            throw new JobFailedException(Failure.FIT, "the " + e.getMessage().replaceFirst("^covariance", "covariance of " + what), e);
        }
    }

    /** The merged summary and read counts of every partition. */
    static Aggregate aggregate(TableSource table) throws Exception {
        return aggregate(table, 0);
    }

    /** As {@link #aggregate(TableSource)}, also keeping a uniform sample of up to {@code sampleRows} rows (the report's). */
    static Aggregate aggregate(TableSource table, int sampleRows) throws Exception {
        int d = table.dimension();
        return OrderedReduce.reduce(table.mapPartitions((p, c) -> summarize(d, c, sampleRows)), Aggregate::merge)
                .orElseGet(() -> new Aggregate(MomentSummary.create(d), new ReadStats(), null));
    }

    /** Reduces one partition's rows to a summary (and a sample of {@code sampleRows} rows), a block of rows at a time. */
    static Iterator<Aggregate> summarize(int d, RowCursor cursor, int sampleRows) {
        MomentSummary s = MomentSummary.create(d);
        RowSample.Best sample = sampleRows > 0 ? new RowSample.Best(sampleRows, d, RowSample.uniformKey(d, 0)) : null;
        RowBlock block = RowBlock.forDimension(d);
        while (cursor.next()) {
            block.add(cursor.features(), cursor.weight());
            if (block.isFull()) {
                add(s, sample, block, d);
            }
        }
        add(s, sample, block, d);
        return List.of(new Aggregate(s, cursor.stats(), sample)).iterator();
    }

    private static void add(MomentSummary s, RowSample.Best sample, RowBlock block, int d) {
        s.addBlock(block);
        if (sample != null) {
            for (int i = 0; i < block.rows(); i++) {
                sample.offer(block.values(), i * d, block.weights()[i]);
            }
        }
        block.clear();
    }

    /** A partition's (or several partitions') moment summary and read counts. */
    public static final class Aggregate implements Serializable {
        private static final long serialVersionUID = 1L;
        final MomentSummary summary;
        final ReadStats stats;
        final RowSample.Best sample;

        Aggregate(MomentSummary summary, ReadStats stats, RowSample.Best sample) {
            this.summary = summary;
            this.stats = stats;
            this.sample = sample;
        }

        public MomentSummary summary() {
            return summary;
        }

        static Aggregate merge(Aggregate a, Aggregate b) {
            a.summary.combine(b.summary);
            a.stats.merge(b.stats);
            if (a.sample != null && b.sample != null) {
                a.sample.combine(b.sample);
            }
            return a;
        }
    }
}
