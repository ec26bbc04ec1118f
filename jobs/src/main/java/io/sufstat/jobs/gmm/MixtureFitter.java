package io.sufstat.jobs.gmm;

import io.sufstat.common.em.GaussianMixtureEm;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Failure;
import io.sufstat.jobs.em.EmEngine;
import io.sufstat.jobs.io.ReadStats;
import io.sufstat.jobs.io.TableSource;
import io.sufstat.jobs.spark.BlockCache;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * The {@code gmm} job's fit as a library call, for callers that already hold their data as a table
 * (the Spark ML estimator): cache the rows as blocks, initialise, run EM, keep the best of
 * {@code nInit} starts. The same machinery and the same results as the job.
 */
public final class MixtureFitter {

    private MixtureFitter() {
    }

    /** A fitted mixture and its fit statistics. */
    public record Result(GaussianMixture model, double logLikelihood, double weightSum, long count, int iterations,
                         boolean converged) {
    }

    /**
     * EM from a given mixture on an existing cache (rows may hold NaN for missing values when the cache was
     * read with {@code --missing em}): the {@code mle} job's fit with missing values, K = 1.
     */
    public static Result fitFrom(JavaSparkContext jsc, BlockCache cache, GaussianMixture initial, int maxIter, double tol,
                                 double regCovar, String label) throws Exception {
        EmEngine.Fit<GaussianMixture> fit = EmEngine.run(jsc, cache, GaussianMixtureEm.of(regCovar, cache.hasMissing()),
                () -> initial, maxIter, tol, label, null);
        return new Result(fit.model(), fit.objective(), fit.weightSum(), fit.count(), fit.iterations(), fit.converged());
    }

    /**
     * Fits K components of the given covariance type. {@code init} is one of kmeans, k-means++,
     * random-from-data, random.
     */
    public static Result fit(SparkSession spark, TableSource table, int k, CovarianceType type, String init, int nInit,
                             int maxIter, double tol, double regCovar, long seed) throws Exception {
        Initializer.Method method = Initializer.Method.parse(init);
        if (method == null) {
            throw new IllegalArgumentException("initMode must be kmeans, k-means++, random-from-data or random, not '"
                    + init + "'");
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        try (BlockCache cache = BlockCache.of(table, StorageLevel.MEMORY_AND_DISK())) {
            ReadStats stats = cache.stats();
            stats.requireUsableRows(table.features().toString());
            long rows = cache.rowCount();
            if (k > rows) {
                throw new JobFailedException(Failure.FIT, "k = " + k + " is larger than the number of rows (" + rows + ")");
            }
            GaussianMixtureEm em = GaussianMixtureEm.of(regCovar, false);
            EmEngine.Fit<GaussianMixture> best = EmEngine.best(nInit, r -> EmEngine.run(jsc, cache, em,
                    () -> Initializer.initial(method, k, type, seed + r, regCovar, cache, spark), maxIter, tol,
                    "k=" + k + " " + type.label(), null));
            return new Result(best.model(), best.objective(), best.weightSum(), best.count(), best.iterations(),
                    best.converged());
        }
    }
}
