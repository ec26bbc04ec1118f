package io.sufstat.jobs.bench;

import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.linalg.Blas;
import io.sufstat.jobs.io.Json;
import org.apache.spark.api.java.JavaSparkContext;

/** The common head of a benchmark's --results JSON: data size and where it ran (master, BLAS, Spark). */
final class BenchResults {

    /** {@code --partitions} of the cached data. */
    static final Opt<Integer> PARTITIONS = Opt.integer("partitions", "P", "Partitions of the cached data (default: 2 ×"
            + " default parallelism).").check(p -> p > 0, "positive");
    /** {@code --seed}. */
    static final Opt<Long> SEED = Opt.whole("seed", "S", "Random seed.").defaultsTo("7");
    /** {@code --results FILE}. */
    static final Opt<String> RESULTS = Opt.text("results", "FILE", "Also write the results as JSON to this local file.");
    /** {@code --dim}. */
    static final Opt<Integer> DIM = Opt.integer("dim", "D", "Features.").defaultsTo("20").check(d -> d > 0, "positive");
    /** {@code --mllib}. */
    static final Opt<Boolean> MLLIB = Opt.bool("mllib", "Also run Spark MLlib's fit.").defaultsTo("true");

    /** The partitions asked for, or twice the default parallelism. */
    static int partitions(Options o, org.apache.spark.api.java.JavaSparkContext jsc) {
        return o.find(PARTITIONS).orElse(2 * jsc.defaultParallelism());
    }

    /** Writes {@code results} to {@code --results} when given. */
    static void save(Options o, com.fasterxml.jackson.databind.node.ObjectNode results) throws java.io.IOException {
        if (o.find(RESULTS).isPresent()) {
            java.nio.file.Files.writeString(java.nio.file.Path.of(o.get(RESULTS)), io.sufstat.jobs.io.Json.write(results),
                    java.nio.charset.StandardCharsets.UTF_8);
        }
    }

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
