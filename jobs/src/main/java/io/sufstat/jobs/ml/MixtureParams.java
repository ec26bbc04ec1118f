package io.sufstat.jobs.ml;

import io.sufstat.common.model.CovarianceType;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.param.StringArrayParam;

/**
 * The parameters shared by {@link SufstatGaussianMixture} and its model, with MLlib's names where MLlib
 * has them ({@code k}, {@code maxIter}, {@code tol}, {@code seed}, {@code featuresCol}, {@code inputCols},
 * {@code weightCol}, {@code predictionCol}, {@code probabilityCol}) and sufstat's additions ({@code covarianceType},
 * {@code regCovar}, {@code initMode}, {@code nInit}, {@code logDensityCol}). Both classes expose them
 * through accessor methods, which is how Spark ML discovers parameters.
 */
final class MixtureParams implements Serializable {
    private static final long serialVersionUID = 1L;

    final IntParam k;
    final IntParam maxIter;
    final DoubleParam tol;
    final LongParam seed;
    final Param<String> featuresCol;
    final StringArrayParam inputCols;
    final Param<String> weightCol;
    final Param<String> predictionCol;
    final Param<String> probabilityCol;
    final Param<String> logDensityCol;
    final Param<String> tWeightCol;
    final Param<String> covarianceType;
    final DoubleParam regCovar;
    final Param<String> initMode;
    final IntParam nInit;

    MixtureParams(Identifiable parent) {
        k = new IntParam(parent, "k", "number of mixture components (≥ 1)", ParamValidators.gtEq(1));
        maxIter = new IntParam(parent, "maxIter", "maximum EM iterations (≥ 1)", ParamValidators.gtEq(1));
        tol = new DoubleParam(parent, "tol", "convergence tolerance on the change of the mean log-likelihood per row",
                ParamValidators.gtEq(0));
        seed = new LongParam(parent, "seed", "random seed");
        featuresCol = new Param<>(parent, "featuresCol", "features column (Spark ML vector)");
        inputCols = new StringArrayParam((org.apache.spark.ml.param.Params) parent, "inputCols", "numeric feature columns, in model order, read"
                + " directly instead of featuresCol's vector (no VectorAssembler needed); empty to use featuresCol");
        weightCol = new Param<>(parent, "weightCol", "row weight column; empty for unit weights");
        predictionCol = new Param<>(parent, "predictionCol", "output column: most probable component (0-based)");
        probabilityCol = new Param<>(parent, "probabilityCol", "output column: posterior probabilities (vector)");
        logDensityCol = new Param<>(parent, "logDensityCol", "output column: log-density of the row; empty for none");
        tWeightCol = new Param<>(parent, "tWeightCol", "output column of a Student-t mixture: the row's expected latent"
                + " weight E[u | x] (about 1 for a typical row, near 0 for an outlier); empty for none; Gaussian mixtures"
                + " add no such column");
        covarianceType = new Param<>(parent, "covarianceType", "full, tied, diag or spherical",
                ParamValidators.inArray(new String[] {"full", "tied", "diag", "spherical"}));
        regCovar = new DoubleParam(parent, "regCovar", "added to every covariance diagonal", ParamValidators.gtEq(0));
        initMode = new Param<>(parent, "initMode", "kmeans, k-means++, random-from-data or random",
                ParamValidators.inArray(new String[] {"kmeans", "k-means++", "random-from-data", "random"}));
        nInit = new IntParam(parent, "nInit", "initialisations to run, keeping the best (≥ 1)", ParamValidators.gtEq(1));
    }

    /** scikit-learn's and sufstat's defaults (MLlib's for the column names). */
    void setDefaults(Params p) {
        p.setDefault(k, 2);
        p.setDefault(maxIter, 100);
        p.setDefault(tol, 1e-3);
        p.setDefault(seed, 42L);
        p.setDefault(featuresCol, "features");
        p.setDefault(inputCols, new String[0]);
        p.setDefault(weightCol, "");
        p.setDefault(predictionCol, "prediction");
        p.setDefault(probabilityCol, "probability");
        p.setDefault(logDensityCol, "logDensity");
        p.setDefault(tWeightCol, "tWeight");
        p.setDefault(covarianceType, "full");
        p.setDefault(regCovar, 1e-6);
        p.setDefault(initMode, "kmeans");
        p.setDefault(nInit, 1);
    }

    static CovarianceType type(String s) {
        return CovarianceType.parse(s.toLowerCase(Locale.ROOT));
    }

    /**
     * The output schema: the input plus prediction, probability and (unless empty) log-density and the latent
     * weight of a t-mixture.
     */
    static StructType transformSchema(StructType in, String[] inputCols, String features, String prediction,
                                      String probability, String logDensity, String tWeight) {
        List<String> names = Arrays.asList(in.fieldNames());
        if (inputCols.length > 0) {
            for (String c : inputCols) {
                if (!names.contains(c)) {
                    throw new IllegalArgumentException("input column '" + c + "' is not among " + names);
                }
                if (!(in.apply(c).dataType() instanceof org.apache.spark.sql.types.NumericType)) {
                    throw new IllegalArgumentException("input column '" + c + "' has type "
                            + in.apply(c).dataType().simpleString() + "; a feature column must be numeric");
                }
            }
        } else if (!names.contains(features)) {
            throw new IllegalArgumentException("features column '" + features + "' is not among " + names);
        }
        if (inputCols.length == 0 && !in.apply(features).dataType().equals(SQLDataTypes.VectorType())) {
            throw new IllegalArgumentException("features column '" + features + "' has type "
                    + in.apply(features).dataType().simpleString() + ", not a Spark ML vector");
        }
        List<StructField> out = new ArrayList<>(Arrays.asList(in.fields()));
        for (String c : new String[] {prediction, probability, logDensity, tWeight}) {
            if (!c.isEmpty() && names.contains(c)) {
                throw new IllegalArgumentException("output column '" + c + "' already exists");
            }
        }
        out.add(DataTypes.createStructField(prediction, DataTypes.IntegerType, false));
        out.add(DataTypes.createStructField(probability, SQLDataTypes.VectorType(), false));
        if (!logDensity.isEmpty()) {
            out.add(DataTypes.createStructField(logDensity, DataTypes.DoubleType, false));
        }
        if (!tWeight.isEmpty()) {
            out.add(DataTypes.createStructField(tWeight, DataTypes.DoubleType, false));
        }
        return DataTypes.createStructType(out);
    }
}
