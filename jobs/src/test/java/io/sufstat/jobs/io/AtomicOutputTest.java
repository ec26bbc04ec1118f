package io.sufstat.jobs.io;

import io.sufstat.jobs.cli.Failure;
import io.sufstat.jobs.cli.JobFailedException;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Commits that race, runs that were killed, and the side files of Hadoop's local file system. */
class AtomicOutputTest {

    private static final Configuration CONF = new Configuration();
    /** A process id above Linux's pid_max (2²²): no such process exists. */
    private static final String DEAD = AtomicOutput.Owner.current().replaceAll("-\\d+$", "-999999999");

    private static AtomicOutput prepare(Path target, boolean overwrite) throws Exception {
        return AtomicOutput.prepare(target.toString(), overwrite, "test", List.of(), CONF);
    }

    private static List<String> siblings(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aRunThatCommitsSecondFailsClearlyOrReplacesWithOverwrite() throws Exception {
        Path dir = Files.createTempDirectory("atomic-race");
        Path target = dir.resolve("out");
        AtomicOutput a = prepare(target, false);
        AtomicOutput b = prepare(target, false);
        AtomicOutput c = prepare(target, true);
        a.writeText("model.json", "A");
        b.writeText("model.json", "B");
        c.writeText("model.json", "C");
        a.commit();
        JobFailedException e = assertThrows(JobFailedException.class, b::commit);
        b.abort();
        assertEquals(Failure.OUTPUT, e.failure());
        assertTrue(e.getMessage().contains("was written by another run while this one ran; this run's result was"
                + " discarded"), e.getMessage());
        assertEquals("A", Files.readString(target.resolve("model.json")));
        c.commit();
        c.abort();
        assertEquals("C", Files.readString(target.resolve("model.json")));
        assertEquals(List.of("out"), siblings(dir), "nothing but the output is left");
        assertEquals(List.of("_SUCCESS", "_SUFSTAT", "model.json"), siblings(target));
    }

    @Test
    void ofRunsCommittingAtOnceExactlyOneWinsAndNothingIsLeft() throws Exception {
        Path dir = Files.createTempDirectory("atomic-threads");
        Path target = dir.resolve("out");
        int runs = 6;
        ExecutorService pool = Executors.newFixedThreadPool(runs);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            String name = "run" + i;
            results.add(pool.submit(() -> {
                AtomicOutput o = prepare(target, false);
                try {
                    for (int f = 0; f < 20; f++) {
                        o.writeText("part-" + f, name);
                    }
                    start.await();
                    o.commit();
                    return name;
                } catch (JobFailedException e) {
                    assertEquals(Failure.OUTPUT, e.failure(), e.getMessage());
                    return null;
                } finally {
                    o.abort();
                }
            }));
        }
        start.countDown();
        List<String> winners = new ArrayList<>();
        for (Future<String> r : results) {
            if (r.get() != null) {
                winners.add(r.get());
            }
        }
        pool.shutdown();
        assertEquals(1, winners.size(), "winners " + winners);
        for (int f = 0; f < 20; f++) {
            assertEquals(winners.get(0), Files.readString(target.resolve("part-" + f)), "one run's files, complete");
        }
        assertEquals(List.of("out"), siblings(dir));
    }

    @Test
    void theNextRunCleansUpAfterKilledRuns() throws Exception {
        Path dir = Files.createTempDirectory("atomic-killed");
        Path target = dir.resolve("out");
        // A killed run's temporary directory, and a stale lock.
        Files.createDirectories(dir.resolve(".out.sufstat-tmp-" + DEAD + "-0a1b2c3d"));
        Files.writeString(dir.resolve(".out.sufstat-tmp-" + DEAD + "-0a1b2c3d/part-0"), "partial");
        Files.writeString(dir.resolve(".out.sufstat-lock"), DEAD + "\n");
        // A live run's temporary directory (this JVM's parent process exists) is left alone.
        String live = AtomicOutput.Owner.current().replaceAll("-\\d+$",
                "-" + ProcessHandle.current().parent().orElseThrow().pid());
        Files.createDirectories(dir.resolve(".out.sufstat-tmp-" + live + "-01234567"));
        // A user's own hidden directories of similar names are not touched either, however old.
        Files.createDirectories(dir.resolve(".out.mine"));
        Files.createDirectories(dir.resolve(".out.sufstat-notes"));
        Files.setLastModifiedTime(dir.resolve(".out.sufstat-notes"),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 86_400_000L));
        AtomicOutput o = prepare(target, false);
        o.writeText("model.json", "new");
        o.commit();
        assertEquals(List.of(".out.mine", ".out.sufstat-notes", ".out.sufstat-tmp-" + live + "-01234567", "out"),
                siblings(dir));
    }

    @Test
    void anOverwriteKilledBetweenItsRenamesIsUndone() throws Exception {
        Path dir = Files.createTempDirectory("atomic-aside");
        Path target = dir.resolve("out");
        // The old output moved aside, the new one not yet renamed in: no output in place.
        Path aside = dir.resolve(".out.sufstat-old-" + DEAD + "-89abcdef");
        Files.createDirectories(aside);
        Files.writeString(aside.resolve("model.json"), "old");
        Files.writeString(aside.resolve(AtomicOutput.MARKER), "{}");
        Files.createDirectories(dir.resolve(".out.sufstat-tmp-" + DEAD + "-76543210"));
        // The rerun (with --overwrite, as in the killed command) first puts the previous output back.
        AtomicOutput o = prepare(target, true);
        assertEquals("old", Files.readString(target.resolve("model.json")), "the previous output is back");
        assertEquals(List.of("out"), siblings(dir));
        o.writeText("model.json", "new");
        o.commit();
        assertEquals("new", Files.readString(target.resolve("model.json")));
        assertEquals(List.of("out"), siblings(dir));
        JobFailedException e = assertThrows(JobFailedException.class, () -> prepare(target, false));
        assertTrue(e.getMessage().contains("earlier sufstat output"), e.getMessage());
    }

    @Test
    void filesAreWrittenWithoutChecksumsAndReadDespiteStaleOnes() throws Exception {
        Path dir = Files.createTempDirectory("atomic-crc");
        Path target = dir.resolve("out");
        AtomicOutput o = prepare(target, false);
        String model = "{\"kind\":\"gaussian\",\"formatVersion\":1,\"features\":[\"a\"],\"mean\":[0],\"covariance\":[[1]]}";
        o.writeText("model.json", model);
        o.commit();
        assertFalse(siblings(target).stream().anyMatch(f -> f.endsWith(".crc")), siblings(target).toString());
        // Hand-edited, with a stale checksum file beside it (as an older Hadoop writer would leave).
        Files.writeString(target.resolve("model.json"), model.replace("[[1]]", "[[2]]"));
        Files.write(target.resolve(".model.json.crc"), new byte[] {'c', 'r', 'c', 0, 0, 0, 2, 0, 1, 2, 3, 4});
        ModelJson.Loaded loaded = ModelJson.load(target.toString(), CONF);
        assertEquals(2.0, loaded.mixture().component(0).covariance()[0]);
    }

    @Test
    void pathsLoseTheirCredentials() {
        assertEquals("s3a://bucket/data/day=1,hdfs://nn:8020/x", HadoopFiles.redact(
                "s3a://AKIAXXXX:secret/key@bucket/data/day=1,hdfs://user@nn:8020/x"));
        assertEquals("/local/path", HadoopFiles.redact("/local/path"));
    }

    @Test
    void anOutputWhoseParentsDoNotExistYetIsWritten() throws Exception {
        Path dir = Files.createTempDirectory("atomic-nested");
        Path target = dir.resolve("a/b/out");
        AtomicOutput o = prepare(target, false);
        o.writeText("model.json", "x");
        o.commit();
        assertEquals("x", Files.readString(target.resolve("model.json")));
        assertEquals(List.of("out"), siblings(target.getParent()));
    }
}
