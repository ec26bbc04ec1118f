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
        metrics.put("input", in.path());
        metrics.put("format", in.format());
        metrics.put("partitions", table.numPartitions());
        metrics.put("blas", Blas.describe());
        return metrics;
    }
}
