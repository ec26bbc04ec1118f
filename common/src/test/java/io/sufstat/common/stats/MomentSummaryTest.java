package io.sufstat.common.stats;

import io.sufstat.common.model.Gaussian;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MomentSummaryTest {

    private static double[][] correlatedRows(int n, int d, double offset, double scale, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] rows = new double[n][d];
        for (int i = 0; i < n; i++) {
            double shared = rng.nextGaussian();
            for (int j = 0; j < d; j++) {
                rows[i][j] = offset + j + scale * (rng.nextGaussian() + 0.7 * shared * (j % 2 == 0 ? 1 : -1));
            }
        }
        return rows;
    }

    private static double[] positiveWeights(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = 0.1 + 3 * rng.nextDouble();
        }
        return w;
    }

    private static double maxRelativeError(double[] actual, double[] expected) {
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        double err = 0;
        for (int k = 0; k < expected.length; k++) {
            err = Math.max(err, Math.abs(actual[k] - expected[k]) / scale);
        }
        return err;
    }

    private static double maxRelativeErrorEntrywise(double[] actual, double[] expected) {
        double err = 0;
        for (int k = 0; k < expected.length; k++) {
            err = Math.max(err, Math.abs(actual[k] - expected[k]) / Math.abs(expected[k]));
        }
        return err;
    }

    private static MomentSummary byRows(double[][] rows, double[] w) {
        MomentSummary s = MomentSummary.create(rows[0].length);
        for (int i = 0; i < rows.length; i++) {
            s.add(rows[i], w == null ? 1.0 : w[i]);
        }
        return s;
    }

    private static MomentSummary byBlocks(double[][] rows, double[] w, int blockRows) {
        int d = rows[0].length;
        MomentSummary s = MomentSummary.create(d);
        RowBlock block = RowBlock.create(d, blockRows);
        for (int i = 0; i < rows.length; i++) {
            block.add(rows[i], w == null ? 1.0 : w[i]);
            if (block.isFull()) {
                s.addBlock(block);
                block.clear();
            }
        }
        return s.addBlock(block);
    }

    @Test
    void singlePassMatchesExactReference() {
        double[][] rows = correlatedRows(2000, 5, 0, 2.5, 1);
        double[] w = positiveWeights(rows.length, 2);
        ExactMoments exact = ExactMoments.of(rows, w);
        for (MomentSummary s : List.of(byRows(rows, w), byBlocks(rows, w, 64), byBlocks(rows, w, 4096))) {
            assertEquals(rows.length, s.count());
            assertTrue(maxRelativeError(s.mean(), exact.mean) < 1e-14, "mean");
            assertTrue(maxRelativeError(s.covariance(CovarianceEstimator.MAXIMUM_LIKELIHOOD), exact.covariance) < 1e-13,
                    "covariance");
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15})
    void combineInAnyGroupingAndOrderAgreesWithOnePass(long seed) {
        double[][] rows = correlatedRows(3000, 4, 0, 1.0, seed);
        double[] w = positiveWeights(rows.length, seed + 100);
        MomentSummary whole = byRows(rows, w);
        double[] wholeCov = whole.covariance(CovarianceEstimator.MAXIMUM_LIKELIHOOD);

        SplittableRandom rng = new SplittableRandom(seed);
        // Random cut points into parts of random sizes (some empty), each summarised by blocks.
        List<MomentSummary> parts = new ArrayList<>();
        int start = 0;
        while (start < rows.length) {
            int len = Math.min(rows.length - start, rng.nextInt(0, 700));
            double[][] part = java.util.Arrays.copyOfRange(rows, start, start + len);
            double[] pw = java.util.Arrays.copyOfRange(w, start, start + len);
            parts.add(len == 0 ? MomentSummary.create(4) : byBlocks(part, pw, 1 + rng.nextInt(128)));
            start += len;
        }
        Collections.shuffle(parts, new java.util.Random(seed));
        // Left fold.
        MomentSummary linear = MomentSummary.create(4);
        for (MomentSummary p : parts) {
            linear.combine(copyOf(p));
        }
        // Balanced tree, as Spark's treeAggregate does.
        List<MomentSummary> level = new ArrayList<>();
        for (MomentSummary p : parts) {
            level.add(copyOf(p));
        }
        while (level.size() > 1) {
            List<MomentSummary> next = new ArrayList<>();
            for (int i = 0; i < level.size(); i += 2) {
                next.add(i + 1 < level.size() ? level.get(i).combine(level.get(i + 1)) : level.get(i));
            }
            level = next;
        }
        for (MomentSummary s : List.of(linear, level.get(0))) {
            assertEquals(whole.count(), s.count());
            assertEquals(whole.weightSum(), s.weightSum(), 1e-12 * whole.weightSum());
            assertTrue(maxRelativeError(s.mean(), whole.mean()) < 1e-13);
            assertTrue(maxRelativeError(s.covariance(CovarianceEstimator.MAXIMUM_LIKELIHOOD), wholeCov) < 1e-13);
        }
    }

    private static MomentSummary copyOf(MomentSummary s) {
        return MomentSummary.create(s.dimension()).combine(s);
    }

    @Test
    void combineIsAssociative() {
        MomentSummary a = byRows(correlatedRows(100, 3, 5, 1, 21), null);
        MomentSummary b = byRows(correlatedRows(37, 3, -2, 3, 22), null);
        MomentSummary c = byRows(correlatedRows(250, 3, 0, 0.1, 23), positiveWeights(250, 24));
        double[] left = copyOf(a).combine(b).combine(c).comoment();
        double[] right = copyOf(a).combine(copyOf(b).combine(c)).comoment();
        assertTrue(maxRelativeError(left, right) < 1e-14);
    }

    @Test
    void largeOffsetKeepsCovarianceToRoundingWhileRawMomentsFail() {
        double offset = 1e9;
        int n = 20_000;
        int d = 3;
        double[][] rows = correlatedRows(n, d, offset, 1.0, 5);
        ExactMoments exact = ExactMoments.of(rows, null);

        MomentSummary s = MomentSummary.create(d);
        RowBlock block = RowBlock.forDimension(d);
        for (double[] row : rows) {
            block.add(row, 1.0);
            if (block.isFull()) {
                s.addBlock(block);
                block.clear();
            }
        }
        s.addBlock(block);
        double stable = maxRelativeErrorEntrywise(s.covariance(CovarianceEstimator.MAXIMUM_LIKELIHOOD), exact.covariance);
        assertTrue(stable <= 1e-12, "relative error of the mergeable summary: " + stable);

        // Per-row (Welford) updates and a merge of partition summaries are just as good.
        MomentSummary merged = byRows(java.util.Arrays.copyOfRange(rows, 0, n / 3), null)
                .combine(byBlocks(java.util.Arrays.copyOfRange(rows, n / 3, n), null, 512));
        assertTrue(maxRelativeErrorEntrywise(merged.covariance(CovarianceEstimator.MAXIMUM_LIKELIHOOD),
                exact.covariance) <= 1e-9);

        // The textbook raw-moment formula Σxxᵀ/n − μμᵀ on the same doubles.
        double[] sum = new double[d];
        double[] sumSq = new double[d * d];
        for (double[] row : rows) {
            for (int r = 0; r < d; r++) {
                sum[r] += row[r];
                for (int c = 0; c < d; c++) {
                    sumSq[r * d + c] += row[r] * row[c];
                }
            }
        }
        double[] naive = new double[d * d];
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < d; c++) {
                naive[r * d + c] = sumSq[r * d + c] / n - (sum[r] / n) * (sum[c] / n);
            }
        }
        double naiveError = maxRelativeErrorEntrywise(naive, exact.covariance);
        assertTrue(naiveError > 1e-2, "raw moments were expected to lose the covariance, error " + naiveError);
    }

    @Test
    void integerWeightsEqualRepeatedRows() {
        double[][] rows = correlatedRows(50, 3, 1, 1, 31);
        double[] w = new double[rows.length];
        List<double[]> repeated = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            w[i] = 1 + (i % 4);
            for (int k = 0; k < w[i]; k++) {
                repeated.add(rows[i]);
            }
        }
        MomentSummary weighted = byBlocks(rows, w, 16);
        MomentSummary expanded = byRows(repeated.toArray(new double[0][]), null);
        assertEquals(expanded.weightSum(), weighted.weightSum(), 0);
        assertTrue(maxRelativeError(weighted.covariance(CovarianceEstimator.MAXIMUM_LIKELIHOOD),
                expanded.covariance(CovarianceEstimator.MAXIMUM_LIKELIHOOD)) < 1e-14);
    }

    @Test
    void unbiasedDenominators() {
        double[][] rows = correlatedRows(40, 2, 0, 1, 41);
        MomentSummary unit = byRows(rows, null);
        double[] mle = unit.covariance(CovarianceEstimator.MAXIMUM_LIKELIHOOD);
        double[] unbiased = unit.covariance(CovarianceEstimator.UNBIASED);
        for (int k = 0; k < mle.length; k++) {
            assertEquals(mle[k] * 40.0 / 39.0, unbiased[k], 1e-15 * Math.abs(unbiased[k]));
        }
        double[] w = positiveWeights(40, 42);
        MomentSummary weighted = byRows(rows, w);
        double sw = 0;
        double sw2 = 0;
        for (double x : w) {
            sw += x;
            sw2 += x * x;
        }
        double[] m = weighted.comoment();
        double[] u = weighted.covariance(CovarianceEstimator.UNBIASED);
        for (int k = 0; k < m.length; k++) {
            assertEquals(m[k] / (sw - sw2 / sw), u[k], 1e-14 * Math.abs(u[k]));
        }
    }

    @Test
    void logLikelihoodFromStatisticsEqualsSumOfLogDensities() {
        double[][] rows = correlatedRows(500, 4, 3, 2, 51);
        double[] w = positiveWeights(rows.length, 52);
        MomentSummary s = byBlocks(rows, w, 100);
        Gaussian fitted = s.toGaussian(CovarianceEstimator.MAXIMUM_LIKELIHOOD, 0);
        Gaussian other = Gaussian.of(new double[] {0, 1, 2, 3},
                new double[] {4, 1, 0, 0, 1, 3, 0.5, 0, 0, 0.5, 2, 0.1, 0, 0, 0.1, 1});
        for (Gaussian g : List.of(fitted, other)) {
            double explicit = 0;
            for (int i = 0; i < rows.length; i++) {
                explicit += w[i] * g.logDensity(rows[i]);
            }
            assertEquals(explicit, s.logLikelihood(g), 1e-11 * Math.abs(explicit));
        }
        // At the MLE the quadratic term is W·d: ℓ = −½ W (d log 2π + log|Σ| + d).
        double closed = -0.5 * s.weightSum() * (4 * Gaussian.LOG_2PI + fitted.logDeterminant() + 4);
        assertEquals(closed, s.logLikelihood(fitted), 1e-11 * Math.abs(closed));
    }

    @Test
    void emptyAndZeroWeightSummariesRefuseToEstimate() {
        MomentSummary empty = MomentSummary.create(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, empty::mean);
        assertTrue(e.getMessage().contains("empty"));
        MomentSummary zero = MomentSummary.create(2).add(new double[] {1, 2}, 0).add(new double[] {3, 4}, 0);
        assertEquals(2, zero.count());
        assertTrue(assertThrows(IllegalStateException.class,
                () -> zero.covariance(CovarianceEstimator.MAXIMUM_LIKELIHOOD)).getMessage().contains("weight 0"));
        MomentSummary one = MomentSummary.create(2).add(new double[] {1, 2});
        assertThrows(IllegalStateException.class, () -> one.covariance(CovarianceEstimator.UNBIASED));
        assertThrows(IllegalArgumentException.class, () -> MomentSummary.create(2).add(new double[] {1, 2}, -1));
        assertThrows(IllegalArgumentException.class,
                () -> MomentSummary.create(2).add(new double[] {1, 2}, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> MomentSummary.create(2).add(new double[] {1, 2, 3}));
    }

    private static MomentSummary saved(MomentSummary s) {
        return MomentSummary.restore(s.dimension(), s.count(), s.weightSum(), s.weightSquareSum(), s.reference(),
                s.meanOffset(), s.comoment());
    }

    @Test
    void restoredSummariesMergeBitForBitAsTheKeptOnes() {
        double[][] rows = correlatedRows(3_000, 3, 1e9, 1.0, 17);
        double[] w = new double[rows.length];
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < w.length; i++) {
            w[i] = rng.nextDouble() * 2;
        }
        MomentSummary a = byBlocks(java.util.Arrays.copyOfRange(rows, 0, 1000), java.util.Arrays.copyOfRange(w, 0, 1000), 256);
        MomentSummary b = byBlocks(java.util.Arrays.copyOfRange(rows, 1000, 3000), java.util.Arrays.copyOfRange(w, 1000, 3000), 256);
        MomentSummary kept = copyOf(a).combine(b);
        MomentSummary restored = saved(a).combine(saved(b));
        assertEquals(kept.count(), restored.count());
        assertEquals(kept.weightSum(), restored.weightSum(), 0);
        assertEquals(kept.weightSquareSum(), restored.weightSquareSum(), 0);
        assertTrue(java.util.Arrays.equals(kept.mean(), restored.mean()));
        assertTrue(java.util.Arrays.equals(kept.comoment(), restored.comoment()));
        assertTrue(java.util.Arrays.equals(saved(kept).comoment(), kept.comoment()));
        // An empty summary round-trips too, and merges as the identity.
        MomentSummary empty = saved(MomentSummary.create(3).add(new double[] {1, 2, 3}, 0));
        assertEquals(1, empty.count());
        assertTrue(java.util.Arrays.equals(kept.comoment(), copyOf(kept).combine(empty).comoment()));
    }

    @Test
    void restoreRefusesPartsNoSummaryCanHold() {
        double[] m = {1, 0.5, 0.5, 2};
        double[] c = {1, 2};
        double[] z = {0, 0};
        assertTrue(MomentSummary.restore(2, 3, 3, 3, c, z, m).covariance(CovarianceEstimator.MAXIMUM_LIKELIHOOD)[3] > 0);
        String[] says = {"count", "squared weights", "co-moment matrix must have", "symmetric", "mean must have",
            "finite", "needs at least one row"};
        List<Runnable> bad = List.of(
                () -> MomentSummary.restore(2, -1, 3, 3, c, z, m),
                () -> MomentSummary.restore(2, 3, 3, 10, c, z, m),
                () -> MomentSummary.restore(2, 3, 3, 3, c, z, new double[] {1, 0, 0}),
                () -> MomentSummary.restore(2, 3, 3, 3, c, z, new double[] {1, 0.5, 0.4, 2}),
                () -> MomentSummary.restore(2, 3, 3, 3, new double[] {1}, z, m),
                () -> MomentSummary.restore(2, 3, 3, 3, c, new double[] {Double.NaN, 0}, m),
                () -> MomentSummary.restore(2, 0, 3, 3, c, z, m));
        for (int i = 0; i < bad.size(); i++) {
            Runnable r = bad.get(i);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
            assertTrue(e.getMessage().contains(says[i]), e.getMessage());
        }
    }
}
