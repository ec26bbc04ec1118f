package io.sufstat.jobs.ml;

import io.sufstat.jobs.gmm.MixtureFitter;
import io.sufstat.jobs.io.TableSource;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;


/**
 * sufstat's Gaussian mixture EM as a Spark ML {@link Estimator}: usable in a {@code Pipeline}, with
 * MLlib's parameter names, persisted with Spark ML's parameter metadata. {@link #fit} runs the same
 * distributed EM as the {@code gmm} job (block cache, level-3 kernels, log-space E-step, scikit-learn's
 * M-step) on the features vector column.
 */
public final class SufstatGaussianMixture extends MixtureEstimator<SufstatGaussianMixture> {
    private static final long serialVersionUID = 1L;

    public SufstatGaussianMixture() {
        this(Identifiable$.MODULE$.randomUID("sufstatGmm"));
    }

    public SufstatGaussianMixture(String uid) {
        super(uid);
    }

    @Override
    protected SufstatGaussianMixtureModel fitTable(Dataset<?> dataset, TableSource table) throws Exception {
        MixtureParams p = mixtureParams();
        MixtureFitter.Result r = MixtureFitter.fit(dataset.sparkSession(), table, (Integer) $(p.k),
                MixtureParams.type((String) $(p.covarianceType)), (String) $(p.initMode), (Integer) $(p.nInit),
                (Integer) $(p.maxIter), (Double) $(p.tol), (Double) $(p.regCovar), (Long) $(p.seed));
        return new SufstatGaussianMixtureModel(uid(), r.model(), table.features(), r.logLikelihood(), r.iterations(),
                r.converged());
    }

    /** Spark ML's reader of a saved estimator (its parameters). */
    public static MLReader<SufstatGaussianMixture> read() {
        return new org.apache.spark.ml.util.DefaultParamsReader<>();
    }

    public static SufstatGaussianMixture load(String path) {
        return read().load(path);
    }
}
