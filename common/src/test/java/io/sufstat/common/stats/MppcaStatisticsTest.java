package io.sufstat.common.stats;

import io.sufstat.common.linalg.SymmetricEigen;
import io.sufstat.common.model.Ppca;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MppcaStatisticsTest {

    static final int D = 5;
    static final int Q = 1;

    @Test
    void separatedClustersGiveEachClustersPpcaAndTheLikelihoodNeverDrops() {
        // Two clusters 40 apart, each a one-dimensional PPCA (signal variance 9, noise 0.25), 1200 and 800 rows.
        SplittableRandom r = new SplittableRandom(5);
        int[] sizes = {1200, 800};
        int n = sizes[0] + sizes[1];
        double[] x = new double[n * D];
        double[][] dirs = {{1, 2, 0, -1, 0.5}, {0, -1, 1, 1, 2}};
        for (int i = 0; i < n; i++) {
            int c = i < sizes[0] ? 0 : 1;
            double z = 3 * r.nextGaussian();
            for (int j = 0; j < D; j++) {
                x[i * D + j] = 40 * c + dirs[c][j] * z + 0.5 * r.nextGaussian();
            }
        }
        Ppca[] model = new Ppca[2];
        for (int c = 0; c < 2; c++) {
            double[] mu = java.util.Arrays.copyOfRange(x, (c == 0 ? 0 : sizes[0]) * D, (c == 0 ? 1 : sizes[0] + 1) * D);
            double[] w = new double[D * Q];
            for (int j = 0; j < w.length; j++) {
                w[j] = r.nextGaussian();
            }
            model[c] = Ppca.of(mu, w, Q, 1.0);
        }
        double[] weights = {0.5, 0.5};
        double previous = Double.NEGATIVE_INFINITY;
        int it = 0;
        for (; it < 20000; it++) {
            MppcaStatistics.Step step = new MppcaStatistics.Step(weights, model);
            MppcaStatistics st = MppcaStatistics.create(2, D, Q).accumulate(step, x, n, step.workspace());
            double ll = st.logLikelihood();
            assertTrue(ll >= previous - 1e-9 * Math.abs(ll), "iteration " + it + ": " + ll + " < " + previous);
            Ppca[] next = st.mStep(model, weights);
            double change = Math.abs(next[0].noiseVariance() - model[0].noiseVariance())
                    + Math.abs(next[1].noiseVariance() - model[1].noiseVariance());
            model = next;
            if (change < 1e-14 && ll - previous < 1e-12 * Math.abs(ll)) {
                break;
            }
            previous = ll;
        }
        assertTrue(it < 20000, "EM did not converge");
        assertEquals(0.6, weights[0], 1e-12);
        // Each component is its cluster's PPCA closed form (responsibilities are 0/1 to rounding).
        for (int c = 0; c < 2; c++) {
            int from = c == 0 ? 0 : sizes[0];
            int m = sizes[c];
            double[] mu = new double[D];
            for (int i = from; i < from + m; i++) {
                for (int j = 0; j < D; j++) {
                    mu[j] += x[i * D + j] / m;
                }
            }
            double[] s = new double[D * D];
            for (int i = from; i < from + m; i++) {
                for (int a = 0; a < D; a++) {
                    for (int b = 0; b < D; b++) {
                        s[a * D + b] += (x[i * D + a] - mu[a]) * (x[i * D + b] - mu[b]) / m;
                    }
                }
            }
            double[] lambda = SymmetricEigen.of(s, D).values();
            double sigma2 = 0;
            for (int j = Q; j < D; j++) {
                sigma2 += lambda[j] / (D - Q);
            }
            assertEquals(sigma2, model[c].noiseVariance(), 1e-6 * sigma2, "component " + c);
            assertEquals(lambda[0], model[c].explainedVariances()[0], 1e-6 * lambda[0], "component " + c);
            for (int j = 0; j < D; j++) {
                assertEquals(mu[j], model[c].mean()[j], 1e-9, "component " + c + " mean " + j);
            }
        }
    }
}
