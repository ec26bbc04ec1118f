package io.sufstat.jobs.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sufstat.jobs.SparkTest;
import io.sufstat.jobs.Subprocess;
import io.sufstat.jobs.cli.UsageException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code stream}: the running Gaussian equals {@code mle} on the files read, a rerun reads only new files, online EM
 * continues exactly across restarts, and a driver killed at any point and restarted ends with the same bytes.
 */
class StreamJobTest extends SparkTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code files} CSV files of 2,500 generated rows each (4 features at an offset of 1e6), named f00.csv, f01.csv, …. */
    private static List<Path> files(Path dir, int files, long seed) throws Exception {
        Path gen = dir.resolve("generated-" + seed);
        runJob("generate", "--output", gen.toString(), "--rows", Integer.toString(2500 * files), "--dim", "4",
                "--components", "3", "--offset", "1e6", "--seed", Long.toString(seed));
        List<String> rows = new ArrayList<>();
        String header = null;
        try (var s = Files.list(gen)) {
            for (Path p : s.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList()) {
                List<String> l = Files.readAllLines(p);
                header = l.get(0);
                rows.addAll(l.subList(1, l.size()));
            }
        }
        List<Path> out = new ArrayList<>();
        Path staging = Files.createDirectories(dir.resolve("staging-" + seed));
        for (int f = 0; f < files; f++) {
            List<String> lines = new ArrayList<>(List.of(header));
            lines.addAll(rows.subList(f * 2500, (f + 1) * 2500));
            out.add(Files.write(staging.resolve(String.format("f%02d.csv", f)), lines));
        }
        return out;
    }

    /** Moves staged files into the stream's input, one by one, in name order (so their modification times order them). */
    private static void arrive(List<Path> staged, Path input) throws Exception {
        Files.createDirectories(input);
        for (Path f : staged) {
            Files.copy(f, input.resolve(f.getFileName()));
            int index = Integer.parseInt(f.getFileName().toString().replaceAll("\\D", ""));
            Files.setLastModifiedTime(input.resolve(f.getFileName()),
                    java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000 + 1000L * index));
        }
    }

    private static void runAll(String[] jobAndArgs) throws Exception {
        runJob(jobAndArgs[0], java.util.Arrays.copyOfRange(jobAndArgs, 1, jobAndArgs.length));
    }

    private static JsonNode read(Path p) throws IOException {
        return JSON.readTree(p.toFile());
    }

    private static double relativeError(JsonNode expected, JsonNode actual) {
        double scale = 0;
        double worst = 0;
        List<Double> e = new ArrayList<>();
        List<Double> a = new ArrayList<>();
        expected.forEach(r -> r.forEach(x -> e.add(x.asDouble())));
        actual.forEach(r -> r.forEach(x -> a.add(x.asDouble())));
        assertEquals(e.size(), a.size());
        for (double x : e) {
            scale = Math.max(scale, Math.abs(x));
        }
        for (int i = 0; i < e.size(); i++) {
            worst = Math.max(worst, Math.abs(e.get(i) - a.get(i)) / scale);
        }
        return worst;
    }

    private static int versions(Path out) throws IOException {
        try (var s = Files.list(out.resolve("versions"))) {
            return (int) s.filter(p -> p.getFileName().toString().matches("\\d+")).count();
        }
    }

    @Test
    void gaussianStreamEqualsMleOnTheFilesAndARerunReadsOnlyNewOnes() throws Exception {
        Path dir = tempDir("stream-gaussian");
        List<Path> staged = files(dir, 6, 3);
        Path input = dir.resolve("input");
        arrive(staged.subList(0, 4), input);
        String[] stream = {"stream", "--kind", "gaussian", "--input", input.toString(), "--output",
            dir.resolve("out").toString(), "--checkpoint", dir.resolve("checkpoint").toString()};
        runAll(stream);
        assertEquals(1, versions(dir.resolve("out")), "one micro-batch for the files there");
        runJob("mle", "--input", input.toString(), "--output", dir.resolve("mle4").toString(), "--report", "false");
        JsonNode first = read(dir.resolve("out/latest/model.json"));
        assertEquals(10_000, first.get("count").asLong());
        double err = relativeError(read(dir.resolve("mle4/model.json")).get("covariance"), first.get("covariance"));
        assertTrue(err <= 1e-12, "covariance against mle at an offset of 1e6: " + err);

        // Two more files: the rerun reads those only (its batch has their 5,000 rows) and the model covers all six.
        arrive(staged.subList(4, 6), input);
        runAll(stream);
        assertEquals(2, versions(dir.resolve("out")));
        assertEquals(5000, read(dir.resolve("out/versions/1/metrics.json")).get("batchRows").asLong());
        assertEquals("1", Files.readString(dir.resolve("out/latest/version")).trim());
        runJob("mle", "--input", input.toString(), "--output", dir.resolve("mle6").toString(), "--report", "false");
        JsonNode all = read(dir.resolve("out/latest/model.json"));
        assertEquals(15_000, all.get("count").asLong());
        double err6 = relativeError(read(dir.resolve("mle6/model.json")).get("covariance"), all.get("covariance"));
        assertTrue(err6 <= 1e-12, "after the new files: " + err6);
        System.out.printf("stream gaussian: covariance within %.1e (4 files) and %.1e (6 files) of mle%n", err, err6);

        // With a half-life of 5,000 rows the first files' weight has halved 1/5000 × 5000 = once by the second batch.
        runJob("stream", "--kind", "gaussian", "--input", input.toString(), "--output", dir.resolve("forget").toString(),
                "--checkpoint", dir.resolve("forget-checkpoint").toString(), "--max-files-per-batch", "4",
                "--half-life", "5000");
        assertEquals(10_000 * 0.5 + 5000, read(dir.resolve("forget/latest/model.json")).get("weightSum").asDouble(), 1e-9);

        // A bad value fails the stream in one line (exit 3), as it fails mle; nothing is written for that batch.
        Path bad = Files.createDirectories(dir.resolve("bad"));
        Files.writeString(bad.resolve("f1.csv"), "a,b\n1,2\n2,3.5\n3,1\n4,x\n");
        io.sufstat.jobs.CliRun r = io.sufstat.jobs.CliRun.of("stream", "--kind", "gaussian", "--input", bad.toString(),
                "--features", "a,b", "--output", dir.resolve("bad-out").toString(), "--checkpoint",
                dir.resolve("bad-ck").toString());
        assertEquals(3, r.exit());
        assertTrue(r.failureLine().contains("column 'b' (2): 'x' is not a number"), r.failureLine());
        assertEquals(0, versions(dir.resolve("bad-out")));
    }

    @Test
    void onlineEmContinuesExactlyAcrossRestarts() throws Exception {
        Path dir = tempDir("stream-mixture");
        List<Path> staged = files(dir, 6, 4);
        Path start = dir.resolve("start");
        runJob("gmm", "--input", staged.get(0).toString(), "--output", start.toString(), "--k", "3", "--report", "false");
        Path straight = dir.resolve("straight-input");
        arrive(staged, straight);
        runJob("stream", "--kind", "gaussian-mixture", "--init", start.toString(), "--input", straight.toString(),
                "--output", dir.resolve("straight").toString(), "--checkpoint", dir.resolve("straight-ck").toString(),
                "--max-files-per-batch", "1");
        Path halves = dir.resolve("halves-input");
        arrive(staged.subList(0, 3), halves);
        String[] stream = {"stream", "--kind", "gaussian-mixture", "--init", start.toString(), "--input",
            halves.toString(), "--output", dir.resolve("halves").toString(), "--checkpoint",
            dir.resolve("halves-ck").toString(), "--max-files-per-batch", "1"};
        runAll(stream);
        arrive(staged.subList(3, 6), halves);
        runAll(stream);
        JsonNode model = read(dir.resolve("straight/latest/model.json"));
        assertEquals(6, model.get("steps").asInt());
        assertEquals(15_000, model.get("rows").asLong());
        assertArrayEquals(Files.readAllBytes(dir.resolve("straight/latest/model.json")),
                Files.readAllBytes(dir.resolve("halves/latest/model.json")), "a restart continues from the saved state");
        // The online mixture is close to batch EM's on all rows: the same weights to 0.02 (components matched by mean).
        runJob("gmm", "--input", straight.toString(), "--output", dir.resolve("batch").toString(), "--init",
                start.toString(), "--report", "false");
        JsonNode batch = read(dir.resolve("batch/model.json"));
        for (int j = 0; j < 3; j++) {
            assertEquals(batch.get("weights").get(j).asDouble(), model.get("weights").get(j).asDouble(), 0.02);
        }
        assertThrows(UsageException.class, () -> runJob("stream", "--kind", "gaussian-mixture", "--input",
                straight.toString(), "--output", dir.resolve("x").toString(), "--checkpoint", dir.resolve("y").toString()));
        assertThrows(UsageException.class, () -> runJob("stream", "--kind", "gaussian", "--input", straight.toString(),
                "--output", dir.resolve("x").toString(), "--checkpoint", dir.resolve("y").toString(), "--trigger",
                "sometimes"));
    }

    /**
     * The driver is killed (SIGKILL) while a processing-time stream works through eight files, at several moments;
     * the same command restarted with available-now ends with the undisturbed run's bytes.
     */
    @Test
    void aKilledDriverRestartedEndsWithTheUndisturbedBytes() throws Exception {
        Path dir = tempDir("stream-kill");
        List<Path> staged = files(dir, 8, 5);
        Path input = dir.resolve("input");
        arrive(staged, input);
        // The undisturbed run in a JVM like the killed ones (the same BLAS, so the same rounding).
        Subprocess.Result straight = Subprocess.run("stream", "--kind", "gaussian", "--input", input.toString(), "--output",
                dir.resolve("straight").toString(), "--checkpoint", dir.resolve("straight-ck").toString(),
                "--max-files-per-batch", "1");
        assertEquals(0, straight.exit(), straight.err());
        byte[] expected = Files.readAllBytes(dir.resolve("straight/latest/model.json"));
        int killedMidway = 0;
        for (int killAfter : new int[] {1, 3, 6}) {
            Path out = dir.resolve("killed-" + killAfter);
            Path ck = dir.resolve("killed-ck-" + killAfter);
            List<String> args = new ArrayList<>(List.of("stream", "--kind", "gaussian", "--input", input.toString(),
                    "--output", out.toString(), "--checkpoint", ck.toString(), "--max-files-per-batch", "1"));
            Path log = Files.createTempFile("stream-kill", ".log");
            List<String> running = new ArrayList<>(args);
            running.addAll(List.of("--trigger", "processing-time=100 milliseconds"));
            Process p = Subprocess.start(log, running.toArray(new String[0]));
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (p.isAlive() && System.nanoTime() < deadline
                    && !(Files.isDirectory(out.resolve("versions")) && versions(out) >= killAfter)) {
                Thread.sleep(5);
            }
            assertTrue(p.isAlive(), "the stream runs until stopped:\n" + Files.readString(log));
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            if (versions(out) < 8) {
                killedMidway++;
            }
            Subprocess.Result rerun = Subprocess.run(args.toArray(new String[0]));
            assertEquals(0, rerun.exit(), rerun.err());
            assertEquals(8, versions(out));
            assertArrayEquals(expected, Files.readAllBytes(out.resolve("latest/model.json")),
                    "killed after " + killAfter + " versions, restarted: the same model");
        }
        assertTrue(killedMidway >= 2, "most kills came before the last file");
        System.out.printf("stream kill test: %d of 3 kills mid-stream, every restart byte-identical%n", killedMidway);
    }
}
