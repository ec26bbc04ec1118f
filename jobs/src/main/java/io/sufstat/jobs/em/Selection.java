package io.sufstat.jobs.em;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.em.InformationCriteria;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.jobs.cli.Failure;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.core.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Model selection over a grid of component counts and covariance types on one cached data set (Schwarz
 * 1978; scikit-learn's {@code bic}: −2 log L + p ln n, n the weight sum): every combination is fitted, one
 * that fails is kept with its reason while the others go on, and the lowest BIC wins (the first on a tie).
 * When the grid has one combination its failure is the job's.
 */
public final class Selection<P> {

    private static final Logger LOG = LoggerFactory.getLogger(Selection.class);

    /** One (K, covariance type) combination: its fit, or why it failed. */
    public record Candidate<P>(int k, CovarianceType type, long parameters, EmEngine.Fit<P> fit, String error,
                               Exception cause) {

        public double bic() {
            return InformationCriteria.bic(fit.objective(), parameters, fit.weightSum());
        }

        public double aic() {
            return InformationCriteria.aic(fit.objective(), parameters);
        }

        /** {@code k=3 full}, as the log and the messages name a combination. */
        public String label() {
            return "k=" + k + " " + type.label();
        }
    }

    /** Fits one combination (the best of its restarts). */
    @FunctionalInterface
    public interface FitOne<P> {
        EmEngine.Fit<P> fit(int k, CovarianceType type) throws Exception;
    }

    /** The free parameters of a combination, for BIC and AIC. */
    @FunctionalInterface
    public interface ParameterCount {
        long of(int k, CovarianceType type);
    }

    private final List<Candidate<P>> candidates;
    private final Candidate<P> chosen;

    private Selection(List<Candidate<P>> candidates, Candidate<P> chosen) {
        this.candidates = List.copyOf(candidates);
        this.chosen = chosen;
    }

    /**
     * Fits every (K, type) of the grid, types outer, K inner. Throws the failure when every combination
     * failed (naming the first); a usage error always stops the selection.
     */
    public static <P> Selection<P> run(List<Integer> ks, List<CovarianceType> types, ParameterCount parameters,
                                       FitOne<P> one) throws Exception {
        if (ks.isEmpty() || types.isEmpty()) {
            throw new IllegalArgumentException("a selection needs at least one K and one covariance type");
        }
        boolean selecting = ks.size() * types.size() > 1;
        List<Candidate<P>> all = new ArrayList<>();
        for (CovarianceType type : types) {
            for (int k : ks) {
                long p = parameters.of(k, type);
                try {
                    all.add(new Candidate<>(k, type, p, one.fit(k, type), null, null));
                } catch (UsageException e) {
                    throw e;
                } catch (Exception e) {
                    if (!selecting) {
                        throw e;
                    }
                    String why = Failures.of(e).message();
                    LOG.warn("k={} {}: no model: {}", k, type.label(), why);
                    all.add(new Candidate<>(k, type, p, null, why, e));
                }
            }
        }
        return new Selection<>(all, choose(all));
    }

    private static <P> Candidate<P> choose(List<Candidate<P>> all) throws Exception {
        Candidate<P> chosen = null;
        for (Candidate<P> c : all) {
            if (c.fit() != null && (chosen == null || c.bic() < chosen.bic())) {
                chosen = c;
            }
        }
        if (chosen == null) {
            Candidate<P> first = all.get(0);
            if (all.size() > 1) {
                throw new JobFailedException(first.cause() instanceof JobFailedException j ? j.failure() : Failure.FIT,
                        "every one of the " + all.size() + " combinations failed; the first, " + first.label() + ": "
                                + first.error(), first.cause());
            }
            throw first.cause();
        }
        if (all.size() > 1) {
            LOG.info("lowest BIC: {} (BIC {})", chosen.label(), String.format("%.4f", chosen.bic()));
        }
        return chosen;
    }

    public List<Candidate<P>> candidates() {
        return candidates;
    }

    /** The combination with the lowest BIC. */
    public Candidate<P> chosen() {
        return chosen;
    }

    /** {@code selection.csv}: one line per combination, fitted or failed ({@code init} names the initialisation). */
    public String csv(String init) {
        StringBuilder b = new StringBuilder("k,covarianceType,init,logLikelihood,meanLogLikelihood,parameters,bic,aic,"
                + "iterations,converged,seconds,error\n");
        for (Candidate<P> c : candidates) {
            b.append(c.k()).append(',').append(c.type().label()).append(',').append(init).append(',');
            if (c.fit() != null) {
                EmEngine.Fit<P> f = c.fit();
                b.append(f.objective()).append(',').append(f.meanObjective()).append(',').append(c.parameters())
                        .append(',').append(c.bic()).append(',').append(c.aic()).append(',').append(f.iterations())
                        .append(',').append(f.converged()).append(',').append(round(f.seconds())).append(",\n");
            } else {
                b.append(",,").append(c.parameters()).append(",,,,,,\"").append(c.error().replace("\"", "\"\""))
                        .append("\"\n");
            }
        }
        return b.toString();
    }

    /** Every combination as the {@code fits} array of {@code metrics.json}. */
    public void putInto(ObjectNode metrics) {
        ArrayNode all = metrics.putArray("fits");
        for (Candidate<P> c : candidates) {
            ObjectNode f = all.addObject();
            f.put("k", c.k());
            f.put("covarianceType", c.type().label());
            if (c.fit() != null) {
                f.put("logLikelihood", c.fit().objective());
                f.put("parameters", c.parameters());
                f.put("bic", c.bic());
                f.put("aic", c.aic());
                f.put("iterations", c.fit().iterations());
                f.put("converged", c.fit().converged());
                f.put("seconds", round(c.fit().seconds()));
                f.put("secondsPerIteration", round(c.fit().secondsPerIteration()));
            } else {
                f.put("error", c.error());
            }
        }
    }

    static double round(double s) {
        return Math.round(s * 1000) / 1000.0;
    }
}
