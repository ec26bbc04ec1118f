package io.sufstat.common.em;

import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.MixtureKernel;
import io.sufstat.common.stats.EmStatistics;
import io.sufstat.common.stats.MomentSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepwiseMixtureStatisticsTest {

    private static final int D = 3;

    /** Rows of two clusters at a large offset. */
    private static double[] rows(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] v = new double[n * D];
        for (int i = 0; i < n; i++) {
            double centre = i % 2 == 0 ? -2 : 3;
            for (int c = 0; c < D; c++) {
                v[i * D + c] = 1e6 + centre + (c + 1) * rng.nextGaussian() + 0.3 * c * (v[i * D] - 1e6);
            }
        }
        return v;
    }

    private static GaussianMixture start(CovarianceType type) {
        double[][] means = {{1e6 - 1, 1e6, 1e6 - 0.5}, {1e6 + 2, 1e6 + 0.5, 1e6 + 1}};
        double[][] covs = new double[2][D * D];
        for (int j = 0; j < 2; j++) {
            for (int c = 0; c < D; c++) {
                covs[j][c * D + c] = 2 + (type == CovarianceType.TIED ? 0 : j);
            }
        }
        return GaussianMixture.of(type, new double[] {0.4, 0.6}, means, covs);
    }

    private static EmStatistics stats(MixtureKernel kernel, double[] values, double[] weights) {
        int n = values.length / D;
        return EmStatistics.create(kernel).accumulate(kernel, kernel.workspace(n), values, weights, n, true);
    }

    private static void assertClose(double[] expected, double[] actual, double rel, String what) {
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], rel * scale, what + " entry " + i);
        }
    }

    /** A first step with the whole data (γ = 1, scale 1) is a batch EM step. */
    @ParameterizedTest
    @EnumSource(value = CovarianceType.class, names = {"FULL", "DIAG", "SPHERICAL"})
    void aStepOnAllTheDataIsABatchEmStep(CovarianceType type) {
        GaussianMixture m = start(type);
        MixtureKernel kernel = MixtureKernel.of(m);
        EmStatistics s = stats(kernel, rows(2000, 1), null);
        GaussianMixture batch = s.mStep(kernel, 1e-6);
        GaussianMixture stepwise = StepwiseMixtureStatistics.of(s, kernel, 1).mStep(m, 1e-6);
        for (int j = 0; j < 2; j++) {
            assertEquals(batch.weights()[j], stepwise.weights()[j], 1e-14);
            assertClose(batch.component(j).mean(), stepwise.component(j).mean(), 1e-15, type + " mean");
            assertClose(batch.component(j).covariance(), stepwise.component(j).covariance(), 1e-10, type + " covariance");
        }
    }

    /**
     * {@code (1 − γ) s_A + γ·c·s_B} is the statistics of the rows of A with weight 1 − γ and those of B with weight
     * γ·c, under the same kernel (E statistics are linear in the row weights).
     */
    @Test
    void aStepIsTheConvexCombinationOfRowWeights() {
        GaussianMixture m = start(CovarianceType.FULL);
        MixtureKernel kernel = MixtureKernel.of(m);
        double[] a = rows(1500, 2);
        double[] b = rows(500, 3);
        double gamma = 0.3;
        double scale = 3;
        StepwiseMixtureStatistics stepped = StepwiseMixtureStatistics.of(stats(kernel, a, null), kernel, 1)
                .step(stats(kernel, b, null), kernel, scale, gamma);
        double[] both = new double[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        double[] w = new double[2000];
        for (int i = 0; i < 2000; i++) {
            w[i] = i < 1500 ? 1 - gamma : gamma * scale;
        }
        MomentSummary[] expected = stats(kernel, both, w).componentMoments(kernel);
        for (int j = 0; j < 2; j++) {
            MomentSummary got = stepped.component(j);
            assertTrue(expected[j].weightSum() > 100, "both components hold rows");
            assertEquals(expected[j].weightSum(), got.weightSum(), 1e-10 * expected[j].weightSum());
            assertClose(expected[j].mean(), got.mean(), 1e-15, "mean");
            assertClose(expected[j].comoment(), got.comoment(), 1e-10, "co-moments");
        }
    }

    @Test
    void stepSizesAndRefusals() {
        assertEquals(Math.pow(7, -0.6), StepwiseMixtureStatistics.stepSize(5, 0.6), 0);
        assertEquals(0.5, StepwiseMixtureStatistics.stepSize(0, 1), 0);
        assertThrows(IllegalArgumentException.class, () -> StepwiseMixtureStatistics.stepSize(1, 0.5));
        GaussianMixture tied = start(CovarianceType.TIED);
        MixtureKernel kernel = MixtureKernel.of(tied);
        EmStatistics s = stats(kernel, rows(100, 4), null);
        assertThrows(IllegalArgumentException.class, () -> StepwiseMixtureStatistics.of(s, kernel, 1));
    }
}
