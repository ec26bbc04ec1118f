package io.sufstat.jobs.tmm;

import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.TMixture;
import io.sufstat.jobs.CliRun;
import io.sufstat.jobs.SparkTest;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.ModelJson;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** score, sample and impute read a t-mixture model as the t-mixture it is. */
class TMixtureUseTest extends SparkTest {

    static final TMixture MODEL = TMixture.of(GaussianMixture.of(CovarianceType.FULL, new double[] {0.6, 0.4},
            new double[][] {{0, 0}, {6, 1}}, new double[][] {{1, 0.3, 0.3, 2}, {0.5, 0, 0, 0.5}}), new double[] {5, 12});

    static Path write(Path dir) throws Exception {
        Path m = dir.resolve("t.json");
        Files.writeString(m, Json.write(ModelJson.tMixture(List.of("a", "b"), MODEL)));
        return m;
    }

    @Test
    void scoreGivesTheDensityAndTheLatentWeight() throws Exception {
        Path dir = tempDir("t-score");
        Path model = write(dir);
        Files.writeString(dir.resolve("in.csv"), "a,b\n0.1,0.2\n6.2,0.8\n40,-35\n");
        CliRun r = CliRun.of("score", "--model", model.toString(), "--input", dir.resolve("in.csv").toString(), "--output",
                dir.resolve("out").toString(), "--output-format", "parquet");
        assertEquals(0, r.exit(), String.join("\n", r.log()));
        List<Row> rows = spark().read().parquet(dir.resolve("out").toString()).orderBy(org.apache.spark.sql.functions.col("a")
                .cast("double")).collectAsList();
        double[][] x = {{0.1, 0.2}, {6.2, 0.8}, {40, -35}};
        for (int i = 0; i < 3; i++) {
            Row row = rows.get(i);
            assertEquals(MODEL.logDensity(x[i]), row.getDouble(row.fieldIndex("logDensity")), 1e-12, "row " + i);
        }
        double typical = rows.get(0).getDouble(rows.get(0).fieldIndex("tWeight"));
        double outlier = rows.get(2).getDouble(rows.get(2).fieldIndex("tWeight"));
        assertTrue(typical > 0.8 && outlier < 0.05, "tWeight " + typical + " / " + outlier);
    }

    @Test
    void samplesHaveTheTsCovariance() throws Exception {
        Path dir = tempDir("t-sample");
        TMixture one = TMixture.of(GaussianMixture.of(CovarianceType.FULL, new double[] {1}, new double[][] {{1, -1}},
                new double[][] {{2, 0.5, 0.5, 1}}), new double[] {6});
        Path model = dir.resolve("t1.json");
        Files.writeString(model, Json.write(ModelJson.tMixture(List.of("a", "b"), one)));
        assertEquals(0, CliRun.of("sample", "--model", model.toString(), "--output", dir.resolve("s").toString(), "--rows",
                "200000", "--format", "parquet").exit());
        Row m = spark().read().parquet(dir.resolve("s").toString()).selectExpr("var_pop(a)", "covar_pop(a, b)", "avg(b)")
                .first();
        // Cov = ν/(ν − 2) Σ = 1.5 Σ; the sampling error of these at 200,000 draws is below 2%.
        assertEquals(3.0, m.getDouble(0), 0.06);
        assertEquals(0.75, m.getDouble(1), 0.03);
        assertEquals(-1.0, m.getDouble(2), 0.01);
    }

    @Test
    void imputeUsesTheTMarginalsForThePosteriors() throws Exception {
        Path dir = tempDir("t-impute");
        Path model = write(dir);
        Files.writeString(dir.resolve("in.csv"), "a,b\n3.3,\n");
        assertEquals(0, CliRun.of("impute", "--model", model.toString(), "--input", dir.resolve("in.csv").toString(),
                "--output", dir.resolve("out").toString(), "--output-format", "parquet").exit());
        double b = spark().read().parquet(dir.resolve("out").toString()).first().getDouble(1);
        // By hand: r_k ∝ π_k t_νk(a; μ_k,a, Σ_k,aa) (univariate t marginals), E[b | a, k] = μ_b + Σ_ba/Σ_aa (a − μ_a).
        double a = 3.3;
        double[] lr = new double[2];
        double[] mean = new double[2];
        for (int k = 0; k < 2; k++) {
            double[] mu = MODEL.scales().component(k).mean();
            double[] s = MODEL.scales().component(k).covariance();
            double nu = MODEL.degreesOfFreedom(k);
            double delta = (a - mu[0]) * (a - mu[0]) / s[0];
            lr[k] = Math.log(MODEL.scales().weight(k)) + io.sufstat.common.special.Gamma.logGamma((nu + 1) / 2)
                    - io.sufstat.common.special.Gamma.logGamma(nu / 2) - 0.5 * Math.log(nu * Math.PI * s[0])
                    - (nu + 1) / 2 * Math.log1p(delta / nu);
            mean[k] = mu[1] + s[2] / s[0] * (a - mu[0]);
        }
        double r0 = 1 / (1 + Math.exp(lr[1] - lr[0]));
        assertEquals(r0 * mean[0] + (1 - r0) * mean[1], b, 1e-12);
    }
}
