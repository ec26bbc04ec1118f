package io.sufstat.jobs.spark;

import io.sufstat.common.stats.CovarianceEstimator;
import io.sufstat.jobs.SparkTest;
import io.sufstat.jobs.generate.SyntheticMixture;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlockCacheTest extends SparkTest {

    /** The cache holds primitive row blocks: at most 1.25 × the raw N·d·8 bytes, as Spark's storage counts it. */
    @Test
    void cacheCostsAtMostAQuarterOverTheRawDoubles() throws Exception {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark().sparkContext());
        int n = 200_000;
        int d = 10;
        SyntheticMixture truth = SyntheticMixture.random(d, 2, 4, 3, 0, 1);
        try (BlockCache cache = BlockCache.of(BlockCache.generated(jsc, d, io.sufstat.jobs.generate.SyntheticMixture.chunks(n), 3,
                (c, sink) -> truth.drawChunk(c, n, (x, component) -> sink.accept(x))), d, StorageLevel.MEMORY_ONLY())) {
            long raw = (long) n * d * 8;
            long bytes = cache.memoryBytes(jsc);
            assertTrue(bytes > 0 && bytes <= 1.25 * raw, "cache " + bytes + " bytes for " + raw + " raw bytes");
            assertEquals(n, cache.moments().count());
            // The moments gathered while caching are those of the rows: mean near the mixture's.
            double[] mean = cache.moments().mean();
            double[] w = truth.weights();
            for (int j = 0; j < d; j++) {
                double expected = w[0] * truth.components().get(0).mean()[j] + w[1] * truth.components().get(1).mean()[j];
                double sd = Math.sqrt(cache.moments().covariance(CovarianceEstimator.MAXIMUM_LIKELIHOOD)[j * d + j]);
                assertEquals(expected, mean[j], 5 * sd / Math.sqrt(n));
            }
        }
    }
}
