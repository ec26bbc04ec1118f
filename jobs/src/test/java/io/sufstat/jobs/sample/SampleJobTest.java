package io.sufstat.jobs.sample;

import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.jobs.ModelFiles;
import io.sufstat.jobs.SparkTest;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SampleJobTest extends SparkTest {

    @Test
    void drawsFollowTheModelAndDoNotDependOnPartitions() throws Exception {
        Path dir = tempDir("sample");
        GaussianMixture m = GaussianMixture.of(CovarianceType.FULL, new double[] {0.25, 0.75},
                new double[][] {{-3, 10}, {2, 10}}, new double[][] {{1, 0.5, 0.5, 2}, {0.5, -0.2, -0.2, 1}});
        Path model = ModelFiles.write(dir.resolve("model.json"), List.of("p", "q"), m);
        int n = 140_000;
        runJob("sample", "--model", model.toString(), "--output", dir.resolve("a").toString(), "--rows", Integer.toString(n),
                "--label", "--format", "parquet", "--partitions", "2", "--seed", "9");
        runJob("sample", "--model", model.toString(), "--output", dir.resolve("b").toString(), "--rows", Integer.toString(n),
                "--label", "--format", "parquet", "--partitions", "5", "--seed", "9");
        Dataset<Row> a = spark().read().parquet(dir.resolve("a").toString());
        Dataset<Row> b = spark().read().parquet(dir.resolve("b").toString());
        assertEquals(List.of("p", "q", "component"), List.of(a.columns()));
        assertEquals(n, a.count());
        assertEquals(0, a.exceptAll(b).count());
        // Component shares within 5 standard errors of the weights; per-component moments of component 1.
        long ones = a.filter("component = 1").count();
        assertEquals(0.75, ones / (double) n, 5 * Math.sqrt(0.75 * 0.25 / n));
        Row s = a.filter("component = 1").selectExpr("avg(p)", "avg(q)", "var_pop(p)", "covar_pop(p, q)").first();
        assertEquals(2, s.getDouble(0), 5 * Math.sqrt(0.5 / ones));
        assertEquals(10, s.getDouble(1), 5 * Math.sqrt(1.0 / ones));
        assertEquals(0.5, s.getDouble(2), 5 * Math.sqrt(2 * 0.25 / ones));
        assertEquals(-0.2, s.getDouble(3), 5 * Math.sqrt((0.5 + 0.04) / ones));
    }
}
