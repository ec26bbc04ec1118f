package io.sufstat.jobs.report;

import io.sufstat.common.model.BlockDensity;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.MixtureKernel;
import io.sufstat.common.model.Ppca;
import io.sufstat.common.model.PpcaMixture;
import io.sufstat.common.model.TMixture;
import io.sufstat.common.model.TMixtureKernel;
import io.sufstat.common.stats.CovarianceEstimator;
import io.sufstat.common.stats.MomentSummary;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.io.AtomicOutput;
import io.sufstat.jobs.io.ModelJson;

import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code DIR/report.html} of a fit: its summary; the objective per iteration of every restart; for a selection,
 * BIC and AIC against K per covariance type; the component weights; a seeded sample of at most 5,000 rows
 * coloured by most probable component with each component's 1σ and 2σ ellipses, on the data's two leading
 * principal axes and on the two features that separate the components best; for PPCA models a scree plot
 * with the noise level.
 */
public final class FitReport {

    /** {@code --report}: every fitting job, score and compare declare it. */
    public static final Opt<Boolean> OPTION = Opt.bool("report", "Write DIR/report.html: the summary and plots in one"
            + " self-contained HTML file (no network needed to view it).").defaultsTo("true");

    /** Most rows in a report's scatter. */
    public static final int SAMPLE_ROWS = 5_000;
    /** Most features for which the data's principal axes are computed (a d × d eigen-decomposition). */
    static final int MAX_PCA_FEATURES = 200;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FitReport.class);

    private FitReport() {
    }

    /** The sample size for {@code d} features: at most 5,000 rows and about 2 million values. */
    public static int sampleRows(int d) {
        return (int) Math.max(100, Math.min(SAMPLE_ROWS, 2_000_000L / Math.max(1, d)));
    }

    /**
     * With {@code --report} (the default), samples the cached rows and writes {@code report.html} into {@code out};
     * call after model.json, selection.csv and metrics.json are written, before the commit.
     */
    public static void writeIf(io.sufstat.jobs.cli.Options o, AtomicOutput out, String job, List<double[]> traces,
                               String objective, org.apache.spark.api.java.JavaSparkContext jsc,
                               io.sufstat.jobs.spark.BlockCache cache, long seed) throws Exception {
        if (!o.get(OPTION)) {
            return;
        }
        long t0 = System.nanoTime();
        double[][] sample = io.sufstat.jobs.em.RowSample.uniform(jsc, cache, sampleRows(cache.dimension()), seed);
        write(out, job, traces, objective, sample, cache.hasMoments() && !cache.hasMissing() ? cache.moments() : null);
        LOG.info("report.html: {} rows sampled for its plots, {} s", sample.length,
                String.format(Locale.ROOT, "%.2f", (System.nanoTime() - t0) / 1e9));
    }

    /**
     * Writes {@code report.html} into {@code out}, from the model.json (and selection.csv, metrics.json) it
     * holds, the traces of every restart of the chosen fit, a row sample and the data's moments (null when
     * the job has none: the sample's are used).
     */
    public static void write(AtomicOutput out, String job, List<double[]> traces, String objective, double[][] sample,
                             MomentSummary data) throws IOException {
        String modelText = out.writtenText("model.json").orElseThrow(() -> new IllegalStateException("no model.json"));
        ModelJson.Loaded model = ModelJson.read(modelText, out.shown() + "/model.json");
        String summary = Summary.ofFiles(out::writtenText, out.shown()).orElse("");
        Page page = Page.of("sufstat " + job + ": " + what(model), "written " + Instant.now().truncatedTo(
                ChronoUnit.SECONDS) + " to " + out.shown());
        page.text("summary", "Summary", summary);
        List<Page.Figure> fit = new ArrayList<>();
        if (!traces.isEmpty()) {
            fit.add(Figures.traces(traces, objective));
        }
        out.writtenText("selection.csv").filter(csv -> csv.split("\n").length > 2)
                .ifPresent(csv -> fit.add(Figures.selection(csv)));
        GaussianMixture m = model.mixture();
        if (m.size() > 1) {
            fit.add(Figures.weights(m.weights()));
        }
        page.charts("fit", "The fit", null, fit, false);
        page.charts("scatter", m.size() > 1 ? "The data and the components" : "The data and the model",
                String.format(Locale.ROOT, "A seeded sample of %d rows (uniform, the same however the data are"
                + " partitioned)%s; solid ellipses enclose 1 standard deviation of %s, dashed ones 2.", sample.length,
                m.size() > 1 ? ", coloured by most probable component" : "", m.size() > 1 ? "each component"
                : "the Gaussian"),
                scatters(model, sample, data), false);
        if (model.model() instanceof Ppca p) {
            page.charts("scree", "Principal axes", null, List.of(Figures.scree(p.explainedVariances(), p.noiseVariance())),
                    false);
        } else if (model.model() instanceof PpcaMixture pm) {
            page.charts("scree", "Principal axes", null, List.of(Figures.screeMixture(pm)), false);
        }
        out.writeText("report.html", page.html());
    }

    private static String what(ModelJson.Loaded model) {
        int k = model.mixture().size();
        return switch (model.kind()) {
            case "gaussian" -> "Gaussian";
            case "ppca" -> "PPCA, q = " + ((Ppca) model.model()).latentDimension();
            case "mppca" -> k + " PPCA components";
            case "t-mixture" -> k + " Student-t components";
            case "bayesian-gaussian-mixture" -> k + " components (variational Bayes)";
            default -> k + " Gaussian components";
        } + ", " + model.features().size() + " features";
    }

    /** The scatters: on the data's two leading principal axes (up to 200 features) and on the two best features. */
    static List<Page.Figure> scatters(ModelJson.Loaded model, double[][] sample, MomentSummary data) {
        List<String> features = model.features();
        int d = features.size();
        List<Page.Figure> out = new ArrayList<>();
        if (d < 2 || sample.length == 0) {
            return out;
        }
        GaussianMixture m = model.mixture();
        BlockDensity density = model.model() instanceof TMixture t ? TMixtureKernel.of(t) : MixtureKernel.of(m);
        int[] labels = Figures.labels(density, sample);
        if (d <= MAX_PCA_FEATURES) {
            MomentSummary moments = data != null ? data : sampleMoments(sample, d);
            double[][] axes = Figures.principalAxes(moments.covariance(CovarianceEstimator.MAXIMUM_LIKELIHOOD), d);
            out.add(new Page.Figure(Figures.scatter("scatter-pca", "on the data's two leading principal axes",
                    String.format(Locale.ROOT, "principal axis 1 (%.1f%% of the variance)", 100 * axes[2][0]),
                    String.format(Locale.ROOT, "principal axis 2 (%.1f%%)", 100 * axes[2][1]), sample, labels, m,
                    moments.mean(), axes[0], axes[1]), "Rows and components projected on the plane of the data's"
                    + " largest variance (its mean at the origin)."));
        }
        int[] best = Figures.separatingFeatures(m);
        double[] e1 = new double[d];
        double[] e2 = new double[d];
        e1[best[0]] = 1;
        e2[best[1]] = 1;
        out.add(new Page.Figure(Figures.scatter("scatter-features", m.size() > 1 ? "on the two features that separate"
                + " the components best" : "on the two features of largest variance", features.get(best[0]),
                features.get(best[1]), sample, labels, m, new double[d], e1, e2),
                m.size() > 1 ? "The two features whose component means differ most relative to their spread within"
                        + " components." : "The two features of largest variance."));
        return out;
    }

    private static MomentSummary sampleMoments(double[][] sample, int d) {
        MomentSummary s = MomentSummary.create(d);
        for (double[] row : sample) {
            s.add(row);
        }
        return s;
    }
}
