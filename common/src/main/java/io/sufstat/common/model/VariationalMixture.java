package io.sufstat.common.model;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The variational posterior of a Bayesian Gaussian mixture (Bishop 2006, §10.2; Blei &amp; Jordan 2006), in
 * scikit-learn's {@code BayesianGaussianMixture} parametrisation: per component the weight concentration
 * (Dirichlet process: the Beta parameters [γ₁, γ₂]; Dirichlet distribution: [α]), the mean precision β_k,
 * the mean m_k, the Wishart degrees of freedom ν_k and the covariance W_k⁻¹/ν_k (normalised, as
 * scikit-learn keeps it). The point estimates — weights, means, covariances — form a {@link GaussianMixture}.
 */
public final class VariationalMixture implements Serializable {
    private static final long serialVersionUID = 1L;

    private final CovarianceType type;
    private final boolean dirichletProcess;
    private final double[][] concentration;
    private final double[] meanPrecision;
    private final double[][] means;
    private final double[] dof;
    private final double[][] covariances;
    private final GaussianMixture pointEstimate;

    private VariationalMixture(CovarianceType type, boolean dirichletProcess, double[][] concentration,
                               double[] meanPrecision, double[][] means, double[] dof, double[][] covariances) {
        this.type = type;
        this.dirichletProcess = dirichletProcess;
        this.concentration = concentration;
        this.meanPrecision = meanPrecision;
        this.means = means;
        this.dof = dof;
        this.covariances = covariances;
        this.pointEstimate = GaussianMixture.of(type, pointWeights(dirichletProcess, concentration), means, covariances);
    }

    /** Validates and builds (shapes, positive concentrations, precisions and ν &gt; d − 1, PD covariances). */
    public static VariationalMixture of(CovarianceType type, boolean dirichletProcess, double[][] concentration,
                                        double[] meanPrecision, double[][] means, double[] dof, double[][] covariances) {
        int k = means.length;
        if (k == 0 || concentration.length != k || meanPrecision.length != k || dof.length != k || covariances.length != k) {
            throw new IllegalArgumentException("a variational mixture needs K ≥ 1 of every parameter");
        }
        int d = means[0].length;
        for (int j = 0; j < k; j++) {
            if (concentration[j].length != (dirichletProcess ? 2 : 1)) {
                throw new IllegalArgumentException("weightConcentration[" + j + "] needs " + (dirichletProcess ? 2 : 1)
                        + " numbers");
            }
            for (double c : concentration[j]) {
                if (!(c > 0) || Double.isInfinite(c)) {
                    throw new IllegalArgumentException("weight concentrations must be finite and positive");
                }
            }
            if (!(meanPrecision[j] > 0) || Double.isInfinite(meanPrecision[j]) || !(dof[j] > d - 1) || Double.isInfinite(dof[j])) {
                throw new IllegalArgumentException("component " + (j + 1) + ": mean precision must be positive and ν > d − 1");
            }
        }
        return new VariationalMixture(type, dirichletProcess, deepCopy(concentration), meanPrecision.clone(),
                deepCopy(means), dof.clone(), deepCopy(covariances));
    }

    /** The point-estimate weights (scikit-learn's {@code weights_}). */
    static double[] pointWeights(boolean dirichletProcess, double[][] c) {
        int k = c.length;
        double[] w = new double[k];
        double sum = 0;
        double stick = 1;
        for (int j = 0; j < k; j++) {
            if (dirichletProcess) {
                double total = c[j][0] + c[j][1];
                w[j] = c[j][0] / total * stick;
                stick *= c[j][1] / total;
            } else {
                w[j] = c[j][0];
            }
            sum += w[j];
        }
        for (int j = 0; j < k; j++) {
            w[j] /= sum;
        }
        return w;
    }

    private static double[][] deepCopy(double[][] a) {
        return Arrays.stream(a).map(double[]::clone).toArray(double[][]::new);
    }

    public CovarianceType covarianceType() {
        return type;
    }

    public boolean dirichletProcess() {
        return dirichletProcess;
    }

    public int size() {
        return means.length;
    }

    public int dimension() {
        return means[0].length;
    }

    /** Component j's concentration: [γ₁, γ₂] for the Dirichlet process, [α] for the Dirichlet distribution. */
    public double[] concentration(int j) {
        return concentration[j].clone();
    }

    public double meanPrecision(int j) {
        return meanPrecision[j];
    }

    public double[] mean(int j) {
        return means[j].clone();
    }

    public double degreesOfFreedom(int j) {
        return dof[j];
    }

    /** Component j's (normalised) covariance, row-major d × d. */
    public double[] covariance(int j) {
        return covariances[j].clone();
    }

    /** Weights, means and covariances as a Gaussian mixture. */
    public GaussianMixture pointEstimate() {
        return pointEstimate;
    }
}
