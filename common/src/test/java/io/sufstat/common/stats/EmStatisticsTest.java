package io.sufstat.common.stats;

import io.sufstat.common.linalg.NotPositiveDefiniteException;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.MixtureKernel;
import io.sufstat.common.model.SklearnFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmStatisticsTest {

    /** One EM pass over {@code x} in blocks of {@code blockRows}, partial statistics combined in order. */
    static EmStatistics pass(GaussianMixture m, double[][] x, double[] w, int blockRows, boolean withMoments) {
        MixtureKernel kernel = MixtureKernel.of(m);
        int d = m.dimension();
        MixtureKernel.Workspace ws = kernel.workspace(blockRows);
        EmStatistics total = EmStatistics.create(kernel);
        for (int start = 0; start < x.length; start += blockRows) {
            int n = Math.min(blockRows, x.length - start);
            double[] values = new double[n * d];
            double[] weights = w == null ? null : new double[n];
            for (int i = 0; i < n; i++) {
                System.arraycopy(x[start + i], 0, values, i * d, d);
                if (w != null) {
                    weights[i] = w[start + i];
                }
            }
            total.combine(EmStatistics.create(kernel).accumulate(kernel, ws, values, weights, n, withMoments));
        }
        return total;
    }

    /** {@code iterations} EM steps; returns the final mixture and fills trace[t] = ℓ(θ_t)/n. */
    static GaussianMixture fit(GaussianMixture m, double[][] x, int iterations, double reg, double[] trace) {
        for (int t = 0; t < iterations; t++) {
            EmStatistics s = pass(m, x, null, 37, true);
            trace[t] = s.logLikelihood() / s.weightSum();
            m = s.mStep(MixtureKernel.of(m), reg);
        }
        EmStatistics last = pass(m, x, null, 37, false);
        trace[iterations] = last.logLikelihood() / last.weightSum();
        return m;
    }

    static List<String> fixtures() {
        return SklearnFixture.ALL;
    }

    /** |a − b| relative to a scale: the entry itself or, for entries near 0, the natural scale of the quantity. */
    private static double rel(double a, double b, double scale) {
        return Math.abs(a - b) / Math.max(Math.abs(b), scale);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void agreesWithScikitLearnToOneInAHundredMillion(String name) {
        SklearnFixture f = SklearnFixture.load(name);
        double[] trace = new double[f.maxIter + 1];
        GaussianMixture m = fit(f.initial(), f.x, f.maxIter, f.regCovar, trace);
        int d = f.x[0].length;
        double worst = 0;
        for (int j = 0; j < f.k; j++) {
            worst = Math.max(worst, rel(m.weight(j), f.weights[j], 0));
            double[] cov = m.component(j).covariance();
            double[] mu = m.component(j).mean();
            for (int r = 0; r < d; r++) {
                worst = Math.max(worst, rel(mu[r], f.means[j][r], Math.sqrt(f.covariances[j][r * d + r])));
                for (int c = 0; c < d; c++) {
                    double scale = Math.sqrt(f.covariances[j][r * d + r] * f.covariances[j][c * d + c]);
                    worst = Math.max(worst, rel(cov[r * d + c], f.covariances[j][r * d + c], scale));
                }
            }
        }
        System.out.printf("%s: largest relative difference from scikit-learn %.2e%n", name, worst);
        assertTrue(worst <= 1e-8, name + ": largest relative difference from scikit-learn " + worst);
        // sklearn's lower_bound_ is ℓ(θ_{n−1})/n; score(X) is ℓ(θ_n)/n, the value sufstat reports.
        assertEquals(f.lowerBound, trace[f.maxIter - 1], 1e-10 * Math.abs(f.lowerBound), name + " lower bound");
        assertEquals(f.score, trace[f.maxIter], 1e-10 * Math.abs(f.score), name + " score");
        for (int i = 0; i < f.scoreSamples.length; i++) {
            assertEquals(f.scoreSamples[i], m.logDensity(f.x[i]), 1e-9 * Math.abs(f.scoreSamples[i]), name + " row " + i);
            double[] post = m.posteriors(f.x[i]);
            for (int j = 0; j < f.k; j++) {
                assertEquals(f.predictProba[i][j], post[j], 1e-9, name + " posterior " + i + "," + j);
            }
        }
        // BIC and AIC with scikit-learn's parameter count.
        int n = f.x.length;
        double ll = trace[f.maxIter] * n;
        long p = f.type.parameters(f.k, d);
        assertEquals(f.bic, -2 * ll + p * Math.log(n), 1e-9 * Math.abs(f.bic), name + " BIC");
        assertEquals(f.aic, -2 * ll + 2 * p, 1e-9 * Math.abs(f.aic), name + " AIC");
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void logLikelihoodNeverDecreases(String name) {
        SklearnFixture f = SklearnFixture.load(name);
        double[] trace = new double[31];
        fit(f.initial(), f.x, 30, f.regCovar, trace);
        for (int t = 1; t < trace.length; t++) {
            assertTrue(trace[t] >= trace[t - 1] - 1e-12 * Math.abs(trace[t - 1]),
                    name + ": ℓ decreased at iteration " + t + ": " + trace[t - 1] + " → " + trace[t]);
        }
    }

    @Test
    void blockDensitiesEqualRowByRow() {
        SklearnFixture f = SklearnFixture.load("iris-full");
        GaussianMixture m = f.initial();
        MixtureKernel kernel = MixtureKernel.of(m);
        MixtureKernel.Workspace ws = kernel.workspace(f.x.length);
        int d = 4;
        double[] values = new double[f.x.length * d];
        for (int i = 0; i < f.x.length; i++) {
            System.arraycopy(f.x[i], 0, values, i * d, d);
        }
        kernel.posteriors(values, null, f.x.length, ws);
        for (int i = 0; i < f.x.length; i++) {
            assertEquals(m.logDensity(f.x[i]), ws.logDensities()[i], 1e-12 * Math.abs(ws.logDensities()[i]));
            double[] post = m.posteriors(f.x[i]);
            for (int j = 0; j < 3; j++) {
                assertEquals(post[j], ws.responsibilities()[i * 3 + j], 1e-12);
            }
        }
    }

    /** Integer weights are repeated rows; a common offset of 1e8 changes means by exactly it and nothing else. */
    @Test
    void weightsAndLargeOffsets() {
        SklearnFixture f = SklearnFixture.load("blobs3d-full");
        GaussianMixture m0 = f.initial();
        int n = f.x.length;
        double[] w = new double[n];
        java.util.List<double[]> repeated = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            w[i] = 1 + i % 3;
            for (int r = 0; r < w[i]; r++) {
                repeated.add(f.x[i]);
            }
        }
        GaussianMixture a = pass(m0, f.x, w, 50, true).mStep(MixtureKernel.of(m0), 1e-6);
        GaussianMixture b = pass(m0, repeated.toArray(new double[0][]), null, 50, true).mStep(MixtureKernel.of(m0), 1e-6);
        for (int j = 0; j < 3; j++) {
            assertEquals(b.weight(j), a.weight(j), 1e-13);
            double[] ca = a.component(j).covariance();
            double[] cb = b.component(j).covariance();
            for (int e = 0; e < ca.length; e++) {
                assertEquals(cb[e], ca[e], 1e-12 * Math.max(1, Math.abs(cb[e])));
            }
        }

        double offset = 1e8;
        double[][] shifted = new double[n][];
        for (int i = 0; i < n; i++) {
            shifted[i] = f.x[i].clone();
            for (int c = 0; c < 3; c++) {
                shifted[i][c] += offset;
            }
        }
        double[][] means0 = m0.means();
        for (double[] mu : means0) {
            for (int c = 0; c < 3; c++) {
                mu[c] += offset;
            }
        }
        GaussianMixture s0 = GaussianMixture.of(CovarianceType.FULL, m0.weights(), means0, m0.covariances());
        double[] t1 = new double[21];
        double[] t2 = new double[21];
        GaussianMixture plain = fit(m0, f.x, 20, 1e-6, t1);
        GaussianMixture moved = fit(s0, shifted, 20, 1e-6, t2);
        double worst = 0;
        for (int j = 0; j < 3; j++) {
            double[] cp = plain.component(j).covariance();
            double[] cm = moved.component(j).covariance();
            for (int e = 0; e < 9; e++) {
                worst = Math.max(worst, Math.abs(cp[e] - cm[e]) / Math.sqrt(cp[(e / 3) * 4] * cp[(e % 3) * 4]));
            }
            assertEquals(plain.weight(j), moved.weight(j), 1e-6);
        }
        assertTrue(worst < 1e-6, "covariances at offset 1e8 differ by " + worst);
        assertEquals(t1[20], t2[20], 1e-6 * Math.abs(t1[20]));
    }

    @Test
    void collapsedComponentIsNamedWithRemedies() {
        // Component 2 sits on a single point so far away that the others' posteriors for it underflow to 0:
        // with no ridge its covariance is exactly singular.
        double[][] x = {{0, 0}, {1, 0.5}, {0.3, 1}, {1.2, 1.1}, {1000, 1000}};
        GaussianMixture m = GaussianMixture.of(CovarianceType.FULL, new double[] {0.5, 0.5},
                new double[][] {{0.5, 0.5}, {1000, 1000}}, new double[][] {{1, 0, 0, 1}, {1, 0, 0, 1}});
        EmStatistics s = pass(m, x, null, 8, true);
        NotPositiveDefiniteException e = assertThrows(NotPositiveDefiniteException.class,
                () -> s.mStep(MixtureKernel.of(m), 0));
        assertTrue(e.getMessage().startsWith("component 2 of 2"), e.getMessage());
        // With reg_covar the same step succeeds and yields finite parameters.
        GaussianMixture ok = s.mStep(MixtureKernel.of(m), 1e-6);
        assertTrue(Double.isFinite(ok.component(1).logDeterminant()));
    }

    @Test
    void mixtureValidation() {
        assertThrows(IllegalArgumentException.class, () -> GaussianMixture.of(CovarianceType.FULL, new double[] {0.5, 0.6},
                new double[][] {{0}, {1}}, new double[][] {{1}, {1}}));
        assertThrows(IllegalArgumentException.class, () -> GaussianMixture.of(CovarianceType.DIAG, new double[] {1},
                new double[][] {{0, 0}}, new double[][] {{1, 0.1, 0.1, 1}}));
        assertThrows(IllegalArgumentException.class, () -> GaussianMixture.of(CovarianceType.TIED, new double[] {0.5, 0.5},
                new double[][] {{0}, {1}}, new double[][] {{1}, {2}}));
        SplittableRandom rng = new SplittableRandom(1);
        GaussianMixture m = GaussianMixture.of(CovarianceType.SPHERICAL, new double[] {0.25, 0.75},
                new double[][] {{-5}, {5}}, new double[][] {{1}, {1}});
        int right = 0;
        for (int i = 0; i < 20000; i++) {
            if (m.sample(rng)[0] > 0) {
                right++;
            }
        }
        assertEquals(0.75, right / 20000.0, 5 * Math.sqrt(0.75 * 0.25 / 20000));
    }
}
