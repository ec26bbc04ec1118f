package io.sufstat.common.em;

import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.MixtureKernel;
import io.sufstat.common.stats.EmStatistics;
import io.sufstat.common.stats.MomentSummary;

/**
 * The running statistics of stepwise EM for a Gaussian mixture (Cappé &amp; Moulines 2009; Liang &amp; Klein 2009):
 * per component a {@link MomentSummary} of responsibility-weighted moments. Step t folds in a mini-batch's
 * statistics ŝ, scaled to the whole data's weight, as {@code s ← (1 − γ_t) s + γ_t ŝ} with
 * {@code γ_t = (t + 2)^(−κ)}, κ ∈ (0.5, 1]: a convex combination of moment summaries, formed by scaling both and
 * merging them with Chan's update, so the means keep their digits; the M-step is then batch EM's. Immutable.
 */
public final class StepwiseMixtureStatistics {

    private static final double EPS = Math.ulp(1.0);

    private final CovarianceType type;
    private final MomentSummary[] parts;

    private StepwiseMixtureStatistics(CovarianceType type, MomentSummary[] parts) {
        this.type = type;
        this.parts = parts;
    }

    /**
     * The first step: a mini-batch's statistics under {@code kernel}, every weight multiplied by {@code scale}
     * (the whole data's weight over the batch's).
     *
     * @throws IllegalArgumentException for tied covariances (whose statistics have no per-component form)
     */
    public static StepwiseMixtureStatistics of(EmStatistics batch, MixtureKernel kernel, double scale) {
        MomentSummary[] p = batch.componentMoments(kernel);
        for (int j = 0; j < p.length; j++) {
            p[j] = p[j].weightSum() > 0 ? p[j].scaled(scale) : p[j];
        }
        return new StepwiseMixtureStatistics(kernel.covarianceType(), p);
    }

    /** Statistics saved from {@link #component}s (a streaming job's state), for the covariance type given. */
    public static StepwiseMixtureStatistics restore(CovarianceType type, MomentSummary[] parts) {
        if (type == CovarianceType.TIED) {
            throw new IllegalArgumentException("tied statistics have no stepwise form");
        }
        MomentSummary[] copy = new MomentSummary[parts.length];
        for (int j = 0; j < parts.length; j++) {
            copy[j] = parts[j].scaled(1);
        }
        return new StepwiseMixtureStatistics(type, copy);
    }

    /** The number of components. */
    public int size() {
        return parts.length;
    }

    /** The step size {@code (t + 2)^(−κ)} of step t = 0, 1, …; κ must be in (0.5, 1] for the steps to converge. */
    public static double stepSize(int t, double kappa) {
        if (!(kappa > 0.5 && kappa <= 1) || t < 0) {
            throw new IllegalArgumentException("the step decay must be in (0.5, 1] and t ≥ 0, not κ = " + kappa + ", t = " + t);
        }
        return Math.pow(t + 2, -kappa);
    }

    /** {@code (1 − γ) this + γ · scale · batch}, for a batch taken under {@code kernel} (this is unchanged). */
    public StepwiseMixtureStatistics step(EmStatistics batch, MixtureKernel kernel, double scale, double gamma) {
        if (!(gamma > 0 && gamma <= 1)) {
            throw new IllegalArgumentException("a step size must be in (0, 1], not " + gamma);
        }
        StepwiseMixtureStatistics b = of(batch, kernel, scale * gamma);
        MomentSummary[] out = new MomentSummary[parts.length];
        for (int j = 0; j < parts.length; j++) {
            MomentSummary kept = gamma < 1 && parts[j].weightSum() > 0 ? parts[j].scaled(1 - gamma)
                    : MomentSummary.create(b.parts[j].dimension());
            out[j] = kept.combine(b.parts[j]);
        }
        return new StepwiseMixtureStatistics(type, out);
    }

    /** Component j's statistics (a copy). */
    public MomentSummary component(int j) {
        return parts[j].scaled(1);
    }

    /**
     * Batch EM's M-step on these statistics (scikit-learn's: {@code N_k + 10ε}, {@code regCovar} on the diagonal);
     * a component without weight keeps {@code previous}'s mean and gets {@code regCovar·I}, as batch EM gives it.
     */
    public GaussianMixture mStep(GaussianMixture previous, double regCovar) {
        int k = parts.length;
        int d = previous.dimension();
        double[] n = new double[k];
        double total = 0;
        for (int j = 0; j < k; j++) {
            n[j] = parts[j].weightSum() + 10 * EPS;
            total += n[j];
        }
        double[] weights = new double[k];
        double[][] means = new double[k][];
        double[][] covs = new double[k][];
        for (int j = 0; j < k; j++) {
            weights[j] = n[j] / total;
            boolean empty = !(parts[j].weightSum() > 0);
            means[j] = empty ? previous.component(j).mean() : parts[j].mean();
            double[] m = empty ? new double[d * d] : parts[j].comoment();
            double[] c = new double[d * d];
            double spherical = 0;
            for (int i = 0; i < d; i++) {
                spherical += m[i * d + i] / n[j] + regCovar;
            }
            spherical /= d;
            for (int r = 0; r < d; r++) {
                for (int col = 0; col < d; col++) {
                    double v = switch (type) {
                        case FULL -> m[r * d + col] / n[j] + (r == col ? regCovar : 0);
                        case DIAG -> r == col ? m[r * d + r] / n[j] + regCovar : 0;
                        case SPHERICAL -> r == col ? spherical : 0;
                        case TIED -> throw new IllegalStateException("tied statistics have no stepwise form");
                    };
                    c[r * d + col] = v;
                }
            }
            covs[j] = c;
        }
        return GaussianMixture.of(type, weights, means, covs);
    }
}
