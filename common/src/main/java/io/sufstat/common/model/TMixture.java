package io.sufstat.common.model;

import io.sufstat.common.special.Gamma;

import java.io.Serializable;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A mixture of multivariate Student-t distributions (Peel &amp; McLachlan 2000): weights π_k, locations
 * μ_k, scale matrices Σ_k (of one {@link CovarianceType}) and degrees of freedom ν_k, with
 * {@code log t_ν(x; μ, Σ) = ln Γ((ν + d)/2) − ln Γ(ν/2) − (d/2) ln(νπ) − ½ ln|Σ| − ((ν + d)/2) ln(1 + δ/ν)},
 * δ = (x − μ)ᵀ Σ⁻¹ (x − μ). A t is a Gaussian scale mixture: x | u ~ N(μ, Σ/u), u ~ Gamma(ν/2, ν/2), which
 * makes outlying rows (large δ) weigh little in its estimates. The weights, locations and scales are held
 * as a {@link GaussianMixture} (same validation, same block kernels for δ).
 */
public final class TMixture implements Serializable {
    private static final long serialVersionUID = 1L;

    private final GaussianMixture scales;
    private final double[] dof;

    private TMixture(GaussianMixture scales, double[] dof) {
        this.scales = scales;
        this.dof = dof;
    }

    /**
     * Validates and builds: {@code scales} holds π, μ and Σ; {@code dof} one ν_k > 0 (finite) per component.
     */
    public static TMixture of(GaussianMixture scales, double[] dof) {
        if (dof.length != scales.size()) {
            throw new IllegalArgumentException("a t-mixture needs one degrees-of-freedom value per component: "
                    + dof.length + " for " + scales.size());
        }
        for (int k = 0; k < dof.length; k++) {
            if (!(dof[k] > 0) || Double.isInfinite(dof[k])) {
                throw new IllegalArgumentException("degreesOfFreedom[" + k + "] is " + dof[k] + "; it must be finite and > 0");
            }
        }
        return new TMixture(scales, dof.clone());
    }

    /** π, μ and the scale matrices Σ, as a Gaussian mixture. */
    public GaussianMixture scales() {
        return scales;
    }

    public double[] degreesOfFreedom() {
        return dof.clone();
    }

    public double degreesOfFreedom(int k) {
        return dof[k];
    }

    public int size() {
        return scales.size();
    }

    public int dimension() {
        return scales.dimension();
    }

    public CovarianceType covarianceType() {
        return scales.covarianceType();
    }

    /** The constant of component k's log-density: {@code ln π_k + ln Γ((ν+d)/2) − ln Γ(ν/2) − (d/2) ln(νπ) − ½ ln|Σ_k|}. */
    public double logConstant(int k) {
        int d = dimension();
        double nu = dof[k];
        return Math.log(scales.weight(k)) + Gamma.logGamma((nu + d) / 2) - Gamma.logGamma(nu / 2)
                - 0.5 * d * Math.log(nu * Math.PI) - 0.5 * scales.component(k).logDeterminant();
    }

    /** {@code ln π_k t_k(x)} given the squared Mahalanobis distance δ of x under component k. */
    public double logWeightedDensity(int k, double constant, double delta) {
        double nu = dof[k];
        return constant - 0.5 * (nu + dimension()) * Math.log1p(delta / nu);
    }

    /** The weight {@code u = (ν + d)/(ν + δ)} of a row at squared distance δ from component k. */
    public double latentWeight(int k, double delta) {
        return (dof[k] + dimension()) / (dof[k] + delta);
    }

    /** {@code ln p(x)} of one row. */
    public double logDensity(double[] x) {
        double[] lp = new double[size()];
        for (int k = 0; k < size(); k++) {
            Gaussian g = scales.component(k);
            double[] v = x.clone();
            double[] mu = g.mean();
            for (int j = 0; j < v.length; j++) {
                v[j] -= mu[j];
            }
            lp[k] = logWeightedDensity(k, logConstant(k), g.mahalanobisSquared(v));
        }
        return GaussianMixture.logSumExp(lp, 0, lp.length);
    }

    /** One draw: a component by weight, then μ + L z / √(g/ν) with z ~ N(0, I) and g ~ χ²_ν. */
    public double[] sample(RandomGenerator rng) {
        double u = rng.nextDouble();
        int k = 0;
        double acc = scales.weight(0);
        while (u >= acc && k < size() - 1) {
            k++;
            acc += scales.weight(k);
        }
        return sample(k, rng);
    }

    /** One draw from component k. */
    public double[] sample(int k, RandomGenerator rng) {
        double[] x = scales.component(k).sample(rng);
        double[] mu = scales.component(k).mean();
        double scale = Math.sqrt(dof[k] / (2 * gammaDraw(dof[k] / 2, rng)));
        for (int j = 0; j < x.length; j++) {
            x[j] = mu[j] + (x[j] - mu[j]) * scale;
        }
        return x;
    }

    /** A Gamma(shape, 1) draw (Marsaglia &amp; Tsang 2000; shape below 1 boosted by U^{1/shape}). */
    public static double gammaDraw(double shape, RandomGenerator rng) {
        if (shape < 1) {
            return gammaDraw(shape + 1, rng) * Math.pow(rng.nextDouble(), 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double z = rng.nextGaussian();
            double v = 1 + c * z;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = rng.nextDouble();
            if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }

    @Override
    public String toString() {
        return "TMixture{" + scales + ", dof=" + Arrays.toString(dof) + "}";
    }
}
