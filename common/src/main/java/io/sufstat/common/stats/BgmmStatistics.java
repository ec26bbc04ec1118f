package io.sufstat.common.stats;

import io.sufstat.common.model.MixtureKernel;

/**
 * The sufficient statistics of one variational EM iteration of a Bayesian Gaussian mixture, mergeable: the
 * responsibility-weighted moments as {@link EmStatistics} (N_k, the first and second moments about the
 * current means; scikit-learn's {@code nk, xk, sk}) and the entropy term {@code Σ wᵢ Σ_k r_ik ln r_ik} of
 * the lower bound.
 */
public final class BgmmStatistics implements Mergeable<BgmmStatistics> {
    private static final long serialVersionUID = 1L;

    private final EmStatistics moments;
    private double responsibilityLogSum;

    private BgmmStatistics(MixtureKernel kernel) {
        this.moments = EmStatistics.create(kernel);
    }

    public static BgmmStatistics create(MixtureKernel kernel) {
        return new BgmmStatistics(kernel);
    }

    /** Adds a block whose responsibilities {@code resp} (rows × K) are given; with moments unless only counting. */
    public BgmmStatistics accumulate(MixtureKernel kernel, MixtureKernel.Workspace ws, double[] values, double[] weights,
                                     int rows, double[] resp, boolean withMoments) {
        int k = kernel.components();
        for (int i = 0; i < rows; i++) {
            double w = weights == null ? 1.0 : weights[i];
            double s = 0;
            for (int j = 0; j < k; j++) {
                double r = resp[i * k + j];
                if (r > 0) {
                    s += r * Math.log(r);
                }
            }
            responsibilityLogSum += w * s;
        }
        if (withMoments) {
            moments.accumulateResponsibilities(kernel, ws, values, weights, rows, resp);
        } else {
            moments.countRowsOnly(weights, rows);
        }
        return this;
    }

    @Override
    public BgmmStatistics combine(BgmmStatistics o) {
        moments.combine(o.moments);
        responsibilityLogSum += o.responsibilityLogSum;
        return this;
    }

    /** N_k and the moments about the current means. */
    public EmStatistics moments() {
        return moments;
    }

    /** {@code Σ wᵢ Σ_k r_ik ln r_ik} (≤ 0; its negative is the entropy term of the lower bound). */
    public double responsibilityLogSum() {
        return responsibilityLogSum;
    }

    public long count() {
        return moments.count();
    }

    public double weightSum() {
        return moments.weightSum();
    }
}
