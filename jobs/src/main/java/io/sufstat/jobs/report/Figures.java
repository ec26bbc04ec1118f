package io.sufstat.jobs.report;

import io.sufstat.common.linalg.SymmetricEigen;
import io.sufstat.common.model.BlockDensity;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.MixtureKernel;
import io.sufstat.common.model.PpcaMixture;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The charts of sufstat's reports, each from a model and small data already on the driver: convergence traces,
 * a selection's BIC and AIC, component weights, scatters of a row sample coloured by component with each
 * component's 1σ and 2σ ellipses, PPCA scree plots, a histogram of log-densities and overlaid marginal densities.
 */
final class Figures {

    /** Points on an ellipse outline. */
    private static final int ELLIPSE_POINTS = 72;

    private Figures() {
    }

    /** The objective per iteration of every restart, the run kept drawn last (on top). */
    static Page.Figure traces(List<double[]> traces, String objective) {
        Chart c = Chart.of("trace", objective + " per iteration", "iteration", objective).integerX();
        int best = 0;
        for (int r = 0; r < traces.size(); r++) {
            double[] t = traces.get(r);
            double[] bt = traces.get(best);
            if (t.length > 0 && (bt.length == 0 || t[t.length - 1] > bt[bt.length - 1])) {
                best = r;
            }
        }
        for (int r = 0; r < traces.size(); r++) {
            if (r != best) {
                addTrace(c, traces.get(r), Chart.colour(r), "init " + (r + 1));
            }
        }
        addTrace(c, traces.get(best), Chart.colour(best), "init " + (best + 1) + (traces.size() > 1 ? " (kept)" : ""));
        return new Page.Figure(c, traces.size() > 1
                ? traces.size() + " initialisations; the one with the highest final value is the model written."
                : "One initialisation; the last point is the written model's value.");
    }

    private static void addTrace(Chart c, double[] t, String colour, String name) {
        double[] x = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            x[i] = i + 1;
        }
        c.line(x, t, colour, false, "trace-line").legend(colour, name);
    }

    /** BIC (solid) and AIC (dashed) against K, one colour per covariance type; the lowest BIC marked. */
    static Page.Figure selection(String csv) {
        Map<String, List<double[]>> byType = new LinkedHashMap<>();
        double bestK = Double.NaN;
        double bestBic = Double.POSITIVE_INFINITY;
        String[] lines = csv.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(",", -1);
            if (f[6].isEmpty()) {
                continue;
            }
            double k = Double.parseDouble(f[0]);
            double bic = Double.parseDouble(f[6]);
            byType.computeIfAbsent(f[1], t -> new ArrayList<>()).add(new double[] {k, bic, Double.parseDouble(f[7])});
            if (bic < bestBic) {
                bestBic = bic;
                bestK = k;
            }
        }
        Chart c = Chart.of("selection", "BIC (solid) and AIC (dashed) by K", "components K", "criterion (lower is better)")
                .integerX();
        int s = 0;
        for (Map.Entry<String, List<double[]>> e : byType.entrySet()) {
            List<double[]> pts = e.getValue();
            pts.sort((a, b) -> Double.compare(a[0], b[0]));
            double[] ks = pts.stream().mapToDouble(p -> p[0]).toArray();
            c.line(ks, pts.stream().mapToDouble(p -> p[1]).toArray(), Chart.colour(s), false, "bic-line");
            c.line(ks, pts.stream().mapToDouble(p -> p[2]).toArray(), Chart.colour(s), true, "aic-line");
            c.legend(Chart.colour(s), e.getKey());
            s++;
        }
        c.label(bestK, bestBic, "chosen", "chosen-marker");
        return new Page.Figure(c, "Every fitted combination; the lowest BIC (marked) is the model written.");
    }

    /** The mixture weights as bars. */
    static Page.Figure weights(double[] w) {
        List<String> names = new ArrayList<>();
        for (int k = 0; k < w.length; k++) {
            names.add(Integer.toString(k));
        }
        Chart c = Chart.of("weights", "component weights", "component", "weight").categories(names).include(Double.NaN, 0);
        for (int k = 0; k < w.length; k++) {
            c.bar(k, 0.7, 0, w[k], Chart.colour(k), "weight-bar");
        }
        return new Page.Figure(c, "The share of the data each component explains.");
    }

    /** The most probable component of every sample row under {@code density}. */
    static int[] labels(BlockDensity density, double[][] rows) {
        int n = rows.length;
        int d = density.dimension();
        int k = density.components();
        int[] out = new int[n];
        if (n == 0) {
            return out;
        }
        double[] values = new double[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows[i], 0, values, i * d, d);
        }
        MixtureKernel.Workspace ws = density.workspace(n);
        density.posteriors(values, null, n, ws);
        double[] r = ws.responsibilities();
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 1; j < k; j++) {
                if (r[i * k + j] > r[i * k + best]) {
                    best = j;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /**
     * A scatter of {@code rows} on the plane of directions {@code p1}, {@code p2} through {@code origin},
     * coloured by {@code labels}, with the 1σ (solid) and 2σ (dashed) ellipses of every component's projected
     * covariance.
     */
    static Chart scatter(String id, String title, String xLabel, String yLabel, double[][] rows, int[] labels,
                         GaussianMixture m, double[] origin, double[] p1, double[] p2) {
        Chart c = Chart.of(id, title, xLabel, yLabel).equalAspect();
        int n = rows.length;
        double[] xs = new double[n];
        double[] ys = new double[n];
        String[] colours = new String[n];
        for (int i = 0; i < n; i++) {
            xs[i] = dot(rows[i], origin, p1);
            ys[i] = dot(rows[i], origin, p2);
            colours[i] = Chart.colour(labels[i]);
        }
        c.points(xs, ys, colours, "sample-points");
        int d = origin.length;
        for (int k = 0; k < m.size(); k++) {
            double[] mu = m.component(k).mean();
            double[] cov = m.component(k).covariance();
            double cx = dot(mu, origin, p1);
            double cy = dot(mu, origin, p2);
            double a = quad(cov, p1, p1, d);
            double b = quad(cov, p1, p2, d);
            double cc = quad(cov, p2, p2, d);
            for (int r = 1; r <= 2; r++) {
                double[][] e = ellipse(cx, cy, a, b, cc, r);
                c.outline(e[0], e[1], Chart.colour(k), r == 2, false, r == 1 ? "ellipse-1sd" : "ellipse-2sd");
            }
            c.legend(Chart.colour(k), "component " + k);
        }
        return c;
    }

    /** The points of the ellipse {(x, y): [x − cx, y − cy] S⁻¹ [·]ᵀ = r²}, S = [[a, b], [b, c]]. */
    static double[][] ellipse(double cx, double cy, double a, double b, double c, double r) {
        double mid = (a + c) / 2;
        double rad = Math.sqrt((a - c) * (a - c) / 4 + b * b);
        double l1 = Math.max(0, mid + rad);
        double l2 = Math.max(0, mid - rad);
        double theta = 0.5 * Math.atan2(2 * b, a - c);
        double[] xs = new double[ELLIPSE_POINTS];
        double[] ys = new double[ELLIPSE_POINTS];
        for (int i = 0; i < ELLIPSE_POINTS; i++) {
            double t = 2 * Math.PI * i / ELLIPSE_POINTS;
            double u = r * Math.sqrt(l1) * Math.cos(t);
            double v = r * Math.sqrt(l2) * Math.sin(t);
            xs[i] = cx + u * Math.cos(theta) - v * Math.sin(theta);
            ys[i] = cy + u * Math.sin(theta) + v * Math.cos(theta);
        }
        return new double[][] {xs, ys};
    }

    private static double dot(double[] x, double[] origin, double[] p) {
        double s = 0;
        for (int j = 0; j < p.length; j++) {
            s += (x[j] - origin[j]) * p[j];
        }
        return s;
    }

    private static double quad(double[] cov, double[] u, double[] v, int d) {
        double s = 0;
        for (int i = 0; i < d; i++) {
            if (u[i] == 0) {
                continue;
            }
            for (int j = 0; j < d; j++) {
                s += u[i] * cov[i * d + j] * v[j];
            }
        }
        return s;
    }

    /**
     * The two features that separate the components best: the largest ratios of the variance of the component
     * means to the mean within-component variance, Σ π (μ − μ̄)² / Σ π σ² (with one component, the two of largest
     * variance).
     */
    static int[] separatingFeatures(GaussianMixture m) {
        int d = m.dimension();
        double[] score = new double[d];
        for (int f = 0; f < d; f++) {
            double mean = 0;
            double within = 0;
            for (int k = 0; k < m.size(); k++) {
                mean += m.weight(k) * m.component(k).mean()[f];
                within += m.weight(k) * m.component(k).covariance()[f * d + f];
            }
            double between = 0;
            for (int k = 0; k < m.size(); k++) {
                double v = m.component(k).mean()[f] - mean;
                between += m.weight(k) * v * v;
            }
            score[f] = m.size() == 1 ? within : between / Math.max(within, 1e-300);
        }
        Integer[] order = new Integer[d];
        for (int f = 0; f < d; f++) {
            order[f] = f;
        }
        Arrays.sort(order, (a, b) -> score[b] != score[a] ? Double.compare(score[b], score[a]) : Integer.compare(a, b));
        return new int[] {order[0], order[1]};
    }

    /**
     * The leading two principal axes of a covariance (d × d, row-major) and the share of the variance along
     * each: {@code {axis1, axis2, {share1, share2}}}.
     */
    static double[][] principalAxes(double[] cov, int d) {
        SymmetricEigen e = SymmetricEigen.of(cov, d);
        double[] values = e.values();
        double[] vectors = e.vectors();
        double total = 0;
        for (double v : values) {
            total += Math.max(0, v);
        }
        double[] a1 = new double[d];
        double[] a2 = new double[d];
        for (int i = 0; i < d; i++) {
            a1[i] = vectors[i * d];
            a2[i] = vectors[i * d + 1];
        }
        return new double[][] {a1, a2, {values[0] / total, values[1] / total}};
    }

    /** Variance along each principal axis (bars) and the noise variance σ² (dashed). */
    static Page.Figure scree(double[] variances, double noise) {
        List<String> names = new ArrayList<>();
        for (int j = 0; j < variances.length; j++) {
            names.add(Integer.toString(j + 1));
        }
        Chart c = Chart.of("scree", "variance along each principal axis", "principal axis", "variance")
                .categories(names).include(Double.NaN, 0);
        for (int j = 0; j < variances.length; j++) {
            c.bar(j, 0.7, 0, variances[j], Chart.colour(0), "scree-bar");
        }
        c.hline(noise, "#e15759", "noise variance " + Summary.num(noise), "noise-line");
        return new Page.Figure(c, "The fitted axes' variances λ = eig(WᵀW) + σ²; every other direction has σ².");
    }

    /** Each component's axis variances (one line per component) and its noise variance (dashed). */
    static Page.Figure screeMixture(PpcaMixture m) {
        Chart c = Chart.of("scree", "variance along each component's principal axes", "principal axis", "variance")
                .include(Double.NaN, 0);
        for (int k = 0; k < m.size(); k++) {
            double[] v = m.components()[k].explainedVariances();
            double[] x = new double[v.length];
            for (int j = 0; j < v.length; j++) {
                x[j] = j + 1;
            }
            c.integerX().line(x, v, Chart.colour(k), false, "scree-line").legend(Chart.colour(k), "component " + k);
            double noise = m.components()[k].noiseVariance();
            c.line(new double[] {1, Math.max(2, v.length)}, new double[] {noise, noise}, Chart.colour(k), true,
                    "noise-line");
        }
        return new Page.Figure(c, "Solid: variance along each fitted axis; dashed: the component's noise variance σ².");
    }

    /** A histogram with about √n bins (at most 60), and a reference line at {@code threshold} when not NaN. */
    static Page.Figure histogram(double[] values, double threshold, String what, String caption) {
        Chart c = Chart.of("histogram", "histogram of " + what, what, "rows").include(Double.NaN, 0);
        double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        if (v.length > 0) {
            double lo = v[0];
            double hi = v[v.length - 1];
            if (Double.isFinite(threshold)) {
                lo = Math.min(lo, threshold);
                hi = Math.max(hi, threshold);
            }
            int bins = (int) Math.max(5, Math.min(60, Math.round(Math.sqrt(v.length))));
            double w = hi > lo ? (hi - lo) / bins : 1;
            int[] counts = new int[bins];
            for (double x : v) {
                counts[(int) Math.min(bins - 1, Math.floor((x - lo) / w))]++;
            }
            for (int i = 0; i < bins; i++) {
                c.bar(lo + (i + 0.5) * w, w * 0.95, 0, counts[i], Chart.colour(0), "histogram-bar");
            }
        }
        if (Double.isFinite(threshold)) {
            c.vline(threshold, "#e15759", "threshold " + Summary.num(threshold), "threshold-line");
        }
        return new Page.Figure(c, caption);
    }

    /** One chart per feature (at most {@code max}): the marginal densities of two mixtures overlaid. */
    static List<Page.Figure> marginals(GaussianMixture a, GaussianMixture b, List<String> features, int max) {
        List<Page.Figure> out = new ArrayList<>();
        int d = features.size();
        for (int f = 0; f < Math.min(d, max); f++) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (GaussianMixture m : List.of(a, b)) {
                for (int k = 0; k < m.size(); k++) {
                    double mu = m.component(k).mean()[f];
                    double sd = Math.sqrt(m.component(k).covariance()[f * d + f]);
                    lo = Math.min(lo, mu - 4 * sd);
                    hi = Math.max(hi, mu + 4 * sd);
                }
            }
            double[] x = new double[201];
            for (int i = 0; i <= 200; i++) {
                x[i] = lo + (hi - lo) * i / 200;
            }
            Chart c = Chart.of("marginal-" + f, features.get(f), features.get(f), "density");
            c.line(x, marginal(a, f, x), Chart.colour(0), false, "marginal-a").legend(Chart.colour(0), "model A");
            c.line(x, marginal(b, f, x), Chart.colour(1), true, "marginal-b").legend(Chart.colour(1), "model B");
            out.add(new Page.Figure(c, "Marginal density of " + features.get(f) + " in each model."));
        }
        return out;
    }

    /** Σ_k π_k N(x; μ_kf, Σ_k,ff) at every x. */
    static double[] marginal(GaussianMixture m, int f, double[] x) {
        int d = m.dimension();
        double[] out = new double[x.length];
        for (int k = 0; k < m.size(); k++) {
            double mu = m.component(k).mean()[f];
            double var = m.component(k).covariance()[f * d + f];
            for (int i = 0; i < x.length; i++) {
                double z = x[i] - mu;
                out[i] += m.weight(k) * Math.exp(-0.5 * z * z / var) / Math.sqrt(2 * Math.PI * var);
            }
        }
        return out;
    }
}
