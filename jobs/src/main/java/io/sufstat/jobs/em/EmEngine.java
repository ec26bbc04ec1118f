package io.sufstat.jobs.em;

import io.sufstat.common.em.EmModel;
import io.sufstat.common.stats.Mergeable;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.spark.BlockCache;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The one distributed driver of every model fitted by EM-like iterations ({@link EmModel}): iteration t is
 * one {@link BlockPass} under θ_{t−1}, whose statistics give θ_{t−1}'s objective and θ_t; convergence is a
 * change of the model's convergence quantity (by default the objective per unit weight) below tol; a last
 * pass evaluates the returned parameters, so the reported objective is theirs. The trace has one entry
 * per iteration and a last one for the returned parameters ({@code iterations + 1} entries), and never
 * decreases. With a checkpoint slot the state is saved after every iteration and a rerun resumes from it.
 */
public final class EmEngine {

    private static final Logger LOG = LoggerFactory.getLogger(EmEngine.class);

    private EmEngine() {
    }

    /** The initial parameters of a run, made only when no checkpoint replaces them (an initialisation may be costly). */
    @FunctionalInterface
    public interface Start<P> {
        P initial() throws Exception;
    }

    /** The result of one run. */
    public record Fit<P>(P model, double objective, double weightSum, long count, int iterations, boolean converged,
                         double[] trace, double seconds, double secondsPerIteration, List<double[]> runTraces) {

        Fit(P model, double objective, double weightSum, long count, int iterations, boolean converged, double[] trace,
            double seconds, double secondsPerIteration) {
            this(model, objective, weightSum, count, iterations, converged, trace, seconds, secondsPerIteration,
                    List.of(trace));
        }

        /** This fit, with the traces of every restart it was chosen from (in run order). */
        Fit<P> withRunTraces(List<double[]> traces) {
            return new Fit<>(model, objective, weightSum, count, iterations, converged, trace, seconds,
                    secondsPerIteration, List.copyOf(traces));
        }

        /** The objective per unit weight (the mean log-likelihood per row). */
        public double meanObjective() {
            return objective / weightSum;
        }
    }

    /** Runs EM from {@code start} (or {@code slot}'s saved state) until converged or {@code maxIter}. */
    public static <P, S extends Mergeable<S>> Fit<P> run(JavaSparkContext jsc, BlockCache cache, EmModel<P, S> model,
                                                         Start<P> start, int maxIter, double tol, String label,
                                                         Checkpoint.Slot<P> slot) throws Exception {
        long t0 = System.nanoTime();
        double[] trace = new double[maxIter + 1];
        int iterations = 0;
        boolean converged = false;
        double previous = Double.NaN;
        double iterationSeconds = 0;
        P params;
        Optional<Checkpoint.State<P>> saved = slot == null ? Optional.empty()
                : slot.load(new Checkpoint.Stopping(maxIter, tol));
        if (saved.isPresent()) {
            Checkpoint.State<P> st = saved.get();
            params = st.model();
            iterations = st.iterations();
            System.arraycopy(st.trace(), 0, trace, 0, iterations);
            previous = st.previous();
            converged = st.converged();
        } else {
            params = start.initial();
        }
        String name = model.convergenceName();
        S lastStats = null;
        for (int it = iterations + 1; it <= maxIter && !converged; it++) {
            long ti = System.nanoTime();
            S s = BlockPass.run(jsc, cache, model.eStep(params, true));
            lastStats = s;
            double value = model.convergenceQuantity(model.objective(params, s), model.weightSum(s));
            if (!Double.isFinite(value)) {
                throw JobFailedException.fit(label + ": the " + name + " is " + value + " at iteration " + it
                        + "; the data or the initial model are degenerate (scale the data or raise --reg-covar)");
            }
            trace[it - 1] = value;
            try {
                params = model.update(params, s);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new JobFailedException(io.sufstat.jobs.cli.Failure.FIT, label + ", EM iteration " + it + ": "
                        + e.getMessage().replace("Remedies:", "Remedies: fewer components (--k), a larger --reg-covar,")
                        + model.diagnose(s), e);
            }
            iterations = it;
            double change = Double.isNaN(previous) ? Double.NaN : value - previous;
            double seconds = (System.nanoTime() - ti) / 1e9;
            iterationSeconds += seconds;
            LOG.info("{}: iteration {}: {} {}, change {}, {} s{}", label, it, name, String.format("%.10f", value),
                    Double.isNaN(change) ? "-" : String.format("%.3e", change), String.format("%.2f", seconds),
                    model.describe(params));
            converged = !Double.isNaN(change) && Math.abs(change) < tol;
            previous = value;
            if (slot != null) {
                slot.save(new Checkpoint.State<>(params, it, trace, previous, converged));
            }
        }
        if (!model.evaluatesFinalParameters()) {
            // The objective belongs to the last iteration's update (a variational lower bound).
            S counts = lastStats != null ? lastStats : BlockPass.run(jsc, cache, model.eStep(params, false));
            LOG.info("{}: {} after {} iterations, {} {}", label, converged ? "converged" : "stopped at --max-iter",
                    iterations, name, String.format("%.10f", trace[iterations - 1]));
            return new Fit<>(params, trace[iterations - 1], model.weightSum(counts), model.count(counts), iterations,
                    converged, Arrays.copyOf(trace, iterations), (System.nanoTime() - t0) / 1e9,
                    iterations == 0 ? 0 : iterationSeconds / iterations);
        }
        S last = BlockPass.run(jsc, cache, model.eStep(params, false));
        double objective = model.objective(params, last);
        double weight = model.weightSum(last);
        trace[iterations] = model.convergenceQuantity(objective, weight);
        if (!Double.isFinite(objective)) {
            throw JobFailedException.fit(label + ": the final " + model.objectiveName() + " is " + objective);
        }
        LOG.info("{}: {} after {} iterations, {} {}", label, converged ? "converged" : "stopped at --max-iter", iterations,
                name, String.format("%.10f", trace[iterations]));
        return new Fit<>(params, objective, weight, model.count(last), iterations, converged,
                Arrays.copyOf(trace, iterations + 1), (System.nanoTime() - t0) / 1e9,
                iterations == 0 ? 0 : iterationSeconds / iterations);
    }

    /**
     * The best of {@code runs} runs (restarts from different initialisations, run r from {@code starts}'s
     * r-th start): the highest objective wins, the first on a tie.
     */
    public static <P, S extends Mergeable<S>> Fit<P> best(int runs, RunOne<P> one) throws Exception {
        Fit<P> best = null;
        List<double[]> traces = new java.util.ArrayList<>();
        for (int r = 0; r < runs; r++) {
            Fit<P> fit = one.run(r);
            traces.add(fit.trace());
            if (best == null || fit.objective() > best.objective()) {
                best = fit;
            }
        }
        return best == null ? null : best.withRunTraces(traces);
    }

    /** Run r of a fit with restarts. */
    @FunctionalInterface
    public interface RunOne<P> {
        Fit<P> run(int r) throws Exception;
    }
}
