package io.sufstat.jobs.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sufstat.jobs.SparkTest;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerateJobTest extends SparkTest {

    @Test
    void sameSeedSameRowsWhateverThePartitions() throws Exception {
        Path dir = tempDir("gen");
        runJob("generate", "--output", dir.resolve("a").toString(), "--rows", "150000", "--dim", "3", "--components", "2",
                "--partitions", "2", "--format", "parquet", "--label");
        runJob("generate", "--output", dir.resolve("b").toString(), "--rows", "150000", "--dim", "3", "--components", "2",
                "--partitions", "7", "--format", "parquet", "--label");
        Dataset<Row> a = spark().read().parquet(dir.resolve("a").toString());
        Dataset<Row> b = spark().read().parquet(dir.resolve("b").toString());
        assertEquals(150000, a.count());
        assertEquals(0, a.exceptAll(b).count());
        assertEquals(0, b.exceptAll(a).count());
        assertTrue(Files.exists(dir.resolve("a/_SUCCESS")));
    }

    @Test
    void rowsFollowTheTruthWrittenBesideThem() throws Exception {
        Path dir = tempDir("gen-truth");
        Path out = dir.resolve("g");
        int n = 200_000;
        runJob("generate", "--output", out.toString(), "--rows", Integer.toString(n), "--dim", "2", "--offset", "100",
                "--scale", "3", "--seed", "11");
        JsonNode truth = new ObjectMapper().readTree(out.resolve("_truth.json").toFile());
        assertEquals("gaussian", truth.get("kind").asText());
        Dataset<Row> df = spark().read().option("header", "true").option("inferSchema", "true").csv(out.toString());
        assertEquals(List.of("x1", "x2"), List.of(df.columns()));
        Row m = df.agg(functions.avg("x1"), functions.avg("x2"), functions.var_pop("x1"), functions.covar_pop("x1", "x2")).first();
        double[] mean = {truth.get("mean").get(0).asDouble(), truth.get("mean").get(1).asDouble()};
        double v11 = truth.get("covariance").get(0).get(0).asDouble();
        double v22 = truth.get("covariance").get(1).get(1).asDouble();
        double v12 = truth.get("covariance").get(0).get(1).asDouble();
        assertEquals(mean[0], m.getDouble(0), 5 * Math.sqrt(v11 / n));
        assertEquals(mean[1], m.getDouble(1), 5 * Math.sqrt(v22 / n));
        assertEquals(v11, m.getDouble(2), 5 * Math.sqrt(2 * v11 * v11 / n));
        assertEquals(v12, m.getDouble(3), 5 * Math.sqrt((v11 * v22 + v12 * v12) / n));
    }
}
