package io.sufstat.common.special;

/**
 * The gamma function's logarithm and its derivative, to about 1e-15 relative, for the Student-t density
 * and its degrees-of-freedom equation.
 * <ul>
 * <li>{@link #logGamma}: Lanczos' approximation (g = 607/128, 15 terms, as in Godfrey's coefficients)
 * for x ≥ 0.5, the reflection formula below.</li>
 * <li>{@link #digamma}: ψ(x) by the recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 10, then the asymptotic
 * series ψ(x) ≈ ln x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ).</li>
 * </ul>
 */
public final class Gamma {

    private static final double LANCZOS_G = 607.0 / 128.0;
    private static final double[] LANCZOS = {
        0.99999999999999709182, 57.156235665862923517, -59.597960355475491248, 14.136097974741747174,
        -0.49191381609762019978, .33994649984811888699e-4, .46523628927048575665e-4, -.98374475304879564677e-4,
        .15808870322491248884e-3, -.21026444172410488319e-3, .21743961811521264320e-3, -.16431810653676389022e-3,
        .84418223983852743293e-4, -.26190838401581408670e-4, .36899182659531622704e-5,
    };
    private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

    private Gamma() {
    }

    /** ln Γ(x) for x > 0. */
    public static double logGamma(double x) {
        if (!(x > 0)) {
            throw new IllegalArgumentException("logGamma needs x > 0, not " + x);
        }
        if (x < 0.5) {
            // Γ(x) Γ(1 − x) = π / sin(πx)
            return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
        }
        double z = x - 1;
        double sum = LANCZOS[0];
        for (int i = 1; i < LANCZOS.length; i++) {
            sum += LANCZOS[i] / (z + i);
        }
        double t = z + LANCZOS_G + 0.5;
        return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
    }

    /** ψ(x) = d/dx ln Γ(x), for x > 0. */
    public static double digamma(double x) {
        if (!(x > 0)) {
            throw new IllegalArgumentException("digamma needs x > 0, not " + x);
        }
        double result = 0;
        while (x < 10) {
            result -= 1 / x;
            x += 1;
        }
        double inv2 = 1 / (x * x);
        // Bernoulli numbers B2..B14 over 2k: 1/12, −1/120, 1/252, −1/240, 1/132, −691/32760, 1/12.
        double series = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240
                - inv2 * (1.0 / 132 - inv2 * (691.0 / 32760 - inv2 / 12))))));
        return result + Math.log(x) - 0.5 / x - series;
    }
}
