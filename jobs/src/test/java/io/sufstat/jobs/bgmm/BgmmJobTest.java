package io.sufstat.jobs.bgmm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sufstat.common.model.FixtureJson;
import io.sufstat.jobs.CliRun;
import io.sufstat.jobs.SparkTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bgmm end to end: through the launcher's path (CSV read, cached blocks, distributed passes, model.json),
 * from a gaussian-mixture --init model, 10 iterations equal scikit-learn 1.2.1's BayesianGaussianMixture
 * (the fixtures of make_bgmm_fixtures.py) to 1e-8 in every variational parameter, the lower bound and its
 * trace; and with K an upper bound, unneeded components are emptied.
 */
class BgmmJobTest extends SparkTest {

    static void close(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-8 * Math.max(1, Math.abs(expected)), what);
    }

    @ParameterizedTest
    @ValueSource(strings = {"blobs-full-process", "blobs-tied-distribution", "blobs-diag-process",
        "blobs-spherical-distribution"})
    void tenIterationsEqualScikitLearn(String name) throws Exception {
        String f;
        try (InputStream in = getClass().getResourceAsStream("/bgmm/" + name + ".json")) {
            f = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path dir = tempDir("bgmm-" + name);
        StringBuilder csv = new StringBuilder("a,b,c\n");
        for (double[] row : FixtureJson.matrix(f, "x")) {
            csv.append(row[0]).append(',').append(row[1]).append(',').append(row[2]).append('\n');
        }
        Files.writeString(dir.resolve("x.csv"), csv.toString());
        ObjectMapper json = new ObjectMapper();
        var init = json.createObjectNode();
        init.put("kind", "gaussian-mixture");
        init.put("formatVersion", 1);
        init.putArray("features").add("a").add("b").add("c");
        init.put("covarianceType", "full");
        init.set("weights", json.valueToTree(FixtureJson.vector(f, "initWeights")));
        init.set("means", json.valueToTree(FixtureJson.matrix(f, "initMeans")));
        init.set("covariances", json.valueToTree(FixtureJson.tensor(f, "initCovariances")));
        Files.writeString(dir.resolve("init.json"), json.writeValueAsString(init));
        String type = FixtureJson.string(f, "covarianceType");
        String prior = FixtureJson.string(f, "weightPrior").replace('_', '-');
        CliRun r = CliRun.of("bgmm", "--input", dir.resolve("x.csv").toString(), "--output", dir.resolve("out").toString(),
                "--init", dir.resolve("init.json").toString(), "--covariance", type, "--weight-prior", prior, "--max-iter",
                "10", "--tol", "0");
        assertEquals(0, r.exit(), String.join("\n", r.log()));
        JsonNode m = json.readTree(dir.resolve("out/model.json").toFile());
        assertEquals("bayesian-gaussian-mixture", m.get("kind").asText());
        close(FixtureJson.number(f, "lowerBound"), m.get("lowerBound").asDouble(), "lowerBound");
        double[] trace = FixtureJson.vector(f, "trace");
        assertEquals(trace.length, m.get("lowerBoundTrace").size());
        for (int i = 0; i < trace.length; i++) {
            close(trace[i], m.get("lowerBoundTrace").get(i).asDouble(), "trace " + i);
        }
        double[][] concentration = FixtureJson.matrix(f, "weightConcentration");
        double[] beta = FixtureJson.vector(f, "meanPrecision");
        double[] dof = FixtureJson.vector(f, "degreesOfFreedom");
        double[] weights = FixtureJson.vector(f, "weights");
        double[][] means = FixtureJson.matrix(f, "means");
        double[][][] covs = FixtureJson.tensor(f, "covariances");
        for (int j = 0; j < 4; j++) {
            JsonNode c = m.get("weightConcentration").get(j);
            for (int e = 0; e < concentration[j].length; e++) {
                close(concentration[j][e], c.isArray() ? c.get(e).asDouble() : c.asDouble(), "concentration " + j);
            }
            close(beta[j], m.get("meanPrecision").get(j).asDouble(), "meanPrecision " + j);
            close(dof[j], m.get("degreesOfFreedom").get(j).asDouble(), "dof " + j);
            close(weights[j], m.get("weights").get(j).asDouble(), "weight " + j);
            for (int a = 0; a < 3; a++) {
                close(means[j][a], m.get("means").get(j).get(a).asDouble(), "mean " + j);
                for (int b = 0; b < 3; b++) {
                    close(covs[j][a][b], m.get("covariances").get(j).get(a).get(b).asDouble(), "covariance " + j);
                }
            }
        }
    }

    @Test
    void anUpperBoundOnKLeavesUnneededComponentsEmpty() throws Exception {
        Path dir = tempDir("bgmm-prune");
        CliRun g = CliRun.of("generate", "--output", dir.resolve("data").toString(), "--rows", "5000", "--dim", "3",
                "--components", "3", "--seed", "4", "--format", "parquet", "--separation", "6");
        assertEquals(0, g.exit());
        CliRun r = CliRun.of("bgmm", "--input", dir.resolve("data").toString(), "--output", dir.resolve("out").toString(),
                "--k", "8", "--max-iter", "400", "--init", "k-means++");
        assertEquals(0, r.exit(), String.join("\n", r.log()));
        JsonNode m = new ObjectMapper().readTree(dir.resolve("out/model.json").toFile());
        int empty = 0;
        for (JsonNode w : m.get("weights")) {
            empty += w.asDouble() < 1e-3 ? 1 : 0;
        }
        System.out.println("BgmmJobTest: effective components " + m.get("effectiveComponents").asInt() + " of 8 on 3 true,"
                + " after " + m.get("iterations").asInt() + " iterations");
        assertEquals(8 - empty, m.get("effectiveComponents").asInt());
        assertTrue(empty >= 4, "at least 4 of 8 components emptied: " + m.get("weights"));
        JsonNode trace = m.get("lowerBoundTrace");
        for (int i = 1; i < trace.size(); i++) {
            assertTrue(trace.get(i).asDouble() >= trace.get(i - 1).asDouble() - 1e-6 * Math.abs(trace.get(i).asDouble()),
                    "lower bound decreased at " + i);
        }
    }

    @Test
    void aCheckpointedRunResumesToTheSameBytes() throws Exception {
        Path dir = tempDir("bgmm-checkpoint");
        Path iris = Path.of("../sample-data/iris.csv").toAbsolutePath();
        String[] base = {"bgmm", "--input", iris.toString(), "--k", "5", "--init", "k-means++", "--tol", "0"};
        String ckpt = dir.resolve("ckpt").toString();
        assertEquals(0, CliRun.of(concat(base, "--output", dir.resolve("part").toString(), "--max-iter", "3",
                "--checkpoint", ckpt)).exit());
        assertEquals(0, CliRun.of(concat(base, "--output", dir.resolve("resumed").toString(), "--max-iter", "8",
                "--checkpoint", ckpt)).exit());
        assertEquals(0, CliRun.of(concat(base, "--output", dir.resolve("straight").toString(), "--max-iter", "8")).exit());
        assertEquals(Files.readString(dir.resolve("straight/model.json")), Files.readString(dir.resolve("resumed/model.json")));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
