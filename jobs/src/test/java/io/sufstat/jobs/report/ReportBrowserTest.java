package io.sufstat.jobs.report;

import io.sufstat.jobs.CliRun;
import io.sufstat.jobs.SparkTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Iris report in a real browser: Debian's chromium, headless (installed with apt-get when it is missing;
 * a machine where that is impossible fails this test and says why). The DOM chromium builds has every chart
 * and their parts (one ellipse pair per component, one point per sampled row), the file fetches nothing, and
 * the screenshot is a drawn page, not a blank one.
 */
@Tag("integration")
class ReportBrowserTest extends SparkTest {

    static Path chromium() throws Exception {
        for (String p : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium")) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "--no-install-recommends", "chromium"));
        if (!"root".equals(System.getProperty("user.name"))) {
            install.add(0, "-n");
            install.add(0, "sudo");
        }
        System.out.println("ReportBrowserTest: chromium is missing; installing it: " + String.join(" ", install));
        ProcessBuilder pb = new ProcessBuilder(install).redirectErrorStream(true);
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Path log = Files.createTempFile("apt-chromium", ".log");
        Process p = pb.redirectOutput(log.toFile()).start();
        if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0 || !Files.isExecutable(Path.of("/usr/bin/chromium"))) {
            List<String> lines = Files.readAllLines(log);
            fail("this test needs a real browser and could not install Debian's chromium ("
                    + String.join(" ", install) + " failed: " + String.join(" | ",
                    lines.subList(Math.max(0, lines.size() - 5), lines.size())) + "); install it with"
                    + " 'sudo apt-get install chromium'");
        }
        return Path.of("/usr/bin/chromium");
    }

    /** Runs headless chromium on a file with {@code flags}; its standard output. */
    static String headless(Path browser, Path page, String... flags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--no-first-run", "--user-data-dir=" + Files.createTempDirectory("chromium")));
        cmd.addAll(List.of(flags));
        cmd.add(page.toUri().toString());
        Path out = Files.createTempFile("chromium", ".out");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish: " + cmd);
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void irisReportRendersInChromium() throws Exception {
        Path browser = chromium();
        Path dir = tempDir("report-browser");
        Path out = dir.resolve("iris-gmm");
        CliRun r = CliRun.of("gmm", "--input", SummaryTest.IRIS.toString(), "--output", out.toString(), "--k", "1-4",
                "--covariance", "full,diag", "--n-init", "2");
        assertEquals(0, r.exit(), String.join("\n", r.log()));
        Path report = out.resolve("report.html");
        String html = Files.readString(report);
        assertFalse(html.contains("<script"), "no script");
        assertFalse(Pattern.compile("(src|href)=\"(?!#)").matcher(html).find(), "no external resource");
        assertFalse(html.replace("http://www.w3.org/2000/svg", "").matches("(?s).*https?://.*"), "no network address");

        String dom = headless(browser, report, "--dump-dom");
        for (String id : List.of("trace", "selection", "weights", "scatter-pca", "scatter-features")) {
            assertTrue(dom.contains("<svg id=\"" + id + "\""), "the DOM has chart " + id);
        }
        int components = com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                .readTree(out.resolve("model.json").toFile()).get("weights").size();
        assertEquals(2 * components, count(dom, "class=\"ellipse-1sd\""), "one 1σ ellipse per component and scatter");
        assertEquals(2 * components, count(dom, "class=\"ellipse-2sd\""));
        assertEquals(2 * 150, count(dom, "<circle cx=\"[^\"]+\" cy=\"[^\"]+\" r=\"2.2\""), "every Iris row, twice");
        assertEquals(2, count(dom, "class=\"trace-line\""), "a trace per initialisation");
        assertEquals(1, count(dom, "<circle class=\"chosen-marker\""), "the chosen model is marked");

        Path png = dir.resolve("report.png");
        headless(browser, report, "--window-size=1400,2400", "--screenshot=" + png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(1400, image.getWidth());
        Set<Integer> colours = new HashSet<>();
        long painted = 0;
        int background = image.getRGB(5, image.getHeight() - 5);
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (rgb != (background & 0xffffff)) {
                    painted++;
                }
            }
        }
        double share = painted / (image.getWidth() / 2.0 * image.getHeight() / 2.0);
        System.out.printf("ReportBrowserTest: screenshot %d × %d, %d colours, %.1f%% painted%n", image.getWidth(),
                image.getHeight(), colours.size(), 100 * share);
        assertTrue(colours.size() > 50, "a drawn page has many colours, not " + colours.size());
        assertTrue(share > 0.15, "a drawn page covers its background: " + share);
        assertTrue(colours.contains(0x4e79a7) && colours.contains(0xf28e2b), "the components' colours are on screen");
        File keep = new File(System.getProperty("sufstat.reportPng", ""));
        if (!keep.getPath().isEmpty()) {
            Files.copy(png, keep.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** score's and compare's reports in the same browser: the histogram with its threshold, one panel per feature. */
    @Test
    void scoreAndCompareReportsRenderInChromium() throws Exception {
        Path browser = chromium();
        Path dir = tempDir("report-browser-data");
        String iris = SummaryTest.IRIS.toString();
        for (String k : List.of("2", "3")) {
            assertEquals(0, CliRun.of("gmm", "--input", iris, "--output", dir.resolve("k" + k).toString(), "--k", k,
                    "--report", "false").exit());
            assertFalse(Files.exists(dir.resolve("k" + k + "/report.html")), "--report false writes none");
        }
        assertEquals(0, CliRun.of("score", "--model", dir.resolve("k3").toString(), "--input", iris, "--output",
                dir.resolve("s").toString(), "--anomaly-quantile", "0.05").exit());
        String score = headless(browser, dir.resolve("s/_report.html"), "--dump-dom");
        assertTrue(score.contains("<svg id=\"histogram\""), score);
        assertTrue(count(score, "class=\"histogram-bar\"") >= 5, "bars");
        assertEquals(1, count(score, "class=\"threshold-line\""));
        assertEquals(0, CliRun.of("compare", "--model-a", dir.resolve("k2").toString(), "--model-b",
                dir.resolve("k3").toString(), "--output", dir.resolve("c").toString(), "--samples", "2000").exit());
        String compare = headless(browser, dir.resolve("c/report.html"), "--dump-dom");
        for (int f = 0; f < 4; f++) {
            assertTrue(compare.contains("<svg id=\"marginal-" + f + "\""), "feature " + f);
        }
        assertEquals(4, count(compare, "class=\"marginal-a\""));
        assertEquals(4, count(compare, "class=\"marginal-b\""));
    }
}
