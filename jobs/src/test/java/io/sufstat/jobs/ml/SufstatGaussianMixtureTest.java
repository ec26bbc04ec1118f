package io.sufstat.jobs.ml;

import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.SklearnFixture;
import io.sufstat.jobs.SparkTest;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SufstatGaussianMixtureTest extends SparkTest {

    static Dataset<Row> table(double[][] x) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            rows.add(RowFactory.create(i, x[i][0], x[i][1], x[i][2]));
        }
        return spark().createDataFrame(rows, DataTypes.createStructType(List.of(
                DataTypes.createStructField("id", DataTypes.IntegerType, false),
                DataTypes.createStructField("a", DataTypes.DoubleType, false),
                DataTypes.createStructField("b", DataTypes.DoubleType, false),
                DataTypes.createStructField("c", DataTypes.DoubleType, false))));
    }

    @Test
    void pipelineFitsSavesLoadsAndTransformsTheSame() throws Exception {
        SklearnFixture f = SklearnFixture.load("blobs3d-full");
        Dataset<Row> df = table(f.x);
        SufstatGaussianMixture gmm = new SufstatGaussianMixture().setK(3).setInitMode("k-means++").setSeed(7)
                .setMaxIter(200).setTol(1e-10).setCovarianceType("full");
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
            new VectorAssembler().setInputCols(new String[] {"a", "b", "c"}).setOutputCol("features"), gmm});
        PipelineModel model = pipeline.fit(df);
        SufstatGaussianMixtureModel fitted = (SufstatGaussianMixtureModel) model.stages()[1];
        assertEquals(3, fitted.mixture().size());
        assertTrue(fitted.converged());
        // The same EM as the gmm job: the fitted mixture scores the data at least as well as scikit-learn's 8 iterations.
        GaussianMixture sk = GaussianMixture.of(f.type, f.weights, f.means, f.covariances);
        double ours = 0;
        double theirs = 0;
        for (double[] row : f.x) {
            ours += fitted.mixture().logDensity(row);
            theirs += sk.logDensity(row);
        }
        assertTrue(ours >= theirs - 1e-6, ours + " vs " + theirs);
        assertEquals(ours, fitted.logLikelihood(), 1e-9 * Math.abs(ours));

        Path dir = tempDir("ml-pipeline");
        model.write().overwrite().save(dir.resolve("model").toString());
        pipeline.write().overwrite().save(dir.resolve("pipeline").toString());
        PipelineModel loaded = PipelineModel.load(dir.resolve("model").toString());
        List<Row> a = model.transform(df).orderBy("id").collectAsList();
        List<Row> b = loaded.transform(df).orderBy("id").collectAsList();
        assertEquals(f.x.length, b.size());
        for (int i = 0; i < a.size(); i++) {
            Row ra = a.get(i);
            Row rb = b.get(i);
            assertEquals(ra.getInt(ra.fieldIndex("prediction")), rb.getInt(rb.fieldIndex("prediction")));
            assertArrayEquals(((Vector) ra.getAs("probability")).toArray(), ((Vector) rb.getAs("probability")).toArray(), 0);
            double ld = rb.getDouble(rb.fieldIndex("logDensity"));
            assertEquals(fitted.mixture().logDensity(f.x[i]), ld, 1e-12 * Math.abs(ld));
        }
        Pipeline again = Pipeline.load(dir.resolve("pipeline").toString());
        SufstatGaussianMixture est = (SufstatGaussianMixture) again.getStages()[1];
        assertEquals(3, (int) est.getOrDefault(est.k()));
        assertEquals("k-means++", est.getOrDefault(est.initMode()));
    }

    @Test
    void singleGaussianEstimatorIsTheMaximumLikelihoodFit() throws Exception {
        SklearnFixture f = SklearnFixture.load("iris-full");
        int n = f.x.length;
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(RowFactory.create(i, f.x[i][0], f.x[i][1], f.x[i][2]));
        }
        Dataset<Row> df = new VectorAssembler().setInputCols(new String[] {"a", "b", "c"}).setOutputCol("features")
                .transform(spark().createDataFrame(rows, table(f.x).schema()));
        SufstatGaussianMixtureModel m = new SufstatGaussian().fit(df);
        double[] mean = new double[3];
        for (double[] x : f.x) {
            for (int j = 0; j < 3; j++) {
                mean[j] += x[j] / n;
            }
        }
        double[] cov = new double[9];
        for (double[] x : f.x) {
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 3; c++) {
                    cov[r * 3 + c] += (x[r] - mean[r]) * (x[c] - mean[c]) / n;
                }
            }
        }
        assertArrayEquals(mean, m.mixture().component(0).mean(), 1e-14);
        assertArrayEquals(cov, m.mixture().component(0).covariance(), 1e-14);
        Row first = m.transform(df).orderBy("id").first();
        assertEquals(0, first.getInt(first.fieldIndex("prediction")));
        assertEquals(m.mixture().component(0).logDensity(new double[] {f.x[0][0], f.x[0][1], f.x[0][2]}),
                first.getDouble(first.fieldIndex("logDensity")), 1e-13);
    }

    @Test
    void convertsToAndFromMllibsOnDiskFormat() throws Exception {
        SklearnFixture f = SklearnFixture.load("blobs3d-full");
        GaussianMixture m = GaussianMixture.of(f.type, f.weights, f.means, f.covariances);
        SufstatGaussianMixtureModel ours = SufstatGaussianMixtureModel.of(m, List.of("a", "b", "c"));
        Path dir = tempDir("ml-mllib");
        String path = dir.resolve("mllib").toString();
        ours.toMllib().write().session(spark()).overwrite().save(path);
        var mllib = org.apache.spark.ml.clustering.GaussianMixtureModel.load(path);
        assertEquals(3, mllib.getK());
        assertArrayEquals(m.weights(), mllib.weights(), 0);
        // MLlib transforms with the exported parameters: its posteriors agree with scikit-learn's.
        Dataset<Row> df = new VectorAssembler().setInputCols(new String[] {"a", "b", "c"}).setOutputCol("features")
                .transform(table(f.x)).orderBy("id");
        List<Row> rows = mllib.transform(df).collectAsList();
        for (int i = 0; i < f.predictProba.length; i++) {
            double[] p = ((Vector) rows.get(i).getAs("probability")).toArray();
            assertArrayEquals(f.predictProba[i], p, 1e-6);
        }
        SufstatGaussianMixtureModel back = SufstatGaussianMixtureModel.fromMllib(mllib);
        for (int j = 0; j < 3; j++) {
            assertArrayEquals(m.component(j).mean(), back.mixture().component(j).mean(), 0);
            assertArrayEquals(m.component(j).covariance(), back.mixture().component(j).covariance(), 0);
        }
        List<Row> ourRows = back.transform(df).collectAsList();
        for (int i = 0; i < f.predictProba.length; i++) {
            assertArrayEquals(f.predictProba[i], ((Vector) ourRows.get(i).getAs("probability")).toArray(), 1e-9);
        }
    }

    /**
     * The estimator reads its vector column from Spark's internal rows, dense or sparse: the same mixture as
     * the {@code Row} path, to the last bit; the model's transform (internal rows in and out) gives the same
     * rows for sparse and dense copies of the data.
     */
    @Test
    void denseAndSparseVectorsFitAndTransformAlikeByBothPaths() throws Exception {
        SklearnFixture f = SklearnFixture.load("blobs3d-full");
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < f.x.length; i++) {
            // Every fourth row has an exact zero, which a sparse vector leaves out.
            double[] x = f.x[i].clone();
            if (i % 4 == 0) {
                x[1] = 0;
            }
            Vector dense = org.apache.spark.ml.linalg.Vectors.dense(x);
            rows.add(RowFactory.create(i, dense, dense.toSparse()));
        }
        Dataset<Row> df = spark().createDataFrame(rows, DataTypes.createStructType(List.of(
                DataTypes.createStructField("id", DataTypes.IntegerType, false),
                DataTypes.createStructField("dense", org.apache.spark.ml.linalg.SQLDataTypes.VectorType(), false),
                DataTypes.createStructField("sparse", org.apache.spark.ml.linalg.SQLDataTypes.VectorType(), false))))
                .repartition(3);
        List<double[]> fits = new ArrayList<>();
        List<SufstatGaussianMixtureModel> models = new ArrayList<>();
        for (String column : List.of("dense", "sparse")) {
            for (boolean internal : new boolean[] {true, false}) {
                SufstatGaussianMixtureModel m = withInternalRows(internal, () -> new SufstatGaussianMixture().setK(3)
                        .setSeed(7).setMaxIter(50).setTol(1e-8).setFeaturesCol(column).fit(df));
                models.add(m);
                double[] means = new double[10];
                for (int j = 0; j < 3; j++) {
                    System.arraycopy(m.mixture().component(j).mean(), 0, means, 3 * j, 3);
                }
                means[9] = m.logLikelihood();
                fits.add(means);
            }
        }
        assertArrayEquals(fits.get(0), fits.get(1), "dense vectors: internal rows and Rows give the same bits");
        assertArrayEquals(fits.get(2), fits.get(3), "sparse vectors: internal rows and Rows give the same bits");
        for (int i = 0; i < 10; i++) {
            // repartition(3) under a column selection places rows by the selected column's bytes, so the two columns
            // are partitioned differently and their statistics summed in another order: equal to rounding.
            assertEquals(fits.get(0)[i], fits.get(2)[i], 1e-12 * Math.max(1, Math.abs(fits.get(0)[i])), "dense vs sparse " + i);
        }
        SufstatGaussianMixtureModel model = models.get(0);
        List<Row> dense = model.setFeaturesCol("dense").transform(df).orderBy("id").collectAsList();
        List<Row> sparse = model.setFeaturesCol("sparse").transform(df).orderBy("id").collectAsList();
        assertEquals(f.x.length, dense.size());
        for (int i = 0; i < dense.size(); i++) {
            Row a = dense.get(i);
            Row b = sparse.get(i);
            assertEquals(a.getInt(3), b.getInt(3), "prediction of row " + i);
            assertEquals(a.get(4), b.get(4), "posteriors of row " + i);
            assertEquals(1.0, java.util.Arrays.stream(((Vector) a.get(4)).toArray()).sum(), 1e-12);
            assertEquals(a.get(1), b.get(1), "input columns pass through");
        }
    }

    /**
     * inputCols reads numeric columns directly, without a VectorAssembler: the same mixture, to the last bit, as the
     * assembled vector column, and the same transform; a null input value and a non-numeric column are refused.
     */
    @Test
    void inputColsFitAndTransformLikeAnAssembledVector() throws Exception {
        SklearnFixture f = SklearnFixture.load("blobs3d-full");
        Dataset<Row> df = table(f.x);
        Dataset<Row> assembled = new VectorAssembler().setInputCols(new String[] {"a", "b", "c"}).setOutputCol("features")
                .transform(df);
        SufstatGaussianMixtureModel byVector = new SufstatGaussianMixture().setK(3).setSeed(7).setMaxIter(30)
                .fit(assembled);
        SufstatGaussianMixtureModel byColumns = new SufstatGaussianMixture().setK(3).setSeed(7).setMaxIter(30)
                .setInputCols("a", "b", "c").fit(df);
        assertEquals(byVector.logLikelihood(), byColumns.logLikelihood(), 0.0);
        for (int j = 0; j < 3; j++) {
            assertArrayEquals(byVector.mixture().component(j).covariance(), byColumns.mixture().component(j).covariance(),
                    0.0);
        }
        assertEquals(List.of("a", "b", "c"), byColumns.features(), "the columns name the features");
        List<Row> a = byVector.transform(assembled).orderBy("id").select("id", "prediction", "probability", "logDensity")
                .collectAsList();
        List<Row> b = byColumns.transform(df).orderBy("id").select("id", "prediction", "probability", "logDensity")
                .collectAsList();
        assertEquals(a, b);
        List<Row> rows = new ArrayList<>(df.collectAsList());
        rows.add(RowFactory.create(-1, 1.0, null, 2.0));
        Dataset<Row> withNull = spark().createDataFrame(rows, DataTypes.createStructType(java.util.Arrays.stream(
                df.schema().fields()).map(c -> DataTypes.createStructField(c.name(), c.dataType(), true)).toList()));
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> byColumns.transform(withNull).collectAsList());
        assertTrue(String.valueOf(e.getMessage()).contains("input column 'b' is null or not finite"), e.getMessage());
        IllegalArgumentException schema = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new SufstatGaussianMixture().setInputCols("a", "id2").fit(df.withColumn("id2",
                        org.apache.spark.sql.functions.lit("x"))));
        assertTrue(schema.getMessage().contains("input column 'id2' has type string"), schema.getMessage());
    }
}
