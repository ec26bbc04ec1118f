package io.sufstat.common.stats;

import io.sufstat.common.linalg.SymmetricEigen;
import io.sufstat.common.model.Gaussian;
import io.sufstat.common.model.Ppca;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PpcaStatisticsTest {

    static final int D = 6;
    static final int Q = 2;

    /** Rows of a PPCA model with a clear eigen-gap (signal variances 9 and 4 over noise 0.5), offset by 100. */
    static double[] data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] w = new double[D * Q];
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextGaussian();
        }
        double[] x = new double[n * D];
        for (int i = 0; i < n; i++) {
            double z1 = 3 * r.nextGaussian();
            double z2 = 2 * r.nextGaussian();
            for (int j = 0; j < D; j++) {
                x[i * D + j] = 100 + j + w[j * Q] * z1 + w[j * Q + 1] * z2 + Math.sqrt(0.5) * r.nextGaussian();
            }
        }
        return x;
    }

    static double[] mean(double[] x, int n) {
        double[] m = new double[D];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < D; j++) {
                m[j] += x[i * D + j] / n;
            }
        }
        return m;
    }

    static PpcaStatistics pass(Ppca model, double[] x, int n) {
        PpcaStatistics.Step step = new PpcaStatistics.Step(model);
        return PpcaStatistics.create(D, Q).accumulate(step, x, null, n, step.workspace());
    }

    @Test
    void emReachesTheClosedFormSolutionAndNeverLowersTheLikelihood() {
        int n = 4000;
        double[] x = data(n, 7);
        double[] mu = mean(x, n);
        // Closed form (Tipping & Bishop 1999, eq. 7-8) from the eigen-decomposition of the sample covariance.
        double[] s = new double[D * D];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < D; a++) {
                for (int b = 0; b < D; b++) {
                    s[a * D + b] += (x[i * D + a] - mu[a]) * (x[i * D + b] - mu[b]) / n;
                }
            }
        }
        SymmetricEigen e = SymmetricEigen.of(s, D);
        double[] lambda = e.values();
        double[] u = e.vectors();
        double sigma2 = 0;
        for (int j = Q; j < D; j++) {
            sigma2 += lambda[j] / (D - Q);
        }
        double[] c = new double[D * D];
        for (int a = 0; a < D; a++) {
            for (int b = 0; b < D; b++) {
                double v = a == b ? sigma2 : 0;
                for (int j = 0; j < Q; j++) {
                    v += u[a * D + j] * (lambda[j] - sigma2) * u[b * D + j];
                }
                c[a * D + b] = v;
            }
        }
        SplittableRandom r = new SplittableRandom(1);
        double[] w0 = new double[D * Q];
        for (int i = 0; i < w0.length; i++) {
            w0[i] = r.nextGaussian();
        }
        Ppca model = Ppca.of(mu, w0, Q, 1.0);
        double previous = Double.NEGATIVE_INFINITY;
        int it = 0;
        double[] before = model.covariance();
        for (; it < 20000; it++) {
            PpcaStatistics st = pass(model, x, n);
            double ll = st.logLikelihood(model);
            assertTrue(ll >= previous - 1e-9 * Math.abs(ll), "iteration " + it + ": " + ll + " < " + previous);
            previous = ll;
            model = st.mStep(model);
            // Stop on the parameters: near the optimum the likelihood changes quadratically, they linearly.
            double[] after = model.covariance();
            double change = 0;
            for (int i = 0; i < after.length; i++) {
                change = Math.max(change, Math.abs(after[i] - before[i]));
            }
            before = after;
            if (change < 1e-12 * lambda[0]) {
                break;
            }
        }
        assertTrue(it < 20000, "EM did not converge");
        assertEquals(sigma2, model.noiseVariance(), 1e-6 * sigma2);
        double[] fitted = model.covariance();
        for (int i = 0; i < D * D; i++) {
            assertEquals(c[i], fitted[i], 1e-6 * lambda[0], "covariance entry " + i);
        }
        double[] ev = model.explainedVariances();
        assertEquals(lambda[0], ev[0], 1e-6 * lambda[0]);
        assertEquals(lambda[1], ev[1], 1e-6 * lambda[0]);
        // The principal axes span the top eigenvectors: |cos| of each pair is 1.
        double[] axes = model.principalAxes();
        for (int j = 0; j < Q; j++) {
            double dot = 0;
            for (int a = 0; a < D; a++) {
                dot += axes[a * Q + j] * u[a * D + j];
            }
            assertEquals(1.0, Math.abs(dot), 1e-6);
        }
    }

    @Test
    void rayleighRitzStepsReachTheClosedFormInAFewPassesWithoutLoweringTheLikelihood() {
        int n = 4000;
        double[] x = data(n, 7);
        double[] mu = mean(x, n);
        // Plain EM: the variance along an axis converges at the rate 1 − 2σ²/λ; on this data thousands of passes.
        SplittableRandom r = new SplittableRandom(1);
        double[] w0 = new double[D * Q];
        for (int i = 0; i < w0.length; i++) {
            w0[i] = r.nextGaussian();
        }
        Ppca model = Ppca.of(mu, w0, Q, 1.0);
        double previous = Double.NEGATIVE_INFINITY;
        Ppca fitted = model;
        int passes = 0;
        for (; passes < 60; passes++) {
            PpcaStatistics st = pass(model, x, n);
            var ritz = st.rayleighRitz(model);
            PpcaStatistics used = ritz.map(rs -> st.inBasis(rs.basisChange())).orElse(st);
            fitted = ritz.map(PpcaStatistics.RitzStep::model).orElse(model);
            double ll = used.logLikelihood(fitted);
            assertTrue(ll >= previous - 1e-10 * Math.abs(ll), "pass " + passes + ": " + ll + " < " + previous);
            // The likelihood claimed for the Ritz model is its true likelihood (a direct pass agrees).
            assertEquals(pass(fitted, x, n).logLikelihood(fitted), ll, 1e-10 * Math.abs(ll));
            if (ll - previous < 1e-14 * Math.abs(ll)) {
                break;
            }
            previous = ll;
            model = used.mStep(fitted);
        }
        assertTrue(passes < 40, "took " + passes + " passes");
        double[] s = new double[D * D];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < D; a++) {
                for (int b = 0; b < D; b++) {
                    s[a * D + b] += (x[i * D + a] - mu[a]) * (x[i * D + b] - mu[b]) / n;
                }
            }
        }
        double[] lambda = SymmetricEigen.of(s, D).values();
        double sigma2 = 0;
        for (int j = Q; j < D; j++) {
            sigma2 += lambda[j] / (D - Q);
        }
        assertEquals(sigma2, fitted.noiseVariance(), 1e-9 * sigma2);
        assertEquals(lambda[0], fitted.explainedVariances()[0], 1e-9 * lambda[0]);
        assertEquals(lambda[1], fitted.explainedVariances()[1], 1e-9 * lambda[0]);
    }

    @Test
    void likelihoodFromTheStatisticsIsTheGaussiansAndMergingIsExactSplitting() {
        int n = 1000;
        double[] x = data(n, 3);
        double[] w = new double[D * Q];
        for (int i = 0; i < w.length; i++) {
            w[i] = 0.3 * (i % 5) - 0.5;
        }
        Ppca model = Ppca.of(mean(x, n), w, Q, 0.8);
        Gaussian g = model.toGaussian();
        double direct = 0;
        for (int i = 0; i < n; i++) {
            direct += g.logDensity(java.util.Arrays.copyOfRange(x, i * D, (i + 1) * D));
        }
        PpcaStatistics whole = pass(model, x, n);
        assertEquals(direct, whole.logLikelihood(model), 1e-10 * Math.abs(direct));
        PpcaStatistics.Step step = new PpcaStatistics.Step(model);
        PpcaStatistics a = PpcaStatistics.create(D, Q).accumulate(step, java.util.Arrays.copyOfRange(x, 0, 300 * D), null,
                300, step.workspace());
        PpcaStatistics b = PpcaStatistics.create(D, Q).accumulate(step, java.util.Arrays.copyOfRange(x, 300 * D, n * D),
                null, n - 300, step.workspace());
        Ppca split = a.combine(b).mStep(model);
        Ppca joint = whole.mStep(model);
        assertArrayEquals(joint.loadings(), split.loadings(), 1e-12);
        assertEquals(joint.noiseVariance(), split.noiseVariance(), 1e-12);
    }

    @Test
    void symmetricEigenReconstructs() {
        double[] a = {4, 1, 0.5, 1, 3, -0.2, 0.5, -0.2, 1};
        SymmetricEigen e = SymmetricEigen.of(a, 3);
        double[] l = e.values();
        double[] v = e.vectors();
        assertTrue(l[0] >= l[1] && l[1] >= l[2]);
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                double s = 0;
                for (int j = 0; j < 3; j++) {
                    s += v[r * 3 + j] * l[j] * v[c * 3 + j];
                }
                assertEquals(a[r * 3 + c], s, 1e-14);
            }
        }
    }
}
