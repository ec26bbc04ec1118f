package io.sufstat.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.Ppca;
import io.sufstat.common.model.PpcaMixture;
import io.sufstat.common.model.TMixture;
import io.sufstat.jobs.io.ModelJson;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The few lines a person reads when a job ends (and {@code sufstat show} prints for any output): for a
 * mixture one row per component (weight, effective rows, mean and standard deviation of the first
 * features), the fit's log-likelihood, BIC, AIC, iterations and convergence, and the BIC table of a
 * selection; for a Gaussian each feature's mean and standard deviation; for PPCA the variance along each
 * principal axis; for a drift report the divergences and the verdict; for scores the anomaly count. Plain
 * ASCII, so that it reads the same in any terminal and log.
 */
public final class Summary {

    /** Features shown in a table before the rest are only counted. */
    static final int FEATURES_SHOWN = 8;

    private Summary() {
    }

    /**
     * The summary of a fit: its model (as read back), its model.json, its metrics.json (or null) and its
     * selection.csv (or null), and where the output is.
     */
    public static String fit(ModelJson.Loaded model, JsonNode modelJson, JsonNode metrics, String selectionCsv,
                             String where) {
        StringBuilder b = new StringBuilder();
        Object m = model.model();
        double rows = modelJson.path("weightSum").asDouble(modelJson.path("count").asDouble(Double.NaN));
        if (m instanceof Ppca p) {
            ppca(b, p, model.features(), modelJson);
        } else if (model.kind().equals("gaussian")) {
            gaussian(b, model.mixture(), model.features(), modelJson);
        } else {
            mixture(b, model, modelJson, rows);
        }
        fitLine(b, modelJson);
        if (selectionCsv != null) {
            selection(b, selectionCsv);
        }
        if (metrics != null) {
            for (JsonNode w : metrics.path("warnings")) {
                b.append("warning: ").append(w.asText()).append('\n');
            }
        }
        b.append("output: ").append(where).append('\n');
        return b.toString();
    }

    private static void gaussian(StringBuilder b, GaussianMixture g, List<String> features, JsonNode n) {
        int d = features.size();
        b.append(String.format(Locale.ROOT, "Gaussian of %s rows x %d features (%s covariance)%n",
                count(n.path("weightSum").asDouble(n.path("count").asDouble())), d,
                n.path("covarianceEstimator").asText("mle").equals("unbiased") ? "unbiased" : "maximum-likelihood"));
        int width = Math.max(8, features.stream().mapToInt(String::length).max().orElse(8));
        b.append(String.format(Locale.ROOT, "  %-" + width + "s %12s %12s%n", "feature", "mean", "sd"));
        double[] mean = g.component(0).mean();
        double[] cov = g.component(0).covariance();
        for (int j = 0; j < Math.min(d, 4 * FEATURES_SHOWN); j++) {
            b.append(String.format(Locale.ROOT, "  %-" + width + "s %12s %12s%n", features.get(j), num(mean[j]),
                    num(Math.sqrt(cov[j * d + j]))));
        }
        more(b, d, 4 * FEATURES_SHOWN);
    }

    private static void ppca(StringBuilder b, Ppca p, List<String> features, JsonNode n) {
        int d = p.dimension();
        int q = p.latentDimension();
        double[] lambda = p.explainedVariances();
        double noise = p.noiseVariance();
        double total = (d - q) * noise;
        for (double l : lambda) {
            total += l;
        }
        b.append(String.format(Locale.ROOT, "PPCA: %d principal axes of %d features, %s rows, noise variance %s%n", q,
                d, count(n.path("weightSum").asDouble(n.path("count").asDouble())), num(noise)));
        b.append(String.format(Locale.ROOT, "  %-6s %12s %8s %11s%n", "axis", "variance", "share", "cumulative"));
        double cumulative = 0;
        for (int j = 0; j < q; j++) {
            cumulative += lambda[j] / total;
            b.append(String.format(Locale.ROOT, "  %-6d %12s %7.1f%% %10.1f%%%n", j + 1, num(lambda[j]),
                    100 * lambda[j] / total, 100 * cumulative));
        }
        b.append(String.format(Locale.ROOT, "  the other %d directions: %s each (%.1f%% together)%n", d - q, num(noise),
                100 * (d - q) * noise / total));
    }

    private static void mixture(StringBuilder b, ModelJson.Loaded model, JsonNode n, double rows) {
        GaussianMixture g = model.mixture();
        List<String> features = model.features();
        int d = features.size();
        int k = g.size();
        String what = switch (model.kind()) {
            case "t-mixture" -> "Student-t mixture";
            case "bayesian-gaussian-mixture" -> "variational Bayesian Gaussian mixture";
            case "mppca" -> "mixture of PPCA models (q = " + n.path("latentDimension").asInt() + ")";
            default -> "Gaussian mixture";
        };
        b.append(String.format(Locale.ROOT, "%s: %d components, %s %s, %s rows x %d features%n", what, k,
                g.covarianceType().label(), model.kind().equals("t-mixture") ? "scales" : "covariances", count(rows), d));
        int shown = Math.min(d, FEATURES_SHOWN);
        int width = 12;
        List<String> head = new ArrayList<>();
        for (int j = 0; j < shown; j++) {
            head.add(clip(features.get(j), width));
        }
        String extra = model.model() instanceof TMixture ? "nu" : model.model() instanceof PpcaMixture ? "noise" : "";
        b.append(String.format(Locale.ROOT, "  %-9s %-5s %7s %9s %7s", "component", "", "weight", "rows", extra));
        for (String h : head) {
            b.append(String.format(Locale.ROOT, " %" + width + "s", h));
        }
        b.append('\n');
        for (int c = 0; c < k; c++) {
            double[] mean = g.component(c).mean();
            double[] cov = g.component(c).covariance();
            String x = model.model() instanceof TMixture t ? num(t.degreesOfFreedom(c))
                    : model.model() instanceof PpcaMixture pm ? num(pm.components()[c].noiseVariance()) : "";
            b.append(String.format(Locale.ROOT, "  %-9d %-5s %7.3f %9s %7s", c, "mean", g.weight(c),
                    count(g.weight(c) * rows), x));
            for (int j = 0; j < shown; j++) {
                b.append(String.format(Locale.ROOT, " %" + width + "s", num(mean[j])));
            }
            b.append('\n');
            b.append(String.format(Locale.ROOT, "  %-9s %-5s %7s %9s %7s", "", "sd", "", "", ""));
            for (int j = 0; j < shown; j++) {
                b.append(String.format(Locale.ROOT, " %" + width + "s", num(Math.sqrt(cov[j * d + j]))));
            }
            b.append('\n');
        }
        more(b, d, shown);
        if (n.has("effectiveComponents")) {
            b.append(String.format(Locale.ROOT, "effective components (weight > 1e-3): %d of %d%n",
                    n.path("effectiveComponents").asInt(), k));
        }
    }

    private static void fitLine(StringBuilder b, JsonNode n) {
        List<String> parts = new ArrayList<>();
        if (n.has("lowerBound")) {
            parts.add("lower bound " + stat(n.path("lowerBound").asDouble()));
        }
        if (n.has("logLikelihood")) {
            String s = "log-likelihood " + stat(n.path("logLikelihood").asDouble());
            if (n.has("meanLogLikelihood")) {
                s += " (" + stat(n.path("meanLogLikelihood").asDouble()) + " per row)";
            }
            parts.add(s);
        }
        if (n.has("bic")) {
            parts.add("BIC " + stat(n.path("bic").asDouble()));
        }
        if (n.has("aic")) {
            parts.add("AIC " + stat(n.path("aic").asDouble()));
        }
        if (n.has("iterations")) {
            parts.add(n.path("iterations").asInt() + " iterations, "
                    + (n.path("converged").asBoolean() ? "converged" : "NOT converged (raise --max-iter)"));
        }
        if (!parts.isEmpty()) {
            b.append(String.join(" | ", parts)).append('\n');
        }
    }

    /** The BIC of every (K, covariance type) of a selection, the lowest marked; failed combinations shown as "failed". */
    static void selection(StringBuilder b, String csv) {
        String[] lines = csv.split("\n");
        if (lines.length <= 2) {
            return;
        }
        Map<String, Map<Integer, String>> byType = new LinkedHashMap<>();
        List<Integer> ks = new ArrayList<>();
        double lowest = Double.POSITIVE_INFINITY;
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(",", -1);
            int k = Integer.parseInt(f[0]);
            if (!ks.contains(k)) {
                ks.add(k);
            }
            String bic = f[6];
            byType.computeIfAbsent(f[1], t -> new LinkedHashMap<>()).put(k, bic.isEmpty() ? "failed" : bic);
            if (!bic.isEmpty()) {
                lowest = Math.min(lowest, Double.parseDouble(bic));
            }
        }
        b.append(String.format(Locale.ROOT, "BIC by K and covariance type (* lowest, the model written):%n  %-4s", "K"));
        for (String type : byType.keySet()) {
            b.append(String.format(Locale.ROOT, " %13s", type));
        }
        b.append('\n');
        for (int k : ks) {
            b.append(String.format(Locale.ROOT, "  %-4d", k));
            for (Map<Integer, String> col : byType.values()) {
                String v = col.getOrDefault(k, "");
                String cell = v.isEmpty() || v.equals("failed") ? v
                        : (Double.parseDouble(v) == lowest ? "*" : "") + stat(Double.parseDouble(v));
                b.append(String.format(Locale.ROOT, " %13s", cell));
            }
            b.append('\n');
        }
    }

    /** The summary of a drift report ({@code compare}'s report.json). */
    public static String drift(JsonNode report, String where) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "drift report: A = %s (%d components), B = %s (%d components)%n",
                report.path("modelA").asText(), report.path("componentsA").asInt(), report.path("modelB").asText(),
                report.path("componentsB").asInt()));
        b.append("  KL(A||B) = ").append(estimate(report.path("klAB"))).append(" nats\n");
        b.append("  KL(B||A) = ").append(estimate(report.path("klBA"))).append(" nats\n");
        b.append("  entropy A = ").append(estimate(report.path("entropyA"))).append(", entropy B = ")
                .append(estimate(report.path("entropyB"))).append(" nats\n");
        JsonNode mi = report.path("mutualInformation");
        if (!mi.isMissingNode()) {
            b.append("  mutual information of ").append(mi.path("groupA")).append(" and ").append(mi.path("groupB"))
                    .append(": ").append(estimate(mi.path("inA"))).append(" in A, ").append(estimate(mi.path("inB")))
                    .append(" in B\n");
        }
        if (report.has("failAbove")) {
            b.append(report.path("drift").asBoolean() ? "verdict: DRIFT - a KL divergence exceeds --fail-above "
                    : "verdict: no drift - both KL divergences are within --fail-above ")
                    .append(stat(report.path("failAbove").asDouble())).append('\n');
        } else {
            b.append("verdict: none asked (give --fail-above X to fail the run on drift)\n");
        }
        b.append("output: ").append(where).append('\n');
        return b.toString();
    }

    /** The summary of a scoring run ({@code score}'s _metrics.json). */
    public static String scores(JsonNode metrics, String where) {
        StringBuilder b = new StringBuilder();
        long rows = metrics.path("rowsUsed").asLong();
        b.append(String.format(Locale.ROOT, "scored %d rows under %s (%d components)%n", rows,
                metrics.path("model").asText(), metrics.path("components").asInt()));
        if (metrics.has("anomalyThreshold")) {
            long anomalies = metrics.path("anomalies").asLong();
            b.append(String.format(Locale.ROOT, "anomalies: %d (%.2f%%), log-density below %s%s%n", anomalies,
                    rows == 0 ? 0 : 100.0 * anomalies / rows, num(metrics.path("anomalyThreshold").asDouble()),
                    metrics.has("anomalyQuantile") ? " (the " + metrics.path("anomalyQuantile").asDouble()
                            + " quantile)" : ""));
        }
        if (metrics.path("rowsSkipped").asLong() > 0) {
            b.append("skipped rows: ").append(metrics.path("rowsSkipped").asLong()).append(' ')
                    .append(metrics.path("skippedByReason")).append('\n');
        }
        b.append("output: ").append(where).append('\n');
        return b.toString();
    }

    private static String estimate(JsonNode e) {
        if (e.isMissingNode()) {
            return "-";
        }
        String v = num(e.path("value").asDouble());
        return e.has("standardError") ? v + " +/- " + num(e.path("standardError").asDouble()) : v;
    }

    private static void more(StringBuilder b, int d, int shown) {
        if (d > shown) {
            b.append(String.format(Locale.ROOT, "  (the first %d of %d features; every one is in model.json)%n", shown, d));
        }
    }

    /** A number in at most about 8 characters: 4 significant digits, plain where that is short. */
    static String num(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e6 || a < 1e-3) {
            return String.format(Locale.ROOT, "%.3e", v);
        }
        int digits = Math.max(0, 3 - (int) Math.floor(Math.log10(a)));
        return String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    /** A fit statistic to six significant digits ({@code -180.196}, {@code 580.859}). */
    static String stat(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        String s = String.format(Locale.ROOT, "%.6g", v);
        return s.contains("e") || !s.contains(".") ? s : s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    /** Weighted row counts: whole numbers plain, others with one decimal. */
    static String count(double rows) {
        if (Double.isNaN(rows)) {
            return "?";
        }
        return rows == Math.rint(rows) ? String.format(Locale.ROOT, "%.0f", rows)
                : String.format(Locale.ROOT, "%.1f", rows);
    }

    private static String clip(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "~";
    }

    /** The files of an output directory, by name, as far as they exist. */
    @FunctionalInterface
    public interface Files {
        java.util.Optional<String> text(String name) throws java.io.IOException;

        /** Whether the output holds the file (without reading it). */
        default boolean has(String name) throws java.io.IOException {
            return text(name).isPresent();
        }
    }

    /**
     * The summary of an output directory from its files: a fit's model.json (with metrics.json and selection.csv),
     * a drift report, a score run's _metrics.json, or a grouped mle's metrics.json; empty for outputs that are data
     * (generate, sample, impute).
     */
    public static java.util.Optional<String> ofFiles(Files files, String where) throws java.io.IOException {
        java.util.Optional<String> text = summaryOf(files, where);
        if (text.isEmpty()) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.get());
        for (String page : new String[] {"report.html", "_report.html"}) {
            if (files.has(page)) {
                b.append("report: ").append(where).append('/').append(page).append(" (open it in any browser)\n");
            }
        }
        return java.util.Optional.of(b.toString());
    }

    private static java.util.Optional<String> summaryOf(Files files, String where) throws java.io.IOException {
        java.util.Optional<String> model = files.text("model.json");
        java.util.Optional<JsonNode> metrics = files.text("metrics.json").map(t -> parse(t, where + "/metrics.json"));
        if (model.isPresent()) {
            return java.util.Optional.of(fit(ModelJson.read(model.get(), where + "/model.json"),
                    parse(model.get(), where + "/model.json"), metrics.orElse(null),
                    files.text("selection.csv").orElse(null), where));
        }
        java.util.Optional<String> report = files.text("report.json");
        if (report.isPresent()) {
            return java.util.Optional.of(drift(parse(report.get(), where + "/report.json"), where));
        }
        java.util.Optional<JsonNode> dataMetrics = files.text("_metrics.json").map(t -> parse(t, where + "/_metrics.json"));
        if (dataMetrics.isPresent() && "score".equals(dataMetrics.get().path("job").asText())) {
            return java.util.Optional.of(scores(dataMetrics.get(), where));
        }
        if (metrics.isPresent() && metrics.get().has("groups")) {
            return java.util.Optional.of(groups(metrics.get(), where));
        }
        return java.util.Optional.empty();
    }

    /**
     * Prints the summary of what a job has just written to standard output (the log goes to standard error),
     * from the texts it wrote, read back as {@code sufstat show} reads them.
     */
    public static void print(io.sufstat.jobs.io.AtomicOutput out) throws java.io.IOException {
        java.util.Optional<String> text = ofFiles(out::writtenText, out.shown());
        if (text.isPresent()) {
            System.out.print(text.get());
            System.out.flush();
        }
    }

    private static String groups(JsonNode metrics, String where) {
        return String.format(Locale.ROOT, "Gaussians of %d groups%s of %d features; %d groups without a model%n"
                        + "output: %s (one model per group; group-counts/ has each group's rows)%n",
                metrics.path("groups").asLong(), metrics.has("groupBy") ? " by " + metrics.path("groupBy") : "",
                metrics.path("features").size(), metrics.path("groupsWithoutModel").asLong(), where);
    }

    private static JsonNode parse(String text, String what) {
        try {
            return io.sufstat.jobs.io.Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw io.sufstat.jobs.cli.JobFailedException.model(what + " is not valid JSON: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }
}
