package io.sufstat.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sufstat.jobs.SparkTest;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sufstat as it runs in production: the thin jar submitted with Spark's SparkSubmit (deploy/submit.sh)
 * to a real standalone cluster (deploy/local-cluster.sh: a Master and two Workers, separate JVMs on
 * 127.0.0.1), reading from and writing to a real HDFS (an in-process MiniDFSCluster). Then the faults:
 * an executor JVM killed mid-EM, the driver killed mid-EM and the command rerun with --checkpoint, the
 * driver killed while it writes. Every run must end with the same model.json, byte for byte, and it must
 * equal the local-mode model.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIntegrationTest extends SparkTest {

    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final List<String> GMM = List.of("gmm", "--k", "3", "--init", "k-means++", "--seed", "3", "--tol", "0",
            "--max-iter", "25");

    static MiniDFSCluster hdfs;
    static FileSystem fs;
    static String hdfsUri;
    static Path work;
    static String master;
    static String reference;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("sufstat-cluster-it");
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, work.resolve("hdfs").toString());
        long t = System.nanoTime();
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
        fs = hdfs.getFileSystem();
        hdfsUri = "hdfs://127.0.0.1:" + hdfs.getNameNodePort();
        try (var out = fs.create(new org.apache.hadoop.fs.Path(hdfsUri + "/data/blobs.csv"))) {
            out.write(blobs(40_000).getBytes(StandardCharsets.UTF_8));
        }
        System.out.printf("HDFS up in %.1f s at %s%n", (System.nanoTime() - t) / 1e9, hdfsUri);
        t = System.nanoTime();
        Process p = cluster("start", "2").start();
        String url = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "cluster start failed: " + url
                + "; logs in " + work.resolve("cluster/logs"));
        master = url.lines().reduce((a, b) -> b).orElseThrow();
        System.out.printf("standalone cluster %s up in %.1f s%n", master, (System.nanoTime() - t) / 1e9);
    }

    @AfterAll
    static void stop() throws Exception {
        if (work != null) {
            cluster("stop").start().waitFor(60, TimeUnit.SECONDS);
        }
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    static ProcessBuilder cluster(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("deploy/local-cluster.sh").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("SUFSTAT_CLUSTER_DIR", work.resolve("cluster").toString());
        pb.environment().put("SUFSTAT_MASTER_PORT", Integer.toString(freePort()));
        pb.environment().put("SUFSTAT_MASTER_UI_PORT", Integer.toString(freePort()));
        pb.environment().put("SUFSTAT_WORKER_MEMORY", "1500m");
        if (master != null) {
            pb.environment().put("SUFSTAT_MASTER_PORT", master.substring(master.lastIndexOf(':') + 1));
        }
        return pb;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Three Gaussian blobs in 4 dimensions, offset by 1e4 (seeded). */
    static String blobs(int n) {
        Random r = new Random(42);
        StringBuilder b = new StringBuilder("a,b,c,d\n");
        double[][] centres = {{0, 0, 0, 0}, {5, 5, -3, 1}, {-4, 6, 2, -2}};
        for (int i = 0; i < n; i++) {
            double[] c = centres[i % 3];
            for (int j = 0; j < 4; j++) {
                b.append(j > 0 ? "," : "").append(1e4 + c[j] + r.nextGaussian() * (1 + 0.3 * j));
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** Starts {@code deploy/submit.sh} with the job's arguments; the driver's output goes to {@code log}. */
    static Process submit(Path log, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("deploy/submit.sh").toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("MASTER", master);
        pb.environment().put("SPARK_SUBMIT_OPTS", "--total-executor-cores 2 --executor-memory 1g");
        return pb.start();
    }

    static List<String> gmm(String output, String... more) {
        List<String> a = new ArrayList<>(GMM);
        a.addAll(List.of("--input", hdfsUri + "/data/blobs.csv", "--output", hdfsUri + output));
        a.addAll(List.of(more));
        return a;
    }

    static void runToEnd(String name, List<String> args) throws Exception {
        Path log = work.resolve(name + ".log");
        long t = System.nanoTime();
        Process p = submit(log, args);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), name + " did not finish in 300 s; log " + log);
        assertEquals(0, p.exitValue(), name + " failed; log:\n" + Files.readString(log));
        System.out.printf("%s: %.1f s%n", name, (System.nanoTime() - t) / 1e9);
    }

    /** Waits for a line of the driver's log to contain {@code text}. */
    static void awaitLog(Path log, String text, Process p) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (System.nanoTime() < end) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            assertTrue(p.isAlive(), "the driver ended before logging '" + text + "'; log:\n" + Files.readString(log));
            Thread.sleep(50);
        }
        throw new AssertionError("no '" + text + "' in " + log + " within 240 s");
    }

    static String hdfsText(String path) throws IOException {
        try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(hdfsUri + path))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static boolean hdfsExists(String path) throws IOException {
        return fs.exists(new org.apache.hadoop.fs.Path(hdfsUri + path));
    }

    @Test
    @Order(1)
    void clusterModelOnHdfsEqualsTheLocalModel() throws Exception {
        runToEnd("cluster", gmm("/models/cluster"));
        assertTrue(hdfsExists("/models/cluster/_SUCCESS") && hdfsExists("/models/cluster/metrics.json"));
        reference = hdfsText("/models/cluster/model.json");
        List<String> local = gmm("/models/local");
        runJob("gmm", local.subList(1, local.size()).toArray(new String[0]));
        JsonNode c = new ObjectMapper().readTree(reference);
        JsonNode l = new ObjectMapper().readTree(hdfsText("/models/local/model.json"));
        assertEquals(l.get("iterations").asInt(), c.get("iterations").asInt());
        assertClose(l.get("logLikelihood"), c.get("logLikelihood"));
        for (String field : List.of("weights", "means", "covariances")) {
            assertClose(l.get(field), c.get(field));
        }
    }

    static void assertClose(JsonNode expected, JsonNode actual) {
        if (expected.isArray()) {
            assertEquals(expected.size(), actual.size());
            for (int i = 0; i < expected.size(); i++) {
                assertClose(expected.get(i), actual.get(i));
            }
            return;
        }
        double e = expected.asDouble();
        assertEquals(e, actual.asDouble(), 1e-9 * Math.max(Math.abs(e), 1e-3), "local vs cluster");
    }

    @Test
    @Order(2)
    void anExecutorKilledMidEmChangesNothing() throws Exception {
        Path log = work.resolve("executor-loss.log");
        long t = System.nanoTime();
        Process p = submit(log, gmm("/models/executor-loss"));
        awaitLog(log, "iteration 4:", p);
        List<ProcessHandle> executors = ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                .filter(h -> h.info().commandLine().orElse("").contains(work.toString()))
                .toList();
        assertFalse(executors.isEmpty(), "no executor JVM found");
        long pid = executors.get(0).pid();
        assertTrue(executors.get(0).destroyForcibly());
        System.out.printf("killed executor pid %d of %d at iteration 4%n", pid, executors.size());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), Files.readString(log));
        System.out.printf("executor loss run: %.1f s%n", (System.nanoTime() - t) / 1e9);
        assertEquals(reference, hdfsText("/models/executor-loss/model.json"));
    }

    @Test
    @Order(3)
    void theDriverKilledMidEmResumesFromItsCheckpointToTheSameModel() throws Exception {
        List<String> args = gmm("/models/driver-loss", "--checkpoint", hdfsUri + "/checkpoints/driver-loss");
        Path log = work.resolve("driver-loss-1.log");
        Process p = submit(log, args);
        awaitLog(log, "iteration 6:", p);
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        System.out.println("killed the driver after iteration 6");
        assertFalse(hdfsExists("/models/driver-loss"), "no output from the killed run");
        runToEnd("driver-loss-2", args);
        String rerun = Files.readString(work.resolve("driver-loss-2.log"));
        assertTrue(rerun.contains("resuming from checkpoint"), rerun);
        assertFalse(rerun.contains("iteration 1:"), "resumed, not restarted");
        assertEquals(reference, hdfsText("/models/driver-loss/model.json"));
    }

    @Test
    @Order(4)
    void theDriverKilledWhileWritingLeavesNoPartialModel() throws Exception {
        Path log = work.resolve("write-kill.log");
        Process p = submit(log, gmm("/models/write-kill"));
        awaitLog(log, "stopped at --max-iter", p);
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        // Either nothing at the target, or the complete output: never a model without _SUCCESS.
        if (hdfsExists("/models/write-kill")) {
            assertTrue(hdfsExists("/models/write-kill/_SUCCESS") && hdfsExists("/models/write-kill/model.json"));
            assertEquals(reference, hdfsText("/models/write-kill/model.json"));
            System.out.println("the kill came after the commit: complete output");
        } else {
            System.out.println("the kill came before the commit: no output");
        }
        runToEnd("write-kill-rerun", gmm("/models/write-kill", "--overwrite"));
        assertEquals(reference, hdfsText("/models/write-kill/model.json"));
    }
}
