package io.sufstat.common.inference;

import io.sufstat.common.linalg.Cholesky;
import io.sufstat.common.model.Gaussian;
import io.sufstat.common.model.GaussianMixture;

import java.util.random.RandomGenerator;

/**
 * Entropies, KL divergences and mutual information of fitted models, in nats.
 *
 * <ul>
 *   <li>Gaussians, closed form: {@code KL(N₀‖N₁) = ½ [tr(Σ₁⁻¹Σ₀) + (μ₁ − μ₀)ᵀ Σ₁⁻¹ (μ₁ − μ₀) − d + log|Σ₁| − log|Σ₀|]},
 *       with the trace as {@code ‖L₁⁻¹ L₀‖²_F} and the quadratic form by one forward solve.</li>
 *   <li>Mutual information between coordinate groups a and b of a Gaussian:
 *       {@code I = ½ (log|Σ_aa| + log|Σ_bb| − log|Σ_{a∪b}|)}.</li>
 *   <li>Mixtures (no closed form): Monte Carlo {@code KL(f‖g) ≈ (1/n) Σ log f(xᵢ) − log g(xᵢ)} and
 *       {@code H(f) ≈ −(1/n) Σ log f(xᵢ)} with {@code xᵢ ~ f}, with their standard errors; and the
 *       variational approximation of Hershey &amp; Olsen (2007, eq. 18),
 *       {@code Σ_a π_a log(Σ_α π_α e^{−KL(f_a‖f_α)} / Σ_b ω_b e^{−KL(f_a‖g_b)})}.</li>
 * </ul>
 */
public final class Divergences {

    private Divergences() {
    }

    /** {@code KL(p‖q)} of two Gaussians of the same dimension, closed form. */
    public static double kl(Gaussian p, Gaussian q) {
        int d = sameDimension(p.dimension(), q.dimension());
        double[] lp = p.choleskyLower();
        Cholesky cq = Cholesky.decompose(q.covariance(), d).orThrow(null);  // q is valid: cannot fail
        // tr(Σq⁻¹ Σp) = ‖Lq⁻¹ Lp‖²_F, one column of Lp at a time.
        double trace = 0;
        double[] col = new double[d];
        for (int c = 0; c < d; c++) {
            for (int r = 0; r < d; r++) {
                col[r] = lp[r * d + c];
            }
            cq.solveLowerInPlace(col);
            for (int r = 0; r < d; r++) {
                trace += col[r] * col[r];
            }
        }
        double[] diff = q.mean();
        double[] mp = p.mean();
        for (int r = 0; r < d; r++) {
            diff[r] -= mp[r];
        }
        cq.solveLowerInPlace(diff);
        double maha = 0;
        for (double v : diff) {
            maha += v * v;
        }
        return Math.max(0.0, 0.5 * (trace + maha - d + q.logDeterminant() - p.logDeterminant()));
    }

    /** {@code I(x_a; x_b)} for disjoint coordinate groups of a Gaussian, closed form. */
    public static double mutualInformation(Gaussian g, int[] a, int[] b) {
        if (a.length == 0 || b.length == 0) {
            throw new IllegalArgumentException("both groups need at least one coordinate");
        }
        boolean[] seen = new boolean[g.dimension()];
        int[] both = new int[a.length + b.length];
        int n = 0;
        for (int[] group : new int[][] {a, b}) {
            for (int j : group) {
                if (j < 0 || j >= seen.length) {
                    throw new IllegalArgumentException("coordinate " + j + " outside 0.." + (seen.length - 1));
                }
                if (seen[j]) {
                    throw new IllegalArgumentException("coordinate " + j + " is in both groups (or twice in one)");
                }
                seen[j] = true;
                both[n++] = j;
            }
        }
        double v = 0.5 * (logDet(g, a) + logDet(g, b) - logDet(g, both));
        return Math.max(0.0, v);
    }

    /**
     * {@code I(x_a; x_b)} of a mixture: closed form for one component, else the Monte Carlo mean of
     * {@code log p(x_a, x_b) − log p(x_a) − log p(x_b)} over {@code n} draws, with the marginals of the
     * mixture (mixtures of the components' marginals) from {@link MixtureConditional}.
     */
    public static Estimate mutualInformation(GaussianMixture m, int[] a, int[] b, int n, RandomGenerator rng) {
        if (m.size() == 1) {
            return Estimate.exact(mutualInformation(m.component(0), a, b));
        }
        mutualInformation(m.component(0), a, b); // validates the groups
        int d = m.dimension();
        MixtureConditional pa = MixtureConditional.of(m, allBut(d, a));
        MixtureConditional pb = MixtureConditional.of(m, allBut(d, b));
        int[] ab = new int[a.length + b.length];
        System.arraycopy(a, 0, ab, 0, a.length);
        System.arraycopy(b, 0, ab, a.length, b.length);
        MixtureConditional pab = MixtureConditional.of(m, allBut(d, ab));
        MixtureConditional.Work wa = pa.work();
        MixtureConditional.Work wb = pb.work();
        MixtureConditional.Work wab = pab.work();
        double[] copy = new double[d];
        return monteCarlo(m, n, rng, x -> {
            System.arraycopy(x, 0, copy, 0, d);
            double lab = pab.impute(copy, null, null, wab);
            System.arraycopy(x, 0, copy, 0, d);
            double la = pa.impute(copy, null, null, wa);
            System.arraycopy(x, 0, copy, 0, d);
            return lab - la - pb.impute(copy, null, null, wb);
        });
    }

    private static boolean[] allBut(int d, int[] keep) {
        boolean[] missing = new boolean[d];
        java.util.Arrays.fill(missing, true);
        for (int j : keep) {
            missing[j] = false;
        }
        return missing;
    }

    private static double logDet(Gaussian g, int[] idx) {
        double[] cov = g.covariance();
        int d = g.dimension();
        double[] sub = new double[idx.length * idx.length];
        for (int r = 0; r < idx.length; r++) {
            for (int c = 0; c < idx.length; c++) {
                sub[r * idx.length + c] = cov[idx[r] * d + idx[c]];
            }
        }
        return Cholesky.decompose(sub, idx.length).orThrow(null).logDeterminant();
    }

    /** Monte Carlo {@code KL(f‖g)} from {@code n} draws of {@code f}. */
    public static Estimate klMonteCarlo(GaussianMixture f, GaussianMixture g, int n, RandomGenerator rng) {
        sameDimension(f.dimension(), g.dimension());
        return monteCarlo(f, n, rng, x -> f.logDensity(x) - g.logDensity(x));
    }

    /** Monte Carlo differential entropy {@code H(f) = −E_f log f} from {@code n} draws. */
    public static Estimate entropyMonteCarlo(GaussianMixture f, int n, RandomGenerator rng) {
        return monteCarlo(f, n, rng, x -> -f.logDensity(x));
    }

    /** The entropy: closed form for one component, else Monte Carlo with {@code n} draws. */
    public static Estimate entropy(GaussianMixture f, int n, RandomGenerator rng) {
        return f.size() == 1 ? Estimate.exact(f.component(0).entropy()) : entropyMonteCarlo(f, n, rng);
    }

    /** {@code KL(f‖g)}: closed form when both have one component, else Monte Carlo with {@code n} draws. */
    public static Estimate kl(GaussianMixture f, GaussianMixture g, int n, RandomGenerator rng) {
        return f.size() == 1 && g.size() == 1
                ? Estimate.exact(kl(f.component(0), g.component(0)))
                : klMonteCarlo(f, g, n, rng);
    }

    /** Hershey &amp; Olsen's variational approximation of {@code KL(f‖g)}; exact for single Gaussians. */
    public static double klVariational(GaussianMixture f, GaussianMixture g) {
        sameDimension(f.dimension(), g.dimension());
        double total = 0;
        double[] num = new double[f.size()];
        double[] den = new double[g.size()];
        for (int a = 0; a < f.size(); a++) {
            for (int b = 0; b < f.size(); b++) {
                num[b] = Math.log(f.weight(b)) - kl(f.component(a), f.component(b));
            }
            for (int b = 0; b < g.size(); b++) {
                den[b] = Math.log(g.weight(b)) - kl(f.component(a), g.component(b));
            }
            total += f.weight(a) * (GaussianMixture.logSumExp(num, 0, num.length) - GaussianMixture.logSumExp(den, 0, den.length));
        }
        return total;
    }

    private interface RowFunction {
        double apply(double[] x);
    }

    private static Estimate monteCarlo(GaussianMixture f, int n, RandomGenerator rng, RowFunction h) {
        if (n < 2) {
            throw new IllegalArgumentException("Monte Carlo needs at least 2 draws, got " + n);
        }
        // Welford's running mean and variance.
        double mean = 0;
        double m2 = 0;
        for (int i = 1; i <= n; i++) {
            double v = h.apply(f.sample(rng));
            double delta = v - mean;
            mean += delta / i;
            m2 += delta * (v - mean);
        }
        return new Estimate(mean, Math.sqrt(m2 / (n - 1) / n), n);
    }

    private static int sameDimension(int a, int b) {
        if (a != b) {
            throw new IllegalArgumentException("models of different dimension: " + a + " and " + b);
        }
        return a;
    }
}
