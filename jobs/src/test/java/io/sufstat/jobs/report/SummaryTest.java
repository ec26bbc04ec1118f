package io.sufstat.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.sufstat.common.linalg.SymmetricEigen;
import io.sufstat.jobs.CliRun;
import io.sufstat.jobs.SparkTest;
import io.sufstat.jobs.io.Json;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a job prints on standard output when it ends, and what {@code sufstat show} prints for its output:
 * the same text, holding the fitted numbers (weights, means, BIC, the selection's lowest BIC marked), the PPCA
 * axis variances that are the sample covariance's eigenvalues (Tipping &amp; Bishop 1999), and the drift and
 * anomaly verdicts.
 */
public class SummaryTest extends SparkTest {

    static final Path IRIS = repository().resolve("sample-data/iris.csv");

    public static Path repository() {
        Path p = Path.of("").toAbsolutePath();
        return Files.exists(p.resolve("sample-data")) ? p : p.getParent();
    }

    private static JsonNode json(Path p) throws Exception {
        return Json.MAPPER.readTree(p.toFile());
    }

    private static CliRun ok(String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(0, r.exit(), String.join("\n", r.log()));
        return r;
    }

    @Test
    void fitPrintsItsComponentsAndSelectionAndShowPrintsTheSame() throws Exception {
        Path out = tempDir("summary-gmm").resolve("gmm");
        CliRun r = ok("gmm", "--input", IRIS.toString(), "--output", out.toString(), "--k", "1-4", "--covariance",
                "full,diag");
        JsonNode m = json(out.resolve("model.json"));
        String text = r.out();
        assertTrue(text.startsWith("Gaussian mixture: " + m.get("weights").size() + " components, full covariances, 150 rows"
                + " x 4 features"), text);
        for (int c = 0; c < m.get("weights").size(); c++) {
            assertTrue(text.contains(String.format(Locale.ROOT, "%7.3f", m.get("weights").get(c).asDouble())), text);
            assertTrue(text.contains(Summary.num(m.get("means").get(c).get(0).asDouble())), text);
        }
        assertTrue(text.contains("BIC " + Summary.stat(m.get("bic").asDouble()) + " |"), text);
        assertTrue(text.contains("*" + Summary.stat(m.get("bic").asDouble())), "the lowest BIC is marked:\n" + text);
        List<String> rows = text.lines().dropWhile(l -> !l.startsWith("BIC by K")).skip(2)
                .takeWhile(l -> !l.startsWith("output:")).toList();
        assertEquals(4, rows.size(), text);
        assertEquals(1, String.join("", rows).chars().filter(ch -> ch == '*').count(), text);
        String where = "file:" + out.toAbsolutePath();
        assertTrue(text.endsWith("output: " + where + "\nreport: " + where + "/report.html (open it in any browser)\n"),
                "the summary points to the report:\n" + text);
        assertEquals(text, ShowJob.summarise(out.toString(), new Configuration()), "show prints what the job printed");
        assertEquals(text, ShowJob.summarise(out.resolve("model.json").toString(), new Configuration()),
                "also given the model.json");
    }

    @Test
    void ppcaAxesAreTheCovarianceEigenvalues() throws Exception {
        Path dir = tempDir("summary-ppca");
        ok("mle", "--input", IRIS.toString(), "--output", dir.resolve("mle").toString());
        CliRun r = ok("ppca", "--input", IRIS.toString(), "--output", dir.resolve("ppca").toString(), "--q", "2");
        JsonNode cov = json(dir.resolve("mle/model.json")).get("covariance");
        double[] c = new double[16];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                c[i * 4 + j] = cov.get(i).get(j).asDouble();
            }
        }
        double[] eig = SymmetricEigen.of(c, 4).values();
        double total = eig[0] + eig[1] + eig[2] + eig[3];
        String text = r.out();
        assertTrue(text.startsWith("PPCA: 2 principal axes of 4 features, 150 rows"), text);
        for (int j = 0; j < 2; j++) {
            String line = text.lines().filter(l -> l.matches("\\s+\\d+\\s.*%.*")).toList().get(j);
            String[] f = line.trim().split("\\s+");
            assertEquals(eig[j], Double.parseDouble(f[1]), 5e-4 * eig[j], line);
            assertEquals(100 * eig[j] / total, Double.parseDouble(f[2].replace("%", "")), 0.051, line);
        }
        assertTrue(text.contains(Summary.num((eig[2] + eig[3]) / 2) + " each"), "σ² is the mean of the rest:\n" + text);
    }

    @Test
    void driftAndAnomalyVerdicts() throws Exception {
        Path dir = tempDir("summary-verdicts");
        ok("gmm", "--input", IRIS.toString(), "--output", dir.resolve("a").toString(), "--k", "2");
        ok("gmm", "--input", IRIS.toString(), "--output", dir.resolve("b").toString(), "--k", "3");
        CliRun compare = CliRun.of("compare", "--model-a", dir.resolve("a").toString(), "--model-b",
                dir.resolve("b").toString(), "--output", dir.resolve("c").toString(), "--fail-above", "0.01",
                "--samples", "2000");
        assertEquals(7, compare.exit());
        JsonNode report = json(dir.resolve("c/report.json"));
        assertTrue(compare.out().contains("KL(A||B) = " + Summary.num(report.get("klAB").get("value").asDouble())),
                compare.out());
        assertTrue(compare.out().contains("verdict: DRIFT"), compare.out());
        CliRun score = ok("score", "--model", dir.resolve("b").toString(), "--input", IRIS.toString(), "--output",
                dir.resolve("s").toString(), "--anomaly-quantile", "0.02");
        assertTrue(score.out().startsWith("scored 150 rows under"), score.out());
        assertTrue(score.out().contains("anomalies: 3 (2.00%)"), score.out());
        assertEquals(score.out(), ShowJob.summarise(dir.resolve("s").toString(), new Configuration()));
        assertEquals(compare.out(), ShowJob.summarise(dir.resolve("c/report.json").toString(), new Configuration()));
    }

    @Test
    void showRefusesWhatIsNotAnOutput() {
        Path dir = tempDir("summary-none");
        CliRun missing = CliRun.of("show", "--path", dir.resolve("nothing").toString());
        assertEquals(4, missing.exit());
        assertTrue(missing.failureLine().contains("does not exist"), missing.failureLine());
        CliRun empty = CliRun.of("show", "--path", dir.toString());
        assertEquals(4, empty.exit());
        assertTrue(empty.failureLine().contains("holds no model.json"), empty.failureLine());
    }
}
