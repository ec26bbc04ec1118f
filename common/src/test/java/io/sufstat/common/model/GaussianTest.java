package io.sufstat.common.model;

import io.sufstat.common.linalg.NotPositiveDefiniteException;
import io.sufstat.common.stats.CovarianceEstimator;
import io.sufstat.common.stats.MomentSummary;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GaussianTest {

    @Test
    void univariateDensityAndEntropyClosedForms() {
        double mu = 1.5;
        double var = 0.49;
        Gaussian g = Gaussian.of(new double[] {mu}, new double[] {var});
        for (double x : new double[] {-3, 0, 1.5, 2.2, 10}) {
            double expected = -0.5 * Math.log(2 * Math.PI * var) - (x - mu) * (x - mu) / (2 * var);
            assertEquals(expected, g.logDensity(new double[] {x}), 1e-14 * Math.max(1, Math.abs(expected)));
        }
        assertEquals(0.5 * Math.log(2 * Math.PI * Math.E * var), g.entropy(), 1e-15);
    }

    @Test
    void bivariateDensityClosedForm() {
        double s1 = 2;
        double s2 = 0.5;
        double rho = -0.6;
        double[] cov = {s1 * s1, rho * s1 * s2, rho * s1 * s2, s2 * s2};
        Gaussian g = Gaussian.of(new double[] {1, -1}, cov);
        double x = 2.3;
        double y = -0.4;
        double zx = (x - 1) / s1;
        double zy = (y + 1) / s2;
        double q = (zx * zx - 2 * rho * zx * zy + zy * zy) / (1 - rho * rho);
        double expected = -Math.log(2 * Math.PI * s1 * s2 * Math.sqrt(1 - rho * rho)) - q / 2;
        assertEquals(expected, g.logDensity(new double[] {x, y}), 1e-14);
        assertEquals(Math.log(s1 * s1 * s2 * s2 * (1 - rho * rho)), g.logDeterminant(), 1e-14);
        // Entropy ½ log((2πe)^d |Σ|).
        assertEquals(0.5 * Math.log(Math.pow(2 * Math.PI * Math.E, 2) * s1 * s1 * s2 * s2 * (1 - rho * rho)),
                g.entropy(), 1e-14);
    }

    @Test
    void blockLogDensityEqualsRowByRow() {
        int d = 6;
        SplittableRandom rng = new SplittableRandom(3);
        double[] cov = new double[d * d];
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < d; c++) {
                cov[r * d + c] = Math.pow(0.5, Math.abs(r - c)) * (1 + 0.1 * r) * (1 + 0.1 * c);
            }
        }
        double[] mean = {1e6, -2, 0, 3, 4, 5};
        Gaussian g = Gaussian.of(mean, cov);
        int n = 333;
        double[] x = new double[n * d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i * d + j] = mean[j] + 2 * rng.nextGaussian();
            }
        }
        double[] block = g.logDensity(x, n);
        for (int i = 0; i < n; i++) {
            double[] row = java.util.Arrays.copyOfRange(x, i * d, (i + 1) * d);
            assertEquals(g.logDensity(row), block[i], 1e-12 * Math.abs(block[i]));
        }
    }

    @Test
    void seededSamplesHaveTheRightMomentsAndRepeat() {
        double[] mean = {3, -1, 0.5};
        double[] cov = {2, 0.8, -0.3, 0.8, 1, 0.2, -0.3, 0.2, 0.5};
        Gaussian g = Gaussian.of(mean, cov);
        int n = 200_000;
        double[] out = new double[n * 3];
        g.sample(new SplittableRandom(99), n, out);
        double[] again = new double[n * 3];
        g.sample(new SplittableRandom(99), n, again);
        assertArrayEquals(out, again);
        MomentSummary s = MomentSummary.create(3);
        double[] w = new double[n];
        java.util.Arrays.fill(w, 1);
        s.addBlock(out, w, n);
        double[] m = s.mean();
        double[] c = s.covariance(CovarianceEstimator.MAXIMUM_LIKELIHOOD);
        for (int j = 0; j < 3; j++) {
            double se = Math.sqrt(cov[j * 3 + j] / n);
            assertEquals(mean[j], m[j], 5 * se, "mean " + j);
        }
        for (int k = 0; k < 9; k++) {
            int r = k / 3;
            int col = k % 3;
            // Var of a sample covariance entry ≈ (σ_rr σ_cc + σ_rc²)/n.
            double se = Math.sqrt((cov[r * 3 + r] * cov[col * 3 + col] + cov[k] * cov[k]) / n);
            assertEquals(cov[k], c[k], 5 * se, "covariance " + k);
        }
    }

    @Test
    void validation() {
        assertThrows(IllegalArgumentException.class, () -> Gaussian.of(new double[0], new double[0]));
        assertThrows(IllegalArgumentException.class, () -> Gaussian.of(new double[] {0, 0}, new double[] {1, 0, 0}));
        IllegalArgumentException asym = assertThrows(IllegalArgumentException.class,
                () -> Gaussian.of(new double[] {0, 0}, new double[] {1, 0.5, 0.4, 1}));
        assertTrue(asym.getMessage().contains("symmetric"));
        assertThrows(IllegalArgumentException.class,
                () -> Gaussian.of(new double[] {Double.NaN, 0}, new double[] {1, 0, 0, 1}));
        NotPositiveDefiniteException npd = assertThrows(NotPositiveDefiniteException.class,
                () -> Gaussian.of(new double[] {0, 0}, new double[] {1, 1, 1, 1}));
        assertEquals(1, npd.pivotIndex());
    }

    @Test
    void nestAndFlattenRoundTrip() {
        double[] m = {1, 2, 3, 4};
        assertArrayEquals(m, Gaussian.flatten(Gaussian.nest(m, 2), 2));
        assertThrows(IllegalArgumentException.class, () -> Gaussian.flatten(new double[][] {{1, 2}, {3}}, 2));
    }
}
