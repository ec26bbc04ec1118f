package io.sufstat.jobs.gmm;

import io.sufstat.common.em.GaussianMixtureEm;
import io.sufstat.common.em.StepwiseMixtureStatistics;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.MixtureKernel;
import io.sufstat.common.stats.EmStatistics;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.em.BlockPass;
import io.sufstat.jobs.spark.BlockCache;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * {@code gmm --algorithm stochastic}: stepwise EM (Cappé &amp; Moulines 2009; Liang &amp; Klein 2009) before batch
 * EM. Step t reads a seeded random fraction of the cached blocks, takes their E statistics under the current
 * mixture, folds them into the running statistics with step size {@code (t + 2)^(−κ)}
 * ({@link StepwiseMixtureStatistics}) and solves the M-step; after the steps, batch EM iterations ({@code --polish})
 * make the written model a proper EM fixed point, with the batch objective and convergence test.
 */
public final class StochasticEm {

    private static final Logger LOG = LoggerFactory.getLogger(StochasticEm.class);

    public static final Opt<String> ALGORITHM = Opt.choice("algorithm", "batch: EM passes over all rows; stochastic:"
            + " stepwise EM on random fractions of the cached blocks first (--batch-fraction, --step-decay,"
            + " --stochastic-steps), then at most --polish batch iterations. Not for tied covariances or --missing em.",
            "batch", "stochastic").defaultsTo("batch");
    public static final Opt<Double> BATCH_FRACTION = Opt.number("batch-fraction", "F", "With --algorithm stochastic:"
            + " the fraction of the cached blocks each step reads.").defaultsTo("0.05")
            .check(f -> f > 0 && f <= 1, "in (0, 1]");
    public static final Opt<Double> STEP_DECAY = Opt.number("step-decay", "KAPPA", "With --algorithm stochastic: step"
            + " t weighs its batch by (t + 2)^-KAPPA.").defaultsTo("0.6").check(k -> k > 0.5 && k <= 1, "in (0.5, 1]");
    public static final Opt<Integer> STEPS = Opt.integer("stochastic-steps", "N", "With --algorithm stochastic: steps"
            + " before the batch iterations. Default: two passes' worth, ceil(2 / F).").check(n -> n >= 1, "at least 1");
    public static final Opt<Integer> POLISH = Opt.integer("polish", "N", "With --algorithm stochastic: most batch EM"
            + " iterations after the steps (they stop earlier at --tol).").defaultsTo("20").check(n -> n >= 1, "at least 1");

    /** Every option of the algorithm, for a job's option list. */
    public static final List<Opt<?>> OPTIONS = List.of(ALGORITHM, BATCH_FRACTION, STEP_DECAY, STEPS, POLISH);

    /** The stochastic phase's settings; empty for batch EM. */
    public record Settings(double fraction, double kappa, int steps, int polish) {

        /** The settings the options give, or empty for {@code --algorithm batch}. */
        public static java.util.Optional<Settings> from(Options o) {
            if (!o.get(ALGORITHM).equals("stochastic")) {
                for (Opt<?> opt : List.of(BATCH_FRACTION, STEP_DECAY, STEPS, POLISH)) {
                    if (o.given(opt)) {
                        throw new UsageException("--" + opt.name() + " applies to --algorithm stochastic only");
                    }
                }
                return java.util.Optional.empty();
            }
            if (o.given(io.sufstat.jobs.em.FitOptions.MAX_ITER)) {
                throw new UsageException("--max-iter applies to --algorithm batch; with --algorithm stochastic the batch"
                        + " iterations after the steps are --polish");
            }
            double f = o.get(BATCH_FRACTION);
            int steps = o.find(STEPS).orElse((int) Math.min(1_000_000, Math.ceil(2 / f)));
            return java.util.Optional.of(new Settings(f, o.get(STEP_DECAY), steps, o.get(POLISH)));
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "stochastic (batch fraction %s, step decay %s, %d steps, polish %d)",
                    fraction, kappa, steps, polish);
        }

        /** Refuses what stepwise EM cannot do. */
        public void check(List<CovarianceType> types, boolean missing) {
            if (types.contains(CovarianceType.TIED)) {
                throw new UsageException("--algorithm stochastic does not fit tied covariances (their statistics are"
                        + " summed over the components); use full, diag or spherical, or --algorithm batch");
            }
            if (missing) {
                throw new UsageException("--algorithm stochastic does not combine with --missing em; use --algorithm batch");
            }
        }
    }

    private StochasticEm() {
    }

    /** The mixture after the stepwise phase from {@code start}, for batch EM to polish. */
    public static GaussianMixture run(JavaSparkContext jsc, BlockCache cache, GaussianMixture start, Settings s,
                                      double regCovar, long seed, String label) throws Exception {
        return run(jsc, cache, start, s, regCovar, seed, label, (step, passes, model) -> true);
    }

    /** Sees the model after each step, with the passes' worth of weight read so far; false stops the steps. */
    @FunctionalInterface
    public interface Observer {
        boolean after(int step, double passesRead, GaussianMixture model) throws Exception;
    }

    /** As {@link #run(JavaSparkContext, BlockCache, GaussianMixture, Settings, double, long, String)}, observed. */
    public static GaussianMixture run(JavaSparkContext jsc, BlockCache cache, GaussianMixture start, Settings s,
                                      double regCovar, long seed, String label, Observer observer) throws Exception {
        GaussianMixtureEm em = GaussianMixtureEm.of(regCovar, false);
        double total = cache.weightSum();
        int blocks = Math.max(1, cache.blocks().getNumPartitions());
        LOG.info("{}: {} stochastic steps, each on about {}% of the cached blocks, step decay {}", label, s.steps(),
                String.format("%.3g", 100 * s.fraction()), s.kappa());
        StepwiseMixtureStatistics running = null;
        GaussianMixture model = start;
        int empty = 0;
        double read = 0;
        long t0 = System.nanoTime();
        for (int t = 0; t < s.steps(); t++) {
            MixtureKernel kernel = MixtureKernel.of(model);
            EmStatistics batch = BlockPass.run(jsc, cache, em.eStep(model, true),
                    new BlockPass.BlockChoice(s.fraction(), seed, t));
            if (!(batch.weightSum() > 0)) {
                empty++;
                continue;
            }
            double scale = total / batch.weightSum();
            read += batch.weightSum() / total;
            running = running == null ? StepwiseMixtureStatistics.of(batch, kernel, scale)
                    : running.step(batch, kernel, scale, StepwiseMixtureStatistics.stepSize(t, s.kappa()));
            try {
                model = running.mStep(model, regCovar);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw JobFailedException.fit(label + ", stochastic step " + (t + 1) + ": " + e.getMessage()
                        + "; use a larger --batch-fraction or --reg-covar");
            }
            if ((t + 1) % Math.max(1, s.steps() / 10) == 0) {
                LOG.info("{}: stochastic step {} of {}: batch mean log-likelihood {}", label, t + 1, s.steps(),
                        String.format("%.6f", batch.logLikelihood() / batch.weightSum()));
            }
            if (!observer.after(t, read, model)) {
                break;
            }
        }
        if (running == null) {
            throw JobFailedException.fit(label + ": no stochastic step read any rows (" + blocks + " partitions of cached"
                    + " blocks); use a larger --batch-fraction or --algorithm batch");
        }
        LOG.info("{}: {} stochastic steps in {} s ({} read no block)", label, s.steps(),
                String.format("%.2f", (System.nanoTime() - t0) / 1e9), empty);
        return model;
    }
}
