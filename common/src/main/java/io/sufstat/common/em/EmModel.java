package io.sufstat.common.em;

import io.sufstat.common.stats.Mergeable;

/**
 * A model fitted by EM-like iterations on mergeable sufficient statistics (Dempster, Laird &amp; Rubin
 * 1977; ECM, Meng &amp; Rubin 1993; variational EM, Bishop 2006 §10.2): one pass over the data under the
 * current parameters θ_t gives statistics S_t; from S_t the objective of θ_t (a log-likelihood, or a
 * lower bound) and the next parameters θ_{t+1}. The distributed driver owns everything else — passes,
 * convergence, the trace, checkpoints, restarts and selection — so a new model supplies only this.
 *
 * @param <P> the parameters (immutable)
 * @param <S> the sufficient statistics of one pass
 */
public interface EmModel<P, S extends Mergeable<S>> {

    /**
     * The E-step of one pass under {@code params}; with {@code forUpdate} false only what
     * {@link #objective} needs (the final evaluation of a fit).
     */
    EStep<S, ?> eStep(P params, boolean forUpdate);

    /** The next parameters (M-step, CM-steps or variational update) from the statistics of a pass under {@code params}. */
    P update(P params, S stats);

    /** The objective of {@code params} from the statistics of a pass under them: never decreases under {@link #update}. */
    double objective(P params, S stats);

    /** The total row weight Σ wᵢ the statistics saw. */
    double weightSum(S stats);

    /** The rows the statistics saw. */
    long count(S stats);

    /** Free parameters of {@code params}, for BIC and AIC. */
    int parameterCount(P params);

    /**
     * The quantity compared with {@code --tol} between iterations: by default the objective per unit
     * weight (independent of N, as {@code gmm}'s mean log-likelihood per row); a model may use the total
     * (scikit-learn's {@code BayesianGaussianMixture} uses the total lower bound).
     */
    default double convergenceQuantity(double objective, double weightSum) {
        return objective / weightSum;
    }

    /** Words added to an iteration's log line about the parameters it produced (empty by default). */
    default String describe(P params) {
        return "";
    }

    /** Words to add to the message of a failed update (components that collapsed, …); empty by default. */
    default String diagnose(S stats) {
        return "";
    }

    /**
     * Whether the driver ends with a pass that evaluates the returned parameters (true by default). A model
     * whose objective belongs to an iteration's update (a variational lower bound) reports the last
     * iteration's instead, and its trace has one entry per iteration.
     */
    default boolean evaluatesFinalParameters() {
        return true;
    }

    /** What the objective is called in logs and model.json ("log-likelihood", "lower bound"). */
    default String objectiveName() {
        return "log-likelihood";
    }

    /** What {@link #convergenceQuantity} is called in logs ("mean log-likelihood" by default). */
    default String convergenceName() {
        return "mean " + objectiveName();
    }
}
