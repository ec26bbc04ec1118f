package io.sufstat.jobs.em;

import io.sufstat.common.model.GaussianMixture;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.cli.OptionSpec;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.io.HadoopFiles;
import io.sufstat.jobs.io.ModelJson;
import io.sufstat.jobs.io.OutputSafety;
import io.sufstat.jobs.io.TableSource;
import io.sufstat.jobs.spark.BlockCache;
import io.sufstat.common.em.RowHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The options every EM-fitted model takes ({@code --checkpoint}, {@code --n-init}) and the checkpoint they open. */
public final class FitOptions {

    private static final Logger LOG = LoggerFactory.getLogger(FitOptions.class);

    public static final OptionSpec CHECKPOINT = OptionSpec.value("checkpoint", "DIR", "Save the EM state after every"
            + " iteration here (atomically; any Hadoop path). Rerunning the same command after a failure resumes from"
            + " the last completed iteration and writes the same model as an uninterrupted run; a checkpoint of other"
            + " data or options is not resumed (the fit starts afresh, with a warning).", null);

    public static OptionSpec nInit() {
        return OptionSpec.value("n-init", "N", "Initialisations per fit (seeds S, S+1, …); the best objective wins.", "1");
    }

    private FitOptions() {
    }

    /**
     * The checkpoint of this run when {@code --checkpoint} is given (else null), fingerprinted by the cached
     * data's contents and {@code fields}, the options that change the EM path.
     */
    public static Checkpoint checkpoint(Options o, TableSource table, BlockCache cache, Map<String, String> fields,
                                        JobContext ctx) throws IOException {
        if (!o.given("checkpoint")) {
            return null;
        }
        String dir = o.require("checkpoint");
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
