package io.sufstat.jobs.mle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sufstat.common.stats.ExactMoments;
import io.sufstat.jobs.CliRun;
import io.sufstat.jobs.SparkTest;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code merge}: saved statistics merged across runs equal {@code mle} on the union of their data. */
class MergeJobTest extends SparkTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path IRIS = MleJobTest.locate("sample-data/iris.csv");
    private static final String IRIS_FEATURES = "sepal_length,sepal_width,petal_length,petal_width";

    private static JsonNode read(Path p) throws IOException {
        return JSON.readTree(p.toFile());
    }

    private static double[] flat(JsonNode a) {
        List<Double> out = new ArrayList<>();
        a.forEach(x -> {
            if (x.isArray()) {
                x.forEach(y -> out.add(y.asDouble()));
            } else {
                out.add(x.asDouble());
            }
        });
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The largest relative difference, entry by entry, scaled by the largest magnitude in {@code expected}. */
    private static double relativeError(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length);
        double scale = 0;
        double worst = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int k = 0; k < expected.length; k++) {
            worst = Math.max(worst, Math.abs(expected[k] - actual[k]) / scale);
        }
        return worst;
    }

    /** Splits a generated data set's rows into {@code days} CSV files of consecutive rows; returns each day's rows. */
    private static List<List<double[]>> splitIntoDays(Path data, Path dir, int days) throws IOException {
        List<Path> parts;
        try (var files = Files.list(data)) {
            parts = files.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList();
        }
        String header = null;
        List<String> lines = new ArrayList<>();
        for (Path part : parts) {
            List<String> l = Files.readAllLines(part);
            header = l.get(0);
            lines.addAll(l.subList(1, l.size()));
        }
        List<List<double[]>> rows = new ArrayList<>();
        int per = (lines.size() + days - 1) / days;
        for (int day = 0; day < days; day++) {
            List<String> dayLines = new ArrayList<>(List.of(header));
            List<double[]> dayRows = new ArrayList<>();
            for (String line : lines.subList(day * per, Math.min(lines.size(), (day + 1) * per))) {
                dayLines.add(line);
                String[] f = line.split(",");
                double[] r = new double[f.length];
                for (int j = 0; j < f.length; j++) {
                    r[j] = Double.parseDouble(f[j]);
                }
                dayRows.add(r);
            }
            Path csv = dir.resolve("data/day" + day + ".csv");
            Files.createDirectories(csv.getParent());
            Files.write(csv, dayLines);
            rows.add(dayRows);
        }
        return rows;
    }

    @Test
    void mergedDaysEqualMleOnTheirUnionAtALargeOffset() throws Exception {
        Path dir = tempDir("merge-offset");
        Path generated = dir.resolve("generated");
        runJob("generate", "--output", generated.toString(), "--rows", "30000", "--dim", "5", "--offset", "1e9",
                "--partitions", "6", "--seed", "8");
        List<List<double[]>> days = splitIntoDays(generated, dir, 3);
        List<double[]> all = new ArrayList<>();
        List<String> stats = new ArrayList<>();
        for (int day = 0; day < 3; day++) {
            all.addAll(days.get(day));
            Path out = dir.resolve("stats/2026-11-2" + day);
            runJob("mle", "--input", dir.resolve("data/day" + day + ".csv").toString(), "--output", out.toString(),
                    "--report", "false");
            stats.add(out.toString());
        }
        runJob("merge", "--input", String.join(",", stats), "--output", dir.resolve("merged").toString());
        runJob("mle", "--input", dir.resolve("data").toString(), "--output", dir.resolve("union").toString(),
                "--report", "false");
        JsonNode merged = read(dir.resolve("merged/model.json"));
        JsonNode union = read(dir.resolve("union/model.json"));
        assertEquals(30000, merged.get("count").asLong());
        assertEquals(union.get("weightSum").asDouble(), merged.get("weightSum").asDouble(), 0);
        ExactMoments exact = ExactMoments.of(all.toArray(new double[0][]), null);
        double meanError = relativeError(exact.mean, flat(merged.get("mean")));
        double covError = relativeError(exact.covariance, flat(merged.get("covariance")));
        double covVsUnion = relativeError(flat(union.get("covariance")), flat(merged.get("covariance")));
        assertTrue(meanError <= 1e-15, "mean: " + meanError);
        assertTrue(covError <= 1e-12, "covariance against the exact moments: " + covError);
        assertTrue(covVsUnion <= 1e-12, "covariance against mle on the union: " + covVsUnion);
        assertEquals(union.get("logLikelihood").asDouble(), merged.get("logLikelihood").asDouble(),
                1e-9 * Math.abs(union.get("logLikelihood").asDouble()));
        System.out.printf("merge of 3 days at offset 1e9: mean %.1e, covariance %.1e vs exact, %.1e vs mle on the"
                + " union%n", meanError, covError, covVsUnion);

        // A merge of merges is a merge: (d0 + d1) + d2 equals d0 + d1 + d2 to rounding.
        runJob("merge", "--input", stats.get(0) + "," + stats.get(1), "--output", dir.resolve("first-two").toString());
        runJob("merge", "--input", dir.resolve("first-two") + "," + stats.get(2), "--output",
                dir.resolve("chained").toString());
        JsonNode chained = read(dir.resolve("chained/model.json"));
        assertEquals(30000, chained.get("count").asLong());
        assertTrue(relativeError(flat(merged.get("covariance")), flat(chained.get("covariance"))) <= 1e-13);

        // A window of the three days ending 2026-11-22 is the same merge, in the same order: the same bytes.
        runJob("merge", "--input", dir.resolve("stats/{date}").toString(), "--window", "3", "--date", "2026-11-22",
                "--output", dir.resolve("window").toString());
        assertArrayEquals(Files.readAllBytes(dir.resolve("merged/model.json")),
                Files.readAllBytes(dir.resolve("window/model.json")));
        // A glob, expanded in path order, too.
        runJob("merge", "--input", dir.resolve("stats/2026-11-2*").toString(), "--output", dir.resolve("glob").toString());
        assertArrayEquals(Files.readAllBytes(dir.resolve("merged/model.json")),
                Files.readAllBytes(dir.resolve("glob/model.json")));

        // A day missing from the window fails (exit 3) naming it, unless --allow-missing.
        CliRun missing = CliRun.of("merge", "--input", dir.resolve("stats/{date}").toString(), "--window", "4",
                "--date", "2026-11-22", "--output", dir.resolve("w4").toString());
        assertEquals(3, missing.exit());
        assertTrue(missing.failureLine().contains("no statistics for 1 day(s): 2026-11-19"), missing.failureLine());
        assertFalse(Files.exists(dir.resolve("w4")));
        runJob("merge", "--input", dir.resolve("stats/{date}").toString(), "--window", "4", "--date", "2026-11-22",
                "--allow-missing", "--output", dir.resolve("w4").toString());
        assertEquals(30000, read(dir.resolve("w4/model.json")).get("count").asLong());
    }

    /** Iris with a weight column, in three files of 50 rows (every third row, so each day has every species). */
    private static Path weightedIrisDays(Path dir) throws IOException {
        List<String> lines = Files.readAllLines(IRIS);
        for (int day = 0; day < 3; day++) {
            List<String> out = new ArrayList<>(List.of(lines.get(0) + ",w"));
            for (int i = 1 + day; i < lines.size(); i += 3) {
                out.add(lines.get(i) + "," + (0.5 + (i % 7) * 0.25));
            }
            Files.write(dir.resolve("day" + day + ".csv"), out);
        }
        return dir;
    }

    @Test
    void weightedGroupsMergeAsMleOnTheUnionAndCoarsen() throws Exception {
        Path dir = weightedIrisDays(Files.createDirectories(tempDir("merge-groups").resolve("data")));
        List<String> stats = new ArrayList<>();
        for (int day = 0; day < 3; day++) {
            Path out = dir.resolveSibling("g" + day);
            runJob("mle", "--input", dir.resolve("day" + day + ".csv").toString(), "--output", out.toString(),
                    "--features", IRIS_FEATURES, "--weight-col", "w", "--group-by", "species");
            stats.add(out.toString());
        }
        runJob("merge", "--input", String.join(",", stats), "--output", dir.resolveSibling("merged").toString(),
                "--unbiased");
        runJob("mle", "--input", dir.toString(), "--output", dir.resolveSibling("union").toString(), "--features",
                IRIS_FEATURES, "--weight-col", "w", "--group-by", "species", "--unbiased");
        List<Row> merged = models(dir.resolveSibling("merged"));
        List<Row> union = models(dir.resolveSibling("union"));
        assertEquals(3, merged.size());
        for (int g = 0; g < 3; g++) {
            Row m = merged.get(g);
            Row u = union.get(g);
            assertEquals(u.getString(0), m.getString(0));
            assertEquals(50L, m.getLong(m.fieldIndex("count")));
            assertEquals(u.getDouble(u.fieldIndex("weightSum")), m.getDouble(m.fieldIndex("weightSum")), 1e-12);
            double[] cu = covariance(u);
            assertTrue(relativeError(cu, covariance(m)) <= 1e-13, m.getString(0));
        }
        // --group-by "" merges every group into one Gaussian: the weighted, unbiased Gaussian of all of Iris.
        runJob("merge", "--input", String.join(",", stats), "--output", dir.resolveSibling("overall").toString(),
                "--group-by", "", "--unbiased");
        runJob("mle", "--input", dir.toString(), "--output", dir.resolveSibling("overall-mle").toString(),
                "--features", IRIS_FEATURES, "--weight-col", "w", "--unbiased", "--report", "false");
        JsonNode overall = read(dir.resolveSibling("overall/model.json"));
        assertEquals(150, overall.get("count").asLong());
        assertTrue(relativeError(flat(read(dir.resolveSibling("overall-mle/model.json")).get("covariance")),
                flat(overall.get("covariance"))) <= 1e-13);
        // The merged statistics are themselves a valid input, with one row per group.
        assertEquals(3, spark().read().parquet(dir.resolveSibling("merged/stats").toString())
                .filter(functions.col("weightColumn").equalTo("w")).count());
    }

    private static List<Row> models(Path out) {
        return spark().read().parquet(out.resolve("models/parquet").toString())
                .withColumn("cov", functions.flatten(functions.col("covariance"))).orderBy("species").collectAsList();
    }

    private static double[] covariance(Row r) {
        List<Double> c = r.getList(r.fieldIndex("cov"));
        return c.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * A mixture's E statistics taken under one mixture θ on three days ({@code gmm --init θ --evaluate
     * --save-statistics}) merge to one EM iteration from θ on all the days' rows: {@code gmm --init θ --max-iter 1}.
     */
    @Test
    void mixtureStatisticsUnderOneModelMergeToOneEmStepOnTheUnion() throws Exception {
        Path dir = tempDir("merge-mixture");
        Path generated = dir.resolve("generated");
        runJob("generate", "--output", generated.toString(), "--rows", "9000", "--dim", "3", "--components", "3",
                "--offset", "1e4", "--seed", "21");
        splitIntoDays(generated, dir, 3);
        Path theta = dir.resolve("theta");
        runJob("gmm", "--input", dir.resolve("data/day0.csv").toString(), "--output", theta.toString(), "--k", "3",
                "--report", "false");
        List<String> stats = new ArrayList<>();
        for (int day = 0; day < 3; day++) {
            Path out = dir.resolve("e" + day);
            runJob("gmm", "--input", dir.resolve("data/day" + day + ".csv").toString(), "--output", out.toString(),
                    "--init", theta.toString(), "--evaluate", "--save-statistics", "--report", "false");
            stats.add(out.toString());
        }
        assertEquals(0, read(dir.resolve("e1/model.json")).get("iterations").asInt());
        runJob("merge", "--input", String.join(",", stats), "--output", dir.resolve("merged").toString());
        runJob("gmm", "--input", dir.resolve("data").toString(), "--output", dir.resolve("step").toString(), "--init",
                theta.toString(), "--max-iter", "1", "--tol", "0", "--report", "false");
        JsonNode merged = read(dir.resolve("merged/model.json"));
        JsonNode step = read(dir.resolve("step/model.json"));
        assertEquals(9000, merged.get("count").asLong());
        double weights = relativeError(flat(step.get("weights")), flat(merged.get("weights")));
        double means = relativeError(flat(step.get("means")), flat(merged.get("means")));
        List<Double> c1 = new ArrayList<>();
        List<Double> c2 = new ArrayList<>();
        step.get("covariances").forEach(c -> c.forEach(r -> r.forEach(x -> c1.add(x.asDouble()))));
        merged.get("covariances").forEach(c -> c.forEach(r -> r.forEach(x -> c2.add(x.asDouble()))));
        double covs = relativeError(c1.stream().mapToDouble(Double::doubleValue).toArray(),
                c2.stream().mapToDouble(Double::doubleValue).toArray());
        assertTrue(weights <= 1e-12 && means <= 1e-14 && covs <= 1e-10,
                "weights " + weights + ", means " + means + ", covariances " + covs);
        System.out.printf("merge of mixture E statistics vs one EM step on the union: weights %.1e, means %.1e,"
                + " covariances %.1e%n", weights, means, covs);
        // E statistics under different mixtures do not merge.
        Path fitted = dir.resolve("fitted");
        runJob("gmm", "--input", dir.resolve("data/day1.csv").toString(), "--output", fitted.toString(), "--k", "3",
                "--save-statistics", "--report", "false");
        CliRun other = CliRun.of("merge", "--input", stats.get(0) + "," + fitted, "--output", dir.resolve("x").toString());
        assertEquals(4, other.exit());
        assertTrue(other.failureLine().contains("the mixture their E statistics were taken under"), other.failureLine());
    }

    @Test
    void incompatibleOrDamagedStatisticsAreRefusedInOneLine() throws Exception {
        Path dir = tempDir("merge-refuse");
        Path days = weightedIrisDays(Files.createDirectories(dir.resolve("data")));
        String four = dir.resolve("four").toString();
        String three = dir.resolve("three").toString();
        String weighted = dir.resolve("weighted").toString();
        runJob("mle", "--input", days.resolve("day0.csv").toString(), "--output", four, "--features", IRIS_FEATURES);
        runJob("mle", "--input", days.resolve("day1.csv").toString(), "--output", three, "--features",
                "sepal_length,sepal_width,petal_length");
        runJob("mle", "--input", days.resolve("day2.csv").toString(), "--output", weighted, "--features",
                IRIS_FEATURES, "--weight-col", "w");
        String out = dir.resolve("out").toString();

        CliRun features = CliRun.of("merge", "--input", four + "," + three, "--output", out);
        assertEquals(4, features.exit());
        assertTrue(features.failureLine().contains("cannot merge " + "file:" + four + "/stats with file:" + three
                + "/stats: they differ in features"), features.failureLine());
        CliRun weights = CliRun.of("merge", "--input", four + "," + weighted, "--output", out);
        assertEquals(4, weights.exit());
        assertTrue(weights.failureLine().contains("weights none (unit weights) vs from column 'w'"), weights.failureLine());

        // Not statistics: a Parquet table of another shape, and a folder of text.
        Path other = dir.resolve("other");
        spark().range(3).write().parquet(other.resolve("stats").toString());
        CliRun notStats = CliRun.of("merge", "--input", four + "," + other, "--output", out);
        assertEquals(4, notStats.exit());
        assertTrue(notStats.failureLine().contains("is not sufstat statistics: it has no column 'version'"),
                notStats.failureLine());
        Path text = dir.resolve("text/stats");
        Files.createDirectories(text);
        Files.writeString(text.resolve("part-0.parquet"), "not parquet at all");
        CliRun garbage = CliRun.of("merge", "--input", four + "," + text.getParent(), "--output", out);
        assertEquals(4, garbage.exit());
        assertTrue(garbage.failureLine().contains(text.getParent() + "/stats"), garbage.failureLine());

        // A newer schema version, and a tampered co-moment matrix.
        Path newer = dir.resolve("newer/stats");
        spark().read().parquet(four + "/stats").withColumn("version", functions.lit(2))
                .write().parquet(newer.toString());
        CliRun version = CliRun.of("merge", "--input", four + "," + newer.getParent(), "--output", out);
        assertEquals(4, version.exit());
        assertTrue(version.failureLine().contains("schema version 2; this sufstat reads version 1 (upgrade sufstat)"),
                version.failureLine());
        Path tampered = dir.resolve("tampered/stats");
        spark().read().parquet(four + "/stats").withColumn("comoment", functions.array(functions.lit(1.0)))
                .write().parquet(tampered.toString());
        CliRun shape = CliRun.of("merge", "--input", four + "," + tampered.getParent(), "--output", out);
        assertEquals(4, shape.exit());
        assertTrue(shape.failureLine().contains("the co-moment matrix has 1 entries, not 4 x 4"), shape.failureLine());

        // Usage: the same input twice, the output among the inputs, a group column the inputs lack.
        assertEquals(2, CliRun.of("merge", "--input", four + "," + four, "--output", out).exit());
        CliRun self = CliRun.of("merge", "--input", four, "--output", four, "--overwrite");
        assertEquals(2, self.exit());
        assertTrue(self.failureLine().contains("is also an input"), self.failureLine());
        assertTrue(Files.exists(Path.of(four, "model.json")), "the input is untouched");
        CliRun group = CliRun.of("merge", "--input", four, "--output", out, "--group-by", "species");
        assertEquals(2, group.exit());
        assertTrue(group.failureLine().contains("--group-by species is not a group column of the inputs (they have none)"),
                group.failureLine());
        assertFalse(Files.exists(Path.of(out)), "no output after a refusal");
    }
}
