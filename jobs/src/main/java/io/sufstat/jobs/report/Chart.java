package io.sufstat.jobs.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One chart as inline SVG: a plot area with linear axes, "nice" ticks (1, 2 or 5 × 10ⁿ) and grid lines, and
 * marks in data coordinates — lines, points, polygons, bars, reference lines and labels — plus a legend.
 * Everything is plain SVG 1.1 elements with classes and ids a test can find; no script, no external font.
 */
public final class Chart {

    /** Categorical colours (Tableau 10), for components and series. */
    public static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
        "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

    static final int WIDTH = 640;
    static final int HEIGHT = 400;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 36;
    private static final int BOTTOM = 52;

    private final String id;
    private final String title;
    private final String xLabel;
    private final String yLabel;
    private double x0 = Double.POSITIVE_INFINITY;
    private double x1 = Double.NEGATIVE_INFINITY;
    private double y0 = Double.POSITIVE_INFINITY;
    private double y1 = Double.NEGATIVE_INFINITY;
    private boolean equalAspect;
    private boolean integerX;
    /** Every data point drawn, to place the legend where it hides the fewest. */
    private final List<double[]> drawn = new ArrayList<>();
    private final List<Mark> marks = new ArrayList<>();
    private final List<String[]> legend = new ArrayList<>();
    private List<String> xCategories;

    /** A mark, drawn once the axes' ranges are known. */
    @FunctionalInterface
    private interface Mark {
        void draw(StringBuilder b, Chart c);
    }

    private Chart(String id, String title, String xLabel, String yLabel) {
        this.id = id;
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** An empty chart; {@code id} becomes the SVG element's id. */
    public static Chart of(String id, String title, String xLabel, String yLabel) {
        if (!id.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("bad chart id " + id);
        }
        return new Chart(id, title, xLabel, yLabel);
    }

    /** Equal units on both axes (a scatter whose ellipses keep their shape). */
    public Chart equalAspect() {
        equalAspect = true;
        return this;
    }

    /** Ticks on x at whole numbers only (iterations, K). */
    public Chart integerX() {
        integerX = true;
        return this;
    }

    /** Category names for x = 0, 1, … (bar charts). */
    public Chart categories(List<String> names) {
        xCategories = List.copyOf(names);
        include(-0.5, Double.NaN);
        include(names.size() - 0.5, Double.NaN);
        return this;
    }

    /** Widens the axes to include {@code (x, y)} (NaN leaves an axis alone). */
    public Chart include(double x, double y) {
        if (Double.isFinite(x)) {
            x0 = Math.min(x0, x);
            x1 = Math.max(x1, x);
        }
        if (Double.isFinite(y)) {
            y0 = Math.min(y0, y);
            y1 = Math.max(y1, y);
        }
        return this;
    }

    /** A polyline through the finite points; {@code dashed} for a reference or secondary series. */
    public Chart line(double[] xs, double[] ys, String colour, boolean dashed, String cssClass) {
        for (int i = 0; i < xs.length; i++) {
            include(xs[i], ys[i]);
            drawn.add(new double[] {xs[i], ys[i]});
        }
        marks.add((b, c) -> {
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < xs.length; i++) {
                if (Double.isFinite(xs[i]) && Double.isFinite(ys[i])) {
                    pts.append(f(c.px(xs[i]))).append(',').append(f(c.py(ys[i]))).append(' ');
                }
            }
            b.append("<polyline class=\"").append(cssClass).append("\" fill=\"none\" stroke=\"").append(colour)
                    .append("\" stroke-width=\"2\"").append(dashed ? " stroke-dasharray=\"6 4\"" : "")
                    .append(" points=\"").append(pts.toString().trim()).append("\"/>\n");
        });
        return this;
    }

    /** Small circles, one colour each. */
    public Chart points(double[] xs, double[] ys, String[] colours, String cssClass) {
        for (int i = 0; i < xs.length; i++) {
            include(xs[i], ys[i]);
            drawn.add(new double[] {xs[i], ys[i]});
        }
        marks.add((b, c) -> {
            b.append("<g class=\"").append(cssClass).append("\">\n");
            for (int i = 0; i < xs.length; i++) {
                b.append("<circle cx=\"").append(f(c.px(xs[i]))).append("\" cy=\"").append(f(c.py(ys[i])))
                        .append("\" r=\"2.2\" fill=\"").append(colours[i]).append("\" fill-opacity=\"0.55\"/>\n");
            }
            b.append("</g>\n");
        });
        return this;
    }

    /** A closed outline (an ellipse as a polygon); does not widen the axes when {@code fit} is false. */
    public Chart outline(double[] xs, double[] ys, String colour, boolean dashed, boolean fit, String cssClass) {
        if (fit) {
            for (int i = 0; i < xs.length; i++) {
                include(xs[i], ys[i]);
            }
        }
        for (int i = 0; i < xs.length; i++) {
            drawn.add(new double[] {xs[i], ys[i]});
        }
        marks.add((b, c) -> {
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < xs.length; i++) {
                pts.append(f(c.px(xs[i]))).append(',').append(f(c.py(ys[i]))).append(' ');
            }
            b.append("<polygon class=\"").append(cssClass).append("\" fill=\"none\" stroke=\"").append(colour)
                    .append("\" stroke-width=\"1.8\"").append(dashed ? " stroke-dasharray=\"5 4\"" : "")
                    .append(" points=\"").append(pts.toString().trim()).append("\"/>\n");
        });
        return this;
    }

    /** A bar from {@code base} to {@code y} over [x − w/2, x + w/2]. */
    public Chart bar(double x, double w, double base, double y, String colour, String cssClass) {
        include(x - w / 2, base);
        include(x + w / 2, y);
        for (double t = 0; t <= 1; t += 0.25) {
            drawn.add(new double[] {x - w / 2 + t * w, base + t * (y - base)});
            drawn.add(new double[] {x, base + t * (y - base)});
        }
        marks.add((b, c) -> {
            double left = c.px(x - w / 2);
            double right = c.px(x + w / 2);
            double top = c.py(Math.max(base, y));
            double bottom = c.py(Math.min(base, y));
            b.append("<rect class=\"").append(cssClass).append("\" x=\"").append(f(left)).append("\" y=\"")
                    .append(f(top)).append("\" width=\"").append(f(Math.max(0.5, right - left))).append("\" height=\"")
                    .append(f(Math.max(0.5, bottom - top))).append("\" fill=\"").append(colour).append("\"/>\n");
        });
        return this;
    }

    /** A vertical reference line with a label at its top. */
    public Chart vline(double x, String colour, String label, String cssClass) {
        include(x, Double.NaN);
        marks.add((b, c) -> {
            b.append("<line class=\"").append(cssClass).append("\" x1=\"").append(f(c.px(x))).append("\" x2=\"")
                    .append(f(c.px(x))).append("\" y1=\"").append(TOP).append("\" y2=\"").append(HEIGHT - BOTTOM)
                    .append("\" stroke=\"").append(colour).append("\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n");
            b.append(text(c.px(x) + 4, TOP + 12, label, "start", "mark-label"));
        });
        return this;
    }

    /** A horizontal reference line with a label at its right end. */
    public Chart hline(double y, String colour, String label, String cssClass) {
        include(Double.NaN, y);
        marks.add((b, c) -> {
            b.append("<line class=\"").append(cssClass).append("\" x1=\"").append(LEFT).append("\" x2=\"")
                    .append(WIDTH - RIGHT).append("\" y1=\"").append(f(c.py(y))).append("\" y2=\"").append(f(c.py(y)))
                    .append("\" stroke=\"").append(colour).append("\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n");
            b.append(text(WIDTH - RIGHT - 4, c.py(y) - 5, label, "end", "mark-label"));
        });
        return this;
    }

    /** A ringed point with a text label above it (a marker for a chosen model). */
    public Chart label(double x, double y, String text, String cssClass) {
        include(x, y);
        marks.add((b, c) -> {
            b.append("<circle class=\"").append(cssClass).append("\" cx=\"").append(f(c.px(x))).append("\" cy=\"")
                    .append(f(c.py(y))).append("\" r=\"6\" fill=\"none\" stroke=\"#222222\" stroke-width=\"2\"/>\n");
            b.append(text(c.px(x), c.py(y) - 11, text, "middle", cssClass + "-label"));
        });
        return this;
    }

    /** A legend entry. */
    public Chart legend(String colour, String name) {
        legend.add(new String[] {colour, name});
        return this;
    }

    /** The chart as an {@code <svg>} element. */
    public String svg() {
        if (!(x0 <= x1) || !(y0 <= y1)) {
            include(0, 0);
            include(1, 1);
        }
        double[] xr = pad(x0, x1);
        double[] yr = pad(y0, y1);
        if (equalAspect) {
            double units = Math.max((xr[1] - xr[0]) / plotWidth(), (yr[1] - yr[0]) / plotHeight());
            double xc = (xr[0] + xr[1]) / 2;
            double yc = (yr[0] + yr[1]) / 2;
            xr = new double[] {xc - units * plotWidth() / 2, xc + units * plotWidth() / 2};
            yr = new double[] {yc - units * plotHeight() / 2, yc + units * plotHeight() / 2};
        }
        Chart c = this;
        c.vx0 = xr[0];
        c.vx1 = xr[1];
        c.vy0 = yr[0];
        c.vy1 = yr[1];
        StringBuilder b = new StringBuilder();
        b.append("<svg id=\"").append(id).append("\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
                .append(WIDTH).append(' ').append(HEIGHT).append("\" role=\"img\" aria-label=\"").append(escape(title))
                .append("\">\n");
        b.append("<title>").append(escape(title)).append("</title>\n");
        b.append("<rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" fill=\"#ffffff\"/>\n");
        b.append(text(WIDTH / 2.0, 22, title, "middle", "chart-title"));
        axes(b);
        b.append("<g clip-path=\"url(#").append(id).append("-clip)\">\n");
        for (Mark m : marks) {
            m.draw(b, this);
        }
        b.append("</g>\n");
        legend(b);
        b.append("</svg>\n");
        return b.toString();
    }

    private double vx0;
    private double vx1;
    private double vy0;
    private double vy1;

    private void axes(StringBuilder b) {
        b.append("<defs><clipPath id=\"").append(id).append("-clip\"><rect x=\"").append(LEFT).append("\" y=\"")
                .append(TOP).append("\" width=\"").append(plotWidth()).append("\" height=\"").append(plotHeight())
                .append("\"/></clipPath></defs>\n");
        b.append("<g class=\"axes\" font-size=\"11\" fill=\"#333333\">\n");
        if (xCategories != null) {
            for (int i = 0; i < xCategories.size(); i++) {
                b.append(text(px(i), HEIGHT - BOTTOM + 16, xCategories.get(i), "middle", "tick"));
            }
        } else {
            for (double t : integerX ? integerTicks(vx0, vx1) : ticks(vx0, vx1)) {
                b.append("<line x1=\"").append(f(px(t))).append("\" x2=\"").append(f(px(t))).append("\" y1=\"").append(TOP)
                        .append("\" y2=\"").append(HEIGHT - BOTTOM).append("\" stroke=\"#e6e6e6\"/>\n");
                b.append(text(px(t), HEIGHT - BOTTOM + 16, tick(t), "middle", "tick"));
            }
        }
        for (double t : ticks(vy0, vy1)) {
            b.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y1=\"")
                    .append(f(py(t))).append("\" y2=\"").append(f(py(t))).append("\" stroke=\"#e6e6e6\"/>\n");
            b.append(text(LEFT - 6, py(t) + 4, tick(t), "end", "tick"));
        }
        b.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(plotWidth())
                .append("\" height=\"").append(plotHeight()).append("\" fill=\"none\" stroke=\"#999999\"/>\n");
        b.append(text(LEFT + plotWidth() / 2.0, HEIGHT - 12, xLabel, "middle", "axis-label"));
        b.append("<text class=\"axis-label\" text-anchor=\"middle\" transform=\"translate(16,")
                .append(f(TOP + plotHeight() / 2.0)).append(") rotate(-90)\">").append(escape(yLabel)).append("</text>\n");
        b.append("</g>\n");
    }

    private void legend(StringBuilder b) {
        if (legend.isEmpty()) {
            return;
        }
        int longest = legend.stream().mapToInt(e -> e[1].length()).max().orElse(0);
        double boxW = 24 + 6.2 * longest;
        double boxH = 15 * legend.size() + 6;
        double[] corner = legendCorner(boxW, boxH);
        b.append("<g class=\"legend\" font-size=\"11\">\n");
        b.append("<rect x=\"").append(f(corner[0])).append("\" y=\"").append(f(corner[1])).append("\" width=\"")
                .append(f(boxW)).append("\" height=\"").append(f(boxH))
                .append("\" fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#dddddd\"/>\n");
        double x = corner[0] + 6;
        double y = corner[1] + 15;
        for (String[] e : legend) {
            b.append("<rect x=\"").append(f(x)).append("\" y=\"").append(f(y - 9)).append("\" width=\"10\" height=\"10\" fill=\"")
                    .append(e[0]).append("\"/>\n");
            b.append(text(x + 14, y, e[1], "start", "legend-label"));
            y += 15;
        }
        b.append("</g>\n");
    }

    /** The top-left of the legend box in the plot corner that covers the fewest drawn points. */
    private double[] legendCorner(double w, double h) {
        double[][] corners = {{LEFT + 6, TOP + 6}, {WIDTH - RIGHT - 6 - w, TOP + 6}, {LEFT + 6, HEIGHT - BOTTOM - 6 - h},
            {WIDTH - RIGHT - 6 - w, HEIGHT - BOTTOM - 6 - h}};
        double[] best = corners[0];
        long fewest = Long.MAX_VALUE;
        for (double[] c : corners) {
            long n = drawn.stream().filter(p -> {
                double x = px(p[0]);
                double y = py(p[1]);
                return x >= c[0] - 4 && x <= c[0] + w + 4 && y >= c[1] - 4 && y <= c[1] + h + 4;
            }).count();
            if (n < fewest) {
                fewest = n;
                best = c;
            }
        }
        return best;
    }

    private static int plotWidth() {
        return WIDTH - LEFT - RIGHT;
    }

    private static int plotHeight() {
        return HEIGHT - TOP - BOTTOM;
    }

    double px(double x) {
        return LEFT + (x - vx0) / (vx1 - vx0) * plotWidth();
    }

    double py(double y) {
        return TOP + (vy1 - y) / (vy1 - vy0) * plotHeight();
    }

    private static double[] pad(double lo, double hi) {
        if (hi - lo <= 0) {
            double m = Math.max(1e-9, Math.abs(lo) * 0.05 + (lo == 0 ? 1 : 0));
            return new double[] {lo - m, hi + m};
        }
        double m = (hi - lo) * 0.05;
        return new double[] {lo - m, hi + m};
    }

    /** Whole-number ticks: every one, or as ticks() would place them when there are many. */
    static List<Double> integerTicks(double lo, double hi) {
        List<Double> out = new ArrayList<>();
        if (hi - lo > 12) {
            for (double t : ticks(lo, hi)) {
                if (t == Math.rint(t)) {
                    out.add(t);
                }
            }
            return out;
        }
        for (double t = Math.ceil(lo); t <= hi; t++) {
            out.add(t);
        }
        return out;
    }

    /** Ticks at multiples of 1, 2 or 5 × 10ⁿ, about six of them. */
    static List<Double> ticks(double lo, double hi) {
        double raw = (hi - lo) / 6;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
        List<Double> out = new ArrayList<>();
        java.math.BigDecimal exact = java.math.BigDecimal.valueOf(step);
        for (long i = (long) Math.ceil(lo / step); i <= (long) Math.floor(hi / step + 1e-9); i++) {
            // i × step in decimal, so that ticks read 0.6 and not 0.6000000000000001.
            out.add(java.math.BigDecimal.valueOf(i).multiply(exact).doubleValue());
        }
        return out;
    }

    private static String tick(double t) {
        double a = Math.abs(t);
        if (a != 0 && (a >= 1e5 || a < 1e-3)) {
            return String.format(Locale.ROOT, "%.1e", t);
        }
        String s = String.format(Locale.ROOT, "%.4f", t).replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static String text(double x, double y, String s, String anchor, String cssClass) {
        return "<text class=\"" + cssClass + "\" x=\"" + f(x) + "\" y=\"" + f(y) + "\" text-anchor=\"" + anchor + "\">"
                + escape(s) + "</text>\n";
    }

    static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Text for XML and HTML: &amp;, &lt;, &gt;, quotes. */
    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** The colour of component or series {@code i}. */
    public static String colour(int i) {
        return PALETTE[i % PALETTE.length];
    }
}
