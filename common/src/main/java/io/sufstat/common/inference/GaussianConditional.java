package io.sufstat.common.inference;

import io.sufstat.common.linalg.Cholesky;
import io.sufstat.common.model.Gaussian;

import java.util.random.RandomGenerator;

/**
 * A Gaussian conditioned on one pattern of observed coordinates: {@code p(x_m | x_o)} with
 * {@code μ_m|o = μ_m + Σ_mo Σ_oo⁻¹ (x_o − μ_o)} and {@code Σ_m|o = Σ_mm − Σ_mo Σ_oo⁻¹ Σ_om}, plus the
 * marginal {@code log N(x_o | μ_o, Σ_oo)}.
 *
 * <p>All of it comes from one Cholesky factor of Σ with the observed coordinates ordered first,
 * {@code L = [L_oo 0; L_mo L_mm]}: with {@code z = L_oo⁻¹ (x_o − μ_o)}, the conditional mean is
 * {@code μ_m + L_mo z}, the conditional covariance {@code L_mm L_mmᵀ} (positive semi-definite by
 * construction, unlike the subtraction) and the marginal's quadratic form {@code ‖z‖²}. Immutable;
 * the per-row methods allocate nothing when given work arrays.
 */
public final class GaussianConditional {

    private final int d;
    private final int[] observed;
    private final int[] missing;
    private final double[] mean;
    /** Cholesky factor of Σ permuted to [observed, missing], row-major d × d. */
    private final double[] lower;
    private final double marginalConstant;

    private GaussianConditional(int d, int[] observed, int[] missing, double[] mean, double[] lower,
                                double marginalConstant) {
        this.d = d;
        this.observed = observed;
        this.missing = missing;
        this.mean = mean;
        this.lower = lower;
        this.marginalConstant = marginalConstant;
    }

    /** {@code g} conditioned on the coordinates where {@code missing[j]} is false. */
    public static GaussianConditional of(Gaussian g, boolean[] missing) {
        int d = g.dimension();
        if (missing.length != d) {
            throw new IllegalArgumentException("pattern of " + missing.length + " coordinates for a Gaussian of " + d);
        }
        int no = 0;
        for (boolean m : missing) {
            no += m ? 0 : 1;
        }
        int[] obs = new int[no];
        int[] mis = new int[d - no];
        int[] order = new int[d];
        for (int j = 0, a = 0, b = 0; j < d; j++) {
            if (missing[j]) {
                mis[b++] = j;
            } else {
                obs[a++] = j;
            }
        }
        System.arraycopy(obs, 0, order, 0, no);
        System.arraycopy(mis, 0, order, no, d - no);
        double[] cov = g.covariance();
        double[] permuted = new double[d * d];
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < d; c++) {
                permuted[r * d + c] = cov[order[r] * d + order[c]];
            }
        }
        Cholesky chol = Cholesky.decompose(permuted, d).orThrow(null);
        double[] l = chol.lower();
        double logDetOo = 0;
        for (int i = 0; i < no; i++) {
            logDetOo += 2 * Math.log(l[i * d + i]);
        }
        double constant = no == 0 ? 0.0 : -0.5 * (no * Gaussian.LOG_2PI + logDetOo);
        return new GaussianConditional(d, obs, mis, g.mean(), l, constant);
    }

    /**
     * The Cholesky factor of Σ with the observed coordinates first, row-major d × d (a copy): its leading
     * block is {@code L_oo}, below it {@code L_mo}, then {@code L_mm} — for block kernels that whiten many rows
     * of one pattern at once.
     */
    public double[] factor() {
        return lower.clone();
    }

    /** {@code −½ (|o| log 2π + log|Σ_oo|)}: the marginal log-density is this minus {@code ½‖z‖²}. */
    public double marginalLogConstant() {
        return observed.length == 0 ? 0.0 : marginalConstant;
    }

    /** Observed coordinates, ascending. */
    public int[] observed() {
        return observed.clone();
    }

    /** Missing coordinates, ascending. */
    public int[] missing() {
        return missing.clone();
    }

    /**
     * Whitens a full row's observed coordinates into {@code z} (length ≥ observed count):
     * {@code z = L_oo⁻¹ (x_o − μ_o)}; returns the marginal {@code log N(x_o | μ_o, Σ_oo)} (0 with nothing observed).
     */
    public double whiten(double[] x, double[] z) {
        int no = observed.length;
        double q = 0;
        for (int i = 0; i < no; i++) {
            double s = x[observed[i]] - mean[observed[i]];
            int ri = i * d;
            for (int k = 0; k < i; k++) {
                s -= lower[ri + k] * z[k];
            }
            z[i] = s / lower[ri + i];
            q += z[i] * z[i];
        }
        return no == 0 ? 0.0 : marginalConstant - 0.5 * q;
    }

    /** Writes the conditional mean of the missing coordinates into {@code out[missing[t]]}, given {@code z} from {@link #whiten}. */
    public void conditionalMean(double[] z, double[] out) {
        int no = observed.length;
        for (int t = 0; t < missing.length; t++) {
            int r = (no + t) * d;
            double s = mean[missing[t]];
            for (int k = 0; k < no; k++) {
                s += lower[r + k] * z[k];
            }
            out[missing[t]] = s;
        }
    }

    /** The conditional covariance {@code Σ_m|o} ({@code |m| × |m|}, row-major, missing coordinates in ascending order). */
    public double[] conditionalCovariance() {
        int no = observed.length;
        int nm = missing.length;
        double[] c = new double[nm * nm];
        for (int a = 0; a < nm; a++) {
            for (int b = 0; b <= a; b++) {
                double s = 0;
                for (int k = 0; k <= b; k++) {
                    s += lower[(no + a) * d + no + k] * lower[(no + b) * d + no + k];
                }
                c[a * nm + b] = s;
                c[b * nm + a] = s;
            }
        }
        return c;
    }

    /** The conditional variances {@code diag Σ_m|o}, into {@code out[missing[t]]}. */
    public void conditionalVariances(double[] out) {
        int no = observed.length;
        for (int t = 0; t < missing.length; t++) {
            int r = (no + t) * d + no;
            double s = 0;
            for (int k = 0; k <= t; k++) {
                s += lower[r + k] * lower[r + k];
            }
            out[missing[t]] = s;
        }
    }

    /**
     * Draws the missing coordinates from the conditional into {@code out[missing[t]]}: the conditional mean
     * plus {@code L_mm ε}; {@code eps} is work space of at least |m| doubles.
     */
    public void sample(double[] z, RandomGenerator rng, double[] eps, double[] out) {
        conditionalMean(z, out);
        int no = observed.length;
        for (int t = 0; t < missing.length; t++) {
            eps[t] = rng.nextGaussian();
        }
        for (int t = 0; t < missing.length; t++) {
            int r = (no + t) * d + no;
            double s = 0;
            for (int k = 0; k <= t; k++) {
                s += lower[r + k] * eps[k];
            }
            out[missing[t]] += s;
        }
    }
}
