package io.sufstat.jobs.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.linalg.Blas;

/** The common head of every job's metrics.json: the job, its input, the partitions and the BLAS in use. */
public final class JobMetrics {

    private JobMetrics() {
    }

    public static ObjectNode start(String job, InputOptions in, TableSource table) {
        ObjectNode metrics = Json.object();
        metrics.put("job", job);
        metrics.put("input", HadoopFiles.redact(in.path()));
        metrics.put("format", in.format());
        metrics.put("partitions", table.numPartitions());
        metrics.put("blas", Blas.describe());
        return metrics;
    }

    /** Logs each warning about a fit at WARN and lists them as {@code warnings} (empty when none). */
    public static void warnings(ObjectNode metrics, java.util.List<String> warnings, org.slf4j.Logger log) {
        var a = metrics.putArray("warnings");
        for (String w : warnings) {
            log.warn(w);
            a.add(w);
        }
    }
}
