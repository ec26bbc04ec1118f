package io.sufstat.common.model;

/**
 * A {@link TMixture} prepared for evaluating blocks of rows: the squared Mahalanobis distances δ from the
 * Gaussian block kernels of its locations and scales, then per row {@code ln π_k t_k(x)}, log-sum-exp,
 * the posteriors τ_ik and the expected latent weight {@code E[u | x] = Σ_k τ_ik (ν_k + d)/(ν_k + δ_ik)}
 * (about 1 for a typical row, near 0 for an outlier).
 */
public final class TMixtureKernel implements BlockDensity {
    private static final long serialVersionUID = 1L;

    private final TMixture t;
    private final MixtureKernel kernel;
    private final double[] constants;

    private TMixtureKernel(TMixture t) {
        this.t = t;
        this.kernel = MixtureKernel.of(t.scales());
        this.constants = new double[t.size()];
        for (int k = 0; k < constants.length; k++) {
            constants[k] = t.logConstant(k);
        }
    }

    public static TMixtureKernel of(TMixture t) {
        return new TMixtureKernel(t);
    }

    @Override
    public int dimension() {
        return t.dimension();
    }

    @Override
    public int components() {
        return t.size();
    }

    @Override
    public MixtureKernel.Workspace workspace(int rows) {
        return kernel.workspace(rows);
    }

    @Override
    public double posteriors(double[] values, double[] weights, int rows, MixtureKernel.Workspace ws) {
        int k = t.size();
        double[] lp = ws.logp;
        double ll = 0;
        for (int from = 0; from < rows; from += ws.subBlock()) {
            int to = Math.min(rows, from + ws.subBlock());
            kernel.squaredDistances(values, from, to, ws);
            for (int i = 0; i < to - from; i++) {
                int o = (from + i) * k;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    lp[o + j] = t.logWeightedDensity(j, constants[j], ws.squaredDistance(j, i));
                    max = Math.max(max, lp[o + j]);
                }
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    lp[o + j] = Math.exp(lp[o + j] - max);
                    sum += lp[o + j];
                }
                double u = 0;
                for (int j = 0; j < k; j++) {
                    lp[o + j] /= sum;
                    u += lp[o + j] * t.latentWeight(j, ws.squaredDistance(j, i));
                }
                ws.latentWeight[from + i] = u;
                ws.logDensity[from + i] = max + Math.log(sum);
                ll += (weights == null ? 1.0 : weights[from + i]) * ws.logDensity[from + i];
            }
        }
        return ll;
    }
}
