package io.sufstat.jobs.mle;

import io.sufstat.jobs.io.SavedStatistics;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.em.StepwiseMixtureStatistics;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.stats.MomentSummary;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.io.AtomicOutput;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.ModelJson;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * {@code merge} of a mixture's E statistics ({@code gmm --save-statistics}), all taken under one mixture θ: the
 * merged per-component moments are the E statistics of the union of the inputs' rows under θ, and their M-step
 * is one EM iteration on that union from θ — what {@code gmm --init θ --max-iter 1} on all the rows would write.
 */
final class MixtureMerge {

    private MixtureMerge() {
    }

    static void write(SparkSession spark, List<SavedStatistics.Group> groups, SavedStatistics.Header header,
                      OptionalDouble regCovar, AtomicOutput out, ObjectNode metrics) throws IOException {
        GaussianMixture theta = ModelJson.read(header.model(), "the inputs' mixture").mixture();
        JsonNode model = Json.MAPPER.readTree(header.model());
        double reg = regCovar.orElse(model.path("regCovar").asDouble(1e-6));
        int d = header.features().size();
        MomentSummary[] parts = new MomentSummary[theta.size()];
        for (SavedStatistics.Group g : groups) {
            int j = component(g.key(), theta.size());
            parts[j] = g.summary();
        }
        long count = 0;
        double weight = 0;
        for (int j = 0; j < parts.length; j++) {
            if (parts[j] == null) {
                parts[j] = MomentSummary.create(d);
            }
            weight += parts[j].weightSum();
            count = Math.max(count, parts[j].count());
        }
        if (!(weight > 0)) {
            throw JobFailedException.input("the merged E statistics hold no weight");
        }
        GaussianMixture next = StepwiseMixtureStatistics.restore(theta.covarianceType(), parts).mStep(theta, reg);
        ObjectNode json = ModelJson.mixture(header.features(), next);
        json.put("count", count);
        json.put("weightSum", weight);
        json.put("regCovar", reg);
        json.put("merged", "one EM iteration from the inputs' common mixture on the union of their rows");
        out.writeText("model.json", Json.write(json));
        List<Row> rows = new ArrayList<>();
        for (int j = 0; j < parts.length; j++) {
            rows.add(SavedStatistics.row(header, List.of(Integer.toString(j)), parts[j]));
        }
        SavedStatistics.write(spark, JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 1), out);
        metrics.put("components", theta.size());
        out.writeText("metrics.json", Json.write(metrics));
    }

    private static int component(List<String> key, int k) {
        try {
            int j = Integer.parseInt(key.get(0));
            if (j >= 0 && j < k) {
                return j;
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw JobFailedException.model("a mixture's E statistics have group " + key + ", not a component 0 to " + (k - 1));
    }
}
