package io.sufstat.common.em;

/**
 * Model selection by information criteria, as scikit-learn defines them for mixtures (Schwarz 1978;
 * Akaike 1974): {@code BIC = −2ℓ + p ln n} and {@code AIC = −2ℓ + 2p}, with ℓ the log-likelihood, p the
 * number of free parameters and n the number of rows (the total weight for weighted rows). Lower is better.
 */
public final class InformationCriteria {

    private InformationCriteria() {
    }

    public static double bic(double logLikelihood, long parameters, double n) {
        return -2 * logLikelihood + parameters * Math.log(n);
    }

    public static double aic(double logLikelihood, long parameters) {
        return -2 * logLikelihood + 2 * parameters;
    }
}
