package io.sufstat.jobs.em;

import io.sufstat.common.model.GaussianMixture;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.io.HadoopFiles;
import io.sufstat.jobs.io.ModelJson;
import io.sufstat.jobs.io.OutputSafety;
import io.sufstat.jobs.io.TableSource;
import io.sufstat.jobs.spark.BlockCache;
import io.sufstat.common.em.RowHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sufstat.common.model.CovarianceType;
import io.sufstat.jobs.cli.UsageException;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.Map;

/** The options every EM-fitted model takes ({@code --checkpoint}, {@code --n-init}) and the checkpoint they open. */
public final class FitOptions {

    private static final Logger LOG = LoggerFactory.getLogger(FitOptions.class);

    public static final Opt<String> CHECKPOINT = Opt.text("checkpoint", "DIR", "Save the EM state after every"
            + " iteration here (atomically; any Hadoop path). Rerunning the same command after a failure resumes from"
            + " the last completed iteration and writes the same model as an uninterrupted run; a checkpoint of other"
            + " data or options is not resumed (the fit starts afresh, with a warning).").protectsPath();

    public static final Opt<Integer> N_INIT = Opt.integer("n-init", "N", "Initialisations per fit (seeds S, S+1, …);"
            + " the best objective wins.").defaultsTo("1").check(n -> n >= 1, "at least 1");

    public static final Opt<Integer> MAX_ITER = Opt.integer("max-iter", "N", "Most EM iterations.").defaultsTo("100")
            .check(n -> n >= 1, "at least 1");

    public static final Opt<Double> TOL = Opt.number("tol", "T", "Stop when the mean log-likelihood per row changes by"
            + " less than T.").defaultsTo("1e-3").check(t -> t >= 0, "non-negative");

    public static final Opt<Double> REG_COVAR = Opt.number("reg-covar", "R", "Added to every covariance diagonal (keeps"
            + " covariances positive definite).").defaultsTo("1e-6").check(r -> r >= 0, "non-negative");

    /** {@code --k}: a number, a range or a list; every value at least 1. */
    public static final Opt<List<Integer>> K = Opt.of("k", "K", "Components: a number, a range (1-10) or a list (2,4,8)."
            + " Required unless --init is a model.", FitOptions::parseKs);

    /** {@code --covariance}: one type, a list, or all. */
    public static final Opt<List<CovarianceType>> COVARIANCE = Opt.of("covariance", "TYPE", "Covariance (scale)"
            + " matrices: full, diag, tied, spherical, a list of them, or all.", FitOptions::parseTypes).defaultsTo("full");

    public static final Opt<Long> SEED = Opt.whole("seed", "S", "Random seed of the initialisation.").defaultsTo("0");

    private FitOptions() {
    }

    /**
     * The checkpoint of this run when {@code --checkpoint} is given (else null), fingerprinted by the cached
     * data's contents and {@code fields}, the options that change the EM path.
     */
    public static Checkpoint checkpoint(Options o, TableSource table, BlockCache cache, Map<String, String> fields,
                                        JobContext ctx) throws IOException {
        if (!o.given(CHECKPOINT)) {
            return null;
        }
        String dir = o.get(CHECKPOINT);
        OutputSafety.checkApart(dir, "--checkpoint", o, ctx.hadoopConf());
        Map<String, String> fp = new LinkedHashMap<>();
        fp.put("data", "rows=" + cache.rowCount() + ";weightSum=" + Double.toHexString(cache.weightSum()) + ";hash="
                + Long.toHexString(cache.contentHash()));
        fp.put("features", String.join(",", table.features()));
        fp.put("weighted", Boolean.toString(table.hasWeights()));
        fp.put("missing", table.missingAllowed() ? "em" : "fail");
        fp.putAll(fields);
        LOG.info("checkpointing every EM iteration to {}", HadoopFiles.redact(dir));
        return Checkpoint.open(dir, ctx.hadoopConf(), fp);
    }

    static List<Integer> parseKs(String s) {
        Set<Integer> ks = new LinkedHashSet<>();
        try {
            for (String part : s.split(",")) {
                String p = part.trim();
                int dash = p.indexOf('-');
                if (dash > 0) {
                    int from = Integer.parseInt(p.substring(0, dash).trim());
                    int to = Integer.parseInt(p.substring(dash + 1).trim());
                    if (to < from || to - from > 1000) {
                        throw new UsageException("--k range " + p + " is empty or too long");
                    }
                    for (int k = from; k <= to; k++) {
                        ks.add(k);
                    }
                } else {
                    ks.add(Integer.parseInt(p));
                }
            }
        } catch (NumberFormatException e) {
            throw new UsageException("--k must be a number, a range such as 1-10, or a list such as 2,4,8; not '" + s + "'");
        }
        for (int k : ks) {
            if (k < 1) {
                throw new UsageException("--k must be at least 1, got " + k);
            }
        }
        return List.copyOf(ks);
    }

    static List<CovarianceType> parseTypes(String s) {
        if (s.trim().toLowerCase(Locale.ROOT).equals("all")) {
            return List.of(CovarianceType.values());
        }
        Set<CovarianceType> types = new LinkedHashSet<>();
        for (String p : s.split(",")) {
            try {
                types.add(CovarianceType.parse(p));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--covariance: " + e.getMessage() + " (or all)");
            }
        }
        return List.copyOf(types);
    }

    /** The one value of a list option that this job fits one at a time. */
    public static <T> T single(Options o, Opt<List<T>> opt, String job) {
        List<T> values = o.get(opt);
        if (values.size() != 1) {
            throw new UsageException(job + " fits one " + opt + " at a time, not '" + o.text(opt).orElse("") + "'");
        }
        return values.get(0);
    }

    /** A warm start's identity in a fingerprint: a hash of its parameters' bits. */
    public static String identity(ModelJson.Loaded warm) {
        GaussianMixture m = warm.mixture();
        long h = m.covarianceType().ordinal();
        for (int j = 0; j < m.size(); j++) {
            h = RowHash.of(m.component(j).mean(), 0, m.dimension(), h, j);
            h = RowHash.of(m.component(j).covariance(), 0, m.dimension() * m.dimension(), h, j);
        }
        return "model:" + Long.toHexString(RowHash.of(m.weights(), 0, m.size(), h, -1));
    }
}
