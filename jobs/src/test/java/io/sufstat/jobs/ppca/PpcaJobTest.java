package io.sufstat.jobs.ppca;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sufstat.common.linalg.SymmetricEigen;
import io.sufstat.jobs.SparkTest;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PpcaJobTest extends SparkTest {

    static Path iris() {
        Path p = Path.of("../sample-data/iris.csv");
        return (Files.exists(p) ? p : Path.of("sample-data/iris.csv")).toAbsolutePath().normalize();
    }

    @Test
    void irisPpcaIsTheClosedFormAndScoresAsItsGaussian() throws Exception {
        Path dir = tempDir("ppca");
        runJob("mle", "--input", iris().toString(), "--output", dir.resolve("mle").toString());
        runJob("ppca", "--input", iris().toString(), "--output", dir.resolve("ppca").toString(), "--q", "2",
                "--tol", "1e-14", "--max-iter", "20000");
        ObjectMapper json = new ObjectMapper();
        JsonNode mle = json.readTree(dir.resolve("mle/model.json").toFile());
        JsonNode ppca = json.readTree(dir.resolve("ppca/model.json").toFile());
        int d = 4;
        double[] s = new double[d * d];
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < d; c++) {
                s[r * d + c] = mle.get("covariance").get(r).get(c).asDouble();
            }
        }
        // Tipping & Bishop's closed form: σ² the mean of the d − q smallest eigenvalues, λ₁, λ₂ kept.
        double[] lambda = SymmetricEigen.of(s, d).values();
        double sigma2 = (lambda[2] + lambda[3]) / 2;
        assertEquals(sigma2, ppca.get("noiseVariance").asDouble(), 1e-6 * sigma2);
        assertEquals(lambda[0], ppca.get("explainedVariance").get(0).asDouble(), 1e-6 * lambda[0]);
        assertEquals(lambda[1], ppca.get("explainedVariance").get(1).asDouble(), 1e-6 * lambda[0]);
        for (int j = 0; j < d; j++) {
            assertEquals(mle.get("mean").get(j).asDouble(), ppca.get("mean").get(j).asDouble(), 1e-13);
        }
        JsonNode trace = ppca.get("logLikelihoodTrace");
        for (int i = 1; i < trace.size(); i++) {
            assertTrue(trace.get(i).asDouble() >= trace.get(i - 1).asDouble() - 1e-12, "EM lowered the likelihood at " + i);
        }
        assertTrue(ppca.get("converged").asBoolean());
        // score applies it as N(μ, WWᵀ + σ²I).
        runJob("score", "--model", dir.resolve("ppca").toString(), "--input", iris().toString(), "--output",
                dir.resolve("scored").toString(), "--output-format", "parquet");
        double total = 0;
        for (Row r : spark().read().parquet(dir.resolve("scored").toString()).select("logDensity").collectAsList()) {
            total += r.getDouble(0);
        }
        assertEquals(ppca.get("logLikelihood").asDouble(), total, 1e-9 * Math.abs(total));
    }
}
