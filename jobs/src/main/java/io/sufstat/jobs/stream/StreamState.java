package io.sufstat.jobs.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.em.StepwiseMixtureStatistics;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.stats.MomentSummary;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.ModelJson;

import java.util.List;

/**
 * What a streaming fit carries from one micro-batch to the next, saved as {@code state.json} in every model
 * version: for {@code gaussian} the running {@link MomentSummary}; for {@code gaussian-mixture} the current mixture,
 * the online-EM statistics and the number of steps taken. Doubles are written in their shortest round-trip form,
 * so a restored state continues exactly as the kept one would.
 *
 * @param batch the micro-batch this state follows
 * @param rows rows merged so far
 * @param summary the running summary ({@code gaussian})
 * @param mixture the current mixture ({@code gaussian-mixture}), with {@code steps} and {@code stepwise}
 */
record StreamState(long batch, long rows, MomentSummary summary, GaussianMixture mixture,
                   StepwiseMixtureStatistics stepwise, long steps) {

    static final int VERSION = 1;

    static StreamState gaussian(long batch, long rows, MomentSummary summary) {
        return new StreamState(batch, rows, summary, null, null, 0);
    }

    static StreamState mixture(long batch, long rows, GaussianMixture mixture, StepwiseMixtureStatistics stepwise,
                               long steps) {
        return new StreamState(batch, rows, null, mixture, stepwise, steps);
    }

    boolean isMixture() {
        return mixture != null;
    }

    String toJson(List<String> features) {
        ObjectNode n = Json.object();
        n.put("stateVersion", VERSION);
        n.put("batch", batch);
        n.put("rows", rows);
        if (isMixture()) {
            n.put("kind", "gaussian-mixture");
            n.put("steps", steps);
            n.set("model", ModelJson.mixture(features, mixture));
            ArrayNode parts = n.putArray("components");
            for (int j = 0; j < stepwise.size(); j++) {
                parts.add(summaryJson(stepwise.component(j)));
            }
        } else {
            n.put("kind", "gaussian");
            n.set("summary", summaryJson(summary));
        }
        return Json.write(n);
    }

    /** A state read back; {@code source} names the file in a message. */
    static StreamState fromJson(String text, int d, String source) {
        try {
            JsonNode n = Json.MAPPER.readTree(text);
            if (n.path("stateVersion").asInt() != VERSION) {
                throw new IllegalArgumentException("state version " + n.path("stateVersion") + ", not " + VERSION);
            }
            long batch = n.path("batch").asLong();
            long rows = n.path("rows").asLong();
            if (n.path("kind").asText().equals("gaussian")) {
                return gaussian(batch, rows, summaryOf(n.path("summary"), d));
            }
            GaussianMixture m = ModelJson.read(Json.write(n.path("model")), source).mixture();
            MomentSummary[] parts = new MomentSummary[m.size()];
            if (n.path("components").size() != m.size()) {
                throw new IllegalArgumentException("needs one summary per component");
            }
            for (int j = 0; j < parts.length; j++) {
                parts[j] = summaryOf(n.path("components").get(j), d);
            }
            return mixture(batch, rows, m, StepwiseMixtureStatistics.restore(m.covarianceType(), parts),
                    n.path("steps").asLong());
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof JobFailedException j) {
                throw j;
            }
            throw JobFailedException.model(source + " is not a streaming state sufstat can resume from (" + e.getMessage()
                    + "); delete the output and the checkpoint to start afresh");
        }
    }

    private static ObjectNode summaryJson(MomentSummary s) {
        ObjectNode o = Json.object();
        o.put("count", s.count());
        o.put("weightSum", s.weightSum());
        o.put("weightSquareSum", s.weightSquareSum());
        o.set("reference", Json.array(s.reference(), "reference"));
        o.set("meanOffset", Json.array(s.meanOffset(), "meanOffset"));
        o.set("comoment", Json.array(s.comoment(), "comoment"));
        return o;
    }

    private static MomentSummary summaryOf(JsonNode o, int d) {
        return MomentSummary.restore(d, o.path("count").asLong(), o.path("weightSum").asDouble(),
                o.path("weightSquareSum").asDouble(), doubles(o.path("reference")), doubles(o.path("meanOffset")),
                doubles(o.path("comoment")));
    }

    private static double[] doubles(JsonNode a) {
        if (!a.isArray() || a.size() > ModelJson.MAX_COVARIANCE_ENTRIES) {
            throw new IllegalArgumentException("expected an array of numbers");
        }
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            if (!a.get(i).isNumber()) {
                throw new IllegalArgumentException("expected numbers, found " + a.get(i));
            }
            v[i] = a.get(i).asDouble();
        }
        return v;
    }
}
