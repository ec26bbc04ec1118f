package io.sufstat.jobs.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.linalg.Blas;
import io.sufstat.jobs.io.Json;
import org.apache.spark.api.java.JavaSparkContext;

/** The common head of a benchmark's --results JSON: data size and where it ran (master, BLAS, Spark). */
final class BenchResults {

    private BenchResults() {
    }

    static ObjectNode start(JavaSparkContext jsc, long rows, int dim, int partitions) {
        ObjectNode results = Json.object();
        results.put("rows", rows);
        results.put("dim", dim);
        results.put("partitions", partitions);
        results.put("master", jsc.master());
        results.put("blas", Blas.describe());
        results.put("sparkVersion", jsc.version());
        return results;
    }
}
