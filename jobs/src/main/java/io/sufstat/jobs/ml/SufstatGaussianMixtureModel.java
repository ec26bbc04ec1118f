package io.sufstat.jobs.ml;

import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.BlockDensity;
import io.sufstat.common.model.MixtureKernel;
import io.sufstat.common.model.TMixture;
import io.sufstat.common.model.TMixtureKernel;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.ModelJson;
import io.sufstat.jobs.spark.KernelBlocks;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.stat.distribution.MultivariateGaussian;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.SpecificInternalRow;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import scala.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A fitted mixture ({@link SufstatGaussianMixture}, {@link SufstatTMixture} or
 * {@link SufstatBayesianGaussianMixture}'s point estimate): transforms a DataFrame by adding the most probable component,
 * the posterior probabilities and the log-density of each row (block kernels, log-sum-exp). Saved as
 * Spark ML parameter metadata plus the mixture as sufstat's {@code model.json} under {@code data/};
 * converts to and from Spark MLlib's {@code GaussianMixtureModel} (full covariances).
 */
public final class SufstatGaussianMixtureModel extends Model<SufstatGaussianMixtureModel> implements MLWritable, HasMixtureParams {
    private static final long serialVersionUID = 1L;
    static final int BLOCK = 2048;

    private final String uid;
    private final MixtureParams p;
    private final GaussianMixture mixture;
    /** A Student-t mixture's own parameters when the model is one (its locations and scales are {@link #mixture}). */
    private final TMixture tMixture;
    private final List<String> features;
    private final double logLikelihood;
    private final int iterations;
    private final boolean converged;

    SufstatGaussianMixtureModel(String uid, GaussianMixture mixture, List<String> features, double logLikelihood,
                                int iterations, boolean converged) {
        this(uid, mixture, null, features, logLikelihood, iterations, converged);
    }

    /** A Student-t mixture's model: rows are scored with t densities and posteriors. */
    SufstatGaussianMixtureModel(String uid, TMixture t, List<String> features, double logLikelihood, int iterations,
                                boolean converged) {
        this(uid, t.scales(), t, features, logLikelihood, iterations, converged);
    }

    private SufstatGaussianMixtureModel(String uid, GaussianMixture mixture, TMixture t, List<String> features,
                                        double logLikelihood, int iterations, boolean converged) {
        this.uid = uid;
        this.p = new MixtureParams(this);
        p.setDefaults(this);
        this.mixture = mixture;
        this.tMixture = t;
        this.features = List.copyOf(features);
        this.logLikelihood = logLikelihood;
        this.iterations = iterations;
        this.converged = converged;
        set(p.k, mixture.size());
        set(p.covarianceType, mixture.covarianceType().label());
    }

    /** A model of a given mixture (e.g. read from a {@code gmm} job's model.json), features named f[0], f[1], …. */
    public static SufstatGaussianMixtureModel of(GaussianMixture mixture, List<String> features) {
        return new SufstatGaussianMixtureModel(org.apache.spark.ml.util.Identifiable$.MODULE$.randomUID("sufstatGmm"),
                mixture, features, Double.NaN, 0, false);
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public MixtureParams mixtureParams() {
        return p;
    }

    /** The fitted mixture (for a Student-t mixture, its weights, locations and scales). */
    public GaussianMixture mixture() {
        return mixture;
    }

    /** The Student-t mixture, when the model is one. */
    public java.util.Optional<TMixture> tMixture() {
        return java.util.Optional.ofNullable(tMixture);
    }

    private BlockDensity density() {
        return tMixture != null ? TMixtureKernel.of(tMixture) : MixtureKernel.of(mixture);
    }

    /** The feature names (from the vector column's attributes, or {@code col[i]}). */
    public List<String> features() {
        return features;
    }

    /** {@code Σ w log p(x)} of the training data (NaN for a model not fitted here). */
    public double logLikelihood() {
        return logLikelihood;
    }

    public int iterations() {
        return iterations;
    }

    public boolean converged() {
        return converged;
    }

    public SufstatGaussianMixtureModel setFeaturesCol(String v) {
        set(p.featuresCol, v);
        return this;
    }

    public SufstatGaussianMixtureModel setPredictionCol(String v) {
        set(p.predictionCol, v);
        return this;
    }

    public SufstatGaussianMixtureModel setProbabilityCol(String v) {
        set(p.probabilityCol, v);
        return this;
    }

    /** Numeric feature columns, read directly in model order (no vector column, no VectorAssembler). */
    public SufstatGaussianMixtureModel setInputCols(String... v) {
        set(p.inputCols, v.clone());
        return this;
    }

    public SufstatGaussianMixtureModel setLogDensityCol(String v) {
        set(p.logDensityCol, v);
        return this;
    }

    /** The column of a t-mixture's latent weights E[u | x] (empty for none; a Gaussian mixture adds none). */
    public SufstatGaussianMixtureModel setTWeightCol(String v) {
        set(p.tWeightCol, v);
        return this;
    }

    private String tWeightColumn() {
        return tMixture != null ? (String) $(p.tWeightCol) : "";
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return MixtureParams.transformSchema(schema, (String[]) $(p.inputCols), (String) $(p.featuresCol),
                (String) $(p.predictionCol),
                (String) $(p.probabilityCol), (String) $(p.logDensityCol), tWeightColumn());
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        Dataset<Row> df = dataset.toDF();
        String[] inputCols = (String[]) $(p.inputCols);
        if (inputCols.length > 0 && inputCols.length != mixture.dimension()) {
            throw new IllegalArgumentException("inputCols has " + inputCols.length + " columns but the model has "
                    + mixture.dimension() + " features " + features);
        }
        int at = inputCols.length > 0 ? -1 : df.schema().fieldIndex((String) $(p.featuresCol));
        io.sufstat.jobs.io.ScalarColumns scalars = inputCols.length > 0
                ? io.sufstat.jobs.io.ScalarColumns.of(df.schema(), List.of(inputCols)) : null;
        boolean withDensity = !((String) $(p.logDensityCol)).isEmpty();
        boolean withTWeight = !tWeightColumn().isEmpty();
        SparkSession spark = dataset.sparkSession();
        Broadcast<BlockDensity> kernel = new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext())
                .broadcast(density());
        int d = mixture.dimension();
        StructType added = new StructType(java.util.Arrays.copyOfRange(out.fields(), df.schema().size(), out.size()));
        StructType in = df.schema();
        // Spark's internal rows in and out: no Row object per record, no boxing of the added columns.
        JavaRDD<InternalRow> rows = df.queryExecution().toRdd().toJavaRDD().mapPartitions((Iterator<InternalRow> it) -> {
            BlockDensity k = kernel.value();
            int kk = k.components();
            VectorUDT vectors = new VectorUDT();
            SpecificInternalRow extra = new SpecificInternalRow(added);
            JoinedRow joined = new JoinedRow();
            return KernelBlocks.map(it, k, BLOCK, (r, values, off) -> scalars != null
                            ? readScalars(r, scalars, in, values, off) : readVector(r, at, d, in, values, off),
                    InternalRow::copy, (r, i, ws) -> {
                        double[] pr = new double[kk];
                        System.arraycopy(ws.responsibilities(), i * kk, pr, 0, kk);
                        extra.setInt(0, KernelBlocks.argmax(ws.responsibilities(), i, kk));
                        extra.update(1, vectors.serialize(new DenseVector(pr)));
                        int next = 2;
                        if (withDensity) {
                            extra.setDouble(next++, ws.logDensities()[i]);
                        }
                        if (withTWeight) {
                            extra.setDouble(next, ws.latentWeights()[i]);
                        }
                        return (InternalRow) joined.apply(r, extra);
                    }, () -> { });
        });
        return io.sufstat.jobs.spark.InternalFrames.of(spark, rows, out);
    }

    /** Puts the input columns of internal row {@code r} into {@code values[off …]}; fails on a null or non-finite value. */
    private static boolean readScalars(InternalRow r, io.sufstat.jobs.io.ScalarColumns scalars, StructType schema,
                                       double[] values, int off) {
        int bad = scalars.read(r, values, off);
        if (bad >= 0) {
            Row external = (Row) org.apache.spark.sql.catalyst.CatalystTypeConverters.createToScalaConverter(schema).apply(r);
            throw new IllegalArgumentException("row " + external + ": input column '" + scalars.name(bad)
                    + "' is null or not finite");
        }
        return true;
    }

    /** Puts the vector at column {@code at} of internal row {@code r} into {@code values[off …]}; fails on a null or a wrong size. */
    private static boolean readVector(InternalRow r, int at, int d, StructType schema, double[] values, int off) {
        InternalRow v = r.isNullAt(at) ? null : r.getStruct(at, 4);
        int size = v == null ? -1 : io.sufstat.jobs.io.ScalarColumns.vectorSize(v);
        if (size != d) {
            Row external = (Row) org.apache.spark.sql.catalyst.CatalystTypeConverters.createToScalaConverter(schema).apply(r);
            throw new IllegalArgumentException("row " + external + ": features must be a vector of size " + d
                    + ", got " + (v == null ? "null" : "size " + size));
        }
        io.sufstat.jobs.io.ScalarColumns.readVector(v, values, off, d);
        return true;
    }

    @Override
    public SufstatGaussianMixtureModel copy(ParamMap extra) {
        SufstatGaussianMixtureModel m = new SufstatGaussianMixtureModel(uid, mixture, tMixture, features, logLikelihood,
                iterations, converged);
        return copyValues(m, extra).setParent(parent());
    }

    /** Spark MLlib's model of the same mixture (every covariance type as full matrices), e.g. to save in its format. */
    public org.apache.spark.ml.clustering.GaussianMixtureModel toMllib() {
        int d = mixture.dimension();
        MultivariateGaussian[] g = new MultivariateGaussian[mixture.size()];
        for (int j = 0; j < g.length; j++) {
            // Column-major and row-major agree for a symmetric matrix.
            g[j] = new MultivariateGaussian(Vectors.dense(mixture.component(j).mean()),
                    new DenseMatrix(d, d, mixture.component(j).covariance()));
        }
        var m = new org.apache.spark.ml.clustering.GaussianMixtureModel(uid, mixture.weights(), g);
        m.set(m.k(), mixture.size());
        m.set(m.featuresCol(), (String) $(p.featuresCol));
        m.set(m.predictionCol(), (String) $(p.predictionCol));
        m.set(m.probabilityCol(), (String) $(p.probabilityCol));
        return m;
    }

    /** A model of MLlib's mixture (covariance type full), with MLlib's column names. */
    public static SufstatGaussianMixtureModel fromMllib(org.apache.spark.ml.clustering.GaussianMixtureModel m) {
        MultivariateGaussian[] g = m.gaussians();
        int d = g[0].mean().size();
        double[][] means = new double[g.length][];
        double[][] covs = new double[g.length][];
        for (int j = 0; j < g.length; j++) {
            means[j] = g[j].mean().toArray();
            Matrix c = g[j].cov();
            covs[j] = new double[d * d];
            for (int r = 0; r < d; r++) {
                for (int col = 0; col < d; col++) {
                    covs[j][r * d + col] = c.apply(r, col);
                }
            }
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < d; i++) {
            names.add(m.getFeaturesCol() + "[" + i + "]");
        }
        SufstatGaussianMixtureModel s = new SufstatGaussianMixtureModel(m.uid(),
                GaussianMixture.of(CovarianceType.FULL, m.weights(), means, covs), names, Double.NaN, 0, false);
        s.set(s.p.featuresCol, m.getFeaturesCol());
        s.set(s.p.predictionCol, m.getPredictionCol());
        s.set(s.p.probabilityCol, m.getProbabilityCol());
        return s;
    }

    @Override
    public MLWriter write() {
        SufstatGaussianMixtureModel self = this;
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                DefaultParamsWriter$.MODULE$.saveMetadata(self, path, sparkSession());
                Path file = new Path(path, "data/model.json");
                try {
                    FileSystem fs = file.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
                    try (FSDataOutputStream o = fs.create(file, true)) {
                        o.write(Json.write(tMixture != null ? ModelJson.tMixture(features, tMixture)
                                : ModelJson.mixture(features, mixture)).getBytes(StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("cannot write " + file, e);
                }
            }
        };
    }

    /** Spark ML's reader: parameters from the metadata, the mixture from {@code data/model.json}. */
    public static MLReader<SufstatGaussianMixtureModel> read() {
        return new MLReader<>() {
            @Override
            public SufstatGaussianMixtureModel load(String path) {
                DefaultParamsReader.Metadata meta = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
                        SufstatGaussianMixtureModel.class.getName());
                ModelJson.Loaded loaded = ModelJson.load(new Path(path, "data/model.json").toString(),
                        sparkSession().sparkContext().hadoopConfiguration());
                SufstatGaussianMixtureModel m = loaded.model() instanceof TMixture t
                        ? new SufstatGaussianMixtureModel(meta.uid(), t, loaded.features(), Double.NaN, 0, false)
                        : new SufstatGaussianMixtureModel(meta.uid(), loaded.mixture(), loaded.features(), Double.NaN, 0, false);
                meta.getAndSetParams(m, Option.empty());
                return m;
            }
        };
    }

    public static SufstatGaussianMixtureModel load(String path) {
        return read().load(path);
    }
}
