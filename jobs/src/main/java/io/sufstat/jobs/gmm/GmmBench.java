package io.sufstat.jobs.gmm;

import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
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
        EmDriver.run(jsc, cache, init, 2, 0, 1e-6, "bench warm-up");
        EmDriver.Fit fit = EmDriver.run(jsc, cache, init, iterations, 0, 1e-6, "bench k=" + k + " " + type.label());
        return new Result(fit.secondsPerIteration(), fit.meanLogLikelihood(), fit.model());
    }
}
