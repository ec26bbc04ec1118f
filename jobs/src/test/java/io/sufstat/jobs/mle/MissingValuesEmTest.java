package io.sufstat.jobs.mle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sufstat.common.model.Gaussian;
import io.sufstat.jobs.ModelFiles;
import io.sufstat.jobs.SparkTest;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --missing em} in mle and gmm on generated data with 20% of the values removed at random. */
class MissingValuesEmTest extends SparkTest {

    static final double[] MEAN = {1, -2, 0.5, 3};
    static final double[] COV = {2.0, 1.2, -0.6, 0.4, 1.2, 1.5, -0.3, 0.2, -0.6, -0.3, 1.0, -0.1, 0.4, 0.2, -0.1, 0.8};
    static final List<String> NAMES = List.of("a", "b", "c", "d");

    static double error(JsonNode model) {
        double e = 0;
        for (int i = 0; i < 4; i++) {
            double v = model.get("mean").get(i).asDouble() - MEAN[i];
            e += v * v;
            for (int j = 0; j < 4; j++) {
                double c = model.get("covariance").get(i).get(j).asDouble() - COV[i * 4 + j];
                e += c * c;
            }
        }
        return Math.sqrt(e);
    }

    @Test
    void mleWithMissingValuesBeatsCompleteCasesAndMeanImputationAndIsExactWithoutGaps() throws Exception {
        Path dir = tempDir("missing-em");
        int n = 4000;
        SplittableRandom r = new SplittableRandom(31);
        double[] x = new double[n * 4];
        Gaussian.of(MEAN, COV).sample(r, n, x);
        Object[][] withGaps = new Object[n][4];
        Object[][] complete = new Object[n][4];
        List<Object[]> completeOnly = new java.util.ArrayList<>();
        double[] sums = new double[4];
        int[] counts = new int[4];
        for (int i = 0; i < n; i++) {
            boolean whole = true;
            for (int j = 0; j < 4; j++) {
                complete[i][j] = x[i * 4 + j];
                if (r.nextDouble() < 0.2) {
                    withGaps[i][j] = null;
                    whole = false;
                } else {
                    withGaps[i][j] = x[i * 4 + j];
                    sums[j] += x[i * 4 + j];
                    counts[j]++;
                }
            }
            if (whole) {
                completeOnly.add(withGaps[i]);
            }
        }
        Object[][] meanImputed = new Object[n][4];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) {
                meanImputed[i][j] = withGaps[i][j] == null ? sums[j] / counts[j] : withGaps[i][j];
            }
        }
        ModelFiles.csv(dir.resolve("gaps.csv"), NAMES, withGaps);
        ModelFiles.csv(dir.resolve("complete-cases.csv"), NAMES, completeOnly.toArray(new Object[0][]));
        ModelFiles.csv(dir.resolve("mean-imputed.csv"), NAMES, meanImputed);
        ModelFiles.csv(dir.resolve("complete.csv"), NAMES, complete);
        runJob("mle", "--input", dir.resolve("gaps.csv").toString(), "--output", dir.resolve("em").toString(), "--missing", "em");
        runJob("mle", "--input", dir.resolve("complete-cases.csv").toString(), "--output", dir.resolve("cc").toString());
        runJob("mle", "--input", dir.resolve("mean-imputed.csv").toString(), "--output", dir.resolve("mi").toString());
        ObjectMapper json = new ObjectMapper();
        JsonNode em = json.readTree(dir.resolve("em/model.json").toFile());
        double eEm = error(em);
        double eCc = error(json.readTree(dir.resolve("cc/model.json").toFile()));
        double eMi = error(json.readTree(dir.resolve("mi/model.json").toFile()));
        System.out.printf("parameter error: EM %.4f, complete cases %.4f, mean imputation %.4f%n", eEm, eCc, eMi);
        assertTrue(eEm < eCc && eEm < eMi, "EM " + eEm + ", complete cases " + eCc + ", mean imputation " + eMi);
        assertTrue(em.get("converged").asBoolean());
        assertEquals(n, em.get("count").asLong());
        // Nothing missing: --missing em is the one-pass MLE.
        runJob("mle", "--input", dir.resolve("complete.csv").toString(), "--output", dir.resolve("em-full").toString(),
                "--missing", "em");
        runJob("mle", "--input", dir.resolve("complete.csv").toString(), "--output", dir.resolve("full").toString());
        JsonNode a = json.readTree(dir.resolve("em-full/model.json").toFile());
        JsonNode b = json.readTree(dir.resolve("full/model.json").toFile());
        for (int i = 0; i < 4; i++) {
            assertEquals(b.get("mean").get(i).asDouble(), a.get("mean").get(i).asDouble(), 1e-12);
            for (int j = 0; j < 4; j++) {
                assertEquals(b.get("covariance").get(i).get(j).asDouble(), a.get("covariance").get(i).get(j).asDouble(), 1e-12);
            }
        }
        assertEquals(b.get("logLikelihood").asDouble(), a.get("logLikelihood").asDouble(), 1e-9 * Math.abs(b.get("logLikelihood").asDouble()));
        // gmm without gaps: --missing em changes nothing, to the byte.
        runJob("gmm", "--input", dir.resolve("complete.csv").toString(), "--output", dir.resolve("gmm-em-full").toString(),
                "--k", "2", "--missing", "em", "--init", "k-means++", "--max-iter", "10", "--tol", "0");
        runJob("gmm", "--input", dir.resolve("complete.csv").toString(), "--output", dir.resolve("gmm-full").toString(),
                "--k", "2", "--init", "k-means++", "--max-iter", "10", "--tol", "0");
        assertEquals(java.nio.file.Files.readString(dir.resolve("gmm-full/model.json")),
                java.nio.file.Files.readString(dir.resolve("gmm-em-full/model.json")));
        // gmm with gaps: every row used, the likelihood never decreases.
        runJob("gmm", "--input", dir.resolve("gaps.csv").toString(), "--output", dir.resolve("gmm").toString(), "--k", "2",
                "--missing", "em", "--init", "k-means++", "--max-iter", "30", "--tol", "0");
        JsonNode g = json.readTree(dir.resolve("gmm/model.json").toFile());
        assertEquals(n, g.get("count").asLong());
        JsonNode trace = g.get("logLikelihoodTrace");
        for (int i = 1; i < trace.size(); i++) {
            assertTrue(trace.get(i).asDouble() >= trace.get(i - 1).asDouble() - 1e-10, "gmm likelihood dropped at " + i);
        }
    }
}
