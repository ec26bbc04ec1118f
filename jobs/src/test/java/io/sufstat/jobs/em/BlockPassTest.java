package io.sufstat.jobs.em;

import io.sufstat.common.em.GaussianMixtureEm;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.stats.EmStatistics;
import io.sufstat.jobs.SparkTest;
import io.sufstat.jobs.spark.BlockCache;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A small cache's passes run on the driver, a large one's as Spark jobs; both merge the partitions' statistics
 * in the same order, so they give the same bits, also beyond the 32 partitions after which the ordered
 * reduction merges in groups.
 */
class BlockPassTest extends SparkTest {

    private static BlockCache cache(JavaSparkContext jsc, int partitions, boolean local) throws Exception {
        int d = 3;
        java.util.List<io.sufstat.jobs.spark.DataBlock> blocks = new java.util.ArrayList<>();
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        for (int b = 0; b < 120; b++) {
            int rows = 1 + rng.nextInt(40);
            double[] values = new double[rows * d];
            double[] weights = new double[rows];
            for (int i = 0; i < rows; i++) {
                double[] centre = {1e3 + 4 * (i % 3), 1e3 - 3 * (i % 2), 1e3};
                for (int j = 0; j < d; j++) {
                    values[i * d + j] = centre[j] + (1 + j) * rng.nextGaussian();
                }
                weights[i] = 0.5 + rng.nextDouble();
            }
            blocks.add(BlockCache.block(rows, values, weights));
        }
        String before = System.getProperty("sufstat.localPassLimit");
        System.setProperty("sufstat.localPassLimit", local ? "1e9" : "0");
        try {
            return BlockCache.of(jsc.parallelize(blocks, partitions), d, StorageLevel.MEMORY_ONLY());
        } finally {
            if (before == null) {
                System.clearProperty("sufstat.localPassLimit");
            } else {
                System.setProperty("sufstat.localPassLimit", before);
            }
        }
    }

    @Test
    void driverAndSparkPassesGiveTheSameBits() throws Exception {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark().sparkContext());
        GaussianMixture m = GaussianMixture.of(CovarianceType.FULL, new double[] {0.2, 0.3, 0.5},
                new double[][] {{1e3, 1e3, 1e3}, {1e3 + 4, 1e3, 1e3 - 4}, {1e3 - 4, 1e3 + 4, 1e3}},
                new double[][] {{4, 1, 0, 1, 4, 0, 0, 0, 4}, {4, 0, 0, 0, 4, 0, 0, 0, 4}, {9, 0, 0, 0, 9, 0, 0, 0, 9}});
        GaussianMixtureEm em = GaussianMixtureEm.of(1e-6, false);
        for (int partitions : new int[] {3, 40}) {
            try (BlockCache onDriver = cache(jsc, partitions, true); BlockCache distributed = cache(jsc, partitions, false)) {
                assertTrue(onDriver.localPartitions().isPresent());
                assertFalse(distributed.localPartitions().isPresent());
                assertEquals(partitions, onDriver.localPartitions().get().size());
                EmStatistics a = BlockPass.run(jsc, onDriver, em.eStep(m, true));
                EmStatistics b = BlockPass.run(jsc, distributed, em.eStep(m, true));
                assertEquals(Double.doubleToLongBits(b.logLikelihood()), Double.doubleToLongBits(a.logLikelihood()));
                GaussianMixture ma = em.update(m, a);
                GaussianMixture mb = em.update(m, b);
                for (int j = 0; j < 3; j++) {
                    assertArrayEquals(mb.component(j).mean(), ma.component(j).mean(), 0.0, partitions + " partitions");
                    assertArrayEquals(mb.component(j).covariance(), ma.component(j).covariance(), 0.0);
                }
                assertArrayEquals(mb.weights(), ma.weights(), 0.0);
                // A seeded fraction of the blocks (stepwise EM's mini-batch): the same blocks on both paths.
                BlockPass.BlockChoice choice = new BlockPass.BlockChoice(0.3, 11, 4);
                EmStatistics sa = BlockPass.run(jsc, onDriver, em.eStep(m, true), choice);
                EmStatistics sb = BlockPass.run(jsc, distributed, em.eStep(m, true), choice);
                assertEquals(Double.doubleToLongBits(sb.logLikelihood()), Double.doubleToLongBits(sa.logLikelihood()));
                assertEquals(sb.count(), sa.count());
                double share = (double) sa.count() / a.count();
                assertTrue(share > 0.15 && share < 0.45, "about 30% of the rows: " + share);
                // A step small enough travels in the task closure; a larger one as a broadcast: the same bits.
                assertTrue(BlockPass.shipsWithTask(em.eStep(m, true)));
                System.setProperty("sufstat.closureLimit", "100");
                try {
                    assertFalse(BlockPass.shipsWithTask(em.eStep(m, true)));
                    EmStatistics broadcast = BlockPass.run(jsc, distributed, em.eStep(m, true));
                    assertEquals(Double.doubleToLongBits(b.logLikelihood()), Double.doubleToLongBits(broadcast.logLikelihood()));
                    assertArrayEquals(em.update(m, broadcast).component(1).covariance(), mb.component(1).covariance(), 0.0);
                } finally {
                    System.clearProperty("sufstat.closureLimit");
                }
                EmStatistics other = BlockPass.run(jsc, onDriver, em.eStep(m, true), new BlockPass.BlockChoice(0.3, 11, 5));
                assertTrue(other.count() != sa.count() || other.logLikelihood() != sa.logLikelihood(),
                        "another draw reads other blocks");
            }
        }
    }

    /** The report's row sample: the same rows whatever the partitioning and wherever the pass runs. */
    @Test
    void rowSampleIsTheSameWhateverThePartitioning() throws Exception {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark().sparkContext());
        double[][] reference = null;
        for (int partitions : new int[] {1, 7, 40}) {
            for (boolean local : new boolean[] {true, false}) {
                try (BlockCache cache = cache(jsc, partitions, local)) {
                    double[][] sample = RowSample.uniform(jsc, cache, 500, 11);
                    assertEquals(500, sample.length);
                    if (reference == null) {
                        reference = sample;
                    }
                    for (int i = 0; i < sample.length; i++) {
                        assertArrayEquals(reference[i], sample[i], 0.0, partitions + " partitions, row " + i);
                    }
                    assertEquals(cache.rowCount(), RowSample.uniform(jsc, cache, 100_000, 11).length, "all rows when fewer");
                }
            }
        }
    }

    /**
     * The driver takes as many partitions' statistics at once as fit in a quarter of spark.driver.maxResultSize:
     * 80 MB statistics (d = 1,000, K = 10, full) three at a time under the default 1 GiB; small ones 32.
     */
    @Test
    void largeStatisticsReachTheDriverAFewAtATime() {
        long budget = BlockPass.resultBudget(org.apache.spark.api.java.JavaSparkContext.fromSparkContext(
                spark().sparkContext()));
        assertEquals(1L << 28, budget, "a quarter of the default 1 GiB");
        io.sufstat.common.stats.EmStatistics big = io.sufstat.common.stats.EmStatistics.create(
                io.sufstat.common.model.MixtureKernel.of(io.sufstat.common.model.GaussianMixture.of(
                        io.sufstat.common.model.CovarianceType.FULL, new double[] {1}, new double[][] {new double[1000]},
                        new double[][] {identity(1000)})));
        long bytes = BlockPass.serializedBytes(big, Long.MAX_VALUE);
        assertTrue(bytes > 8_000_000 && bytes < 8_200_000, "one component's statistics: " + bytes);
        assertEquals(Math.max(2, (int) (budget / (10 * bytes))), BlockPass.directResults(10 * bytes, budget));
        assertEquals(3, BlockPass.directResults(80_000_000, budget));
        assertEquals(2, BlockPass.directResults(900_000_000, budget), "never fewer than two");
        assertEquals(32, BlockPass.directResults(10_000, budget));
        long partial = BlockPass.serializedBytes(big, 4096);
        assertTrue(partial > 4096 && partial < 4096 + 16384, "counting stops soon after the limit: " + partial);
    }

    private static double[] identity(int d) {
        double[] a = new double[d * d];
        for (int i = 0; i < d; i++) {
            a[i * d + i] = 1;
        }
        return a;
    }
}
