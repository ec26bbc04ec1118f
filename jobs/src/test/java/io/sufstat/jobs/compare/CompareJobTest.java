package io.sufstat.jobs.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.jobs.ModelFiles;
import io.sufstat.jobs.SparkTest;
import io.sufstat.jobs.cli.JobFailedException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompareJobTest extends SparkTest {

    @Test
    void gaussiansGetClosedFormsAndDriftFailsTheRunAfterTheReport() throws Exception {
        Path dir = tempDir("compare");
        // A: N(0, 1) and an independent second coordinate; B: N(1, 4) — KL(A‖B) = log 2 + 2/8 − ½, KL(B‖A) = ½(4 + 1 − 1 − log 4).
        Path a = ModelFiles.write(dir.resolve("a.json"), List.of("x", "z"), ModelFiles.single(new double[] {0, 5},
                new double[] {1, 0, 0, 1}));
        // B lists its features in the other order: compare aligns them by name.
        Path b = ModelFiles.write(dir.resolve("b.json"), List.of("z", "x"), ModelFiles.single(new double[] {5, 1},
                new double[] {1, 0, 0, 4}));
        runJob("compare", "--model-a", a.toString(), "--model-b", b.toString(), "--output", dir.resolve("r").toString(),
                "--mi-groups", "x;z");
        JsonNode r = new ObjectMapper().readTree(dir.resolve("r/report.json").toFile());
        assertEquals(Math.log(2) + 0.25 - 0.5, r.get("klAB").get("value").asDouble(), 1e-15);
        assertEquals(0.5 * (4 + 1 - 1 - Math.log(4)), r.get("klBA").get("value").asDouble(), 1e-15);
        assertEquals("closed-form", r.get("klAB").get("method").asText());
        assertEquals(Math.log(2 * Math.PI * Math.E), r.get("entropyA").get("value").asDouble(), 1e-14);
        assertEquals(0.0, r.get("mutualInformation").get("inA").get("value").asDouble(), 1e-15);
        assertFalse(r.get("drift").asBoolean());
        JobFailedException e = assertThrows(JobFailedException.class, () -> runJob("compare", "--model-a", a.toString(),
                "--model-b", b.toString(), "--output", dir.resolve("d").toString(), "--fail-above", "1.0"));
        assertTrue(e.getMessage().contains("drift") && e.getMessage().contains("1.30685"), e.getMessage());
        JsonNode d = new ObjectMapper().readTree(dir.resolve("d/report.json").toFile());
        assertTrue(d.get("drift").asBoolean(), "the report is written before the failure");
        assertTrue(Files.exists(dir.resolve("d/metrics.json")) && Files.exists(dir.resolve("d/_SUCCESS")));
    }

    @Test
    void mixturesGetMonteCarloWithErrorsAndMismatchesAreNamed() throws Exception {
        Path dir = tempDir("compare-mix");
        double[] eye = {1, 0, 0, 1};
        GaussianMixture f = GaussianMixture.of(CovarianceType.FULL, new double[] {0.4, 0.6},
                new double[][] {{0, 0}, {20, 0}}, new double[][] {eye, eye});
        GaussianMixture g = GaussianMixture.of(CovarianceType.FULL, new double[] {0.5, 0.5},
                new double[][] {{0.5, 0}, {20, 0}}, new double[][] {eye, eye});
        Path a = ModelFiles.write(dir.resolve("a.json"), List.of("x", "y"), f);
        Path b = ModelFiles.write(dir.resolve("b.json"), List.of("x", "y"), g);
        runJob("compare", "--model-a", a.toString(), "--model-b", b.toString(), "--output", dir.resolve("r").toString(),
                "--samples", "50000", "--seed", "4");
        JsonNode r = new ObjectMapper().readTree(dir.resolve("r/report.json").toFile());
        JsonNode ab = r.get("klAB");
        assertEquals("monte-carlo", ab.get("method").asText());
        double expect = 0.4 * (Math.log(0.4 / 0.5) + 0.125) + 0.6 * Math.log(0.6 / 0.5);
        assertEquals(expect, ab.get("variational").asDouble(), 1e-9);
        assertEquals(expect, ab.get("value").asDouble(), 4 * ab.get("standardError").asDouble());
        Path other = ModelFiles.write(dir.resolve("c.json"), List.of("x", "w"), g);
        JobFailedException e = assertThrows(JobFailedException.class, () -> runJob("compare", "--model-a", a.toString(),
                "--model-b", other.toString(), "--output", dir.resolve("x").toString()));
        assertTrue(e.getMessage().contains("different features"), e.getMessage());
    }
}
