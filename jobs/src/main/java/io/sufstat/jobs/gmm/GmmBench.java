package io.sufstat.jobs.gmm;

import io.sufstat.common.em.GaussianMixtureEm;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.jobs.em.EmEngine;
import io.sufstat.jobs.spark.BlockCache;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * sufstat's side of bench-gmm: k-means++ start, a two-iteration warm-up (not timed, as MLlib's side gets a
 * warm-up fit), then a fixed number of EM iterations on the cached blocks from the same start.
 */
public final class GmmBench {

    private GmmBench() {
    }

    /** Mean seconds per EM iteration and the final mean log-likelihood. */
    public record Result(double secondsPerIteration, double meanLogLikelihood, GaussianMixture model) {
    }

    public static Result run(SparkSession spark, BlockCache cache, int k, CovarianceType type, int iterations, long seed)
            throws Exception {
        GaussianMixture init = Initializer.initial(Initializer.Method.KMEANS_PLUS_PLUS, k, type, seed, 1e-6, cache, spark);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        GaussianMixtureEm em = GaussianMixtureEm.of(1e-6, false);
        EmEngine.run(jsc, cache, em, () -> init, 2, 0, "bench warm-up", null);
        EmEngine.Fit<GaussianMixture> fit = EmEngine.run(jsc, cache, em, () -> init, iterations, 0,
                "bench k=" + k + " " + type.label(), null);
        return new Result(fit.secondsPerIteration(), fit.meanObjective(), fit.model());
    }
}
