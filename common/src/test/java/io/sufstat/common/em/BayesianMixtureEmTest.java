package io.sufstat.common.em;

import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.FixtureJson;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.MixtureKernel;
import io.sufstat.common.model.VariationalMixture;
import io.sufstat.common.stats.BgmmStatistics;
import io.sufstat.common.stats.EmStatistics;
import io.sufstat.common.stats.MomentSummary;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The variational Bayesian Gaussian mixture against scikit-learn 1.2.1's BayesianGaussianMixture
 * (common/src/test/python/make_bgmm_fixtures.py): from the same initial responsibilities (the posteriors
 * of a given mixture), the default priors, the lower bound after each of 10 iterations and every
 * variational parameter after them agree to 1e-8 relative, for the four covariance types and both
 * weight-concentration priors; the lower bound never decreases.
 */
class BayesianMixtureEmTest {

    /** The largest deviation seen, relative to the tolerance's scale, reported after the fixtures ran. */
    private static double largest;

    static void close(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-8 * Math.max(1, Math.abs(expected)), what);
        largest = Math.max(largest, Math.abs(expected - actual) / (Math.max(1, Math.abs(expected))));
    }

    @org.junit.jupiter.api.AfterAll
    static void report() {
        System.out.printf("BayesianMixtureEmTest: largest deviation from the reference %.2e (relative to max(1, |reference|); asserted below 1e-8)%n", largest);
    }

    @ParameterizedTest
    @ValueSource(strings = {"blobs-full-process", "blobs-full-distribution", "blobs-tied-process",
        "blobs-tied-distribution", "blobs-diag-process", "blobs-diag-distribution", "blobs-spherical-process",
        "blobs-spherical-distribution"})
    void matchesScikitLearn(String name) throws IOException {
        String f;
        try (var in = getClass().getResourceAsStream("/bgmm/" + name + ".json")) {
            f = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        CovarianceType type = CovarianceType.parse(FixtureJson.string(f, "covarianceType"));
        boolean process = FixtureJson.string(f, "weightPrior").equals("dirichlet_process");
        double[][] x = FixtureJson.matrix(f, "x");
        int n = x.length;
        int d = x[0].length;
        double[] values = TMixtureEmTest.rows(x);
        GaussianMixture init = GaussianMixture.of(CovarianceType.FULL, FixtureJson.vector(f, "initWeights"),
                FixtureJson.matrix(f, "initMeans"), FixtureJson.flattenEach(FixtureJson.tensor(f, "initCovariances")));
        int k = init.size();
        double[] ones = new double[n];
        java.util.Arrays.fill(ones, 1.0);
        MomentSummary data = MomentSummary.create(d).addBlock(values, ones, n);
        BayesianMixtureEm.Priors priors = BayesianMixtureEm.defaultPriors(process, k, data, type);
        close(FixtureJson.number(f, "weightConcentrationPrior"), priors.weightConcentration(), "weight prior");
        close(FixtureJson.number(f, "dofPrior"), priors.dof(), "dof prior");
        double[] meanPrior = FixtureJson.vector(f, "meanPrior");
        double[] covPrior = FixtureJson.vector(f, "covariancePrior");
        for (int j = 0; j < d; j++) {
            close(meanPrior[j], priors.mean()[j], "mean prior " + j);
        }
        for (int e = 0; e < covPrior.length; e++) {
            close(covPrior[e], priors.covariance()[e], "covariance prior " + e);
        }
        BayesianMixtureEm em = BayesianMixtureEm.of(type, k, FixtureJson.number(f, "regCovar"), priors);
        // scikit-learn's _initialize(X, resp): the M-step from the given mixture's posteriors.
        VariationalMixture v = em.initialise(init, values, null, n);
        double[] trace = FixtureJson.vector(f, "trace");
        double previous = Double.NEGATIVE_INFINITY;
        for (int it = 0; it < trace.length; it++) {
            BayesianMixtureEm.Step step = em.eStep(v, true);
            BgmmStatistics s = step.zero();
            step.accumulate(s, step.workspace(n), values, null, n);
            double lb = em.objective(v, s);
            close(trace[it], lb, name + " lower bound at iteration " + (it + 1));
            assertTrue(lb >= previous - 1e-8 * Math.abs(lb), name + ": the lower bound decreased");
            previous = lb;
            v = em.update(v, s);
        }
        double[][] concentration = FixtureJson.matrix(f, "weightConcentration");
        double[] beta = FixtureJson.vector(f, "meanPrecision");
        double[][] means = FixtureJson.matrix(f, "means");
        double[] dof = FixtureJson.vector(f, "degreesOfFreedom");
        double[][] covs = FixtureJson.flattenEach(FixtureJson.tensor(f, "covariances"));
        double[] weights = FixtureJson.vector(f, "weights");
        for (int j = 0; j < k; j++) {
            for (int c = 0; c < concentration[j].length; c++) {
                close(concentration[j][c], v.concentration(j)[c], name + " concentration " + j);
            }
            close(beta[j], v.meanPrecision(j), name + " mean precision " + j);
            close(dof[j], v.degreesOfFreedom(j), name + " dof " + j);
            close(weights[j], v.pointEstimate().weight(j), name + " weight " + j);
            for (int c = 0; c < d; c++) {
                close(means[j][c], v.mean(j)[c], name + " mean " + j + "," + c);
            }
            for (int e = 0; e < d * d; e++) {
                close(covs[j][e], v.covariance(j)[e], name + " covariance " + j + "[" + e + "]");
            }
        }
    }
}
