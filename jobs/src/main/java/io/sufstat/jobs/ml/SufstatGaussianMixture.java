package io.sufstat.jobs.ml;

import io.sufstat.jobs.gmm.MixtureFitter;
import io.sufstat.jobs.io.TableSource;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

import java.util.List;
import java.util.Optional;

/**
 * sufstat's Gaussian mixture EM as a Spark ML {@link Estimator}: usable in a {@code Pipeline}, with
 * MLlib's parameter names, persisted with Spark ML's parameter metadata. {@link #fit} runs the same
 * distributed EM as the {@code gmm} job (block cache, level-3 kernels, log-space E-step, scikit-learn's
 * M-step) on the features vector column.
 */
public final class SufstatGaussianMixture extends Estimator<SufstatGaussianMixtureModel> implements DefaultParamsWritable, HasMixtureParams {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final MixtureParams p;

    public SufstatGaussianMixture() {
        this(Identifiable$.MODULE$.randomUID("sufstatGmm"));
    }

    public SufstatGaussianMixture(String uid) {
        this.uid = uid;
        this.p = new MixtureParams(this);
        p.setDefaults(this);
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public MixtureParams mixtureParams() {
        return p;
    }

    public SufstatGaussianMixture setK(int v) {
        set(p.k, v);
        return this;
    }

    public SufstatGaussianMixture setMaxIter(int v) {
        set(p.maxIter, v);
        return this;
    }

    public SufstatGaussianMixture setTol(double v) {
        set(p.tol, v);
        return this;
    }

    public SufstatGaussianMixture setSeed(long v) {
        set(p.seed, v);
        return this;
    }

    public SufstatGaussianMixture setFeaturesCol(String v) {
        set(p.featuresCol, v);
        return this;
    }

    public SufstatGaussianMixture setWeightCol(String v) {
        set(p.weightCol, v);
        return this;
    }

    public SufstatGaussianMixture setPredictionCol(String v) {
        set(p.predictionCol, v);
        return this;
    }

    public SufstatGaussianMixture setProbabilityCol(String v) {
        set(p.probabilityCol, v);
        return this;
    }

    public SufstatGaussianMixture setLogDensityCol(String v) {
        set(p.logDensityCol, v);
        return this;
    }

    public SufstatGaussianMixture setCovarianceType(String v) {
        set(p.covarianceType, v);
        return this;
    }

    public SufstatGaussianMixture setRegCovar(double v) {
        set(p.regCovar, v);
        return this;
    }

    public SufstatGaussianMixture setInitMode(String v) {
        set(p.initMode, v);
        return this;
    }

    public SufstatGaussianMixture setNInit(int v) {
        set(p.nInit, v);
        return this;
    }

    @Override
    public SufstatGaussianMixtureModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        String weight = (String) $(p.weightCol);
        TableSource table = TableSource.of(dataset.toDF(), List.of(), Optional.of((String) $(p.featuresCol)),
                weight.isEmpty() ? Optional.empty() : Optional.of(weight), false, "the training DataFrame");
        try {
            MixtureFitter.Result r = MixtureFitter.fit(dataset.sparkSession(), table, (Integer) $(p.k),
                    MixtureParams.type((String) $(p.covarianceType)), (String) $(p.initMode), (Integer) $(p.nInit),
                    (Integer) $(p.maxIter), (Double) $(p.tol), (Double) $(p.regCovar), (Long) $(p.seed));
            SufstatGaussianMixtureModel model = new SufstatGaussianMixtureModel(uid, r.model(), table.features(),
                    r.logLikelihood(), r.iterations(), r.converged());
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
        return MixtureParams.transformSchema(schema, (String) $(p.featuresCol), (String) $(p.predictionCol),
                (String) $(p.probabilityCol), (String) $(p.logDensityCol));
    }

    @Override
    public SufstatGaussianMixture copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** Spark ML's reader of a saved estimator (its parameters). */
    public static MLReader<SufstatGaussianMixture> read() {
        return new org.apache.spark.ml.util.DefaultParamsReader<>();
    }

    public static SufstatGaussianMixture load(String path) {
        return read().load(path);
    }
}
