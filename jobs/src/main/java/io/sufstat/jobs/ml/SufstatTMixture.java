package io.sufstat.jobs.ml;

import io.sufstat.common.em.TMixtureEm;
import io.sufstat.common.model.TMixture;
import io.sufstat.jobs.em.EmEngine;
import io.sufstat.jobs.gmm.Initializer;
import io.sufstat.jobs.io.TableSource;
import io.sufstat.jobs.spark.BlockCache;
import io.sufstat.jobs.tmm.TmmJob;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.storage.StorageLevel;

/**
 * sufstat's Student-t mixture (the {@code tmm} job's ECM) as a Spark ML estimator: the mixture parameters
 * plus {@code dof} (fix ν; 0 to estimate it), {@code dofInit}, {@code dofTied}, {@code dofMin} and
 * {@code dofMax}. The model scores rows with t densities and posteriors.
 */
public final class SufstatTMixture extends MixtureEstimator<SufstatTMixture> {
    private static final long serialVersionUID = 1L;

    private final DoubleParam dof = new DoubleParam(this, "dof", "fixed degrees of freedom; 0 to estimate them",
            ParamValidators.gtEq(0));
    private final DoubleParam dofInit = new DoubleParam(this, "dofInit", "initial degrees of freedom", ParamValidators.gt(0));
    private final BooleanParam dofTied = new BooleanParam(this, "dofTied", "one ν shared by every component");
    private final DoubleParam dofMin = new DoubleParam(this, "dofMin", "smallest ν", ParamValidators.gt(0));
    private final DoubleParam dofMax = new DoubleParam(this, "dofMax", "largest ν", ParamValidators.gt(0));

    public SufstatTMixture() {
        this(Identifiable$.MODULE$.randomUID("sufstatTmm"));
    }

    public SufstatTMixture(String uid) {
        super(uid);
        setDefault(dof, 0.0);
        setDefault(dofInit, 10.0);
        setDefault(dofTied, false);
        setDefault(dofMin, 0.5);
        setDefault(dofMax, 200.0);
    }

    @Override
    protected boolean fitsTMixture() {
        return true;
    }

    public SufstatTMixture setDof(double v) {
        set(dof, v);
        return this;
    }

    public SufstatTMixture setDofInit(double v) {
        set(dofInit, v);
        return this;
    }

    public SufstatTMixture setDofTied(boolean v) {
        set(dofTied, v);
        return this;
    }

    @Override
    protected SufstatGaussianMixtureModel fitTable(Dataset<?> dataset, TableSource table) throws Exception {
        MixtureParams p = mixtureParams();
        double fixed = (Double) $(dof);
        TMixtureEm em = TMixtureEm.of((Double) $(p.regCovar), fixed > 0 ? TMixtureEm.DofMode.FIXED
                : (Boolean) $(dofTied) ? TMixtureEm.DofMode.TIED : TMixtureEm.DofMode.PER_COMPONENT,
                (Double) $(dofMin), (Double) $(dofMax));
        try (BlockCache cache = BlockCache.of(table, StorageLevel.MEMORY_AND_DISK())) {
            cache.stats().requireUsableRows("the training DataFrame");
            EmEngine.Fit<TMixture> f = TmmJob.fit(dataset.sparkSession(), cache, (Integer) $(p.k),
                    MixtureParams.type((String) $(p.covarianceType)), em, fixed > 0 ? fixed : (Double) $(dofInit),
                    Initializer.Method.parse((String) $(p.initMode)), null, (Integer) $(p.nInit), (Integer) $(p.maxIter),
                    (Double) $(p.tol), (Double) $(p.regCovar), (Long) $(p.seed), null);
            return new SufstatGaussianMixtureModel(uid(), f.model(), table.features(), f.objective(), f.iterations(),
                    f.converged());
        }
    }

    /** Spark ML finds a parameter through its accessor. */
    public DoubleParam dof() {
        return dof;
    }

    /** Spark ML finds a parameter through its accessor. */
    public DoubleParam dofInit() {
        return dofInit;
    }

    /** Spark ML finds a parameter through its accessor. */
    public BooleanParam dofTied() {
        return dofTied;
    }

    /** Spark ML finds a parameter through its accessor. */
    public DoubleParam dofMin() {
        return dofMin;
    }

    /** Spark ML finds a parameter through its accessor. */
    public DoubleParam dofMax() {
        return dofMax;
    }

    public static MLReader<SufstatTMixture> read() {
        return new org.apache.spark.ml.util.DefaultParamsReader<>();
    }

    public static SufstatTMixture load(String path) {
        return read().load(path);
    }
}
