package io.sufstat.jobs.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sufstat.common.model.TMixture;
import io.sufstat.jobs.CliRun;
import io.sufstat.jobs.SparkTest;
import io.sufstat.jobs.tmm.TmmJobTest;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Spark ML estimators of tmm and bgmm fit what their jobs fit (same data, options and seed), and their
 * models save, load and transform alike.
 */
class NewMixtureEstimatorsTest extends SparkTest {

    private static Dataset<Row> data(Path dir) throws Exception {
        Path csv = TmmJobTest.outlierData(dir.resolve("blobs.csv"));
        return spark().read().option("header", "true").option("inferSchema", "true").csv(csv.toString());
    }

    private static PipelineModel fit(Dataset<Row> df, PipelineStage estimator) {
        return new Pipeline().setStages(new PipelineStage[] {
            new VectorAssembler().setInputCols(new String[] {"x", "y", "z"}).setOutputCol("features"), estimator}).fit(df);
    }

    private static void sameTransform(PipelineModel model, Dataset<Row> df, Path dir) throws Exception {
        model.write().overwrite().save(dir.resolve("model").toString());
        PipelineModel loaded = PipelineModel.load(dir.resolve("model").toString());
        List<Row> a = model.transform(df).orderBy("x", "y").collectAsList();
        List<Row> b = loaded.transform(df).orderBy("x", "y").collectAsList();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i += 97) {
            // model.json round-trips every parameter; renormalising the weights on reading may move the last bit.
            assertArrayEquals(((Vector) a.get(i).getAs("probability")).toArray(),
                    ((Vector) b.get(i).getAs("probability")).toArray(), 1e-12);
            double ld = a.get(i).getAs("logDensity");
            assertEquals(ld, (double) b.get(i).getAs("logDensity"), 1e-12 * Math.abs(ld));
        }
    }

    @Test
    void tMixtureEstimatorFitsWhatTheJobFits() throws Exception {
        Path dir = tempDir("ml-tmm");
        Dataset<Row> df = data(dir);
        PipelineModel model = fit(df, new SufstatTMixture().setK(3).setInitMode("k-means++").setSeed(3).setMaxIter(30)
                .setTol(0).setCovarianceType("diag"));
        SufstatGaussianMixtureModel fitted = (SufstatGaussianMixtureModel) model.stages()[1];
        TMixture t = fitted.tMixture().orElseThrow();
        assertEquals(0, CliRun.of("tmm", "--input", dir.resolve("blobs.csv").toString(), "--output",
                dir.resolve("job").toString(), "--k", "3", "--init", "k-means++", "--seed", "3", "--max-iter", "30", "--tol",
                "0", "--covariance", "diag").exit());
        JsonNode job = new ObjectMapper().readTree(dir.resolve("job/model.json").toFile());
        for (int k = 0; k < 3; k++) {
            assertEquals(job.get("degreesOfFreedom").get(k).asDouble(), t.degreesOfFreedom(k),
                    1e-9 * t.degreesOfFreedom(k), "ν " + k);
            for (int j = 0; j < 3; j++) {
                assertEquals(job.get("means").get(k).get(j).asDouble(), t.scales().component(k).mean()[j], 1e-9);
            }
        }
        assertEquals(job.get("logLikelihood").asDouble(), fitted.logLikelihood(), 1e-9 * Math.abs(fitted.logLikelihood()));
        sameTransform(model, df, dir);
        SufstatGaussianMixtureModel reloaded = (SufstatGaussianMixtureModel) PipelineModel.load(
                dir.resolve("model").toString()).stages()[1];
        assertTrue(reloaded.tMixture().isPresent(), "a t-mixture stays one after save and load");
        latentWeightsAreTheirFormula(model.transform(df).collectAsList(), t);
    }

    /**
     * The transform's {@code tWeight} is E[u | x] = Σ_k τ_k (ν_k + d)/(ν_k + δ_k), δ_k the squared Mahalanobis
     * distance under scale k; the clean rows weigh about 1 on average. (From this k-means++ start a component
     * sits among the gross outliers, so they are not all down-weighted: {@code TMixtureUseTest} checks outliers.)
     */
    private static void latentWeightsAreTheirFormula(List<Row> rows, TMixture t) {
        double typical = 0;
        int n = 0;
        for (Row r : rows) {
            double[] x = ((Vector) r.getAs("features")).toArray();
            double[] tau = ((Vector) r.getAs("probability")).toArray();
            double expected = 0;
            for (int k = 0; k < t.size(); k++) {
                double[] diff = x.clone();
                for (int j = 0; j < diff.length; j++) {
                    diff[j] -= t.scales().component(k).mean()[j];
                }
                double delta = t.scales().component(k).mahalanobisSquared(diff);
                expected += tau[k] * (t.degreesOfFreedom(k) + x.length) / (t.degreesOfFreedom(k) + delta);
            }
            double u = r.getAs("tWeight");
            assertEquals(expected, u, 1e-12 * expected, "row " + n);
            if (n < 1900) {
                typical += u / 1900;
            }
            n++;
        }
        assertEquals(2000, n);
        assertTrue(typical > 0.9, "mean latent weight of the clean rows: " + typical);
    }

    @Test
    void bayesianEstimatorFitsWhatTheJobFits() throws Exception {
        Path dir = tempDir("ml-bgmm");
        Dataset<Row> df = data(dir);
        PipelineModel model = fit(df, new SufstatBayesianGaussianMixture().setK(5).setInitMode("k-means++").setSeed(2)
                .setMaxIter(20).setTol(0).setWeightConcentrationPriorType("dirichlet-distribution"));
        SufstatGaussianMixtureModel fitted = (SufstatGaussianMixtureModel) model.stages()[1];
        assertEquals(0, CliRun.of("bgmm", "--input", dir.resolve("blobs.csv").toString(), "--output",
                dir.resolve("job").toString(), "--k", "5", "--init", "k-means++", "--seed", "2", "--max-iter", "20", "--tol",
                "0", "--weight-prior", "dirichlet-distribution").exit());
        JsonNode job = new ObjectMapper().readTree(dir.resolve("job/model.json").toFile());
        for (int k = 0; k < 5; k++) {
            assertEquals(job.get("weights").get(k).asDouble(), fitted.mixture().weight(k), 1e-9, "weight " + k);
        }
        assertEquals(job.get("lowerBound").asDouble(), fitted.logLikelihood(), 1e-9 * Math.abs(fitted.logLikelihood()),
                "the estimator's model reports the lower bound");
        sameTransform(model, df, dir);
        assertTrue(!List.of(model.transform(df).columns()).contains("tWeight"), "a Gaussian mixture adds no tWeight");
    }
}
