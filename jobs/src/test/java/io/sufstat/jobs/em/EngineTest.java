package io.sufstat.jobs.em;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sufstat.jobs.CliRun;
import io.sufstat.jobs.SparkTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every model on the one EM engine behaves alike: the trace has iterations + 1 entries, never decreases,
 * and ends with the written parameters' value; a checkpointed run stopped early and resumed writes the
 * bytes of an uninterrupted run; with --n-init the best start is written; --init MODEL.json warm-starts.
 */
class EngineTest extends SparkTest {

    private static final String[][] MODELS = {
        {"gmm", "--k", "3", "--init", "k-means++"},
        {"ppca", "--q", "2"},
        {"mppca", "--k", "2", "--q", "1"},
        {"tmm", "--k", "3", "--init", "k-means++"},
    };

    private static String[] command(String job, Path data, Path out, String... extra) {
        List<String> a = new ArrayList<>();
        boolean warm = List.of(extra).contains("--init");
        for (String[] m : MODELS) {
            for (int i = 0; m[0].equals(job) && i < m.length; i++) {
                if (warm && m[i].equals("--init")) {
                    i++;
                } else {
                    a.add(m[i]);
                }
            }
        }
        a.addAll(List.of("--input", data.toString(), "--output", out.toString(), "--features",
                "sepal_length,sepal_width,petal_length,petal_width"));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    private static Path iris() {
        Path p = Path.of("../sample-data/iris.csv");
        return Files.exists(p) ? p.toAbsolutePath() : Path.of("sample-data/iris.csv").toAbsolutePath();
    }

    private static JsonNode model(Path out) throws Exception {
        return new ObjectMapper().readTree(out.resolve("model.json").toFile());
    }

    private static void run(String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(0, r.exit(), String.join("\n", r.log()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gmm", "ppca", "mppca", "tmm"})
    void oneEngineOneBehaviour(String job) throws Exception {
        Path dir = tempDir("engine-" + job);
        Path data = iris();
        Path ckpt = dir.resolve("ckpt");
        // Trace: iterations + 1 entries, never decreasing, the last one the written model's.
        run(command(job, data, dir.resolve("straight"), "--max-iter", "8", "--tol", "0"));
        JsonNode straight = model(dir.resolve("straight"));
        JsonNode trace = straight.get("logLikelihoodTrace");
        assertEquals(straight.get("iterations").asInt() + 1, trace.size(), job);
        for (int i = 1; i < trace.size(); i++) {
            assertTrue(trace.get(i).asDouble() >= trace.get(i - 1).asDouble() - 1e-12, job + " trace dropped at " + i);
        }
        assertEquals(straight.get("meanLogLikelihood").asDouble(), trace.get(trace.size() - 1).asDouble(), 0.0, job);
        // Stopped after 3 iterations, then resumed from the checkpoint: the same bytes.
        run(command(job, data, dir.resolve("part"), "--max-iter", "3", "--tol", "0", "--checkpoint", ckpt.toString()));
        run(command(job, data, dir.resolve("resumed"), "--max-iter", "8", "--tol", "0", "--checkpoint", ckpt.toString()));
        assertEquals(Files.readString(dir.resolve("straight/model.json")), Files.readString(dir.resolve("resumed/model.json")),
                job);
        // --n-init 3 writes the best of seeds 0, 1, 2.
        double best = Double.NEGATIVE_INFINITY;
        for (int seed = 0; seed < 3; seed++) {
            run(command(job, data, dir.resolve("seed" + seed), "--max-iter", "8", "--tol", "0", "--seed", Integer.toString(seed)));
            best = Math.max(best, model(dir.resolve("seed" + seed)).get("logLikelihood").asDouble());
        }
        run(command(job, data, dir.resolve("n3"), "--max-iter", "8", "--tol", "0", "--n-init", "3"));
        assertEquals(best, model(dir.resolve("n3")).get("logLikelihood").asDouble(), 0.0, job);
        // A warm start from the 3-iteration model, 5 more iterations: the 8-iteration model.
        run(command(job, data, dir.resolve("warm"), "--max-iter", "5", "--tol", "0", "--init", dir.resolve("part").toString()));
        JsonNode warm = model(dir.resolve("warm"));
        assertEquals(straight.get("logLikelihood").asDouble(), warm.get("logLikelihood").asDouble(),
                1e-9 * Math.abs(straight.get("logLikelihood").asDouble()), job);
    }
}
