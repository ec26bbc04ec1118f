package io.sufstat.jobs.gmm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sufstat.common.model.SklearnFixture;
import io.sufstat.jobs.SparkTest;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.ModelJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GmmJobTest extends SparkTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode read(Path p) throws IOException {
        return JSON.readTree(p.toFile());
    }

    static Path writeCsv(Path file, double[][] x, double[] weights) throws IOException {
        int d = x[0].length;
        List<String> lines = new ArrayList<>();
        StringBuilder h = new StringBuilder();
        for (int j = 1; j <= d; j++) {
            h.append(j > 1 ? "," : "").append("x").append(j);
        }
        lines.add(h + (weights == null ? "" : ",w"));
        for (int i = 0; i < x.length; i++) {
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < d; j++) {
                b.append(j > 0 ? "," : "").append(x[i][j]);
            }
            lines.add(b + (weights == null ? "" : "," + weights[i]));
        }
        Files.createDirectories(file.getParent());
        Files.write(file, lines);
        return file;
    }

    private static List<String> features(int d) {
        return IntStream.rangeClosed(1, d).mapToObj(j -> "x" + j).toList();
    }

    /** The whole distributed job, warm-started from scikit-learn's initial parameters, lands on its result. */
    @ParameterizedTest
    @ValueSource(strings = {"blobs3d-full", "blobs3d-tied", "blobs3d-diag", "blobs3d-spherical", "iris-full"})
    void jobAgreesWithScikitLearn(String name) throws Exception {
        SklearnFixture f = SklearnFixture.load(name);
        Path dir = tempDir("gmm-sk");
        int d = f.x[0].length;
        // Several input files, so that several partitions are merged.
        int third = f.x.length / 3;
        for (int p = 0; p < 3; p++) {
            writeCsv(dir.resolve("data/part-" + p + ".csv"), java.util.Arrays.copyOfRange(f.x, p * third,
                    p == 2 ? f.x.length : (p + 1) * third), null);
        }
        Path init = dir.resolve("init.json");
        Files.writeString(init, Json.write(ModelJson.mixture(features(d), f.initial())));
        Path out = dir.resolve("out");
        runJob("gmm", "--input", dir.resolve("data").toString(), "--output", out.toString(), "--init", init.toString(),
                "--tol", "0", "--max-iter", Integer.toString(f.maxIter), "--reg-covar", Double.toString(f.regCovar));
        JsonNode m = read(out.resolve("model.json"));
        assertEquals(f.type.label(), m.get("covarianceType").asText());
        assertEquals(f.maxIter, m.get("iterations").asInt());
        assertFalse(m.get("converged").asBoolean());
        for (int j = 0; j < f.k; j++) {
            assertEquals(f.weights[j], m.get("weights").get(j).asDouble(), 1e-8 * f.weights[j]);
            for (int r = 0; r < d; r++) {
                double sr = Math.sqrt(f.covariances[j][r * d + r]);
                assertEquals(f.means[j][r], m.get("means").get(j).get(r).asDouble(), 1e-8 * Math.max(Math.abs(f.means[j][r]), sr));
                for (int c = 0; c < d; c++) {
                    double scale = Math.sqrt(f.covariances[j][r * d + r] * f.covariances[j][c * d + c]);
                    double e = f.covariances[j][r * d + c];
                    assertEquals(e, m.get("covariances").get(j).get(r).get(c).asDouble(), 1e-8 * Math.max(Math.abs(e), scale));
                }
            }
        }
        // The reported log-likelihood is that of the written parameters: scikit-learn's score(X)·n.
        assertEquals(f.score, m.get("meanLogLikelihood").asDouble(), 1e-9 * Math.abs(f.score));
        assertEquals(f.bic, m.get("bic").asDouble(), 1e-9 * Math.abs(f.bic));
        assertEquals(f.maxIter + 1, m.get("logLikelihoodTrace").size());
        assertEquals(f.lowerBound, m.get("logLikelihoodTrace").get(f.maxIter - 1).asDouble(), 1e-9 * Math.abs(f.lowerBound));
    }

    /** Three well-separated components in 4 dimensions, with their labels. */
    static double[][] threeBlobs(int perBlob, long seed, int[] labels) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] centres = {{0, 0, 0, 0}, {8, 8, 0, -8}, {-8, 8, 8, 0}};
        double[][] x = new double[3 * perBlob][4];
        for (int i = 0; i < x.length; i++) {
            int k = i % 3;
            if (labels != null) {
                labels[i] = k;
            }
            for (int j = 0; j < 4; j++) {
                x[i][j] = 1e6 + centres[k][j] + (1 + 0.3 * k) * rng.nextGaussian();
            }
        }
        return x;
    }

    private static double nearestCentreDistance(JsonNode means, double[] centre) {
        double best = Double.POSITIVE_INFINITY;
        for (JsonNode m : means) {
            double s = 0;
            for (int j = 0; j < centre.length; j++) {
                double v = m.get(j).asDouble() - centre[j];
                s += v * v;
            }
            best = Math.min(best, Math.sqrt(s));
        }
        return best;
    }

    @ParameterizedTest
    @ValueSource(strings = {"kmeans", "k-means++", "random-from-data", "random"})
    void everyInitialisationFindsTheComponents(String init) throws Exception {
        Path dir = tempDir("gmm-init");
        Path data = writeCsv(dir.resolve("blobs.csv"), threeBlobs(300, 5, null), null);
        Path out = dir.resolve("out");
        runJob("gmm", "--input", data.toString(), "--output", out.toString(), "--k", "3", "--init", init,
                "--n-init", init.equals("random") ? "3" : "1", "--seed", "7", "--tol", "1e-6");
        JsonNode m = read(out.resolve("model.json"));
        assertTrue(m.get("converged").asBoolean(), init);
        double[][] centres = {{1e6, 1e6, 1e6, 1e6}, {1e6 + 8, 1e6 + 8, 1e6, 1e6 - 8}, {1e6 - 8, 1e6 + 8, 1e6 + 8, 1e6}};
        for (double[] c : centres) {
            assertTrue(nearestCentreDistance(m.get("means"), c) < 0.3, init + ": no mean near " + c[1]);
        }
        for (JsonNode w : m.get("weights")) {
            assertEquals(1.0 / 3, w.asDouble(), 0.01, init);
        }
        JsonNode trace = m.get("logLikelihoodTrace");
        for (int t = 1; t < trace.size(); t++) {
            assertTrue(trace.get(t).asDouble() >= trace.get(t - 1).asDouble() - 1e-12, init + ": ℓ decreased at " + t);
        }
        assertEquals(trace.get(trace.size() - 1).asDouble(), m.get("meanLogLikelihood").asDouble(), 0);
    }

    /** The same seed gives the same model whatever the partitioning (row-hash seeding, also k-means), bit for bit on rerun. */
    @Test
    void deterministicForASeedWhateverThePartitions() throws Exception {
        Path dir = tempDir("gmm-det");
        double[][] x = threeBlobs(200, 9, null);
        Path one = writeCsv(dir.resolve("one/all.csv"), x, null);
        for (int p = 0; p < 4; p++) {
            writeCsv(dir.resolve("four/part-" + p + ".csv"), java.util.Arrays.copyOfRange(x, p * 150, (p + 1) * 150), null);
        }
        for (String init : List.of("kmeans", "k-means++", "random-from-data", "random")) {
            runJob("gmm", "--input", one.getParent().toString(), "--output", dir.resolve(init + "-a").toString(), "--k", "3",
                    "--init", init, "--seed", "3", "--covariance", "diag");
            runJob("gmm", "--input", one.getParent().toString(), "--output", dir.resolve(init + "-b").toString(), "--k", "3",
                    "--init", init, "--seed", "3", "--covariance", "diag");
            runJob("gmm", "--input", dir.resolve("four").toString(), "--output", dir.resolve(init + "-c").toString(), "--k", "3",
                    "--init", init, "--seed", "3", "--covariance", "diag");
            assertArrayEquals(Files.readAllBytes(dir.resolve(init + "-a/model.json")),
                    Files.readAllBytes(dir.resolve(init + "-b/model.json")), init);
            JsonNode a = read(dir.resolve(init + "-a/model.json"));
            JsonNode c = read(dir.resolve(init + "-c/model.json"));
            assertEquals(a.get("iterations").asInt(), c.get("iterations").asInt(), init);
            for (int j = 0; j < 3; j++) {
                for (int r = 0; r < 4; r++) {
                    assertEquals(a.get("means").get(j).get(r).asDouble(), c.get("means").get(j).get(r).asDouble(), 1e-7, init);
                }
            }
        }
    }

    @Test
    void modelSelectionPicksTheTrueKByBic() throws Exception {
        Path dir = tempDir("gmm-select");
        Path data = writeCsv(dir.resolve("blobs.csv"), threeBlobs(200, 11, null), null);
        Path out = dir.resolve("out");
        runJob("gmm", "--input", data.toString(), "--output", out.toString(), "--k", "1-4", "--covariance", "all",
                "--init", "k-means++", "--n-init", "2");
        JsonNode m = read(out.resolve("model.json"));
        assertEquals(3, m.get("weights").size());
        List<String> lines = Files.readAllLines(out.resolve("selection.csv"));
        assertEquals(17, lines.size());
        double best = Double.POSITIVE_INFINITY;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            best = Math.min(best, Double.parseDouble(f[6]));
            // BIC = −2ℓ + p·ln n, AIC = −2ℓ + 2p
            double ll = Double.parseDouble(f[3]);
            long p = Long.parseLong(f[5]);
            assertEquals(-2 * ll + p * Math.log(600), Double.parseDouble(f[6]), 1e-9 * Math.abs(ll));
            assertEquals(-2 * ll + 2 * p, Double.parseDouble(f[7]), 1e-9 * Math.abs(ll));
        }
        assertEquals(best, m.get("bic").asDouble(), 0);
        assertEquals(16, read(out.resolve("metrics.json")).get("fits").size());
    }

    @Test
    void integerWeightsEqualRepeatedRows() throws Exception {
        Path dir = tempDir("gmm-weights");
        double[][] x = threeBlobs(60, 13, null);
        double[] w = new double[x.length];
        List<double[]> repeated = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            w[i] = 1 + i % 3;
            for (int r = 0; r < w[i]; r++) {
                repeated.add(x[i]);
            }
        }
        Path init = dir.resolve("init.json");
        double[][] means = {x[0], x[1], x[2]};
        double[][] covs = new double[3][16];
        for (int j = 0; j < 3; j++) {
            for (int c = 0; c < 4; c++) {
                covs[j][c * 5] = 4;
            }
        }
        Files.writeString(init, Json.write(ModelJson.mixture(features(4), io.sufstat.common.model.GaussianMixture.of(
                io.sufstat.common.model.CovarianceType.FULL, new double[] {0.3, 0.3, 0.4}, means, covs))));
        runJob("gmm", "--input", writeCsv(dir.resolve("w.csv"), x, w).toString(), "--weight-col", "w", "--output",
                dir.resolve("weighted").toString(), "--init", init.toString(), "--tol", "0", "--max-iter", "5");
        runJob("gmm", "--input", writeCsv(dir.resolve("r.csv"), repeated.toArray(new double[0][]), null).toString(),
                "--output", dir.resolve("repeated").toString(), "--init", init.toString(), "--tol", "0", "--max-iter", "5");
        JsonNode a = read(dir.resolve("weighted/model.json"));
        JsonNode b = read(dir.resolve("repeated/model.json"));
        assertEquals(b.get("logLikelihood").asDouble(), a.get("logLikelihood").asDouble(), 1e-9 * Math.abs(b.get("logLikelihood").asDouble()));
        assertEquals(b.get("weightSum").asDouble(), a.get("weightSum").asDouble(), 0);
        for (int j = 0; j < 3; j++) {
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 4; c++) {
                    double e = b.get("covariances").get(j).get(r).get(c).asDouble();
                    assertEquals(e, a.get("covariances").get(j).get(r).get(c).asDouble(), 1e-9 * Math.max(1, Math.abs(e)));
                }
            }
        }
    }

    @Test
    void degenerateCasesFailWithRemedies() throws Exception {
        Path dir = tempDir("gmm-degenerate");
        Path tiny = writeCsv(dir.resolve("tiny.csv"), new double[][] {{1, 2}, {2, 1}, {3, 3}}, null);
        JobFailedException e = assertThrows(JobFailedException.class, () -> runJob("gmm", "--input", tiny.toString(),
                "--output", dir.resolve("o1").toString(), "--k", "5", "--init", "k-means++"));
        assertTrue(e.getMessage().contains("larger than the number of rows"), e.getMessage());
        // Two exact duplicates far from the rest, no ridge: a component collapses onto them.
        double[][] x = threeBlobs(30, 17, null);
        double[][] withPair = java.util.Arrays.copyOf(x, x.length + 2);
        withPair[x.length] = new double[] {5e6, 5e6, 5e6, 5e6};
        withPair[x.length + 1] = new double[] {5e6, 5e6, 5e6, 5e6};
        Path data = writeCsv(dir.resolve("pair.csv"), withPair, null);
        e = assertThrows(JobFailedException.class, () -> runJob("gmm", "--input", data.toString(), "--output",
                dir.resolve("o2").toString(), "--k", "4", "--init", "k-means++", "--reg-covar", "0", "--seed", "1"));
        assertTrue(e.getMessage().contains("component") && e.getMessage().contains("not positive definite")
                && e.getMessage().contains("--reg-covar"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("o2")));
        // The same data with the default ridge fit, and nothing in the model is NaN.
        runJob("gmm", "--input", data.toString(), "--output", dir.resolve("o3").toString(), "--k", "4", "--init", "k-means++",
                "--seed", "1");
        assertFalse(Files.readString(dir.resolve("o3/model.json")).contains("NaN"));
        // Usage errors.
        assertThrows(UsageException.class, () -> runJob("gmm", "--input", data.toString(), "--output", "x", "--k", "0"));
        assertThrows(UsageException.class, () -> runJob("gmm", "--input", data.toString(), "--output", "x", "--k", "2",
                "--covariance", "banded"));
        assertThrows(UsageException.class, () -> runJob("gmm", "--input", data.toString(), "--output", "x", "--k", "2",
                "--init", "magic"));
    }

    @Test
    void checkpointResumesToTheSameBytesAsAnUninterruptedRun() throws Exception {
        Path dir = tempDir("gmm-checkpoint");
        Path data = writeCsv(dir.resolve("blobs.csv"), threeBlobs(150, 23, null), null);
        String ckpt = dir.resolve("ckpt").toString();
        // A run that stopped after 3 iterations (as a killed driver would have), then the full command again.
        runJob("gmm", "--input", data.toString(), "--output", dir.resolve("part").toString(), "--k", "3", "--max-iter", "3",
                "--tol", "0", "--init", "random", "--checkpoint", ckpt);
        runJob("gmm", "--input", data.toString(), "--output", dir.resolve("resumed").toString(), "--k", "3", "--max-iter",
                "9", "--tol", "0", "--init", "random", "--checkpoint", ckpt);
        runJob("gmm", "--input", data.toString(), "--output", dir.resolve("straight").toString(), "--k", "3", "--max-iter",
                "9", "--tol", "0", "--init", "random");
        assertEquals(Files.readString(dir.resolve("straight/model.json")), Files.readString(dir.resolve("resumed/model.json")));
        assertEquals(9, read(dir.resolve("resumed/model.json")).get("iterations").asInt());
        try (var files = Files.list(dir.resolve("ckpt/k3-full-init0"))) {
            assertEquals(List.of("iteration-000008.json", "iteration-000009.json"),
                    files.map(f -> f.getFileName().toString()).filter(f -> !f.startsWith(".")).sorted().toList());
        }
        // A checkpoint of another run (here another seed) is never resumed: the fit starts afresh.
        runJob("gmm", "--input", data.toString(), "--output", dir.resolve("other").toString(), "--k", "3", "--init",
                "random", "--seed", "5", "--checkpoint", ckpt);
        runJob("gmm", "--input", data.toString(), "--output", dir.resolve("other-straight").toString(), "--k", "3",
                "--init", "random", "--seed", "5");
        assertEquals(Files.readString(dir.resolve("other-straight/model.json")),
                Files.readString(dir.resolve("other/model.json")));
    }

    @Test
    void warmStartResumesAndChecksTheModel() throws Exception {
        Path dir = tempDir("gmm-warm");
        Path data = writeCsv(dir.resolve("blobs.csv"), threeBlobs(100, 19, null), null);
        runJob("gmm", "--input", data.toString(), "--output", dir.resolve("first").toString(), "--k", "3", "--max-iter", "2",
                "--tol", "0", "--init", "k-means++");
        runJob("gmm", "--input", data.toString(), "--output", dir.resolve("resumed").toString(), "--init",
                dir.resolve("first").toString(), "--max-iter", "3", "--tol", "0");
        runJob("gmm", "--input", data.toString(), "--output", dir.resolve("straight").toString(), "--k", "3", "--max-iter", "5",
                "--tol", "0", "--init", "k-means++");
        JsonNode resumed = read(dir.resolve("resumed/model.json"));
        JsonNode straight = read(dir.resolve("straight/model.json"));
        assertEquals(straight.get("logLikelihood").asDouble(), resumed.get("logLikelihood").asDouble(),
                1e-9 * Math.abs(straight.get("logLikelihood").asDouble()));
        Path other = dir.resolve("other.json");
        Files.writeString(other, "{\"kind\":\"gaussian-mixture\",\"formatVersion\":1,\"features\":[\"a\",\"b\"],"
                + "\"covarianceType\":\"full\",\"weights\":[1],\"means\":[[0,0]],\"covariances\":[[[1,0],[0,1]]]}");
        JobFailedException e = assertThrows(JobFailedException.class, () -> runJob("gmm", "--input", data.toString(),
                "--output", dir.resolve("bad").toString(), "--init", other.toString()));
        assertTrue(e.getMessage().contains("features"), e.getMessage());
        Files.writeString(other, "{\"kind\":\"gaussian-mixture\",\"formatVersion\":1,\"features\":[\"x1\",\"x2\",\"x3\",\"x4\"],"
                + "\"covarianceType\":\"full\",\"weights\":[0.5,0.6],\"means\":[[0,0,0,0],[1,1,1,1]],"
                + "\"covariances\":[[[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]],[[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]]}");
        e = assertThrows(JobFailedException.class, () -> runJob("gmm", "--input", data.toString(), "--output",
                dir.resolve("bad2").toString(), "--init", other.toString()));
        assertTrue(e.getMessage().contains("sum to"), e.getMessage());
    }

    /**
     * Two unit-variance blobs 3 apart in every coordinate: in high dimension their densities underflow in
     * linear space (MLlib merges them), in log space they separate.
     */
    @ParameterizedTest
    @ValueSource(ints = {50, 600})
    void highDimensionalBlobsAreSeparated(int d) throws Exception {
        Path dir = tempDir("gmm-highdim");
        int perBlob = d == 600 ? 1000 : 400;
        SplittableRandom rng = new SplittableRandom(d);
        double[][] x = new double[2 * perBlob][d];
        for (int i = 0; i < x.length; i++) {
            double shift = i % 2 == 0 ? 0 : 3;
            for (int j = 0; j < d; j++) {
                x[i][j] = shift + rng.nextGaussian();
            }
        }
        Path data = writeCsv(dir.resolve("blobs.csv"), x, null);
        Path out = dir.resolve("out");
        runJob("gmm", "--input", data.toString(), "--output", out.toString(), "--k", "2", "--init", "kmeans",
                "--max-iter", "5", "--seed", "2");
        JsonNode m = read(out.resolve("model.json"));
        for (JsonNode w : m.get("weights")) {
            assertEquals(0.5, w.asDouble(), 1e-9, "d=" + d + ": the blobs were not separated");
        }
        double[] low = new double[d];
        double[] high = new double[d];
        java.util.Arrays.fill(high, 3);
        assertTrue(nearestCentreDistance(m.get("means"), low) < 0.15 * Math.sqrt(d) / Math.sqrt(perBlob) * 10);
        assertTrue(nearestCentreDistance(m.get("means"), high) < 0.15 * Math.sqrt(d) / Math.sqrt(perBlob) * 10);
    }

    /** K = 1 is the maximum-likelihood Gaussian (plus reg-covar) for every initialisation; no k-means runs. */
    @Test
    void oneComponentIsTheGaussianForEveryInit() throws Exception {
        Path dir = tempDir("gmm-k1");
        Path data = writeCsv(dir.resolve("blobs.csv"), threeBlobs(40, 3, null), null);
        runJob("mle", "--input", data.toString(), "--output", dir.resolve("mle").toString(), "--reg-covar", "1e-6");
        JsonNode mle = read(dir.resolve("mle/model.json"));
        for (String init : List.of("kmeans", "k-means++", "random-from-data", "random")) {
            Path out = dir.resolve("k1-" + init);
            runJob("gmm", "--input", data.toString(), "--output", out.toString(), "--k", "1-3", "--init", init);
            List<String> lines = Files.readAllLines(out.resolve("selection.csv"));
            assertEquals(4, lines.size(), "K = 1, 2, 3 all fitted with " + init + ": " + lines);
            runJob("gmm", "--input", data.toString(), "--output", dir.resolve("one-" + init).toString(), "--k", "1",
                    "--init", init);
            JsonNode one = read(dir.resolve("one-" + init + "/model.json"));
            assertEquals(mle.get("logLikelihood").asDouble(), one.get("logLikelihood").asDouble(),
                    1e-9 * Math.abs(mle.get("logLikelihood").asDouble()), init);
            for (int j = 0; j < 4; j++) {
                assertEquals(mle.get("mean").get(j).asDouble(), one.get("means").get(0).get(j).asDouble(), 1e-9, init);
            }
        }
    }

    /** A selection lists a combination that fails and goes on; degenerate fits are flagged in metrics.json. */
    @Test
    void failingCombinationsAreListedAndDegenerateFitsFlagged() throws Exception {
        Path dir = tempDir("gmm-degenerate");
        Path data = writeCsv(dir.resolve("blobs.csv"), threeBlobs(10, 5, null), null);
        Path sel = dir.resolve("sel");
        runJob("gmm", "--input", data.toString(), "--output", sel.toString(), "--k", "2,3,40", "--init", "k-means++");
        List<String> lines = Files.readAllLines(sel.resolve("selection.csv"));
        assertTrue(lines.get(3).startsWith("40,full") && lines.get(3).contains("larger than the number of rows (30)"),
                lines.toString());
        Path deg = dir.resolve("deg");
        runJob("gmm", "--input", data.toString(), "--output", deg.toString(), "--k", "25", "--init", "random-from-data",
                "--max-iter", "3", "--tol", "0");
        JsonNode warnings = read(deg.resolve("metrics.json")).get("warnings");
        List<String> w = new ArrayList<>();
        warnings.forEach(n -> w.add(n.asText()));
        assertTrue(w.stream().anyMatch(s -> s.contains("fewer than d + 1 = 5 rows")), w.toString());
        assertTrue(w.stream().anyMatch(s -> s.contains("--reg-covar floor")), w.toString());
        assertTrue(w.stream().anyMatch(s -> s.contains("stopped at --max-iter 3")), w.toString());
        JsonNode clean = read(sel.resolve("metrics.json")).get("warnings");
        assertEquals(0, clean.size(), clean.toString());
    }

    /**
     * {@code --algorithm stochastic}: stepwise EM on a quarter of the blocks per step, then batch iterations, ends at
     * batch EM's fixed point from the same start (the same log-likelihood to 1e-6 per row), never decreasing during
     * the batch iterations, and gives the same bytes twice for a seed.
     */
    @Test
    void stochasticEmEndsAtTheBatchOptimum() throws Exception {
        Path dir = tempDir("gmm-stochastic");
        Path data = dir.resolve("data");
        runJob("generate", "--output", data.toString(), "--rows", "60000", "--dim", "4", "--components", "3",
                "--separation", "2", "--partitions", "4", "--seed", "12");
        runJob("gmm", "--input", data.toString(), "--output", dir.resolve("batch").toString(), "--k", "3",
                "--init", "k-means++", "--tol", "1e-9", "--max-iter", "500", "--report", "false");
        for (String run : new String[] {"a", "b"}) {
            runJob("gmm", "--input", data.toString(), "--output", dir.resolve(run).toString(), "--k", "3",
                    "--init", "k-means++", "--tol", "1e-9", "--algorithm", "stochastic", "--batch-fraction", "0.25",
                    "--stochastic-steps", "24", "--polish", "500", "--report", "false");
        }
        JsonNode batch = read(dir.resolve("batch/metrics.json"));
        JsonNode stochastic = read(dir.resolve("a/metrics.json"));
        assertEquals("stochastic (batch fraction 0.25, step decay 0.6, 24 steps, polish 500)",
                stochastic.get("algorithm").asText());
        assertTrue(stochastic.get("converged").asBoolean());
        assertEquals(batch.get("meanLogLikelihood").asDouble(), stochastic.get("meanLogLikelihood").asDouble(), 1e-6);
        JsonNode trace = read(dir.resolve("a/model.json")).get("logLikelihoodTrace");
        for (int i = 1; i < trace.size(); i++) {
            assertTrue(trace.get(i).asDouble() >= trace.get(i - 1).asDouble() - 1e-12, "EM never decreases: " + trace);
        }
        assertArrayEquals(Files.readAllBytes(dir.resolve("a/model.json")), Files.readAllBytes(dir.resolve("b/model.json")));

        // What stepwise EM cannot do, and options that belong to it alone.
        String in = data.toString();
        assertThrows(UsageException.class, () -> runJob("gmm", "--input", in, "--output", "x", "--k", "2",
                "--covariance", "tied", "--algorithm", "stochastic"));
        assertThrows(UsageException.class, () -> runJob("gmm", "--input", in, "--output", "x", "--k", "2",
                "--batch-fraction", "0.1"));
        assertThrows(UsageException.class, () -> runJob("gmm", "--input", in, "--output", "x", "--k", "2",
                "--algorithm", "stochastic", "--max-iter", "10"));
        assertThrows(UsageException.class, () -> runJob("gmm", "--input", in, "--output", "x", "--k", "2",
                "--algorithm", "stochastic", "--step-decay", "0.5"));
    }
}
