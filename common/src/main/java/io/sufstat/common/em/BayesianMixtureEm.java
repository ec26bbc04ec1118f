package io.sufstat.common.em;

import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.Gaussian;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.MixtureKernel;
import io.sufstat.common.model.VariationalMixture;
import io.sufstat.common.special.Gamma;
import io.sufstat.common.stats.BgmmStatistics;
import io.sufstat.common.stats.EmStatistics;

import java.util.Arrays;

/**
 * Variational EM for a Bayesian Gaussian mixture (Bishop 2006, §10.2; Blei &amp; Jordan 2006 for the
 * Dirichlet-process prior), with scikit-learn 1.2's {@code BayesianGaussianMixture} priors, updates and
 * lower bound, on sufficient statistics: the E-step of a block gives the responsibilities from
 * {@code E[ln π_k] + E[ln N(x | μ_k, Λ_k⁻¹)]} (in log space), and their weighted moments N_k, x̄_k, S_k
 * (scikit-learn's {@code _estimate_gaussian_parameters}, reg_covar included); the update is the
 * variational M-step (weight concentration, mean precision β_k = β₀ + N_k, means, ν_k = ν₀ + N_k and the
 * normalised covariances per covariance type); the objective is scikit-learn's {@code lower_bound_}: the
 * total over rows, with the constants it drops, of the parameters after the M-step and that iteration's
 * responsibilities. K is an upper bound: components the data do not need are emptied.
 */
public final class BayesianMixtureEm implements EmModel<VariationalMixture, BgmmStatistics> {

    private static final double EPS = Math.ulp(1.0);

    /**
     * The priors: weight concentration (Dirichlet process or distribution), mean precision β₀, mean m₀,
     * degrees of freedom ν₀ and covariance prior (d × d for full and tied, d for diag, 1 for spherical).
     */
    public record Priors(boolean dirichletProcess, double weightConcentration, double meanPrecision, double[] mean,
                         double dof, double[] covariance) {
        public Priors {
            if (!(weightConcentration > 0) || !(meanPrecision > 0) || Double.isInfinite(weightConcentration)
                    || Double.isInfinite(meanPrecision)) {
                throw new IllegalArgumentException("the weight concentration and mean precision priors must be positive");
            }
            if (!(dof > mean.length - 1)) {
                throw new IllegalArgumentException("the degrees-of-freedom prior must exceed d − 1 = " + (mean.length - 1)
                        + ", not " + dof);
            }
            mean = mean.clone();
            covariance = covariance.clone();
        }
    }

    private final CovarianceType type;
    private final int k;
    private final double regCovar;
    private final Priors priors;

    private BayesianMixtureEm(CovarianceType type, int k, double regCovar, Priors priors) {
        this.type = type;
        this.k = k;
        this.regCovar = regCovar;
        this.priors = priors;
    }

    public static BayesianMixtureEm of(CovarianceType type, int k, double regCovar, Priors priors) {
        int d = priors.mean().length;
        int expected = switch (type) {
            case FULL, TIED -> d * d;
            case DIAG -> d;
            case SPHERICAL -> 1;
        };
        if (priors.covariance().length != expected) {
            throw new IllegalArgumentException("the covariance prior of a " + type.label() + " mixture has " + expected
                    + " entries, not " + priors.covariance().length);
        }
        return new BayesianMixtureEm(type, k, regCovar, priors);
    }

    /**
     * scikit-learn's default priors from the data's moments: 1/K, β₀ = 1, m₀ the mean, ν₀ = d, and the
     * unbiased covariance (full, tied), variances (diag) or their mean (spherical).
     */
    public static Priors defaultPriors(boolean dirichletProcess, int k, io.sufstat.common.stats.MomentSummary data,
                                       CovarianceType type) {
        int d = data.dimension();
        double[] cov = data.covariance(io.sufstat.common.stats.CovarianceEstimator.UNBIASED);
        double[] prior = switch (type) {
            case FULL, TIED -> cov;
            case DIAG -> diagonal(cov, d);
            case SPHERICAL -> new double[] {Arrays.stream(diagonal(cov, d)).average().orElseThrow()};
        };
        return new Priors(dirichletProcess, 1.0 / k, 1.0, data.mean(), d, prior);
    }

    private static double[] diagonal(double[] m, int d) {
        double[] v = new double[d];
        for (int j = 0; j < d; j++) {
            v[j] = m[j * d + j];
        }
        return v;
    }

    public Priors priors() {
        return priors;
    }

    /** K, the most components. */
    public int components() {
        return k;
    }

    public CovarianceType covarianceType() {
        return type;
    }

    /**
     * The kernel of a pass: the variational means and covariances with equal weights (its reference point
     * and factors are all the E-step and the moments need; the weights enter through E[ln π]).
     */
    static MixtureKernel kernelOf(VariationalMixture v) {
        int kk = v.size();
        double[] w = new double[kk];
        Arrays.fill(w, 1.0 / kk);
        double[][] means = new double[kk][];
        double[][] covs = new double[kk][];
        for (int j = 0; j < kk; j++) {
            means[j] = v.mean(j);
            covs[j] = v.covariance(j);
        }
        return MixtureKernel.of(GaussianMixture.of(v.covarianceType(), w, means, covs));
    }

    /** A task's work area. */
    public record Work(MixtureKernel.Workspace ws, double[] resp) {
    }

    /** One pass under a variational posterior: its kernel and per component the constant of its log-probability. */
    public record Step(MixtureKernel kernel, double[] constants, boolean forUpdate) implements EStep<BgmmStatistics, Work> {
        @Override
        public BgmmStatistics zero() {
            return BgmmStatistics.create(kernel);
        }

        @Override
        public Work workspace(int blockRows) {
            return new Work(kernel.workspace(blockRows), new double[blockRows * kernel.components()]);
        }

        @Override
        public void accumulate(BgmmStatistics stats, Work work, double[] values, double[] weights, int rows) {
            int kk = kernel.components();
            MixtureKernel.Workspace ws = work.ws();
            double[] resp = work.resp();
            double[] lp = new double[kk];
            for (int from = 0; from < rows; from += ws.subBlock()) {
                int to = Math.min(rows, from + ws.subBlock());
                kernel.squaredDistances(values, from, to, ws);
                for (int i = 0; i < to - from; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < kk; j++) {
                        lp[j] = constants[j] - 0.5 * ws.squaredDistance(j, i);
                        max = Math.max(max, lp[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < kk; j++) {
                        lp[j] = Math.exp(lp[j] - max);
                        sum += lp[j];
                    }
                    int o = (from + i) * kk;
                    for (int j = 0; j < kk; j++) {
                        resp[o + j] = lp[j] / sum;
                    }
                }
            }
            stats.accumulate(kernel, ws, values, weights, rows, resp, forUpdate);
        }
    }

    @Override
    public Step eStep(VariationalMixture v, boolean forUpdate) {
        int d = v.dimension();
        double[] logWeights = expectedLogWeights(v);
        double[] constants = new double[v.size()];
        for (int j = 0; j < v.size(); j++) {
            double nu = v.degreesOfFreedom(j);
            double logLambda = d * Math.log(2);
            for (int i = 0; i < d; i++) {
                logLambda += Gamma.digamma(0.5 * (nu - i));
            }
            double logDetPrecisionChol = -0.5 * Gaussian.of(v.mean(j), v.covariance(j)).logDeterminant();
            constants[j] = logWeights[j] - 0.5 * d * Gaussian.LOG_2PI + logDetPrecisionChol - 0.5 * d * Math.log(nu)
                    + 0.5 * (logLambda - d / v.meanPrecision(j));
        }
        return new Step(kernelOf(v), constants, forUpdate);
    }

    /** E[ln π_k]: stick-breaking for the Dirichlet process, ψ(α_k) − ψ(Σα) for the Dirichlet distribution. */
    static double[] expectedLogWeights(VariationalMixture v) {
        int kk = v.size();
        double[] out = new double[kk];
        if (v.dirichletProcess()) {
            double acc = 0;
            for (int j = 0; j < kk; j++) {
                double[] c = v.concentration(j);
                double digammaSum = Gamma.digamma(c[0] + c[1]);
                out[j] = Gamma.digamma(c[0]) - digammaSum + acc;
                acc += Gamma.digamma(c[1]) - digammaSum;
            }
        } else {
            double total = 0;
            for (int j = 0; j < kk; j++) {
                total += v.concentration(j)[0];
            }
            double digammaTotal = Gamma.digamma(total);
            for (int j = 0; j < kk; j++) {
                out[j] = Gamma.digamma(v.concentration(j)[0]) - digammaTotal;
            }
        }
        return out;
    }

    @Override
    public VariationalMixture update(VariationalMixture v, BgmmStatistics stats) {
        return mStep(stats.moments(), kernelOf(v));
    }

    /**
     * The variational M-step from responsibility-weighted moments taken about {@code kernel}'s means
     * (scikit-learn's {@code _m_step}, and its {@code _initialize} from given responsibilities).
     */
    public VariationalMixture mStep(EmStatistics moments, MixtureKernel kernel) {
        int d = priors.mean().length;
        GaussianMixture g = moments.mStep(kernel, regCovar);
        double[] raw = moments.componentWeights();
        double[] nk = new double[k];
        double total = 0;
        for (int j = 0; j < k; j++) {
            nk[j] = raw[j] + 10 * EPS;
            total += nk[j];
        }
        double[][] concentration = new double[k][];
        for (int j = 0; j < k; j++) {
            concentration[j] = priors.dirichletProcess()
                    ? new double[] {1.0 + nk[j], priors.weightConcentration() + tailSum(nk, j)}
                    : new double[] {priors.weightConcentration() + nk[j]};
        }
        double b0 = priors.meanPrecision();
        double[] m0 = priors.mean();
        double[] beta = new double[k];
        double[][] means = new double[k][];
        double[][] xk = new double[k][];
        for (int j = 0; j < k; j++) {
            beta[j] = b0 + nk[j];
            xk[j] = g.component(j).mean();
            means[j] = new double[d];
            for (int c = 0; c < d; c++) {
                means[j][c] = (b0 * m0[c] + nk[j] * xk[j][c]) / beta[j];
            }
        }
        double[] dof = new double[k];
        double[][] covs = new double[k][];
        double[] p = priors.covariance();
        if (type == CovarianceType.TIED) {
            double nu = priors.dof() + total / k;
            double[] sk = g.component(0).covariance();
            double[] cov = new double[d * d];
            for (int e = 0; e < d * d; e++) {
                cov[e] = p[e] + sk[e] * total / k;
            }
            for (int j = 0; j < k; j++) {
                double f = b0 / k * nk[j] / beta[j];
                for (int r = 0; r < d; r++) {
                    for (int c = 0; c < d; c++) {
                        cov[r * d + c] += f * (xk[j][r] - m0[r]) * (xk[j][c] - m0[c]);
                    }
                }
            }
            for (int e = 0; e < d * d; e++) {
                cov[e] /= nu;
            }
            Arrays.fill(dof, nu);
            Arrays.fill(covs, cov);
        } else {
            for (int j = 0; j < k; j++) {
                dof[j] = priors.dof() + nk[j];
                double[] sk = g.component(j).covariance();
                double f = b0 / beta[j];
                double[] cov = new double[d * d];
                switch (type) {
                    case FULL -> {
                        for (int r = 0; r < d; r++) {
                            for (int c = 0; c < d; c++) {
                                double diff = (xk[j][r] - m0[r]) * (xk[j][c] - m0[c]);
                                cov[r * d + c] = (p[r * d + c] + nk[j] * sk[r * d + c] + nk[j] * f * diff) / dof[j];
                            }
                        }
                    }
                    case DIAG -> {
                        for (int r = 0; r < d; r++) {
                            double diff = xk[j][r] - m0[r];
                            cov[r * d + r] = (p[r] + nk[j] * (sk[r * d + r] + f * diff * diff)) / dof[j];
                        }
                    }
                    default -> {
                        double mean2 = 0;
                        for (int r = 0; r < d; r++) {
                            mean2 += (xk[j][r] - m0[r]) * (xk[j][r] - m0[r]) / d;
                        }
                        double var = (p[0] + nk[j] * (sk[0] + f * mean2)) / dof[j];
                        for (int r = 0; r < d; r++) {
                            cov[r * d + r] = var;
                        }
                    }
                }
                covs[j] = cov;
            }
        }
        return VariationalMixture.of(type, priors.dirichletProcess(), concentration, beta, means, dof, covs);
    }

    /** Σ_{i > j} nk_i, summed from the last component backwards as scikit-learn's reversed cumulative sum. */
    private static double tailSum(double[] nk, int j) {
        double s = 0;
        for (int i = nk.length - 1; i > j; i--) {
            s += nk[i];
        }
        return s;
    }

    /** scikit-learn's {@code lower_bound_} of {@code v} (the parameters after an M-step) and that pass's responsibilities. */
    public double lowerBound(VariationalMixture v, BgmmStatistics stats) {
        int d = v.dimension();
        double logWishart = 0;
        for (int j = 0; j < v.size(); j++) {
            if (type == CovarianceType.TIED && j > 0) {
                break;
            }
            double nu = v.degreesOfFreedom(j);
            double logDetPrecisionChol = -0.5 * Gaussian.of(v.mean(j), v.covariance(j)).logDeterminant() - 0.5 * d * Math.log(nu);
            double norm = nu * logDetPrecisionChol + nu * d * 0.5 * Math.log(2);
            for (int i = 0; i < d; i++) {
                norm += Gamma.logGamma(0.5 * (nu - i));
            }
            logWishart += type == CovarianceType.TIED ? -norm * v.size() : -norm;
        }
        double logNormWeight;
        if (v.dirichletProcess()) {
            logNormWeight = 0;
            for (int j = 0; j < v.size(); j++) {
                double[] c = v.concentration(j);
                logNormWeight -= Gamma.logGamma(c[0]) + Gamma.logGamma(c[1]) - Gamma.logGamma(c[0] + c[1]);
            }
        } else {
            double total = 0;
            double sumLog = 0;
            for (int j = 0; j < v.size(); j++) {
                total += v.concentration(j)[0];
                sumLog += Gamma.logGamma(v.concentration(j)[0]);
            }
            logNormWeight = Gamma.logGamma(total) - sumLog;
        }
        double logBeta = 0;
        for (int j = 0; j < v.size(); j++) {
            logBeta += Math.log(v.meanPrecision(j));
        }
        return -stats.responsibilityLogSum() - logWishart - logNormWeight - 0.5 * d * logBeta;
    }

    /**
     * A kernel for the moments of responsibilities taken from {@code start}: its means, with unit covariances
     * of this model's type (only the means and the type matter for the moments).
     */
    public MixtureKernel momentKernel(GaussianMixture start) {
        int d = start.dimension();
        double[] unit = new double[d * d];
        for (int j = 0; j < d; j++) {
            unit[j * d + j] = 1;
        }
        double[][] covs = new double[start.size()][];
        Arrays.fill(covs, unit);
        return MixtureKernel.of(GaussianMixture.of(type, start.weights(), start.means(), covs));
    }

    /**
     * scikit-learn's {@code _initialize(X, resp)} with the responsibilities of {@code start} (a Gaussian
     * mixture of any type): the variational M-step from their moments — here of one block of rows (the
     * distributed job does the same through a pass).
     */
    public VariationalMixture initialise(GaussianMixture start, double[] values, double[] weights, int rows) {
        MixtureKernel posteriors = MixtureKernel.of(start);
        MixtureKernel.Workspace ws = posteriors.workspace(rows);
        posteriors.posteriors(values, weights, rows, ws);
        MixtureKernel reference = momentKernel(start);
        EmStatistics s = EmStatistics.create(reference);
        s.accumulateResponsibilities(reference, reference.workspace(rows), values, weights, rows,
                Arrays.copyOf(ws.responsibilities(), rows * start.size()));
        return mStep(s, reference);
    }

    /** The lower bound after this iteration's M-step (scikit-learn computes it after the update). */
    @Override
    public double objective(VariationalMixture v, BgmmStatistics stats) {
        return lowerBound(update(v, stats), stats);
    }

    @Override
    public double weightSum(BgmmStatistics stats) {
        return stats.weightSum();
    }

    @Override
    public long count(BgmmStatistics stats) {
        return stats.count();
    }

    @Override
    public int parameterCount(VariationalMixture v) {
        return (int) v.covarianceType().parameters(v.size(), v.dimension());
    }

    /** Components whose point-estimate weight exceeds 1e-3: those the data use. */
    public static int effectiveComponents(VariationalMixture v) {
        int n = 0;
        for (double w : v.pointEstimate().weights()) {
            if (w > 1e-3) {
                n++;
            }
        }
        return n;
    }

    @Override
    public String describe(VariationalMixture v) {
        return ", " + effectiveComponents(v) + " effective components";
    }

    /**
     * The first pass of a fit: the posteriors of every row under {@code start} (a Gaussian mixture of any
     * type), their moments about its means kept as this model's type needs them; {@link #mStep} of the
     * result with {@link #momentKernel}{@code (start)} is scikit-learn's {@code _initialize(X, resp)}.
     */
    public EStep<EmStatistics, ?> initialStep(GaussianMixture start) {
        return new InitialStep(MixtureKernel.of(start), momentKernel(start));
    }

    record InitialStep(MixtureKernel posteriors, MixtureKernel reference) implements EStep<EmStatistics, MixtureKernel.Workspace[]> {
        @Override
        public EmStatistics zero() {
            return EmStatistics.create(reference);
        }

        @Override
        public MixtureKernel.Workspace[] workspace(int blockRows) {
            return new MixtureKernel.Workspace[] {posteriors.workspace(blockRows), reference.workspace(blockRows)};
        }

        @Override
        public void accumulate(EmStatistics stats, MixtureKernel.Workspace[] work, double[] values, double[] weights,
                               int rows) {
            posteriors.posteriors(values, weights, rows, work[0]);
            stats.accumulateResponsibilities(reference, work[1], values, weights, rows, work[0].responsibilities());
        }
    }

    /** scikit-learn's tol is on the change of the total lower bound. */
    @Override
    public double convergenceQuantity(double objective, double weightSum) {
        return objective;
    }

    @Override
    public String objectiveName() {
        return "lower bound";
    }

    @Override
    public String convergenceName() {
        return "lower bound";
    }

    /** The lower bound belongs to an iteration's update; there is no final evaluation pass. */
    @Override
    public boolean evaluatesFinalParameters() {
        return false;
    }
}
