package io.sufstat.common.stats;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * Weighted mean and MLE covariance in BigDecimal (exact sums, 60 significant digits for divisions): the
 * test reference, shared with the jobs module through the test jar.
 */
public final class ExactMoments {
    private static final MathContext MC = new MathContext(60);

    public final double[] mean;
    public final double[] covariance;

    private ExactMoments(double[] mean, double[] covariance) {
        this.mean = mean;
        this.covariance = covariance;
    }

    /** The mean and MLE covariance of {@code rows} with {@code weights} (unit weights when null). */
    public static ExactMoments of(double[][] rows, double[] weights) {
        int d = rows[0].length;
        BigDecimal w = BigDecimal.ZERO;
        BigDecimal[] s = new BigDecimal[d];
        java.util.Arrays.fill(s, BigDecimal.ZERO);
        for (int i = 0; i < rows.length; i++) {
            BigDecimal wi = new BigDecimal(weights == null ? 1.0 : weights[i]);
            w = w.add(wi);
            for (int j = 0; j < d; j++) {
                s[j] = s[j].add(wi.multiply(new BigDecimal(rows[i][j])));
            }
        }
        BigDecimal[] mu = new BigDecimal[d];
        double[] mean = new double[d];
        for (int j = 0; j < d; j++) {
            mu[j] = s[j].divide(w, MC);
            mean[j] = mu[j].doubleValue();
        }
        double[] cov = new double[d * d];
        for (int r = 0; r < d; r++) {
            for (int c = 0; c <= r; c++) {
                BigDecimal acc = BigDecimal.ZERO;
                for (int i = 0; i < rows.length; i++) {
                    BigDecimal wi = new BigDecimal(weights == null ? 1.0 : weights[i]);
                    acc = acc.add(wi.multiply(new BigDecimal(rows[i][r]).subtract(mu[r]))
                            .multiply(new BigDecimal(rows[i][c]).subtract(mu[c]), MC), MC);
                }
                double v = acc.divide(w, MC).doubleValue();
                cov[r * d + c] = v;
                cov[c * d + r] = v;
            }
        }
        return new ExactMoments(mean, cov);
    }
}
