package io.sufstat.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sufstat.jobs.compare.CompareJob;
import io.sufstat.jobs.generate.GenerateJob;
import io.sufstat.jobs.gmm.GmmJob;
import io.sufstat.jobs.impute.ImputeJob;
import io.sufstat.jobs.mle.MleJob;
import io.sufstat.jobs.sample.SampleJob;
import io.sufstat.jobs.score.ScoreJob;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every job's own main class, run from the thin jar by Spark's SparkSubmit (from the Maven jars) in a
 * separate JVM, as {@code spark-submit --class …} would: a pipeline from generated data through every
 * job (tmm, bgmm, ppca and mppca included), each step reading the previous step's output.
 */
@Tag("integration")
public class SparkSubmitIntegrationTest {

    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    static void submit(Path logs, String mainClass, String... args) throws Exception {
        int exit = submitForExit(logs, mainClass, args);
        assertEquals(0, exit, mainClass + ":\n" + Files.readString(logOf(logs, mainClass)));
    }

    /** Where {@link #submitForExit} writes the log of {@code mainClass}'s last run. */
    public static Path logOf(Path logs, String mainClass) {
        return logs.resolve(mainClass.substring(mainClass.lastIndexOf('.') + 1) + ".log");
    }

    /** Submits {@code mainClass args…} from the thin jar through SparkSubmit (local[2]); its exit status. */
    public static int submitForExit(Path logs, String mainClass, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // The module flags Spark needs, as this test JVM got them.
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("-XX:+IgnoreUnrecognizedVMOptions") || a.startsWith("--enable-native")
                    || a.startsWith("-Dio.netty")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-Xmx1g", "-cp", Files.readString(ROOT.resolve("jobs/target/classpath.txt")).trim(),
                "org.apache.spark.deploy.SparkSubmit", "--master", "local[2]", "--class", mainClass,
                ROOT.resolve("jobs/target/sufstat-jobs.jar").toString()));
        cmd.addAll(List.of(args));
        Path log = logOf(logs, mainClass);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), mainClass + " did not finish");
        return p.exitValue();
    }

    @Test
    void everyJobRunsFromTheThinJarUnderSparkSubmit() throws Exception {
        Path d = Files.createTempDirectory("sufstat-submit");
        String data = d.resolve("data").toString();
        submit(d, GenerateJob.CLASS, "--output", data, "--rows", "3000", "--dim", "3", "--components", "2", "--seed", "1");
        submit(d, MleJob.CLASS, "--input", data, "--output", d.resolve("mle").toString());
        submit(d, GmmJob.CLASS, "--input", data, "--output", d.resolve("gmm").toString(), "--k", "2", "--init", "k-means++");
        submit(d, ScoreJob.CLASS, "--model", d.resolve("gmm").toString(), "--input", data, "--output",
                d.resolve("scored").toString(), "--anomaly-quantile", "0.01");
        submit(d, SampleJob.CLASS, "--model", d.resolve("gmm").toString(), "--output", d.resolve("sample").toString(),
                "--rows", "500");
        submit(d, ImputeJob.CLASS, "--model", d.resolve("gmm").toString(), "--input", data, "--output",
                d.resolve("imputed").toString());
        submit(d, CompareJob.CLASS, "--model-a", d.resolve("gmm").toString(), "--model-b", d.resolve("mle").toString(),
                "--output", d.resolve("compare").toString(), "--samples", "2000");
        submit(d, io.sufstat.jobs.tmm.TmmJob.CLASS, "--input", data, "--output", d.resolve("tmm").toString(), "--k", "2",
                "--init", "k-means++");
        submit(d, ScoreJob.CLASS, "--model", d.resolve("tmm").toString(), "--input", data, "--output",
                d.resolve("tscored").toString());
        submit(d, io.sufstat.jobs.bgmm.BgmmJob.CLASS, "--input", data, "--output", d.resolve("bgmm").toString(), "--k", "4",
                "--init", "k-means++");
        submit(d, io.sufstat.jobs.ppca.PpcaJob.CLASS, "--input", data, "--output", d.resolve("ppca").toString(), "--q", "1");
        submit(d, io.sufstat.jobs.ppca.MppcaJob.CLASS, "--input", data, "--output", d.resolve("mppca").toString(), "--k",
                "2", "--q", "1");
        submit(d, io.sufstat.jobs.mle.MergeJob.CLASS, "--input", d.resolve("mle").toString(), "--output",
                d.resolve("merged").toString());
        submit(d, io.sufstat.jobs.stream.StreamJob.CLASS, "--kind", "gaussian", "--input", data, "--output",
                d.resolve("stream").toString(), "--checkpoint", d.resolve("stream-checkpoint").toString());
        submit(d, io.sufstat.jobs.gmm.GmmJob.CLASS, "--input", data, "--output", d.resolve("stochastic").toString(), "--k",
                "2", "--init", "k-means++", "--algorithm", "stochastic", "--batch-fraction", "0.5");
        ObjectMapper json = new ObjectMapper();
        assertEquals(3000, json.readTree(d.resolve("merged/model.json").toFile()).get("count").asLong());
        assertEquals(3000, json.readTree(d.resolve("stream/latest/model.json").toFile()).get("count").asLong());
        assertEquals(30, json.readTree(d.resolve("scored/_metrics.json").toFile()).get("anomalies").asLong());
        JsonNode report = json.readTree(d.resolve("compare/report.json").toFile());
        assertTrue(report.get("klAB").get("value").asDouble() > 0);
        assertEquals("t-mixture", json.readTree(d.resolve("tmm/model.json").toFile()).get("kind").asText());
        assertEquals("bayesian-gaussian-mixture", json.readTree(d.resolve("bgmm/model.json").toFile()).get("kind").asText());
        for (String out : List.of("mle", "gmm", "scored", "sample", "imputed", "compare", "tmm", "tscored", "bgmm", "ppca",
                "mppca", "merged", "stochastic")) {
            assertTrue(Files.exists(d.resolve(out).resolve("_SUCCESS")), out);
        }
    }
}
