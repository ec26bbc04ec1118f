package io.sufstat.jobs.impute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.jobs.ModelFiles;
import io.sufstat.jobs.SparkTest;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImputeJobTest extends SparkTest {

    static final double[] MEAN = {1.0, -2.0, 0.5};
    static final double[] COV = {2.0, 1.2, -0.6, 1.2, 1.5, -0.3, -0.6, -0.3, 1.0};

    @Test
    void gaussianImputationIsTheClosedFormConditionalMeanAndBeatsTheMean() throws Exception {
        Path dir = tempDir("impute");
        GaussianMixture m = ModelFiles.single(MEAN, COV);
        Path model = ModelFiles.write(dir.resolve("model.json"), List.of("a", "b", "c"), m);
        // Rows from the model, then 20% of the cells removed at random (rows keep an id to compare).
        SplittableRandom rng = new SplittableRandom(17);
        int n = 3000;
        double[][] truth = new double[n][];
        Object[][] rows = new Object[n][];
        long[] removed = new long[3];
        for (int i = 0; i < n; i++) {
            truth[i] = m.sample(rng);
            rows[i] = new Object[] {i, truth[i][0], truth[i][1], truth[i][2]};
            for (int j = 0; j < 3; j++) {
                if (rng.nextDouble() < 0.2) {
                    rows[i][j + 1] = null;
                    removed[j]++;
                }
            }
        }
        Path input = ModelFiles.csv(dir.resolve("in.csv"), List.of("id", "a", "b", "c"), rows);
        runJob("impute", "--model", model.toString(), "--input", input.toString(), "--output",
                dir.resolve("out").toString(), "--output-format", "parquet", "--variance-columns");
        List<Row> out = new ArrayList<>(spark().read().parquet(dir.resolve("out").toString()).collectAsList());
        out.sort(Comparator.comparingInt(r -> Integer.parseInt(r.getString(0))));
        assertEquals(n, out.size());
        double errModel = 0;
        double errMean = 0;
        int cells = 0;
        for (int i = 0; i < n; i++) {
            Row r = out.get(i);
            for (int j = 0; j < 3; j++) {
                double v = r.getDouble(j + 1);
                double var = r.getDouble(r.fieldIndex(List.of("a", "b", "c").get(j) + "_variance"));
                if (rows[i][j + 1] != null) {
                    assertEquals(truth[i][j], v, 0, "observed values unchanged");
                    assertEquals(0.0, var);
                } else {
                    errModel += (v - truth[i][j]) * (v - truth[i][j]);
                    errMean += (MEAN[j] - truth[i][j]) * (MEAN[j] - truth[i][j]);
                    cells++;
                    assertTrue(var > 0 && var <= COV[j * 4] + 1e-12);
                }
            }
            // One missing coordinate, two observed: compare with μ_m + Σ_mo Σ_oo⁻¹ (x_o − μ_o) by 2×2 inverse.
            int missingAt = -1;
            int count = 0;
            for (int j = 0; j < 3; j++) {
                if (rows[i][j + 1] == null) {
                    missingAt = j;
                    count++;
                }
            }
            if (count == 1) {
                int o1 = missingAt == 0 ? 1 : 0;
                int o2 = missingAt == 2 ? 1 : 2;
                double s11 = COV[o1 * 3 + o1], s12 = COV[o1 * 3 + o2], s22 = COV[o2 * 3 + o2];
                double det = s11 * s22 - s12 * s12;
                double d1 = truth[i][o1] - MEAN[o1], d2 = truth[i][o2] - MEAN[o2];
                double w1 = (s22 * d1 - s12 * d2) / det, w2 = (-s12 * d1 + s11 * d2) / det;
                double expect = MEAN[missingAt] + COV[missingAt * 3 + o1] * w1 + COV[missingAt * 3 + o2] * w2;
                assertEquals(expect, r.getDouble(missingAt + 1), 1e-12);
            }
            if (count == 3) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(MEAN[j], r.getDouble(j + 1), 1e-15, "all missing: the mean");
                }
            }
        }
        assertTrue(errModel < 0.8 * errMean, "conditional means " + errModel / cells + " vs mean imputation " + errMean / cells);
        JsonNode metrics = new ObjectMapper().readTree(dir.resolve("out/_metrics.json").toFile());
        assertEquals(removed[0], metrics.get("imputedCells").get("a").asLong());
        assertEquals(removed[2], metrics.get("imputedCells").get("c").asLong());
        assertEquals(removed[0] + removed[1] + removed[2], metrics.get("imputedCellsTotal").asLong());
    }

    @Test
    void drawsAreSeededAndMixturesUseTheObservedMarginals() throws Exception {
        Path dir = tempDir("impute-mix");
        GaussianMixture m = GaussianMixture.of(CovarianceType.FULL, new double[] {0.5, 0.5},
                new double[][] {{-10, -10}, {10, 10}}, new double[][] {{1, 0.8, 0.8, 1}, {1, 0.8, 0.8, 1}});
        Path model = ModelFiles.write(dir.resolve("model.json"), List.of("x", "y"), m);
        Path input = ModelFiles.csv(dir.resolve("in.csv"), List.of("x", "y"),
                new Object[][] {{-9.0, null}, {11.0, null}, {null, null}, {"NaN", 3.0}});
        runJob("impute", "--model", model.toString(), "--input", input.toString(), "--output", dir.resolve("mean").toString());
        List<Row> rows = spark().read().option("header", "true").option("inferSchema", "true")
                .csv(dir.resolve("mean").toString()).collectAsList();
        // x = −9 lies in component 0 (posterior 1 to rounding): E[y | x] = −10 + 0.8·(−9 + 10).
        assertEquals(-9.2, rows.get(0).getDouble(1), 1e-12);
        assertEquals(10.8, rows.get(1).getDouble(1), 1e-12);
        assertEquals(0.0, rows.get(2).getDouble(0), 1e-12, "all missing: Σ π_k μ_k");
        assertEquals(3.0, rows.get(3).getDouble(1), 0);
        for (String run : List.of("d1", "d2")) {
            runJob("impute", "--model", model.toString(), "--input", input.toString(), "--output",
                    dir.resolve(run).toString(), "--draw", "--seed", "5");
        }
        var d1 = spark().read().option("header", "true").csv(dir.resolve("d1").toString());
        var d2 = spark().read().option("header", "true").csv(dir.resolve("d2").toString());
        assertEquals(0, d1.exceptAll(d2).count(), "same seed, same draws");
        assertTrue(d1.exceptAll(spark().read().option("header", "true").csv(dir.resolve("mean").toString())).count() > 0);
    }

    /**
     * Parquet input with numeric features is imputed from Spark's internal rows and written as internal rows:
     * the same rows as the {@code Row} path (an int feature becomes double; a string column and nulls pass
     * through; draws and variance columns included), and the same counts.
     */
    @Test
    void parquetIsImputedFromInternalRowsLikeTheRowPath() throws Exception {
        Path dir = tempDir("impute-internal");
        GaussianMixture m = GaussianMixture.of(CovarianceType.FULL, new double[] {0.4, 0.6},
                new double[][] {{0, 0, 0}, {3, -1, 2}}, new double[][] {COV, {1, 0.2, 0, 0.2, 1, 0, 0, 0, 1}});
        Path model = ModelFiles.write(dir.resolve("model.json"), List.of("a", "b", "c"), m);
        SplittableRandom rng = new SplittableRandom(5);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            double[] x = m.sample(rng);
            rows.add(org.apache.spark.sql.RowFactory.create(i, i % 5 == 0 ? null : "r" + i,
                    rng.nextDouble() < 0.2 ? null : x[0], rng.nextDouble() < 0.2 ? null : (int) Math.round(x[1]),
                    rng.nextDouble() < 0.1 ? Double.NaN : x[2]));
        }
        var schema = org.apache.spark.sql.types.DataTypes.createStructType(List.of(
                org.apache.spark.sql.types.DataTypes.createStructField("id", org.apache.spark.sql.types.DataTypes.IntegerType, false),
                org.apache.spark.sql.types.DataTypes.createStructField("tag", org.apache.spark.sql.types.DataTypes.StringType, true),
                org.apache.spark.sql.types.DataTypes.createStructField("a", org.apache.spark.sql.types.DataTypes.DoubleType, true),
                org.apache.spark.sql.types.DataTypes.createStructField("b", org.apache.spark.sql.types.DataTypes.IntegerType, true),
                org.apache.spark.sql.types.DataTypes.createStructField("c", org.apache.spark.sql.types.DataTypes.DoubleType, true)));
        Path input = dir.resolve("in");
        spark().createDataFrame(rows, schema).repartition(2).write().parquet(input.toString());
        for (String[] extra : new String[][] {{"--variance-columns"}, {"--draw"}}) {
            List<List<Row>> outputs = new ArrayList<>();
            List<JsonNode> cells = new ArrayList<>();
            for (boolean internal : new boolean[] {true, false}) {
                Path out = dir.resolve("out-" + extra[0] + internal);
                withInternalRows(internal, () -> {
                    List<String> args = new ArrayList<>(List.of("--model", model.toString(), "--input", input.toString(),
                            "--output", out.toString()));
                    args.addAll(List.of(extra));
                    runJob("impute", args.toArray(new String[0]));
                    return null;
                });
                outputs.add(spark().read().parquet(out.toString()).orderBy("id").collectAsList());
                cells.add(new ObjectMapper().readTree(out.resolve("_metrics.json").toFile()).get("imputedCells"));
            }
            assertEquals(outputs.get(1), outputs.get(0), "the same rows by both paths " + extra[0]);
            assertEquals(cells.get(1), cells.get(0));
            assertEquals(500, outputs.get(0).size());
            Row first = outputs.get(0).get(0);
            assertEquals(null, first.get(1), "a null in a column that is not a feature stays null");
            for (Row r : outputs.get(0)) {
                for (int j = 2; j < 5; j++) {
                    assertTrue(Double.isFinite(r.getDouble(j)), "every feature filled: " + r);
                }
            }
        }
    }
}
