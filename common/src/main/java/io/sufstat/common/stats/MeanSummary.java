package io.sufstat.common.stats;

/**
 * The weighted mean of rows, mergeable, without second moments (for high-dimensional fits that must not
 * form a d × d matrix): {@code W = Σ wᵢ}, {@code μ = Σ wᵢ xᵢ / W}. A block's mean is taken about its first
 * row and blocks merge by Chan, Golub &amp; LeVeque's update {@code μ = μ_a + (μ_b − μ_a) W_b / W}, so a
 * large common offset does not cost digits.
 */
public final class MeanSummary implements Mergeable<MeanSummary> {
    private static final long serialVersionUID = 1L;

    private final double[] mean;
    private long count;
    private double weightSum;

    private MeanSummary(int d) {
        this.mean = new double[d];
    }

    public static MeanSummary create(int d) {
        return new MeanSummary(d);
    }

    /** Adds {@code rows} row-major rows ({@code weights} null for unit weights). */
    public MeanSummary addBlock(double[] values, double[] weights, int rows) {
        int d = mean.length;
        if (rows == 0) {
            return this;
        }
        MeanSummary b = new MeanSummary(d);
        double total = 0;
        for (int i = 0; i < rows; i++) {
            double w = weights == null ? 1.0 : weights[i];
            total += w;
            for (int j = 0; j < d; j++) {
                b.mean[j] += w * (values[i * d + j] - values[j]);
            }
        }
        for (int j = 0; j < d; j++) {
            b.mean[j] = total == 0 ? values[j] : values[j] + b.mean[j] / total;
        }
        b.count = rows;
        b.weightSum = total;
        return combine(b);
    }

    @Override
    public MeanSummary combine(MeanSummary o) {
        count += o.count;
        if (o.weightSum == 0) {
            return this;
        }
        double w = weightSum + o.weightSum;
        for (int j = 0; j < mean.length; j++) {
            mean[j] = weightSum == 0 ? o.mean[j] : mean[j] + (o.mean[j] - mean[j]) * (o.weightSum / w);
        }
        weightSum = w;
        return this;
    }

    public long count() {
        return count;
    }

    public double weightSum() {
        return weightSum;
    }

    public double[] mean() {
        return mean.clone();
    }
}
