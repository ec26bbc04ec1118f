package io.sufstat.common.inference;

import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.Gaussian;
import io.sufstat.common.model.GaussianMixture;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class GaussianConditionalTest {

    static final double[] MEAN = {1.0, -2.0, 0.5, 3.0};
    static final double[] COV = {
        4.0, 1.2, -0.8, 0.5,
        1.2, 2.0, 0.3, -0.4,
        -0.8, 0.3, 1.5, 0.6,
        0.5, -0.4, 0.6, 3.0};

    /** Σ⁻¹ by Gauss–Jordan, as an independent reference. */
    static double[] inverse(double[] a, int d) {
        double[] m = a.clone();
        double[] inv = new double[d * d];
        for (int i = 0; i < d; i++) {
            inv[i * d + i] = 1;
        }
        for (int c = 0; c < d; c++) {
            double p = m[c * d + c];
            for (int j = 0; j < d; j++) {
                m[c * d + j] /= p;
                inv[c * d + j] /= p;
            }
            for (int r = 0; r < d; r++) {
                if (r != c) {
                    double f = m[r * d + c];
                    for (int j = 0; j < d; j++) {
                        m[r * d + j] -= f * m[c * d + j];
                        inv[r * d + j] -= f * inv[c * d + j];
                    }
                }
            }
        }
        return inv;
    }

    @Test
    void bivariateClosedForm() {
        // μ₁|₂ = μ₁ + ρ σ₁/σ₂ (x₂ − μ₂), σ²₁|₂ = σ₁² (1 − ρ²).
        double s1 = 2, s2 = 0.5, rho = 0.6;
        Gaussian g = Gaussian.of(new double[] {1, 2}, new double[] {s1 * s1, rho * s1 * s2, rho * s1 * s2, s2 * s2});
        GaussianConditional c = GaussianConditional.of(g, new boolean[] {true, false});
        double[] x = {Double.NaN, 2.7};
        double[] z = new double[2];
        double lm = c.whiten(x, z);
        c.conditionalMean(z, x);
        assertEquals(1 + rho * s1 / s2 * 0.7, x[0], 1e-15);
        assertEquals(s1 * s1 * (1 - rho * rho), c.conditionalCovariance()[0], 1e-15);
        assertEquals(-0.5 * Math.log(2 * Math.PI * s2 * s2) - 0.5 * 0.7 * 0.7 / (s2 * s2), lm, 1e-14);
    }

    @Test
    void conditionalMeanZeroesTheGradientAndTheCovarianceInvertsThePrecisionBlock() {
        Gaussian g = Gaussian.of(MEAN, COV);
        double[] p = inverse(COV, 4);
        boolean[] missing = {false, true, false, true};
        GaussianConditional c = GaussianConditional.of(g, missing);
        double[] x = {2.5, Double.NaN, -1.0, Double.NaN};
        double[] z = new double[4];
        c.whiten(x, z);
        c.conditionalMean(z, x);
        // The conditional mean maximises the joint density in x_m: (Σ⁻¹ (x − μ))_m = 0.
        for (int m : new int[] {1, 3}) {
            double grad = 0;
            for (int j = 0; j < 4; j++) {
                grad += p[m * 4 + j] * (x[j] - MEAN[j]);
            }
            assertEquals(0, grad, 1e-14);
        }
        // Σ_m|o = (P_mm)⁻¹.
        double[] cc = c.conditionalCovariance();
        double[] pmm = {p[5], p[7], p[13], p[15]};
        double[] expect = inverse(pmm, 2);
        assertArrayEquals(expect, cc, 1e-14);
        double[] v = new double[4];
        c.conditionalVariances(v);
        assertEquals(expect[0], v[1], 1e-14);
        assertEquals(expect[3], v[3], 1e-14);
    }

    @Test
    void marginalLogDensityIsTheSubGaussiansAndEdgePatternsBehave() {
        Gaussian g = Gaussian.of(MEAN, COV);
        GaussianConditional c = GaussianConditional.of(g, new boolean[] {false, true, true, false});
        Gaussian sub = Gaussian.of(new double[] {MEAN[0], MEAN[3]}, new double[] {COV[0], COV[3], COV[12], COV[15]});
        double[] x = {0.3, 0, 0, 4.4};
        assertEquals(sub.logDensity(new double[] {0.3, 4.4}), c.whiten(x, new double[4]), 1e-14);
        // Everything missing: the marginal mean and covariance.
        GaussianConditional all = GaussianConditional.of(g, new boolean[] {true, true, true, true});
        double[] y = new double[4];
        assertEquals(0.0, all.whiten(y, new double[4]));
        all.conditionalMean(new double[4], y);
        assertArrayEquals(MEAN, y, 0);
        assertArrayEquals(COV, all.conditionalCovariance(), 1e-15);
        // Nothing missing: the full log-density.
        GaussianConditional none = GaussianConditional.of(g, new boolean[4]);
        assertEquals(g.logDensity(x), none.whiten(x, new double[4]), 1e-14);
    }

    @Test
    void drawsAverageToTheConditionalMean() {
        Gaussian g = Gaussian.of(MEAN, COV);
        GaussianConditional c = GaussianConditional.of(g, new boolean[] {true, false, false, true});
        double[] x = {0, -1.5, 1.0, 0};
        double[] z = new double[4];
        c.whiten(x, z);
        double[] mean = x.clone();
        c.conditionalMean(z, mean);
        double[] v = new double[4];
        c.conditionalVariances(v);
        SplittableRandom rng = new SplittableRandom(5);
        int n = 40000;
        double s0 = 0, s3 = 0;
        double[] eps = new double[4];
        double[] draw = x.clone();
        for (int i = 0; i < n; i++) {
            c.sample(z, rng, eps, draw);
            s0 += draw[0];
            s3 += draw[3];
            assertEquals(-1.5, draw[1]);
        }
        assertEquals(mean[0], s0 / n, 4 * Math.sqrt(v[0] / n));
        assertEquals(mean[3], s3 / n, 4 * Math.sqrt(v[3] / n));
    }

    @Test
    void mixtureImputationWeighsComponentsByTheObservedMarginals() {
        double[][] means = {{0, 0, 0}, {5, 5, -5}};
        double[][] covs = {{1, 0.5, 0, 0.5, 1, 0.2, 0, 0.2, 1}, {2, -0.3, 0.1, -0.3, 1, 0, 0.1, 0, 0.5}};
        GaussianMixture m = GaussianMixture.of(CovarianceType.FULL, new double[] {0.3, 0.7}, means, covs);
        boolean[] missing = {false, true, false};
        MixtureConditional mc = MixtureConditional.of(m, missing);
        MixtureConditional.Work w = mc.work();
        double[] x = {1.0, Double.NaN, -1.0};
        double[] var = new double[3];
        double lm = mc.impute(x, null, var, w);
        // Reference: posteriors from the marginal Gaussians on coordinates {0, 2}; components' conditional means.
        double[] lp = new double[2];
        double[] cm = new double[2];
        double[] cv = new double[2];
        for (int k = 0; k < 2; k++) {
            double[] c = covs[k];
            Gaussian sub = Gaussian.of(new double[] {means[k][0], means[k][2]}, new double[] {c[0], c[2], c[6], c[8]});
            lp[k] = Math.log(m.weight(k)) + sub.logDensity(new double[] {1.0, -1.0});
            double[] inv = inverse(new double[] {c[0], c[2], c[6], c[8]}, 2);
            double[] s12 = {c[3], c[5]};
            double[] dev = {1.0 - means[k][0], -1.0 - means[k][2]};
            cm[k] = means[k][1] + s12[0] * (inv[0] * dev[0] + inv[1] * dev[1]) + s12[1] * (inv[2] * dev[0] + inv[3] * dev[1]);
            cv[k] = c[4] - (s12[0] * (inv[0] * s12[0] + inv[1] * s12[1]) + s12[1] * (inv[2] * s12[0] + inv[3] * s12[1]));
        }
        double lse = GaussianMixture.logSumExp(lp, 0, 2);
        double r0 = Math.exp(lp[0] - lse);
        double r1 = Math.exp(lp[1] - lse);
        assertEquals(lse, lm, 1e-13);
        double mean = r0 * cm[0] + r1 * cm[1];
        assertEquals(mean, x[1], 1e-13);
        assertEquals(r0 * (cv[0] + Math.pow(cm[0] - mean, 2)) + r1 * (cv[1] + Math.pow(cm[1] - mean, 2)), var[1], 1e-13);
        assertEquals(r0, w.posteriors()[0], 1e-15);
        assertEquals(1.0, x[0]);
        // All missing: the marginal mean Σ π_k μ_k.
        MixtureConditional none = MixtureConditional.of(m, new boolean[] {true, true, true});
        double[] y = new double[3];
        none.impute(y, null, null, none.work());
        assertArrayEquals(new double[] {3.5, 3.5, -3.5}, y, 1e-14);
    }
}
