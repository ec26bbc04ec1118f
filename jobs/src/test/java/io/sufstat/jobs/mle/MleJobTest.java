package io.sufstat.jobs.mle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sufstat.common.model.Gaussian;
import io.sufstat.common.stats.CovarianceEstimator;
import io.sufstat.common.stats.ExactMoments;
import io.sufstat.common.stats.MomentSummary;
import io.sufstat.jobs.SparkTest;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.UsageException;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MleJobTest extends SparkTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path IRIS = locate("sample-data/iris.csv");
    private static List<double[]> irisRows;
    private static List<String> irisSpecies;

    static Path locate(String relative) {
        Path p = Path.of("..").resolve(relative);
        return Files.exists(p) ? p.toAbsolutePath().normalize() : Path.of(relative).toAbsolutePath();
    }

    @BeforeAll
    static void readIris() throws IOException {
        irisRows = new ArrayList<>();
        irisSpecies = new ArrayList<>();
        List<String> lines = Files.readAllLines(IRIS);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            irisRows.add(new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3])});
            irisSpecies.add(f[4]);
        }
    }

    private static JsonNode read(Path p) throws IOException {
        return JSON.readTree(p.toFile());
    }

    private static double[] vector(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asDouble();
        }
        return v;
    }

    private static double[] matrix(JsonNode a) {
        int d = a.size();
        double[] m = new double[d * d];
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < d; c++) {
                m[r * d + c] = a.get(r).get(c).asDouble();
            }
        }
        return m;
    }

    /** Mean and MLE covariance of rows, in BigDecimal (common's test reference). */
    private static double[][] exactMoments(List<double[]> rows, double[] weights) {
        ExactMoments e = ExactMoments.of(rows.toArray(new double[0][]), weights);
        return new double[][] {e.mean, e.covariance};
    }

    private static void assertClose(double[] expected, double[] actual, double rel) {
        assertEquals(expected.length, actual.length);
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k], actual[k], rel * Math.max(1e-300, Math.abs(expected[k])), "entry " + k);
        }
    }

    @Test
    void irisModelMatchesTheExactMomentsAndItsLogLikelihood() throws Exception {
        Path out = tempDir("mle").resolve("iris");
        runJob("mle", "--input", IRIS.toString(), "--output", out.toString());
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        JsonNode m = read(out.resolve("model.json"));
        assertEquals("gaussian", m.get("kind").asText());
        assertEquals(1, m.get("formatVersion").asInt());
        assertEquals(List.of("sepal_length", "sepal_width", "petal_length", "petal_width"),
                JSON.convertValue(m.get("features"), List.class));
        assertEquals(150, m.get("count").asLong());
        assertEquals(150.0, m.get("weightSum").asDouble());
        double[][] exact = exactMoments(irisRows, null);
        assertClose(exact[0], vector(m.get("mean")), 1e-15);
        assertClose(exact[1], matrix(m.get("covariance")), 1e-13);
        // ℓ = Σ log N(xᵢ | μ̂, Σ̂), summed explicitly.
        Gaussian g = Gaussian.of(vector(m.get("mean")), matrix(m.get("covariance")));
        double ll = 0;
        for (double[] row : irisRows) {
            ll += g.logDensity(row);
        }
        assertEquals(ll, m.get("logLikelihood").asDouble(), 1e-11 * Math.abs(ll));
        JsonNode metrics = read(out.resolve("metrics.json"));
        assertEquals(150, metrics.get("rowsRead").asLong());
        assertEquals(150, metrics.get("rowsUsed").asLong());
        assertEquals(0, metrics.get("rowsSkipped").asLong());
    }

    @Test
    void sameInputGivesByteIdenticalModelsWhateverThePartitioning() throws Exception {
        Path dir = tempDir("mle-parts");
        Path data = dir.resolve("data");
        runJob("generate", "--output", data.toString(), "--rows", "30000", "--dim", "6", "--offset", "1e6",
                "--partitions", "5", "--seed", "3");
        runJob("mle", "--input", data.toString(), "--output", dir.resolve("a").toString());
        runJob("mle", "--input", data.toString(), "--output", dir.resolve("b").toString());
        assertArrayEquals(Files.readAllBytes(dir.resolve("a/model.json")), Files.readAllBytes(dir.resolve("b/model.json")));
        // The same rows in one file (one partition) give the same model to rounding.
        Path one = dir.resolve("one.csv");
        List<String> lines = new ArrayList<>();
        lines.add("x1,x2,x3,x4,x5,x6");
        try (var files = Files.list(data)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList()) {
                List<String> l = Files.readAllLines(f);
                lines.addAll(l.subList(1, l.size()));
            }
        }
        Files.write(one, lines);
        runJob("mle", "--input", one.toString(), "--output", dir.resolve("c").toString());
        JsonNode a = read(dir.resolve("a/model.json"));
        JsonNode c = read(dir.resolve("c/model.json"));
        assertEquals(30000, c.get("count").asLong());
        assertClose(vector(a.get("mean")), vector(c.get("mean")), 1e-15);
        assertClose(matrix(a.get("covariance")), matrix(c.get("covariance")), 1e-11);
    }

    @Test
    void weightsGroupsUnbiasedAndRidge() throws Exception {
        Path dir = tempDir("mle-weights");
        Path csv = dir.resolve("w.csv");
        List<String> lines = new ArrayList<>(List.of("sepal_length,sepal_width,petal_length,petal_width,species,w"));
        double[] weights = new double[irisRows.size()];
        for (int i = 0; i < irisRows.size(); i++) {
            weights[i] = 0.5 + (i % 7) * 0.25;
            double[] r = irisRows.get(i);
            lines.add(r[0] + "," + r[1] + "," + r[2] + "," + r[3] + "," + irisSpecies.get(i) + "," + weights[i]);
        }
        Files.write(csv, lines);
        runJob("mle", "--input", csv.toString(), "--output", dir.resolve("weighted").toString(), "--weight-col", "w");
        JsonNode m = read(dir.resolve("weighted/model.json"));
        double[][] exact = exactMoments(irisRows, weights);
        assertClose(exact[0], vector(m.get("mean")), 1e-14);
        assertClose(exact[1], matrix(m.get("covariance")), 1e-13);
        assertEquals(Arrays.stream(weights).sum(), m.get("weightSum").asDouble(), 1e-12);

        // Unbiased and ridge: M/(W − Σw²/W) + r·I.
        runJob("mle", "--input", csv.toString(), "--output", dir.resolve("unbiased").toString(), "--weight-col", "w",
                "--unbiased", "--reg-covar", "0.01");
        JsonNode u = read(dir.resolve("unbiased/model.json"));
        double sw = Arrays.stream(weights).sum();
        double sw2 = Arrays.stream(weights).map(x -> x * x).sum();
        double[] expected = exact[1].clone();
        for (int k = 0; k < 16; k++) {
            expected[k] = expected[k] * sw / (sw - sw2 / sw) + (k % 5 == 0 ? 0.01 : 0);
        }
        assertClose(expected, matrix(u.get("covariance")), 1e-13);
        assertEquals("unbiased", u.get("covarianceEstimator").asText());

        // One model per species equals a fit of that species' rows alone.
        Path grouped = dir.resolve("grouped");
        runJob("mle", "--input", csv.toString(), "--output", grouped.toString(), "--group-by", "species",
                "--features", "sepal_length,sepal_width,petal_length,petal_width");
        Dataset<Row> models = spark().read().parquet(grouped.resolve("models/parquet").toString());
        List<Row> rows = models.orderBy("species").collectAsList();
        assertEquals(List.of("setosa", "versicolor", "virginica"), rows.stream().map(r -> r.getString(0)).toList());
        for (Row r : rows) {
            List<double[]> part = new ArrayList<>();
            for (int i = 0; i < irisRows.size(); i++) {
                if (irisSpecies.get(i).equals(r.getString(0))) {
                    part.add(irisRows.get(i));
                }
            }
            double[][] e = exactMoments(part, null);
            assertEquals(50L, r.getLong(r.fieldIndex("count")));
            List<Double> mean = r.getList(r.fieldIndex("mean"));
            assertClose(e[0], mean.stream().mapToDouble(Double::doubleValue).toArray(), 1e-15);
            List<scala.collection.Seq<Double>> cov = r.getList(r.fieldIndex("covariance"));
            assertClose(e[1], cov.stream().flatMap(row -> scala.jdk.javaapi.CollectionConverters.asJava(row).stream())
                    .mapToDouble(Double::doubleValue).toArray(), 1e-13);
            assertTrue(r.isNullAt(r.fieldIndex("error")));
        }
        // The JSON-lines copy holds the same models; group counts and metrics are written.
        assertEquals(3, spark().read().json(grouped.resolve("models/json").toString()).count());
        assertEquals(3, spark().read().option("header", "true").csv(grouped.resolve("group-counts").toString()).count());
        JsonNode metrics = read(grouped.resolve("metrics.json"));
        assertEquals(3, metrics.get("groups").asLong());
        assertEquals(0, metrics.get("groupsWithoutModel").asLong());
    }

    @Test
    void groupWithTooFewRowsGetsAnErrorNotAFailedJob() throws Exception {
        Path dir = tempDir("mle-small-group");
        Path csv = dir.resolve("g.csv");
        Files.write(csv, List.of("g,x,y", "a,1,2", "a,2,1", "a,3,5", "a,0,0", "b,1,1"));
        runJob("mle", "--input", csv.toString(), "--output", dir.resolve("out").toString(), "--group-by", "g");
        List<Row> rows = spark().read().parquet(dir.resolve("out/models/parquet").toString()).orderBy("g").collectAsList();
        assertEquals(2, rows.size());
        assertTrue(rows.get(0).isNullAt(rows.get(0).fieldIndex("error")));
        String error = rows.get(1).getString(rows.get(1).fieldIndex("error"));
        assertTrue(error.contains("not positive definite"), error);
        assertEquals(1, read(dir.resolve("out/metrics.json")).get("groupsWithoutModel").asLong());
    }

    @Test
    void parquetJsonOrcAndVectorInputGiveTheCsvModel() throws Exception {
        Path dir = tempDir("mle-formats");
        runJob("mle", "--input", IRIS.toString(), "--output", dir.resolve("csv").toString());
        double[] cov = matrix(read(dir.resolve("csv/model.json")).get("covariance"));
        Dataset<Row> iris = spark().read().option("header", "true").option("inferSchema", "true").csv(IRIS.toString());
        for (String format : List.of("parquet", "json", "orc")) {
            Path data = dir.resolve("iris." + format);
            iris.write().format(format).save(data.toString());
            // JSON's schema inference sorts columns by name: name the features to keep the model's order.
            runJob("mle", "--input", data.toString(), "--output", dir.resolve("out-" + format).toString(),
                    "--features", "sepal_length,sepal_width,petal_length,petal_width");
            assertClose(cov, matrix(read(dir.resolve("out-" + format + "/model.json")).get("covariance")), 1e-13);
        }
        List<Row> vectors = new ArrayList<>();
        for (double[] r : irisRows) {
            vectors.add(RowFactory.create(Vectors.dense(r)));
        }
        Path vec = dir.resolve("vectors.parquet");
        spark().createDataFrame(vectors, DataTypes.createStructType(List.of(
                DataTypes.createStructField("features", SQLDataTypes.VectorType(), false)))).write().parquet(vec.toString());
        runJob("mle", "--input", vec.toString(), "--features-col", "features", "--output", dir.resolve("vec").toString());
        JsonNode v = read(dir.resolve("vec/model.json"));
        assertClose(cov, matrix(v.get("covariance")), 1e-13);
        assertEquals("features[3]", v.get("features").get(3).asText());
    }

    private static Path csv(Path dir, String name, String... lines) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, List.of(lines));
        return p;
    }

    private static String failure(Path input, String... extra) {
        Path out = tempDir("mle-fail").resolve("out");
        List<String> args = new ArrayList<>(List.of("--input", input.toString(), "--output", out.toString()));
        args.addAll(List.of(extra));
        JobFailedException e = assertThrows(JobFailedException.class, () -> runJob("mle", args.toArray(new String[0])));
        assertFalse(Files.exists(out), "a failed job must not create its output");
        try (var siblings = Files.list(out.getParent())) {
            assertEquals(0, siblings.count(), "no temporary output may remain");
        } catch (IOException io) {
            throw new IllegalStateException(io);
        }
        return e.getMessage();
    }

    @Test
    void badRowsFailWithFileLineAndColumn() throws Exception {
        Path dir = tempDir("mle-bad");
        Path notNumber = csv(dir, "nan.csv", "a,b,c", "1,2,3", "4,5,6", "7,abc,9", "1,1,2", "2,2,1");
        String msg = failure(notNumber);
        assertTrue(msg.contains(notNumber.getFileName() + " line 4") && msg.contains("column 'b' (2)")
                && msg.contains("'abc' is not a number"), msg);
        assertTrue(msg.contains("--on-bad-record skip"), msg);
        msg = failure(csv(dir, "inf.csv", "a,b", "1,2", "3,Infinity", "2,2"));
        assertTrue(msg.contains("line 3") && msg.contains("'Infinity' is NaN or infinite"), msg);
        msg = failure(csv(dir, "nanv.csv", "a,b", "1,2", "3,4", "NaN,1"));
        assertTrue(msg.contains("line 4") && msg.contains("column 'a' (1)"), msg);
        msg = failure(csv(dir, "cols.csv", "a,b", "1,2", "3,4,5", "2,2"));
        assertTrue(msg.contains("line 3") && msg.contains("3 fields but the header has 2"), msg);
        msg = failure(csv(dir, "missing.csv", "a,b", "1,2", "3,", "2,2"));
        assertTrue(msg.contains("line 3") && msg.contains("column 'b' (2): the value is missing"), msg);
        msg = failure(csv(dir, "weight.csv", "a,b,w", "1,2,1", "3,4,-1", "2,2,1"), "--weight-col", "w");
        assertTrue(msg.contains("line 3") && msg.contains("weight"), msg);
        msg = failure(csv(dir, "nocol.csv", "a,b", "1,2", "2,3"), "--features", "a,z");
        assertTrue(msg.contains("feature column 'z' is not in") && msg.contains("its columns are: a, b"), msg);
        msg = failure(csv(dir, "empty.csv", "a,b"));
        assertTrue(msg.contains("has no data rows"), msg);
        msg = failure(dir.resolve("absent.csv"));
        assertTrue(msg.contains("no input files match"), msg);
        msg = failure(csv(dir, "const.csv", "a,b", "1,5", "2,5", "3,5"));
        assertTrue(msg.contains("'b'") && msg.contains("variance is 0") && msg.contains("--reg-covar"), msg);
        msg = failure(csv(dir, "words.csv", "a,b", "x,y", "z,w"));
        assertTrue(msg.contains("no numeric columns"), msg);
    }

    @Test
    void badLineNumbersAreExactInLaterSplits() throws Exception {
        Path dir = tempDir("mle-split");
        List<String> lines = new ArrayList<>(List.of("a,b"));
        for (int i = 0; i < 40_000; i++) {
            lines.add(i % 17 + "," + (i % 13) * 0.5);
        }
        lines.set(35_000, "1,oops");
        Path big = dir.resolve("big.csv");
        Files.write(big, lines);
        String msg = failure(big);
        assertTrue(msg.contains("line 35001"), msg);
        // Small splits put the bad line in a split that does not start the file.
        Path out = dir.resolve("small-splits");
        JobFailedException e = assertThrows(JobFailedException.class, () -> {
            spark().sparkContext().hadoopConfiguration().set("mapreduce.input.fileinputformat.split.maxsize", "65536");
            try {
                runJob("mle", "--input", big.toString(), "--output", out.toString());
            } finally {
                spark().sparkContext().hadoopConfiguration().unset("mapreduce.input.fileinputformat.split.maxsize");
            }
        });
        assertTrue(e.getMessage().contains("line 35001") && e.getMessage().contains("'oops'"), e.getMessage());
    }

    @Test
    void skipPolicyCountsEveryReason() throws Exception {
        Path dir = tempDir("mle-skip");
        Path in = csv(dir, "mixed.csv", "a,b,w", "1,2,1", "2,1,1", "3,abc,1", "4,NaN,1", "5,6", "6,,1", "7,8,-2",
                "3,3,1", "0,1,2", "", "2,5,1");
        Path out = dir.resolve("out");
        runJob("mle", "--input", in.toString(), "--output", out.toString(), "--weight-col", "w", "--on-bad-record", "skip");
        JsonNode metrics = read(out.resolve("metrics.json"));
        assertEquals(10, metrics.get("rowsRead").asLong());
        assertEquals(5, metrics.get("rowsUsed").asLong());
        assertEquals(5, metrics.get("rowsSkipped").asLong());
        Map<String, Long> by = new TreeMap<>();
        metrics.get("skippedByReason").fields().forEachRemaining(f -> by.put(f.getKey(), f.getValue().asLong()));
        assertEquals(Map.of("notANumber", 1L, "nonFinite", 1L, "wrongColumnCount", 1L, "missingValue", 1L, "badWeight", 1L), by);
        double[][] exact = exactMoments(List.of(new double[] {1, 2}, new double[] {2, 1}, new double[] {3, 3},
                new double[] {0, 1}, new double[] {2, 5}), new double[] {1, 1, 1, 2, 1});
        assertClose(exact[1], matrix(read(out.resolve("model.json")).get("covariance")), 1e-14);
    }

    @Test
    void jsonBadValueNamesFileAndColumn() throws Exception {
        Path dir = tempDir("mle-json");
        Path in = dir.resolve("in.json");
        Files.write(in, List.of("{\"a\": 1, \"b\": \"2\"}", "{\"a\": 2, \"b\": \"3.5\"}", "{\"a\": 3, \"b\": \"x\"}",
                "{\"a\": 0, \"b\": \"1\"}"));
        String msg = failure(in, "--features", "a,b");
        assertTrue(msg.contains("in.json") && msg.contains("column 'b' (2): 'x' is not a number"), msg);
    }

    @Test
    void overwriteReplacesOnlyAnEarlierSufstatOutput() throws Exception {
        Path dir = tempDir("mle-overwrite");
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "old");
        // A directory sufstat did not write is never replaced, with or without --overwrite.
        for (String[] extra : List.of(new String[0], new String[] {"--overwrite"})) {
            List<String> args = new java.util.ArrayList<>(List.of("--input", IRIS.toString(), "--output", out.toString()));
            args.addAll(List.of(extra));
            JobFailedException e = assertThrows(JobFailedException.class, () -> runJob("mle", args.toArray(new String[0])));
            assertEquals(io.sufstat.jobs.cli.Failure.OUTPUT, e.failure());
            assertTrue(e.getMessage().contains("not written by sufstat") && e.getMessage().contains("keep.txt"),
                    e.getMessage());
            assertEquals("old", Files.readString(out.resolve("keep.txt")));
        }
        // An earlier sufstat output is refused without --overwrite and replaced with it.
        Path ours = dir.resolve("ours");
        runJob("mle", "--input", IRIS.toString(), "--output", ours.toString(), "--unbiased");
        JobFailedException e = assertThrows(JobFailedException.class,
                () -> runJob("mle", "--input", IRIS.toString(), "--output", ours.toString()));
        assertTrue(e.getMessage().contains("earlier sufstat output") && e.getMessage().contains("--overwrite"));
        assertEquals("unbiased", read(ours.resolve("model.json")).get("covarianceEstimator").asText());
        runJob("mle", "--input", IRIS.toString(), "--output", ours.toString(), "--overwrite");
        assertEquals("mle", read(ours.resolve("model.json")).get("covarianceEstimator").asText());
        assertTrue(Files.exists(ours.resolve("_SUCCESS")) && Files.exists(ours.resolve("_SUFSTAT")));
        try (var siblings = Files.list(dir)) {
            assertEquals(List.of("ours", "out"), siblings.map(p -> p.getFileName().toString()).sorted().toList());
        }
        try (var files = Files.list(ours)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".crc")), "no checksum side files");
        }
        // An existing empty directory is fine.
        Path empty = dir.resolve("empty");
        Files.createDirectories(empty);
        runJob("mle", "--input", IRIS.toString(), "--output", empty.toString());
        assertTrue(Files.exists(empty.resolve("model.json")));
    }

    @Test
    void usageErrors() {
        assertThrows(UsageException.class, () -> runJob("mle", "--input", "x", "--output", "y", "--on-bad-record", "ignore"));
        assertThrows(UsageException.class, () -> runJob("mle", "--input", "x", "--output", "y", "--features", "a",
                "--features-col", "v"));
        assertThrows(UsageException.class, () -> runJob("mle", "--input", "x", "--output", "y", "--reg-covar", "-1"));
        assertThrows(UsageException.class, () -> runJob("mle", "--input", "x.csv", "--output", "y", "--features-col", "v"));
    }

    /** The closed-form log-likelihood in model.json agrees with MomentSummary used as a library. */
    @Test
    void libraryAndJobAgree() throws Exception {
        MomentSummary s = MomentSummary.create(4);
        irisRows.forEach(s::add);
        Gaussian g = s.toGaussian(CovarianceEstimator.MAXIMUM_LIKELIHOOD, 0);
        Path out = tempDir("mle-lib").resolve("o");
        runJob("mle", "--input", IRIS.toString(), "--output", out.toString());
        assertEquals(s.logLikelihood(g), read(out.resolve("model.json")).get("logLikelihood").asDouble(),
                1e-12 * Math.abs(s.logLikelihood(g)));
    }
}
