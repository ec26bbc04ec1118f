package io.sufstat.jobs.ml;

import io.sufstat.common.em.BayesianMixtureEm;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.VariationalMixture;
import io.sufstat.jobs.bgmm.BgmmJob;
import io.sufstat.jobs.em.EmEngine;
import io.sufstat.jobs.gmm.Initializer;
import io.sufstat.jobs.io.TableSource;
import io.sufstat.jobs.spark.BlockCache;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.storage.StorageLevel;

/**
 * sufstat's variational Bayesian Gaussian mixture (the {@code bgmm} job, scikit-learn's
 * BayesianGaussianMixture) as a Spark ML estimator: the mixture parameters, {@code k} an upper bound,
 * plus {@code weightConcentrationPriorType} (dirichlet-process or dirichlet-distribution) and
 * {@code weightConcentrationPrior} (0 for scikit-learn's default 1/K); the other priors take scikit-learn's
 * defaults from the data. {@code tol} is on the total lower bound. The model is the point-estimate mixture.
 */
public final class SufstatBayesianGaussianMixture extends MixtureEstimator<SufstatBayesianGaussianMixture> {
    private static final long serialVersionUID = 1L;

    private final Param<String> weightConcentrationPriorType = new Param<>(this, "weightConcentrationPriorType",
            "dirichlet-process or dirichlet-distribution",
            ParamValidators.inArray(new String[] {"dirichlet-process", "dirichlet-distribution"}));
    private final DoubleParam weightConcentrationPrior = new DoubleParam(this, "weightConcentrationPrior",
            "weight concentration prior; 0 for 1/K", ParamValidators.gtEq(0));

    public SufstatBayesianGaussianMixture() {
        this(Identifiable$.MODULE$.randomUID("sufstatBgmm"));
    }

    public SufstatBayesianGaussianMixture(String uid) {
        super(uid);
        setDefault(weightConcentrationPriorType, "dirichlet-process");
        setDefault(weightConcentrationPrior, 0.0);
    }

    public SufstatBayesianGaussianMixture setWeightConcentrationPriorType(String v) {
        set(weightConcentrationPriorType, v);
        return this;
    }

    public SufstatBayesianGaussianMixture setWeightConcentrationPrior(double v) {
        set(weightConcentrationPrior, v);
        return this;
    }

    @Override
    protected SufstatGaussianMixtureModel fitTable(Dataset<?> dataset, TableSource table) throws Exception {
        MixtureParams p = mixtureParams();
        int k = (Integer) $(p.k);
        CovarianceType type = MixtureParams.type((String) $(p.covarianceType));
        boolean process = $(weightConcentrationPriorType).equals("dirichlet-process");
        try (BlockCache cache = BlockCache.of(table, StorageLevel.MEMORY_AND_DISK())) {
            cache.stats().requireUsableRows("the training DataFrame");
            BayesianMixtureEm.Priors d = BayesianMixtureEm.defaultPriors(process, k, cache.moments(), type);
            double g = (Double) $(weightConcentrationPrior);
            BayesianMixtureEm em = BayesianMixtureEm.of(type, k, (Double) $(p.regCovar), new BayesianMixtureEm.Priors(
                    process, g > 0 ? g : d.weightConcentration(), d.meanPrecision(), d.mean(), d.dof(), d.covariance()));
            EmEngine.Fit<VariationalMixture> f = BgmmJob.fit(dataset.sparkSession(), cache, em, null,
                    Initializer.Method.parse((String) $(p.initMode)), (Integer) $(p.nInit), (Integer) $(p.maxIter),
                    (Double) $(p.tol), (Double) $(p.regCovar), (Long) $(p.seed), null);
            return new SufstatGaussianMixtureModel(uid(), f.model().pointEstimate(), table.features(), f.objective(),
                    f.iterations(), f.converged());
        }
    }

    /** Spark ML finds a parameter through its accessor. */
    public Param<String> weightConcentrationPriorType() {
        return weightConcentrationPriorType;
    }

    /** Spark ML finds a parameter through its accessor. */
    public DoubleParam weightConcentrationPrior() {
        return weightConcentrationPrior;
    }

    public static MLReader<SufstatBayesianGaussianMixture> read() {
        return new org.apache.spark.ml.util.DefaultParamsReader<>();
    }

    public static SufstatBayesianGaussianMixture load(String path) {
        return read().load(path);
    }
}
