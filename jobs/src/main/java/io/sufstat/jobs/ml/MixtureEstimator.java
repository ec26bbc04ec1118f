package io.sufstat.jobs.ml;

import io.sufstat.jobs.io.TableSource;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

import java.util.List;
import java.util.Optional;

/**
 * What sufstat's mixture estimators share: MLlib's parameter names and setters (k, maxIter, tol, seed, the
 * columns) plus covarianceType, regCovar, initMode and nInit, the output schema, and the training table
 * over the features vector column. Each estimator supplies {@link #fitTable}; all return a
 * {@link SufstatGaussianMixtureModel}.
 *
 * @param <E> the estimator itself (setters return it)
 */
public abstract class MixtureEstimator<E extends MixtureEstimator<E>> extends Estimator<SufstatGaussianMixtureModel>
        implements DefaultParamsWritable, HasMixtureParams {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final MixtureParams p;

    protected MixtureEstimator(String uid) {
        this.uid = uid;
        this.p = new MixtureParams(this);
        p.setDefaults(this);
    }

    @SuppressWarnings("unchecked")
    private E self() {
        return (E) this;
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public MixtureParams mixtureParams() {
        return p;
    }

    public E setK(int v) {
        set(p.k, v);
        return self();
    }

    public E setMaxIter(int v) {
        set(p.maxIter, v);
        return self();
    }

    public E setTol(double v) {
        set(p.tol, v);
        return self();
    }

    public E setSeed(long v) {
        set(p.seed, v);
        return self();
    }

    public E setFeaturesCol(String v) {
        set(p.featuresCol, v);
        return self();
    }

    /** Numeric feature columns, read directly in this order (no vector column, no VectorAssembler). */
    public E setInputCols(String... v) {
        set(p.inputCols, v.clone());
        return self();
    }

    public E setWeightCol(String v) {
        set(p.weightCol, v);
        return self();
    }

    public E setPredictionCol(String v) {
        set(p.predictionCol, v);
        return self();
    }

    public E setProbabilityCol(String v) {
        set(p.probabilityCol, v);
        return self();
    }

    public E setLogDensityCol(String v) {
        set(p.logDensityCol, v);
        return self();
    }

    public E setCovarianceType(String v) {
        set(p.covarianceType, v);
        return self();
    }

    public E setRegCovar(double v) {
        set(p.regCovar, v);
        return self();
    }

    public E setInitMode(String v) {
        set(p.initMode, v);
        return self();
    }

    public E setNInit(int v) {
        set(p.nInit, v);
        return self();
    }

    /** The fitted model of the training rows. */
    protected abstract SufstatGaussianMixtureModel fitTable(Dataset<?> dataset, TableSource table) throws Exception;

    @Override
    public final SufstatGaussianMixtureModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        String weight = (String) $(p.weightCol);
        String[] inputCols = (String[]) $(p.inputCols);
        TableSource table = TableSource.of(dataset.toDF(), List.of(inputCols),
                inputCols.length > 0 ? Optional.empty() : Optional.of((String) $(p.featuresCol)),
                weight.isEmpty() ? Optional.empty() : Optional.of(weight), false, "the training DataFrame");
        try {
            SufstatGaussianMixtureModel model = fitTable(dataset, table);
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
        return MixtureParams.transformSchema(schema, (String[]) $(p.inputCols), (String) $(p.featuresCol),
                (String) $(p.predictionCol),
                (String) $(p.probabilityCol), (String) $(p.logDensityCol), fitsTMixture() ? (String) $(p.tWeightCol) : "");
    }

    /** Whether the fitted model is a Student-t mixture (whose transform adds {@code tWeightCol}). */
    protected boolean fitsTMixture() {
        return false;
    }

    @Override
    public E copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
