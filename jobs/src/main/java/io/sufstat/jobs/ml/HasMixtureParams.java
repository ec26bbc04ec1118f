package io.sufstat.jobs.ml;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;

/**
 * The accessor methods through which Spark ML finds the parameters of {@link SufstatGaussianMixture} and
 * its model (Spark lists an instance's public no-argument methods that return a {@link Param}); both
 * classes implement {@link #mixtureParams()} and inherit the rest.
 */
public interface HasMixtureParams {

    /** The instance's parameter objects. */
    MixtureParams mixtureParams();

    default IntParam k() {
        return mixtureParams().k;
    }

    default IntParam maxIter() {
        return mixtureParams().maxIter;
    }

    default DoubleParam tol() {
        return mixtureParams().tol;
    }

    default LongParam seed() {
        return mixtureParams().seed;
    }

    default Param<String> featuresCol() {
        return mixtureParams().featuresCol;
    }

    /** Numeric feature columns read directly, in model order, instead of {@link #featuresCol()}'s vector. */
    default org.apache.spark.ml.param.StringArrayParam inputCols() {
        return mixtureParams().inputCols;
    }

    default Param<String> weightCol() {
        return mixtureParams().weightCol;
    }

    default Param<String> predictionCol() {
        return mixtureParams().predictionCol;
    }

    default Param<String> probabilityCol() {
        return mixtureParams().probabilityCol;
    }

    default Param<String> logDensityCol() {
        return mixtureParams().logDensityCol;
    }

    default Param<String> tWeightCol() {
        return mixtureParams().tWeightCol;
    }

    default Param<String> covarianceType() {
        return mixtureParams().covarianceType;
    }

    default DoubleParam regCovar() {
        return mixtureParams().regCovar;
    }

    default Param<String> initMode() {
        return mixtureParams().initMode;
    }

    default IntParam nInit() {
        return mixtureParams().nInit;
    }
}
