package io.sufstat.common.inference;

/**
 * A number with its standard error: exact results have error 0, Monte Carlo results the sample standard
 * deviation over √n.
 */
public record Estimate(double value, double standardError, long samples) {

    /** An exact (closed-form) value. */
    public static Estimate exact(double value) {
        return new Estimate(value, 0.0, 0);
    }

    public boolean isExact() {
        return samples == 0;
    }
}
