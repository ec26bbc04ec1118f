package io.sufstat.jobs.report;

import io.sufstat.common.model.GaussianMixture;
import io.sufstat.jobs.io.AtomicOutput;

import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/** {@code DIR/report.html} of the jobs that apply models: score's log-densities, compare's two models. */
public final class DataReports {

    /** Log-densities sampled for score's histogram. */
    public static final int SCORE_SAMPLE = 20_000;
    /** Most features drawn in compare's report. */
    static final int MAX_MARGINALS = 24;

    private DataReports() {
    }

    private static Page page(AtomicOutput out, String title) throws IOException {
        Page page = Page.of(title, "written " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + " to " + out.shown());
        page.text("summary", "Summary", Summary.ofFiles(out::writtenText, out.shown()).orElse(""));
        return page;
    }

    /**
     * score's report, {@code DIR/_report.html} (its leading {@code _} keeps it out of what Spark and Hadoop read
     * as the data, as for {@code _metrics.json}): the summary and the histogram of (a sample of) the
     * log-densities, with the anomaly threshold.
     */
    public static void score(AtomicOutput out, double[] logDensities, long rows, double threshold) throws IOException {
        Page page = page(out, "sufstat score: log-densities of " + rows + " rows");
        String caption = String.format(Locale.ROOT, "%s; %s", logDensities.length < rows
                ? "A sample of " + logDensities.length + " of the " + rows + " rows (the same however the data are"
                        + " partitioned)" : "Every row",
                Double.isFinite(threshold) ? "rows left of the dashed line are flagged as anomalies" : "no anomaly"
                        + " threshold was asked for (--anomaly-quantile or --anomaly-threshold)");
        page.charts("scores", "Log-densities", null, List.of(Figures.histogram(logDensities, threshold, "log-density",
                caption)), false);
        out.writeText("_report.html", page.html());
    }

    /** compare's report: the summary and, per feature, the two models' marginal densities overlaid. */
    public static void drift(AtomicOutput out, GaussianMixture a, GaussianMixture b, List<String> features)
            throws IOException {
        Page page = page(out, "sufstat compare: model A against model B");
        int d = features.size();
        page.charts("marginals", "Marginal densities", d > MAX_MARGINALS ? "The first " + MAX_MARGINALS + " of " + d
                + " features." : null, Figures.marginals(a, b, features, MAX_MARGINALS), true);
        out.writeText("report.html", page.html());
    }
}
