package io.sufstat.jobs.gmm;

import io.sufstat.common.linalg.NotPositiveDefiniteException;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.MixtureKernel;
import io.sufstat.common.stats.EmStatistics;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Failure;
import io.sufstat.jobs.spark.BlockCache;
import io.sufstat.jobs.spark.DataBlock;
import io.sufstat.jobs.spark.OrderedReduce;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.Optional;
import java.util.Iterator;
import java.util.List;

/**
 * EM for a Gaussian mixture on cached blocks. Each iteration is one distributed pass: the current
 * mixture is broadcast as a {@link MixtureKernel}, every partition returns its {@link EmStatistics}
 * (E-step log-likelihood and M statistics from the same pass over each block), the driver merges them
 * in partition order and takes the M-step. Iteration t evaluates θ_{t−1}, then steps to θ_t (as
 * scikit-learn does); convergence is a change of the mean log-likelihood below tol. A last pass
 * evaluates the returned parameters, so the reported log-likelihood belongs to them.
 */
final class EmDriver {

    private static final Logger LOG = LoggerFactory.getLogger(EmDriver.class);

    private EmDriver() {
    }

    /** The result of one EM run. */
    record Fit(GaussianMixture model, double logLikelihood, double weightSum, long count, int iterations,
               boolean converged, double[] trace, double seconds, double secondsPerIteration) {

        double meanLogLikelihood() {
            return logLikelihood / weightSum;
        }
    }

    static Fit run(JavaSparkContext jsc, BlockCache cache, GaussianMixture initial, int maxIter, double tol,
                   double regCovar, String label) throws Exception {
        return run(jsc, cache, () -> initial, maxIter, tol, regCovar, label, null);
    }

    /** The initial mixture of a run, made only when no checkpoint replaces it. */
    @FunctionalInterface
    interface Start {
        GaussianMixture initial() throws Exception;
    }

    /**
     * EM from {@code start}'s mixture; with a checkpoint slot, from the slot's saved state when there is one
     * of this run, and the state saved after every iteration.
     */
    static Fit run(JavaSparkContext jsc, BlockCache cache, Start start, int maxIter, double tol,
                   double regCovar, String label, Checkpoint.Slot slot) throws Exception {
        long t0 = System.nanoTime();
        GaussianMixture m = null;
        double[] trace = new double[maxIter + 1];
        int iterations = 0;
        boolean converged = false;
        double previous = Double.NaN;
        double iterationSeconds = 0;
        Optional<Checkpoint.State> saved = slot == null ? Optional.empty()
                : slot.load(new Checkpoint.Stopping(maxIter, tol));
        if (saved.isPresent()) {
            Checkpoint.State st = saved.get();
            m = st.model();
            iterations = st.iterations();
            System.arraycopy(st.trace(), 0, trace, 0, iterations);
            previous = st.previous();
            converged = st.converged();
        } else {
            m = start.initial();
        }
        for (int it = iterations + 1; it <= maxIter && !converged; it++) {
            long ti = System.nanoTime();
            EmStatistics s = pass(jsc, cache, m, true);
            double mean = s.logLikelihood() / s.weightSum();
            if (!Double.isFinite(mean)) {
                throw new JobFailedException(Failure.FIT, label + ": the log-likelihood is " + mean + " at iteration " + it
                        + "; the data or the initial model are degenerate (scale the data or raise --reg-covar)");
            }
            trace[it - 1] = mean;
            try {
                m = s.mStep(MixtureKernel.of(m), regCovar);
            } catch (NotPositiveDefiniteException e) {
                throw new JobFailedException(Failure.FIT, label + ", EM iteration " + it + ": " + e.getMessage().replace(
                        "Remedies:", "Remedies: fewer components (--k), a larger --reg-covar (now " + regCovar + "),")
                        + collapsedHint(s), e);
            }
            iterations = it;
            double change = Double.isNaN(previous) ? Double.NaN : mean - previous;
            double seconds = (System.nanoTime() - ti) / 1e9;
            iterationSeconds += seconds;
            LOG.info("{}: iteration {}: mean log-likelihood {}, change {}, {} s", label, it, String.format("%.10f", mean),
                    Double.isNaN(change) ? "-" : String.format("%.3e", change), String.format("%.2f", seconds));
            converged = !Double.isNaN(change) && Math.abs(change) < tol;
            previous = mean;
            if (slot != null) {
                slot.save(new Checkpoint.State(m, it, trace, previous, converged));
            }
        }
        EmStatistics last = pass(jsc, cache, m, false);
        double ll = last.logLikelihood();
        trace[iterations] = ll / last.weightSum();
        if (!Double.isFinite(ll)) {
            throw new JobFailedException(Failure.FIT, label + ": the final log-likelihood is " + ll);
        }
        double total = (System.nanoTime() - t0) / 1e9;
        LOG.info("{}: {} after {} iterations, mean log-likelihood {}", label, converged ? "converged" : "stopped at --max-iter",
                iterations, String.format("%.10f", trace[iterations]));
        return new Fit(m, ll, last.weightSum(), last.count(), iterations, converged,
                Arrays.copyOf(trace, iterations + 1), total, iterations == 0 ? 0 : iterationSeconds / iterations);
    }

    private static String collapsedHint(EmStatistics s) {
        double[] nk = s.componentWeights();
        StringBuilder b = new StringBuilder();
        for (int j = 0; j < nk.length; j++) {
            if (nk[j] < 2) {
                b.append(b.length() == 0 ? " Components holding less than the weight of two rows: " : ", ")
                        .append(j + 1).append(" (").append(String.format("%.3g", nk[j])).append(')');
            }
        }
        return b.toString();
    }

    /** One pass: E-step (and M statistics when {@code withMoments}) of every block under {@code m}. */
    static EmStatistics pass(JavaSparkContext jsc, BlockCache cache, GaussianMixture m, boolean withMoments) throws Exception {
        Broadcast<MixtureKernel> kernel = jsc.broadcast(MixtureKernel.of(m));
        int capacity = cache.blockRows();
        try {
            boolean missing = cache.hasMissing();
            // Only EM over missing values needs the mixture itself in the tasks (for its conditionals).
            GaussianMixture mixture = missing ? m : null;
            return OrderedReduce.reduce(cache.blocks().mapPartitions((Iterator<DataBlock> it) -> {
                MixtureKernel k = kernel.value();
                MixtureKernel.Workspace ws = k.workspace(capacity);
                EmStatistics s = EmStatistics.create(k);
                // With missing values: conditionals per missingness pattern, cached for the task.
                java.util.Map<EmStatistics.MissingPattern, EmStatistics.PatternConditional> patterns =
                        missing ? new java.util.HashMap<>() : null;
                while (it.hasNext()) {
                    DataBlock b = it.next();
                    if (b.rows() > 0) {
                        if (missing) {
                            s.accumulateWithMissing(k, ws, mixture, patterns, b.values(), b.weights(), b.rows(), withMoments);
                        } else {
                            s.accumulate(k, ws, b.values(), b.weights(), b.rows(), withMoments);
                        }
                    }
                }
                return List.of(s).iterator();
            }), EmStatistics::combine).orElseThrow(() -> new JobFailedException(Failure.INPUT, "no data"));
        } finally {
            kernel.destroy();
        }
    }
}
