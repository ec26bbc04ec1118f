package io.sufstat.jobs.io;

import io.sufstat.jobs.CliRun;
import io.sufstat.jobs.SparkTest;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Numeric Parquet columns are read from Spark's internal rows, without a Row per record; the Row path
 * ({@code -Dsufstat.internalRows=false}) reads the same values, so both give the same bytes and the same messages.
 */
class DataFrameTableTest extends SparkTest {

    private static final StructType SCHEMA = DataTypes.createStructType(List.of(
            DataTypes.createStructField("d", DataTypes.DoubleType, true),
            DataTypes.createStructField("f", DataTypes.FloatType, true),
            DataTypes.createStructField("i", DataTypes.IntegerType, true),
            DataTypes.createStructField("l", DataTypes.LongType, true),
            DataTypes.createStructField("s", DataTypes.ShortType, true),
            DataTypes.createStructField("m", DataTypes.createDecimalType(12, 4), true),
            DataTypes.createStructField("w", DataTypes.IntegerType, true),
            DataTypes.createStructField("g", DataTypes.StringType, true)));

    private static Path parquet(Path dir, String name, boolean withNull) {
        List<Row> rows = new ArrayList<>();
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (int r = 0; r < 400; r++) {
            double x = rng.nextGaussian();
            rows.add(RowFactory.create(1e6 + x, (float) (2 * x + rng.nextGaussian()), r % 17, (long) (r * r % 1009),
                    (short) (r % 7), new BigDecimal(String.format("%.4f", 3 * x + rng.nextGaussian())), 1 + r % 3,
                    r % 2 == 0 ? "a" : "b"));
        }
        if (withNull) {
            rows.set(123, RowFactory.create(1.0, 2f, 3, 4L, (short) 5, null, 1, "a"));
        }
        Path p = dir.resolve(name);
        spark().createDataFrame(rows, SCHEMA).coalesce(2).write().parquet(p.toString());
        return p;
    }

    private static CliRun run(boolean internal, String... args) throws Exception {
        return withInternalRows(internal, () -> CliRun.of(args));
    }

    @Test
    void internalRowsAndRowsReadTheSameValues() throws Exception {
        Path dir = tempDir("dataframe-table");
        Path data = parquet(dir, "data", false);
        for (String[] extra : new String[][] {{}, {"--group-by", "g"}}) {
            List<byte[]> models = new ArrayList<>();
            for (boolean internal : new boolean[] {true, false}) {
                Path out = dir.resolve("out-" + internal + extra.length);
                List<String> args = new ArrayList<>(List.of("mle", "--input", data.toString(), "--output", out.toString(),
                        "--features", "d,f,i,l,s,m", "--weight-col", "w", "--report", "false"));
                args.addAll(List.of(extra));
                CliRun r = run(internal, args.toArray(new String[0]));
                assertEquals(0, r.exit(), String.join("\n", r.log()));
                models.add(extra.length == 0 ? Files.readAllBytes(out.resolve("model.json"))
                        : allLines(out.resolve("models/json")));
            }
            assertArrayEquals(models.get(0), models.get(1), "the same result by both paths " + List.of(extra));
        }
        // A null value: the same one-line message, naming the file and row, by both paths.
        Path bad = parquet(dir, "bad", true);
        String[] lines = new String[2];
        for (int p = 0; p < 2; p++) {
            CliRun r = run(p == 0, "mle", "--input", bad.toString(), "--output", dir.resolve("bad-out").toString(),
                    "--features", "d,f,i,l,s,m");
            assertEquals(3, r.exit());
            lines[p] = r.failureLine();
        }
        assertTrue(lines[0].contains("column 'm' (6): the value is missing"), lines[0]);
        assertTrue(lines[0].matches(".*part-.*\\.parquet row \\d+.*"), lines[0]);
        assertEquals(lines[1].replaceAll("^\\S+ \\S+ ", ""), lines[0].replaceAll("^\\S+ \\S+ ", ""));
    }

    /** Every line of a Spark output's part files, sorted (the rows, whatever files they landed in). */
    private static byte[] allLines(Path dir) throws java.io.IOException {
        List<String> lines = new ArrayList<>();
        try (var s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
                lines.addAll(Files.readAllLines(p));
            }
        }
        java.util.Collections.sort(lines);
        assertEquals(2, lines.size(), "two groups");
        return String.join("\n", lines).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
