package io.sufstat.jobs;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of the driver while it writes its output, with and without --overwrite: afterwards the output
 * is absent, the previous one intact, or the new one complete — never partial — and the next run to the
 * same output leaves no temporary directory behind. The driver is a separate JVM running {@code score}
 * over 400,000 rows, killed at several moments after its temporary output directory appears.
 */
class KillTest {

    private static Path dir;
    private static Path data;
    private static Path model;

    @BeforeAll
    static void data() {
        dir = SparkTest.tempDir("kill");
        data = dir.resolve("data");
        CliRun g = CliRun.of("generate", "--output", data.toString(), "--rows", "400k", "--dim", "6", "--components", "2",
                "--format", "csv", "--seed", "1", "--partitions", "4");
        assertEquals(0, g.exit(), String.join("\n", g.log()));
        model = data.resolve("_truth.json");
    }

    private static String[] score(Path out, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("score", "--model", model.toString(), "--input", data.toString(),
                "--output", out.toString(), "--quiet"));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    private static List<String> siblings(Path out) throws Exception {
        try (var s = Files.list(out.getParent())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("." + out.getFileName() + ".sufstat-"))
                    .sorted().toList();
        }
    }

    /** Starts the command and kills it (SIGKILL) {@code delayMs} after its temporary output appears. */
    private static boolean killWhileWriting(Path out, long delayMs, String... args) throws Exception {
        Path log = Files.createTempFile("kill", ".log");
        Process p = Subprocess.start(log, args);
        // This run's own temporary directory (named with its process id), not one a killed run left.
        String mine = "-tmp-" + AtomicOutputOwner.host() + "-" + p.pid() + "-";
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (siblings(out).stream().noneMatch(n -> n.contains(mine)) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        if (!p.isAlive()) {
            return false;
        }
        Thread.sleep(delayMs);
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return true;
    }

    /** The host part of sufstat's temporary directory names, as the driver JVM (on this host) writes it. */
    static final class AtomicOutputOwner {
        static String host() throws Exception {
            return java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9.]", "_");
        }
    }

    /** A complete score output: marker, success flag, metrics and every row. */
    private static void assertComplete(Path out, boolean anomalyColumn) throws Exception {
        assertTrue(Files.exists(out.resolve("_SUCCESS")) && Files.exists(out.resolve("_SUFSTAT"))
                && Files.exists(out.resolve("_metrics.json")), "complete: " + out);
        String metrics = Files.readString(out.resolve("_metrics.json"));
        assertTrue(metrics.contains("\"rowsUsed\" : 400000"), metrics);
        assertEquals(anomalyColumn, metrics.contains("anomalyThreshold"), metrics);
        try (var parts = Files.list(out)) {
            assertTrue(parts.noneMatch(f -> f.getFileName().toString().equals("_temporary")), "no Spark temporary files");
        }
    }

    @Test
    void killedWithoutOverwriteLeavesNothingOrAllAndTheRerunCleansUp() throws Exception {
        Path out = dir.resolve("plain");
        int killed = 0;
        for (long delay : new long[] {0, 400}) {
            if (killWhileWriting(out, delay, score(out))) {
                killed++;
                System.out.println("KillTest: plain, killed " + delay + " ms after the temporary output appeared: output "
                        + (Files.exists(out) ? "complete" : "absent") + ", left " + siblings(out));
                if (Files.exists(out)) {
                    assertComplete(out, false);
                    break;
                }
            }
        }
        assertTrue(killed > 0, "the driver was killed while writing");
        if (!Files.exists(out)) {
            assertFalse(siblings(out).isEmpty(), "the killed run left its temporary directory (removed next)");
            Subprocess.Result r = Subprocess.run(score(out));
            assertEquals(0, r.exit(), r.err());
        }
        assertComplete(out, false);
        assertEquals(List.of(), siblings(out), "no temporary directory survives the next run");
    }

    @Test
    void killedWithOverwriteLeavesThePreviousOrTheNewOutput() throws Exception {
        Path out = dir.resolve("replaced");
        Subprocess.Result first = Subprocess.run(score(out));
        assertEquals(0, first.exit(), first.err());
        String previous = Files.readString(out.resolve("_metrics.json"));
        for (long delay : new long[] {0, 300, 1500}) {
            if (!killWhileWriting(out, delay, score(out, "--overwrite", "--anomaly-threshold", "-9"))) {
                continue;
            }
            boolean kept = Files.exists(out.resolve("_metrics.json"))
                    && Files.readString(out.resolve("_metrics.json")).equals(previous);
            System.out.println("KillTest: --overwrite, killed " + delay + " ms after the temporary output appeared: "
                    + (kept ? "previous output intact" : Files.exists(out) ? "new output complete" : "old output aside")
                    + ", left " + siblings(out));
            if (kept) {
                assertComplete(out, false);
            } else if (Files.exists(out)) {
                assertComplete(out, true);
                break;
            } else {
                // Killed between the two renames: the old output waits aside, complete, for the next run.
                List<String> left = siblings(out);
                String aside = left.stream().filter(n -> n.contains("-old-")).findFirst().orElseThrow(
                        () -> new AssertionError("no output and nothing aside: " + left));
                assertComplete(out.resolveSibling(aside), false);
            }
        }
        Subprocess.Result rerun = Subprocess.run(score(out, "--overwrite", "--anomaly-threshold", "-9"));
        assertEquals(0, rerun.exit(), rerun.err());
        assertComplete(out, true);
        assertEquals(List.of(), siblings(out), "no temporary directory survives the next run");
    }
}
