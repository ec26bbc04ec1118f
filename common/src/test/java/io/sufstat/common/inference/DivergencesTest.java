package io.sufstat.common.inference;

import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.Gaussian;
import io.sufstat.common.model.GaussianMixture;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DivergencesTest {

    static GaussianMixture single(Gaussian g) {
        return GaussianMixture.of(CovarianceType.FULL, new double[] {1}, new double[][] {g.mean()},
                new double[][] {g.covariance()});
    }

    @Test
    void univariateKlClosedForm() {
        // KL(N(0,1) ‖ N(1,4)) = log 2 + (1 + 1)/8 − ½.
        Gaussian p = Gaussian.of(new double[] {0}, new double[] {1});
        Gaussian q = Gaussian.of(new double[] {1}, new double[] {4});
        assertEquals(Math.log(2) + 0.25 - 0.5, Divergences.kl(p, q), 1e-15);
        assertEquals(0.0, Divergences.kl(p, p), 0);
    }

    @Test
    void multivariateKlAgreesWithMonteCarloWithinItsStandardError() {
        Gaussian p = Gaussian.of(GaussianConditionalTest.MEAN, GaussianConditionalTest.COV);
        double[] cov = GaussianConditionalTest.COV.clone();
        for (int i = 0; i < 4; i++) {
            cov[i * 5] *= 1.5;
        }
        Gaussian q = Gaussian.of(new double[] {0.5, -1.5, 0.5, 2.0}, cov);
        double exact = Divergences.kl(p, q);
        // tr(Σq⁻¹Σp) etc. by explicit inverse, as an independent check of the closed form.
        double[] inv = GaussianConditionalTest.inverse(cov, 4);
        double trace = 0, maha = 0;
        double[] dm = new double[4];
        for (int i = 0; i < 4; i++) {
            dm[i] = q.mean()[i] - p.mean()[i];
        }
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                trace += inv[i * 4 + j] * GaussianConditionalTest.COV[j * 4 + i];
                maha += dm[i] * inv[i * 4 + j] * dm[j];
            }
        }
        assertEquals(0.5 * (trace + maha - 4 + q.logDeterminant() - p.logDeterminant()), exact, 1e-13);
        Estimate mc = Divergences.klMonteCarlo(single(p), single(q), 200_000, new SplittableRandom(3));
        assertEquals(exact, mc.value(), 4 * mc.standardError());
        assertTrue(mc.standardError() < 0.01 * exact, mc.toString());
        assertEquals(exact, Divergences.klVariational(single(p), single(q)), 1e-13);
        assertTrue(Divergences.kl(single(p), single(q), 10, new SplittableRandom(1)).isExact());
    }

    @Test
    void entropyMonteCarloMatchesTheClosedForm() {
        Gaussian g = Gaussian.of(GaussianConditionalTest.MEAN, GaussianConditionalTest.COV);
        Estimate h = Divergences.entropyMonteCarlo(single(g), 200_000, new SplittableRandom(4));
        assertEquals(g.entropy(), h.value(), 4 * h.standardError());
        assertEquals(g.entropy(), Divergences.entropy(single(g), 10, new SplittableRandom(4)).value(), 0);
    }

    @Test
    void mutualInformationOfACorrelatedPair() {
        double rho = 0.8;
        Gaussian g = Gaussian.of(new double[] {0, 0, 0}, new double[] {1, rho, 0, rho, 1, 0, 0, 0, 1});
        assertEquals(-0.5 * Math.log(1 - rho * rho), Divergences.mutualInformation(g, new int[] {0}, new int[] {1}), 1e-15);
        assertEquals(0.0, Divergences.mutualInformation(g, new int[] {0, 1}, new int[] {2}), 1e-15);
    }

    @Test
    void mixtureMutualInformationByMonteCarlo() {
        double rho = 0.6;
        Gaussian g = Gaussian.of(new double[] {0, 0, 0}, new double[] {1, rho, 0, rho, 1, 0, 0, 0, 1});
        // A one-component mixture is closed form; two identical components must give the same value by Monte Carlo.
        Estimate exact = Divergences.mutualInformation(single(g), new int[] {0}, new int[] {1}, 10, new SplittableRandom(1));
        assertTrue(exact.isExact());
        GaussianMixture twice = GaussianMixture.of(CovarianceType.FULL, new double[] {0.5, 0.5},
                new double[][] {g.mean(), g.mean()}, new double[][] {g.covariance(), g.covariance()});
        Estimate mc = Divergences.mutualInformation(twice, new int[] {0}, new int[] {1}, 100_000, new SplittableRandom(2));
        assertEquals(-0.5 * Math.log(1 - rho * rho), mc.value(), 4 * mc.standardError());
        // Independent groups of a mixture with a shared structure still carry information through the component.
        GaussianMixture apart = GaussianMixture.of(CovarianceType.FULL, new double[] {0.5, 0.5},
                new double[][] {{-10, -10, 0}, {10, 10, 0}}, new double[][] {{1, 0, 0, 0, 1, 0, 0, 0, 1}, {1, 0, 0, 0, 1, 0, 0, 0, 1}});
        Estimate bit = Divergences.mutualInformation(apart, new int[] {0}, new int[] {1}, 20_000, new SplittableRandom(3));
        assertEquals(Math.log(2), bit.value(), 1e-6);
    }

    @Test
    void separatedMixturesVariationalAndMonteCarloAgree() {
        double[] eye = {1, 0, 0, 1};
        GaussianMixture f = GaussianMixture.of(CovarianceType.FULL, new double[] {0.4, 0.6},
                new double[][] {{0, 0}, {20, 0}}, new double[][] {eye, eye});
        GaussianMixture g = GaussianMixture.of(CovarianceType.FULL, new double[] {0.5, 0.5},
                new double[][] {{0.5, 0}, {20, 1}}, new double[][] {eye, {2, 0, 0, 2}});
        Estimate mc = Divergences.klMonteCarlo(f, g, 100_000, new SplittableRandom(9));
        // Far-apart components: KL(f‖g) → Σ_a π_a [log(π_a/ω_a) + KL(f_a‖g_a)], which the variational form reaches.
        double expect = 0.4 * (Math.log(0.4 / 0.5) + 0.125) + 0.6 * (Math.log(0.6 / 0.5)
                + Divergences.kl(f.component(1), g.component(1)));
        assertEquals(expect, Divergences.klVariational(f, g), 1e-9);
        assertEquals(expect, mc.value(), 4 * mc.standardError() + 1e-9);
        assertEquals(0.0, Divergences.klVariational(f, f), 1e-12);
    }
}
