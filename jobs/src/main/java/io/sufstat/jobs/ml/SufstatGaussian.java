package io.sufstat.jobs.ml;

import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.stats.CovarianceEstimator;
import io.sufstat.jobs.io.TableSource;
import io.sufstat.jobs.mle.MleJob;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

import java.util.List;
import java.util.Optional;

/**
 * The maximum-likelihood Gaussian (the {@code mle} job: one pass of mergeable moment summaries, shifted
 * and pairwise-merged) as a Spark ML {@link Estimator}. Its model is a {@link SufstatGaussianMixtureModel}
 * of one component — in sufstat a Gaussian is a mixture of one everywhere — so it transforms, saves,
 * loads and exports like the mixture's: {@code logDensity} is the column of interest,
 * {@code prediction} is always 0.
 */
public final class SufstatGaussian extends Estimator<SufstatGaussianMixtureModel> implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> featuresCol;
    private final Param<String> weightCol;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private final Param<String> logDensityCol;
    private final DoubleParam regCovar;
    private final BooleanParam unbiased;

    public SufstatGaussian() {
        this(Identifiable$.MODULE$.randomUID("sufstatGaussian"));
    }

    public SufstatGaussian(String uid) {
        this.uid = uid;
        featuresCol = new Param<>(this, "featuresCol", "features column (Spark ML vector)");
        weightCol = new Param<>(this, "weightCol", "row weight column; empty for unit weights");
        predictionCol = new Param<>(this, "predictionCol", "model output column: always 0");
        probabilityCol = new Param<>(this, "probabilityCol", "model output column: [1.0]");
        logDensityCol = new Param<>(this, "logDensityCol", "model output column: log-density; empty for none");
        regCovar = new DoubleParam(this, "regCovar", "added to the covariance diagonal", ParamValidators.gtEq(0));
        unbiased = new BooleanParam(this, "unbiased", "divide by W − Σw²/W (n − 1 for unit weights) instead of W");
        setDefault(featuresCol, "features");
        setDefault(weightCol, "");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
        setDefault(logDensityCol, "logDensity");
        setDefault(regCovar, 0.0);
        setDefault(unbiased, false);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> weightCol() {
        return weightCol;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public Param<String> logDensityCol() {
        return logDensityCol;
    }

    public DoubleParam regCovar() {
        return regCovar;
    }

    public BooleanParam unbiased() {
        return unbiased;
    }

    public SufstatGaussian setFeaturesCol(String v) {
        set(featuresCol, v);
        return this;
    }

    public SufstatGaussian setWeightCol(String v) {
        set(weightCol, v);
        return this;
    }

    public SufstatGaussian setRegCovar(double v) {
        set(regCovar, v);
        return this;
    }

    public SufstatGaussian setUnbiased(boolean v) {
        set(unbiased, v);
        return this;
    }

    @Override
    public SufstatGaussianMixtureModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        String weight = (String) $(weightCol);
        TableSource table = TableSource.of(dataset.toDF(), List.of(), Optional.of((String) $(featuresCol)),
                weight.isEmpty() ? Optional.empty() : Optional.of(weight), false, "the training DataFrame");
        try {
            MleJob.Fit fit = MleJob.fit(table, (Boolean) $(unbiased) ? CovarianceEstimator.UNBIASED
                    : CovarianceEstimator.MAXIMUM_LIKELIHOOD, (Double) $(regCovar), "the training DataFrame");
            GaussianMixture m = GaussianMixture.of(CovarianceType.FULL, new double[] {1.0},
                    new double[][] {fit.gaussian().mean()}, new double[][] {fit.gaussian().covariance()});
            SufstatGaussianMixtureModel model = new SufstatGaussianMixtureModel(uid, m, table.features(),
                    fit.logLikelihood(), 1, true);
            copyValues(model.setParent(this), ParamMap.empty());
            return model;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return MixtureParams.transformSchema(schema, new String[0], (String) $(featuresCol), (String) $(predictionCol),
                (String) $(probabilityCol), (String) $(logDensityCol), "");
    }

    @Override
    public SufstatGaussian copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<SufstatGaussian> read() {
        return new org.apache.spark.ml.util.DefaultParamsReader<>();
    }

    public static SufstatGaussian load(String path) {
        return read().load(path);
    }
}
