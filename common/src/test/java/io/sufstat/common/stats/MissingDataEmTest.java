package io.sufstat.common.stats;

import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.Gaussian;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.MixtureKernel;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** EM over missing coordinates: monotone, exact without missing values, better than the usual shortcuts. */
class MissingDataEmTest {

    static final int D = 4;
    static final double[] MEAN = {1, -2, 0.5, 3};
    static final double[] COV = {2.0, 1.2, -0.6, 0.4, 1.2, 1.5, -0.3, 0.2, -0.6, -0.3, 1.0, -0.1, 0.4, 0.2, -0.1, 0.8};

    static GaussianMixture em(double[] x, int n, GaussianMixture start, int iterations, double[] trace) {
        GaussianMixture m = start;
        for (int it = 0; it < iterations; it++) {
            MixtureKernel k = MixtureKernel.of(m);
            Map<EmStatistics.MissingPattern, EmStatistics.PatternConditional> patterns = new HashMap<>();
            EmStatistics s = EmStatistics.create(k).accumulateWithMissing(k, k.workspace(n), m, patterns, x, null, n, true);
            if (trace != null) {
                trace[it] = s.logLikelihood();
            }
            m = s.mStep(k, 0.0);
        }
        return m;
    }

    static double error(GaussianMixture m) {
        double e = 0;
        double[] mu = m.component(0).mean();
        double[] c = m.component(0).covariance();
        for (int i = 0; i < D; i++) {
            e += (mu[i] - MEAN[i]) * (mu[i] - MEAN[i]);
        }
        for (int i = 0; i < D * D; i++) {
            e += (c[i] - COV[i]) * (c[i] - COV[i]);
        }
        return Math.sqrt(e);
    }

    static GaussianMixture gaussianOf(double[] x, int n, boolean[] keep) {
        double[] mu = new double[D];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (keep[i]) {
                m++;
                for (int j = 0; j < D; j++) {
                    mu[j] += x[i * D + j];
                }
            }
        }
        for (int j = 0; j < D; j++) {
            mu[j] /= m;
        }
        double[] c = new double[D * D];
        for (int i = 0; i < n; i++) {
            if (keep[i]) {
                for (int a = 0; a < D; a++) {
                    for (int b = 0; b < D; b++) {
                        c[a * D + b] += (x[i * D + a] - mu[a]) * (x[i * D + b] - mu[b]) / m;
                    }
                }
            }
        }
        return GaussianMixture.of(CovarianceType.FULL, new double[] {1}, new double[][] {mu}, new double[][] {c});
    }

    @Test
    void withTwentyPercentMissingEmBeatsCompleteCasesAndMeanImputationAndNeverLowersTheLikelihood() {
        int n = 3000;
        SplittableRandom r = new SplittableRandom(21);
        Gaussian g = Gaussian.of(MEAN, COV);
        double[] full = new double[n * D];
        g.sample(r, n, full);
        double[] x = full.clone();
        boolean[] completeRow = new boolean[n];
        for (int i = 0; i < n; i++) {
            completeRow[i] = true;
            for (int j = 0; j < D; j++) {
                if (r.nextDouble() < 0.2) {
                    x[i * D + j] = Double.NaN;
                    completeRow[i] = false;
                }
            }
        }
        // Complete-case fit and mean imputation (then the fit), the shortcuts EM is measured against.
        GaussianMixture completeCase = gaussianOf(x, n, completeRow);
        double[] imputed = x.clone();
        double[] colMean = new double[D];
        for (int j = 0; j < D; j++) {
            int m = 0;
            for (int i = 0; i < n; i++) {
                if (!Double.isNaN(x[i * D + j])) {
                    colMean[j] += x[i * D + j];
                    m++;
                }
            }
            colMean[j] /= m;
            for (int i = 0; i < n; i++) {
                if (Double.isNaN(imputed[i * D + j])) {
                    imputed[i * D + j] = colMean[j];
                }
            }
        }
        boolean[] all = new boolean[n];
        java.util.Arrays.fill(all, true);
        GaussianMixture meanImputed = gaussianOf(imputed, n, all);
        double[] trace = new double[60];
        GaussianMixture fitted = em(x, n, completeCase, 60, trace);
        for (int i = 1; i < trace.length; i++) {
            assertTrue(trace[i] >= trace[i - 1] - 1e-9 * Math.abs(trace[i]), "likelihood dropped at " + i);
        }
        double eEm = error(fitted);
        double eCc = error(completeCase);
        double eMean = error(meanImputed);
        System.out.printf("parameter error: EM %.4f, complete cases %.4f, mean imputation %.4f%n", eEm, eCc, eMean);
        assertTrue(eEm < eCc && eEm < eMean, "EM " + eEm + ", complete cases " + eCc + ", mean imputation " + eMean);
    }

    @Test
    void patternBlockKernelsEqualTheRowByRowReference() {
        int n = 700;
        SplittableRandom r = new SplittableRandom(9);
        GaussianMixture m = GaussianMixture.of(CovarianceType.FULL, new double[] {0.4, 0.6},
                new double[][] {MEAN, {4, 1, -1, 0}}, new double[][] {COV, {1, 0.2, 0, 0, 0.2, 1, 0, 0, 0, 0, 1, 0.3, 0, 0, 0.3, 1}});
        double[] x = new double[n * D];
        for (int i = 0; i < n; i++) {
            double[] row = m.sample(r);
            for (int j = 0; j < D; j++) {
                x[i * D + j] = r.nextDouble() < 0.25 ? Double.NaN : row[j];
            }
        }
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = 0.5 + r.nextDouble();
        }
        for (CovarianceType type : new CovarianceType[] {CovarianceType.FULL, CovarianceType.DIAG}) {
            GaussianMixture model = type == CovarianceType.FULL ? m : GaussianMixture.of(CovarianceType.DIAG,
                    m.weights(), m.means(), new double[][] {diag(COV), diag(m.component(1).covariance())});
            MixtureKernel k = MixtureKernel.of(model);
            EmStatistics block = EmStatistics.create(k).accumulateWithMissing(k, k.workspace(n), model, new HashMap<>(), x, w,
                    n, true);
            EmStatistics rows = EmStatistics.create(k).accumulateWithMissingRowByRow(k, k.workspace(n), model,
                    new HashMap<>(), x, w, n, true);
            assertEquals(rows.logLikelihood(), block.logLikelihood(), 1e-10 * Math.abs(rows.logLikelihood()));
            assertArrayEquals(rows.componentWeights(), block.componentWeights(), 1e-9);
            GaussianMixture a = block.mStep(k, 1e-6);
            GaussianMixture b = rows.mStep(k, 1e-6);
            for (int j = 0; j < 2; j++) {
                assertArrayEquals(b.component(j).mean(), a.component(j).mean(), 1e-11);
                assertArrayEquals(b.component(j).covariance(), a.component(j).covariance(), 1e-11);
            }
        }
    }

    static double[] diag(double[] c) {
        double[] out = new double[D * D];
        for (int i = 0; i < D; i++) {
            out[i * D + i] = c[i * D + i];
        }
        return out;
    }

    @Test
    void withNothingMissingOneStepIsTheCompleteDataFit() {
        int n = 500;
        double[] x = new double[n * D];
        Gaussian.of(MEAN, COV).sample(new SplittableRandom(4), n, x);
        boolean[] all = new boolean[n];
        java.util.Arrays.fill(all, true);
        GaussianMixture mle = gaussianOf(x, n, all);
        GaussianMixture start = GaussianMixture.of(CovarianceType.FULL, new double[] {1}, new double[][] {{0, 0, 0, 0}},
                new double[][] {{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}});
        GaussianMixture one = em(x, n, start, 1, null);
        assertArrayEquals(mle.component(0).mean(), one.component(0).mean(), 1e-12);
        assertArrayEquals(mle.component(0).covariance(), one.component(0).covariance(), 1e-12);
    }
}
