package io.sufstat.jobs.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.SklearnFixture;
import io.sufstat.jobs.ModelFiles;
import io.sufstat.jobs.SparkTest;
import io.sufstat.jobs.cli.JobFailedException;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScoreJobTest extends SparkTest {

    static final List<String> IRIS = List.of("sepal_length", "sepal_width", "petal_length", "petal_width");

    static Object[][] withIds(double[][] x) {
        Object[][] rows = new Object[x.length][];
        for (int i = 0; i < x.length; i++) {
            rows[i] = new Object[x[i].length + 1];
            rows[i][0] = "row" + i;
            for (int j = 0; j < x[i].length; j++) {
                rows[i][j + 1] = x[i][j];
            }
        }
        return rows;
    }

    @Test
    void logDensitiesAndPosteriorsMatchScikitLearn() throws Exception {
        for (String name : List.of("iris-full", "iris-diag", "blobs3d-tied", "blobs3d-spherical")) {
            SklearnFixture f = SklearnFixture.load(name);
            int d = f.x[0].length;
            List<String> features = d == 4 ? IRIS : List.of("a", "b", "c");
            GaussianMixture m = GaussianMixture.of(f.type, f.weights, f.means, f.covariances);
            Path dir = tempDir("score-" + name);
            Path model = ModelFiles.write(dir.resolve("model.json"), features, m);
            List<String> header = new ArrayList<>(List.of("id"));
            header.addAll(features);
            Path input = ModelFiles.csv(dir.resolve("in.csv"), header, withIds(f.x));
            runJob("score", "--model", model.toString(), "--input", input.toString(), "--output",
                    dir.resolve("out").toString(), "--output-format", "parquet");
            List<Row> rows = spark().read().parquet(dir.resolve("out").toString()).collectAsList();
            assertEquals(f.x.length, rows.size());
            for (Row r : rows) {
                int i = Integer.parseInt(r.getString(r.fieldIndex("id")).substring(3));
                if (i >= f.scoreSamples.length) {
                    continue;
                }
                double ld = r.getDouble(r.fieldIndex("logDensity"));
                assertEquals(f.scoreSamples[i], ld, 1e-9 * Math.abs(f.scoreSamples[i]), name + " row " + i);
                List<Double> p = r.getList(r.fieldIndex("probabilities"));
                int best = 0;
                for (int j = 0; j < f.k; j++) {
                    assertEquals(f.predictProba[i][j], p.get(j), 1e-9, name + " row " + i + " component " + j);
                    best = f.predictProba[i][j] > f.predictProba[i][best] ? j : best;
                }
                assertEquals(best, r.getInt(r.fieldIndex("cluster")));
                assertEquals(Double.toString(f.x[i][0]), r.getString(r.fieldIndex(features.get(0))),
                        "input columns pass through unchanged");
            }
        }
    }

    @Test
    void quantileFlagsExactlyThatShareOfRowsAndCsvOutputFlattensPosteriors() throws Exception {
        Path dir = tempDir("score-anomaly");
        GaussianMixture m = GaussianMixture.of(io.sufstat.common.model.CovarianceType.FULL, new double[] {0.3, 0.7},
                new double[][] {{0, 0}, {4, 4}}, new double[][] {{1, 0.3, 0.3, 1}, {2, 0, 0, 0.5}});
        Path model = ModelFiles.write(dir.resolve("model.json"), List.of("u", "v"), m);
        runJob("sample", "--model", model.toString(), "--output", dir.resolve("data").toString(), "--rows", "5000",
                "--seed", "3");
        runJob("score", "--model", model.toString(), "--input", dir.resolve("data").toString(), "--output",
                dir.resolve("q").toString(), "--anomaly-quantile", "0.013");
        JsonNode metrics = new ObjectMapper().readTree(dir.resolve("q/_metrics.json").toFile());
        assertEquals(65, metrics.get("anomalies").asLong(), "⌈0.013 · 5000⌉ rows");
        double t = metrics.get("anomalyThreshold").asDouble();
        var scored = spark().read().option("header", "true").option("inferSchema", "true").csv(dir.resolve("q").toString());
        assertEquals(65, scored.filter("anomaly").count());
        assertEquals(65, scored.filter("logDensity < " + t).count());
        assertTrue(Arrays.asList(scored.columns()).containsAll(List.of("probability_0", "probability_1", "cluster")));
        Row sums = scored.selectExpr("min(probability_0 + probability_1)", "max(probability_0 + probability_1)").first();
        assertEquals(1.0, sums.getDouble(0), 1e-12);
        assertEquals(1.0, sums.getDouble(1), 1e-12);
        // A fixed threshold flags the rows below it.
        runJob("score", "--model", model.toString(), "--input", dir.resolve("data").toString(), "--output",
                dir.resolve("t").toString(), "--anomaly-threshold", "-6");
        JsonNode mt = new ObjectMapper().readTree(dir.resolve("t/_metrics.json").toFile());
        assertEquals(scored.filter("logDensity < -6").count(), mt.get("anomalies").asLong());
    }

    @Test
    void badInputIsNamedOrSkippedAndCounted() throws Exception {
        Path dir = tempDir("score-bad");
        Path model = ModelFiles.write(dir.resolve("model.json"), List.of("u", "v"),
                ModelFiles.single(new double[] {0, 0}, new double[] {1, 0, 0, 1}));
        Path wrong = ModelFiles.csv(dir.resolve("wrong.csv"), List.of("u", "w"), new Object[][] {{1.0, 2.0}});
        JobFailedException e = assertThrows(JobFailedException.class, () -> runJob("score", "--model", model.toString(),
                "--input", wrong.toString(), "--output", dir.resolve("o1").toString()));
        assertTrue(e.getMessage().contains("feature 'v'") && e.getMessage().contains("[u, w]"), e.getMessage());
        Path bad = ModelFiles.csv(dir.resolve("bad.csv"), List.of("u", "v"),
                new Object[][] {{1.0, 2.0}, {"abc", 1.0}, {0.5, null}, {0.0, 0.0}});
        Exception fail = assertThrows(Exception.class, () -> runJob("score", "--model", model.toString(),
                "--input", bad.toString(), "--output", dir.resolve("o2").toString()));
        String msg = fail.getMessage();
        assertTrue(msg.contains("column 'u'") && msg.contains("'abc' is not a number"), msg);
        assertTrue(Files.notExists(dir.resolve("o2/_SUCCESS")));
        runJob("score", "--model", model.toString(), "--input", bad.toString(), "--output", dir.resolve("o3").toString(),
                "--on-bad-record", "skip");
        JsonNode metrics = new ObjectMapper().readTree(dir.resolve("o3/_metrics.json").toFile());
        assertEquals(2, metrics.get("rowsUsed").asLong());
        assertEquals(1, metrics.get("skippedByReason").get("notANumber").asLong());
        assertEquals(1, metrics.get("skippedByReason").get("missingValue").asLong());
        // The standard normal's log-density at the origin.
        Row origin = spark().read().option("header", "true").option("inferSchema", "true")
                .csv(dir.resolve("o3").toString()).filter("u = 0.0").first();
        assertEquals(-Math.log(2 * Math.PI), origin.getDouble(origin.fieldIndex("logDensity")), 1e-15);
    }

    /**
     * Parquet input is scored from Spark's internal rows and written as internal rows: the log-densities and
     * posteriors are scikit-learn's, and every output row (input columns of every type, the added columns, the
     * quantile's flags) is the one the {@code Row} path writes; a null feature is skipped and counted, or named
     * in the same one-line failure, by both.
     */
    @Test
    void parquetIsScoredFromInternalRowsLikeTheRowPath() throws Exception {
        SklearnFixture f = SklearnFixture.load("iris-full");
        GaussianMixture m = GaussianMixture.of(f.type, f.weights, f.means, f.covariances);
        Path dir = tempDir("score-internal");
        Path model = ModelFiles.write(dir.resolve("model.json"), IRIS, m);
        List<org.apache.spark.sql.types.StructField> fields = new ArrayList<>(List.of(
                org.apache.spark.sql.types.DataTypes.createStructField("id", org.apache.spark.sql.types.DataTypes.LongType, false),
                org.apache.spark.sql.types.DataTypes.createStructField("name", org.apache.spark.sql.types.DataTypes.StringType, true)));
        for (String c : IRIS) {
            fields.add(org.apache.spark.sql.types.DataTypes.createStructField(c, org.apache.spark.sql.types.DataTypes.DoubleType,
                    true));
        }
        fields.add(org.apache.spark.sql.types.DataTypes.createStructField("f", org.apache.spark.sql.types.DataTypes.FloatType,
                true));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < f.x.length; i++) {
            rows.add(org.apache.spark.sql.RowFactory.create((long) i, i % 3 == 0 ? null : "n" + i, f.x[i][0], f.x[i][1],
                    f.x[i][2], f.x[i][3], (float) f.x[i][3]));
        }
        rows.add(org.apache.spark.sql.RowFactory.create(-1L, "bad", 1.0, null, 1.0, 1.0, 1f));
        Path input = dir.resolve("in");
        spark().createDataFrame(rows, org.apache.spark.sql.types.DataTypes.createStructType(fields)).repartition(3)
                .write().parquet(input.toString());
        List<List<Row>> outputs = new ArrayList<>();
        for (boolean internal : new boolean[] {true, false}) {
            Path out = dir.resolve("out-" + internal);
            withInternalRows(internal, () -> {
                runJob("score", "--model", model.toString(), "--input", input.toString(), "--output", out.toString(),
                        "--anomaly-quantile", "0.05", "--on-bad-record", "skip");
                return null;
            });
            outputs.add(spark().read().parquet(out.toString()).orderBy("id").collectAsList());
            JsonNode metrics = new ObjectMapper().readTree(out.resolve("_metrics.json").toFile());
            assertEquals(f.x.length, metrics.get("rowsUsed").asLong());
            assertEquals(1, metrics.get("skippedByReason").get("missingValue").asLong());
            assertEquals(8, metrics.get("anomalies").asLong(), "⌈0.05 · 150⌉ rows");
        }
        assertEquals(outputs.get(1), outputs.get(0), "the same rows by both paths");
        for (Row r : outputs.get(0)) {
            int i = (int) r.getLong(0);
            assertEquals(i % 3 == 0 ? null : "n" + i, r.get(1), "input columns pass through unchanged");
            assertEquals((float) f.x[i][3], r.getFloat(6));
            if (i < f.scoreSamples.length) {
                assertEquals(f.scoreSamples[i], r.getDouble(r.fieldIndex("logDensity")), 1e-9 * Math.abs(f.scoreSamples[i]));
                List<Double> p = r.getList(r.fieldIndex("probabilities"));
                for (int j = 0; j < f.k; j++) {
                    assertEquals(f.predictProba[i][j], p.get(j), 1e-9, "row " + i + " component " + j);
                }
            }
        }
        String[] failures = new String[2];
        for (int p = 0; p < 2; p++) {
            Exception e = withInternalRows(p == 0, () -> assertThrows(Exception.class, () -> runJob("score", "--model",
                    model.toString(), "--input", input.toString(), "--output", dir.resolve("fail").toString())));
            failures[p] = e.getMessage();
        }
        assertTrue(failures[0].contains("column 'sepal_width' (2): the value is missing"), failures[0]);
        assertEquals(failures[1], failures[0]);
        assertTrue(Files.notExists(dir.resolve("fail/_SUCCESS")));
    }
}
