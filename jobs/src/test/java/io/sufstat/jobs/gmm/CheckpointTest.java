package io.sufstat.jobs.gmm;

import io.sufstat.jobs.CliRun;
import io.sufstat.jobs.SparkTest;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.sufstat.jobs.gmm.GmmJobTest.read;
import static io.sufstat.jobs.gmm.GmmJobTest.threeBlobs;
import static io.sufstat.jobs.gmm.GmmJobTest.writeCsv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A checkpoint never yields a wrong model: whatever changed since it was written (the data in place, the
 * options), the run with the checkpoint writes the same bytes as a run without one, and says why it
 * started afresh when it did.
 */
class CheckpointTest extends SparkTest {

    private static String[] gmm(Path data, Path out, Path ckpt, String... extra) {
        List<String> a = new ArrayList<>(List.of("gmm", "--input", data.toString(), "--output", out.toString(), "--k", "3",
                "--init", "random"));
        a.addAll(List.of(extra));
        if (ckpt != null) {
            a.addAll(List.of("--checkpoint", ckpt.toString()));
        }
        return a.toArray(new String[0]);
    }

    /** Runs the command with the checkpoint and without one: the two model.json texts, and the first run's log. */
    private static CliRun runBoth(Path dir, String name, Path data, Path ckpt, String... extra) throws Exception {
        CliRun with = CliRun.of(gmm(data, dir.resolve(name), ckpt, extra));
        assertEquals(0, with.exit(), String.join("\n", with.log()));
        CliRun without = CliRun.of(gmm(data, dir.resolve(name + "-straight"), null, extra));
        assertEquals(0, without.exit(), String.join("\n", without.log()));
        assertEquals(Files.readString(dir.resolve(name + "-straight/model.json")),
                Files.readString(dir.resolve(name + "/model.json")), name);
        return with;
    }

    private static boolean warned(CliRun r, String... words) {
        return r.log().stream().anyMatch(l -> l.startsWith("WARN ") && l.contains("starting this fit afresh")
                && List.of(words).stream().allMatch(l::contains));
    }

    @Test
    void dataRewrittenInPlaceIsNotResumed() throws Exception {
        Path dir = tempDir("ckpt-data");
        Path data = writeCsv(dir.resolve("in/blobs.csv"), threeBlobs(60, 7, null), null);
        Path ckpt = dir.resolve("ckpt");
        assertEquals(0, CliRun.of(gmm(data, dir.resolve("day1"), ckpt, "--max-iter", "3", "--tol", "0")).exit());
        // Same path, same row count, other values (shifted by 20).
        double[][] other = threeBlobs(60, 8, null);
        for (double[] row : other) {
            row[0] += 20;
        }
        writeCsv(data, other, null);
        CliRun r = runBoth(dir, "day2", data, ckpt, "--max-iter", "9", "--tol", "0");
        assertTrue(warned(r, "data changed"), String.join("\n", r.log()));
        double meanX1 = 0;
        for (var m : read(dir.resolve("day2/model.json")).get("means")) {
            meanX1 += m.get(0).asDouble() / 3;
        }
        assertTrue(meanX1 > 1e6 + 10, "the model is of the new data: mean x1 " + meanX1);
    }

    @Test
    void optionsThatChangeThePathStartAfresh() throws Exception {
        Path dir = tempDir("ckpt-options");
        Path data = writeCsv(dir.resolve("in/blobs.csv"), threeBlobs(60, 9, null), null);
        Path ckpt = dir.resolve("ckpt");
        assertEquals(0, CliRun.of(gmm(data, dir.resolve("first"), ckpt, "--max-iter", "3", "--tol", "0")).exit());
        CliRun seed = runBoth(dir, "seed", data, ckpt, "--max-iter", "5", "--tol", "0", "--seed", "4");
        assertTrue(warned(seed, "seed changed"), String.join("\n", seed.log()));
        CliRun reg = runBoth(dir, "reg", data, ckpt, "--max-iter", "5", "--tol", "0", "--seed", "4", "--reg-covar", "1e-3");
        assertTrue(warned(reg, "regCovar changed"), String.join("\n", reg.log()));
        CliRun missing = runBoth(dir, "missing", data, ckpt, "--max-iter", "5", "--tol", "0", "--seed", "4", "--reg-covar",
                "1e-3", "--missing", "em");
        assertTrue(warned(missing, "missing changed"), String.join("\n", missing.log()));
    }

    @Test
    void tolAndMaxIterMoveOnlyTheStoppingPoint() throws Exception {
        Path dir = tempDir("ckpt-stop");
        Path data = writeCsv(dir.resolve("in/blobs.csv"), threeBlobs(60, 11, null), null);
        Path ckpt = dir.resolve("ckpt");
        assertEquals(0, CliRun.of(gmm(data, dir.resolve("first"), ckpt, "--max-iter", "6", "--tol", "0")).exit());
        // More iterations and the same tol: resumed after iteration 6.
        CliRun more = runBoth(dir, "more", data, ckpt, "--max-iter", "8", "--tol", "0");
        assertTrue(more.log().stream().anyMatch(l -> l.contains("resuming from checkpoint") && l.contains("6 iterations")),
                String.join("\n", more.log()));
        // Fewer iterations than saved: the uninterrupted run stops earlier, so the state is not used.
        CliRun fewer = runBoth(dir, "fewer", data, ckpt, "--max-iter", "4", "--tol", "0");
        assertTrue(warned(fewer, "stop EM at iteration 4"), String.join("\n", fewer.log()));
        // A looser tol that would have stopped before the saved iteration: afresh, then stopped where it should.
        assertEquals(0, CliRun.of(gmm(data, dir.resolve("again"), ckpt, "--max-iter", "8", "--tol", "0")).exit());
        CliRun loose = runBoth(dir, "loose", data, ckpt, "--max-iter", "8", "--tol", "0.5");
        assertTrue(warned(loose, "--tol 0.5"), String.join("\n", loose.log()));
        assertTrue(read(dir.resolve("loose/model.json")).get("iterations").asInt() < 8);
    }
}
