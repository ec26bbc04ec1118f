package io.sufstat.jobs.report;

import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.MixtureKernel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The geometry and arithmetic under the report's charts, against closed forms. */
class FiguresTest {

    /** Every point of the r-σ ellipse of S = [[a, b], [b, c]] satisfies (p − m)ᵀ S⁻¹ (p − m) = r². */
    @Test
    void ellipsePointsLieOnTheirMahalanobisContour() {
        double a = 2.0;
        double b = 0.7;
        double c = 0.5;
        double det = a * c - b * b;
        for (double r : new double[] {1, 2}) {
            double[][] e = Figures.ellipse(3, -1, a, b, c, r);
            for (int i = 0; i < e[0].length; i++) {
                double x = e[0][i] - 3;
                double y = e[1][i] + 1;
                double q = (c * x * x - 2 * b * x * y + a * y * y) / det;
                assertEquals(r * r, q, 1e-12, "point " + i);
            }
        }
    }

    @Test
    void principalAxesAreTheLeadingEigenvectors() {
        // cov = 4 u uᵀ + 1 v vᵀ + 0.25 w wᵀ with orthonormal u, v, w.
        double s = Math.sqrt(0.5);
        double[][] basis = {{s, s, 0}, {-s, s, 0}, {0, 0, 1}};
        double[] lambda = {4, 1, 0.25};
        double[] cov = new double[9];
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    cov[i * 3 + j] += lambda[k] * basis[k][i] * basis[k][j];
                }
            }
        }
        double[][] axes = Figures.principalAxes(cov, 3);
        assertEquals(1.0, Math.abs(axes[0][0] * s + axes[0][1] * s), 1e-12);
        assertEquals(1.0, Math.abs(-axes[1][0] * s + axes[1][1] * s), 1e-12);
        assertArrayEquals(new double[] {4 / 5.25, 1 / 5.25}, axes[2], 1e-12);
    }

    @Test
    void separatingFeaturesAreThoseWhoseMeansDifferMostForTheirSpread() {
        double[][] means = {{0, 0, 0, 0}, {0.1, 5, 0, 1}};
        double[][] covs = new double[2][16];
        for (int k = 0; k < 2; k++) {
            for (int j = 0; j < 4; j++) {
                covs[k][j * 4 + j] = j == 3 ? 0.01 : 1;
            }
        }
        GaussianMixture m = GaussianMixture.of(CovarianceType.DIAG, new double[] {0.5, 0.5}, means, covs);
        assertArrayEquals(new int[] {3, 1}, Figures.separatingFeatures(m), "feature 3: 1 apart, sd 0.1; feature 1: 5 apart, sd 1");
    }

    /** Σ_k π_k N(x; μ, σ²) integrates to 1 over the plotted range (±4σ about every mean). */
    @Test
    void marginalDensitiesIntegrateToOne() {
        GaussianMixture m = GaussianMixture.of(CovarianceType.FULL, new double[] {0.3, 0.7},
                new double[][] {{0, 1}, {5, 2}}, new double[][] {{1, 0.2, 0.2, 2}, {0.25, 0, 0, 1}});
        double[] x = new double[20001];
        for (int i = 0; i < x.length; i++) {
            x[i] = -6 + 15.0 * i / (x.length - 1);
        }
        double[] p = Figures.marginal(m, 0, x);
        double integral = 0;
        for (int i = 1; i < x.length; i++) {
            integral += (p[i] + p[i - 1]) / 2 * (x[i] - x[i - 1]);
        }
        assertEquals(1.0, integral, 1e-6);
    }

    @Test
    void labelsAreTheMostProbableComponents() {
        GaussianMixture m = GaussianMixture.of(CovarianceType.SPHERICAL, new double[] {0.5, 0.5},
                new double[][] {{0, 0}, {10, 10}}, new double[][] {{1, 0, 0, 1}, {1, 0, 0, 1}});
        double[][] rows = {{0.1, -0.2}, {9, 11}, {4.9, 4.9}, {5.1, 5.1}};
        assertArrayEquals(new int[] {0, 1, 0, 1}, Figures.labels(MixtureKernel.of(m), rows));
    }

    @Test
    void ticksAreRoundAndCoverTheRange() {
        assertEquals(List.of(0.0, 0.2, 0.4, 0.6, 0.8, 1.0), Chart.ticks(-0.01, 1.01));
        assertEquals(List.of(1.0, 2.0, 3.0, 4.0), Chart.integerTicks(0.8, 4.2));
        List<Double> t = Chart.ticks(-181.3, -179.8);
        assertTrue(t.size() >= 4 && t.size() <= 10, t.toString());
    }

    /** A value sample does not depend on how the values were split between tasks. */
    @Test
    void valueSampleIsPartitionIndependent() {
        SplittableRandom rng = new SplittableRandom(2);
        double[] v = rng.doubles(5000).toArray();
        ValueSample whole = new ValueSample(300);
        for (double x : v) {
            whole.add(x);
        }
        ValueSample[] parts = {new ValueSample(300), new ValueSample(300), new ValueSample(300)};
        for (int i = 0; i < v.length; i++) {
            parts[(i * 7) % 3].add(v[i]);
        }
        double[] merged = ValueSample.merge(List.of(parts[0].values(), parts[1].values(), parts[2].values()), 300);
        double[] single = ValueSample.merge(List.of(whole.values()), 300);
        assertArrayEquals(single, merged, 0.0);
        assertEquals(300, merged.length);
        double mean = java.util.Arrays.stream(merged).average().orElseThrow();
        assertEquals(0.5, mean, 4 * Math.sqrt(1 / 12.0 / 300), "a uniform sample of uniform values");
    }
}
