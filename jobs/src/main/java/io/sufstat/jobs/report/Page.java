package io.sufstat.jobs.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A report as one self-contained HTML file: a heading, sections of text, preformatted summaries and inline SVG
 * charts, and its own small style sheet. No script, no network, no external font: it opens offline and can be
 * attached to a ticket.
 */
public final class Page {

    private static final String STYLE = String.join("\n",
            "body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif;",
            "       margin: 2rem auto; max-width: 1400px; padding: 0 1.5rem; color: #222; background: #fafafa; }",
            "h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }",
            "h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }",
            "p.meta { color: #666; margin-top: 0; }",
            "pre { background: #fff; border: 1px solid #ddd; padding: 0.8rem; overflow-x: auto; font-size: 0.85rem; }",
            ".grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 1rem; }",
            ".grid.small { grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); }",
            "figure { margin: 0; background: #fff; border: 1px solid #ddd; padding: 0.4rem; }",
            "figcaption { font-size: 0.85rem; color: #555; padding: 0.2rem 0.4rem; }",
            "svg.chart { width: 100%; height: auto; display: block; }",
            "svg.chart text { font-family: inherit; }",
            ".chart-title { font-size: 14px; font-weight: 600; }",
            ".mark-label, .chosen-marker-label, .legend-label, .tick { font-size: 11px; }",
            ".axis-label { font-size: 12px; }");

    private final String title;
    private final String meta;
    private final List<String> sections = new ArrayList<>();

    private Page(String title, String meta) {
        this.title = title;
        this.meta = meta;
    }

    /** A page with a heading and a line under it (what, when, where). */
    public static Page of(String title, String meta) {
        return new Page(title, meta);
    }

    /** A section of preformatted text (a summary). */
    public Page text(String id, String heading, String preformatted) {
        sections.add("<section id=\"" + id + "\">\n<h2>" + Chart.escape(heading) + "</h2>\n<pre>"
                + Chart.escape(preformatted) + "</pre>\n</section>\n");
        return this;
    }

    /** A section of charts, each with its caption, side by side where the window is wide. */
    public Page charts(String id, String heading, String intro, List<Figure> figures, boolean small) {
        if (figures.isEmpty()) {
            return this;
        }
        StringBuilder b = new StringBuilder("<section id=\"" + id + "\">\n<h2>" + Chart.escape(heading) + "</h2>\n");
        if (intro != null && !intro.isEmpty()) {
            b.append("<p>").append(Chart.escape(intro)).append("</p>\n");
        }
        b.append("<div class=\"grid").append(small ? " small" : "").append("\">\n");
        for (Figure f : figures) {
            b.append("<figure>\n").append(f.chart().svg()).append("<figcaption>").append(Chart.escape(f.caption()))
                    .append("</figcaption>\n</figure>\n");
        }
        b.append("</div>\n</section>\n");
        sections.add(b.toString());
        return this;
    }

    /** A chart and the sentence under it. */
    public record Figure(Chart chart, String caption) {
    }

    public String html() {
        StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        b.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        b.append("<meta name=\"generator\" content=\"sufstat\">\n");
        b.append("<title>").append(Chart.escape(title)).append("</title>\n<style>\n").append(STYLE)
                .append("\n</style>\n</head>\n<body>\n<header>\n<h1>").append(Chart.escape(title)).append("</h1>\n");
        b.append("<p class=\"meta\">").append(Chart.escape(meta)).append("</p>\n</header>\n<main>\n");
        sections.forEach(b::append);
        b.append("</main>\n</body>\n</html>\n");
        return b.toString();
    }
}
