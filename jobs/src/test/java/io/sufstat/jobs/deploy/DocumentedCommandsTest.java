package io.sufstat.jobs.deploy;

import io.sufstat.jobs.cluster.SparkSubmitIntegrationTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command the documentation shows runs: each {@code deploy/sufstat …} command of README.md and each
 * example in {@code conf/}, through the real launcher after packaging, as a newcomer types them (from a
 * working directory with the repository's {@code sample-data/} and {@code conf/}); and the Airflow DAG's
 * three tasks with their own arguments, through Spark's SparkSubmit and the thin jar, on two days of
 * local data in place of {@code hdfs:///…/day={{ ds }}}.
 *
 * <p>Benchmark and 10-million-row commands run scaled down, so that CI stays short: {@code --rows} at most
 * 5,000 (500 for bench-ppca), {@code --dim} at most 60, {@code --iterations} at most 2, {@code --repeat} 1, a
 * benchmark's {@code --k} at most 20, and
 * driver memory at most 3g; everything else, options included, is the documented command.
 */
@Tag("integration")
class DocumentedCommandsTest {

    static final Path ROOT = DeployFilesTest.ROOT;

    /** Appended to a command whose documented exit status is not 0. */
    static final String EXIT = "#exit=";

    /** The README's commands: fenced shell lines and inline spans that start with deploy/sufstat, without placeholders. */
    static List<String> readmeCommands() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        Matcher fence = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        while (fence.find()) {
            String block = fence.group(1).replaceAll("\\\\\\n\\s*", " ");
            for (String line : block.split("\\n")) {
                // A documented failure says so: "… # exit 7: drift" runs and must end with that status.
                Matcher exit = Pattern.compile("#\\s*exit (\\d+)").matcher(line);
                String cmd = line.replaceAll("\\s+#.*$", "").trim();
                if (cmd.matches("^(\\w+=\\S+\\s+)*deploy/sufstat\\b.*")) {
                    out.add(exit.find() ? cmd + " " + EXIT + exit.group(1) : cmd);
                }
            }
        }
        Matcher inline = Pattern.compile("`(deploy/sufstat [^`]*)`").matcher(readme);
        while (inline.find()) {
            out.add(inline.group(1).replaceAll("\\s+", " ").trim());
        }
        return out.stream().filter(c -> !c.matches(".*(\\[|\\bJOB\\b|\\bPATH\\b|\\bDIR\\b|…|\\bM1\\b|\\bM\\b).*")).distinct()
                .toList();
    }

    /** The working directory a newcomer has: the repository's sample data and examples, and a fresh out/. */
    private static Path workingDirectory() throws IOException {
        Path wd = Files.createTempDirectory("sufstat-docs");
        Files.createSymbolicLink(wd.resolve("sample-data"), ROOT.resolve("sample-data"));
        Files.createSymbolicLink(wd.resolve("conf"), ROOT.resolve("conf"));
        return wd;
    }

    /** A documented command as it runs here: the launcher's absolute path, /tmp paths moved, big sizes scaled. */
    static List<String> scaled(String command, Path wd) {
        List<String> words = new ArrayList<>(List.of(command.split("\\s+")));
        List<String> out = new ArrayList<>();
        boolean ppca = command.contains("bench-ppca");
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals("deploy/sufstat")) {
                out.add(ROOT.resolve("deploy/sufstat").toString());
            } else if (w.startsWith("/tmp/")) {
                out.add(wd.resolve(w.substring(1)).toString());
            } else if ((w.equals("--rows") || w.equals("--dim") || w.equals("--iterations") || w.equals("--repeat")
                    || (w.equals("--k") && command.contains(" bench-"))) && i + 1 < words.size()) {
                long limit = w.equals("--rows") ? (ppca ? 500 : 5000) : w.equals("--dim") ? 60 : w.equals("--repeat") ? 1
                        : w.equals("--k") ? 20 : 2;
                out.add(w);
                out.add(Long.toString(Math.min(limit, count(words.get(++i)))));
            } else {
                out.add(w);
            }
        }
        return out;
    }

    private static long count(String v) {
        String s = v.toLowerCase();
        long m = s.endsWith("m") ? 1_000_000 : s.endsWith("k") ? 1_000 : 1;
        return Long.parseLong(m == 1 ? s : s.substring(0, s.length() - 1)) * m;
    }

    /** Runs one command line (leading K=V words are environment variables) in {@code wd}. */
    private static String run(List<String> words, Path wd, int expectedExit) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        int i = 0;
        while (words.get(i).matches("\\w+=.*")) {
            String[] kv = words.get(i++).split("=", 2);
            env.put(kv[0], kv[0].equals("SUFSTAT_DRIVER_MEMORY") ? "3g" : kv[1]);
        }
        ProcessBuilder pb = new ProcessBuilder(words.subList(i, words.size())).directory(wd.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path log = Files.createTempFile(wd, "cmd", ".log");
        long t0 = System.nanoTime();
        Process p = pb.redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "did not finish: " + words);
        String text = Files.readString(log);
        assertEquals(expectedExit, p.exitValue(), String.join(" ", words) + ":\n" + text);
        assertTrue(text.indexOf('\u001b') < 0, "no terminal escape codes in what " + String.join(" ", words) + " printed");
        System.out.printf("DocumentedCommandsTest: exit %d in %.1f s: %s%n", p.exitValue(), (System.nanoTime() - t0) / 1e9,
                String.join(" ", words));
        return text;
    }

    @Test
    void everyReadmeCommandAndExampleConfigurationRuns() throws Exception {
        Path wd = workingDirectory();
        List<String> configs;
        try (var s = Files.list(ROOT.resolve("conf"))) {
            configs = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".properties") && !n.startsWith("log4j"))
                    .sorted().toList();
        }
        // The fits first: the other examples read out/iris-gmm and out/iris-mle.
        List<String> ordered = new ArrayList<>(configs.stream().filter(n -> n.startsWith("gmm-") || n.startsWith("mle-")).toList());
        configs.stream().filter(n -> !ordered.contains(n)).forEach(ordered::add);
        for (String c : ordered) {
            String job = c.substring(0, c.indexOf('-'));
            // An example that demonstrates a failure says so in a comment: "# exit 7: …".
            Matcher exit = Pattern.compile("(?m)^#.*\\bexit (\\d+)").matcher(Files.readString(ROOT.resolve("conf/" + c)));
            run(List.of(ROOT.resolve("deploy/sufstat").toString(), job, "--config", "conf/" + c), wd,
                    exit.find() ? Integer.parseInt(exit.group(1)) : 0);
        }
        List<String> commands = readmeCommands();
        assertTrue(commands.size() >= 10, commands.toString());
        assertTrue(commands.get(0).startsWith("deploy/sufstat gmm --input sample-data/iris.csv"), commands.toString());
        java.util.Set<String> done = new java.util.HashSet<>();
        for (String c : commands) {
            List<String> words = scaled(c, wd);
            // Commands that differ only in driver memory are one command once scaled down.
            int expected = 0;
            if (words.get(words.size() - 1).startsWith(EXIT)) {
                expected = Integer.parseInt(words.remove(words.size() - 1).substring(EXIT.length()));
            }
            if (done.add(String.join(" ", words).replaceAll("SUFSTAT_DRIVER_MEMORY=\\S+ ", ""))) {
                run(words, wd, expected);
            }
        }
        assertTrue(Files.exists(wd.resolve("out/iris-gmm/model.json")) && Files.exists(wd.resolve("out/iris-mle/model.json")));
    }

    /** The DAG's tasks, with their own arguments, on yesterday's and today's data; then a day with drift fails (exit 7). */
    @Test
    void airflowDagTasksRunWithTheirArguments() throws Exception {
        DagTasks dag = DagTasks.of("sufstat_daily_drift.py");
        Map<String, String> classes = dag.classes();
        Map<String, List<String>> args = dag.args();
        assertEquals(List.of("fit_gmm", "score_anomalies", "compare_with_yesterday"), List.copyOf(classes.keySet()));
        Path base = Files.createTempDirectory("sufstat-dag");
        events(base, "2026-11-29", 0);
        events(base, "2026-11-30", 0);
        events(base, "2026-12-01", 6);
        Path logs = Files.createDirectories(base.resolve("logs"));
        for (String[] day : new String[][] {{"2026-11-29", "2026-11-28"}, {"2026-11-30", "2026-11-29"}}) {
            submit(logs, classes.get("fit_gmm"), args.get("fit_gmm"), base, day, 0);
        }
        submit(logs, classes.get("score_anomalies"), args.get("score_anomalies"), base, new String[] {"2026-11-30", "2026-11-29"}, 0);
        submit(logs, classes.get("compare_with_yesterday"), args.get("compare_with_yesterday"), base,
                new String[] {"2026-11-30", "2026-11-29"}, 0);
        // A day whose data moved: its fit succeeds, the comparison writes its report and fails the task.
        submit(logs, classes.get("fit_gmm"), args.get("fit_gmm"), base, new String[] {"2026-12-01", "2026-11-30"}, 0);
        submit(logs, classes.get("compare_with_yesterday"), args.get("compare_with_yesterday"), base,
                new String[] {"2026-12-01", "2026-11-30"}, 7);
        assertTrue(Files.exists(base.resolve("reports/events/drift/day=2026-12-01/report.json")), "the report comes first");
    }

    /** Each task's main class and arguments, read from a DAG file (its string constants substituted). */
    private record DagTasks(Map<String, String> classes, Map<String, List<String>> args) {
        static DagTasks of(String file) throws IOException {
            String dag = Files.readString(ROOT.resolve("deploy/airflow").resolve(file));
            Map<String, String> constants = new LinkedHashMap<>();
            Matcher c = Pattern.compile("(?m)^([A-Z_]+) = \"([^\"]*)\"").matcher(dag);
            while (c.find()) {
                constants.put(c.group(1), c.group(2));
            }
            Map<String, String> classes = new LinkedHashMap<>();
            Map<String, List<String>> args = new LinkedHashMap<>();
            Matcher task = Pattern.compile("task_id=\"(\\w+)\".*?java_class=\"([\\w.]+)\".*?application_args=\\[(.*?)\\]",
                    Pattern.DOTALL).matcher(dag);
            while (task.find()) {
                classes.put(task.group(1), task.group(2));
                List<String> a = new ArrayList<>();
                Matcher item = Pattern.compile("\"([^\"]*)\"|\\b([A-Z_]+)\\b").matcher(task.group(3));
                while (item.find()) {
                    a.add(item.group(1) != null ? item.group(1) : constants.get(item.group(2)));
                }
                args.put(task.group(1), a);
            }
            return new DagTasks(classes, args);
        }
    }

    /**
     * The window DAG's tasks with their own arguments: a week of daily statistics, then the 7-day window (all
     * 7 days, every row but the skipped bad ones) and the 30-day window (the 8 days that exist, --allow-missing);
     * the 7-day window of a day whose week has a gap fails (exit 3) and names the day.
     */
    @Test
    void windowDagTasksRunWithTheirArguments() throws Exception {
        DagTasks dag = DagTasks.of("sufstat_daily_window.py");
        assertEquals(List.of("daily_statistics", "window_7_days", "window_30_days"), List.copyOf(dag.classes().keySet()));
        Path base = Files.createTempDirectory("sufstat-window-dag");
        Path logs = Files.createDirectories(base.resolve("logs"));
        java.time.LocalDate first = java.time.LocalDate.parse("2026-11-23");
        for (int i = 0; i < 8; i++) {
            String day = first.plusDays(i).toString();
            events(base, day, 0.1 * i);
            List<String> a = templated(dag.args().get("daily_statistics"), base, day);
            if (i < 7) {
                // The earlier days in this JVM (the same options, checked by the same parser), the last by spark-submit.
                io.sufstat.jobs.CliRun r = io.sufstat.jobs.CliRun.of(prepend("mle", a));
                assertEquals(0, r.exit(), String.join("\n", r.log()));
            } else {
                submit(logs, dag.classes().get("daily_statistics"), dag.args().get("daily_statistics"), base,
                        new String[] {day, ""}, 0);
            }
        }
        String last = first.plusDays(7).toString();
        submit(logs, dag.classes().get("window_7_days"), dag.args().get("window_7_days"), base, new String[] {last, ""}, 0);
        submit(logs, dag.classes().get("window_30_days"), dag.args().get("window_30_days"), base, new String[] {last, ""}, 0);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertEquals(7 * 3000, json.readTree(base.resolve("models/events/gaussian-7d/day=" + last + "/model.json").toFile())
                .get("count").asLong());
        assertEquals(8 * 3000, json.readTree(base.resolve("models/events/gaussian-30d/day=" + last + "/model.json").toFile())
                .get("count").asLong());
        // A week with a gap: the strict 7-day window refuses and says which day is missing.
        String gap = first.plusDays(8).toString();
        io.sufstat.jobs.CliRun strict = io.sufstat.jobs.CliRun.of(prepend("merge",
                templated(dag.args().get("window_7_days"), base, first.plusDays(9).toString())));
        assertEquals(3, strict.exit());
        assertTrue(strict.failureLine().contains(gap), strict.failureLine());
    }

    private static List<String> templated(List<String> args, Path base, String day) {
        List<String> a = new ArrayList<>();
        for (String t : args) {
            a.add(t.replace("{{ ds }}", day).replace("hdfs:///", base.toUri().toString()));
        }
        return a;
    }

    private static String[] prepend(String job, List<String> args) {
        List<String> all = new ArrayList<>(List.of(job));
        all.addAll(args);
        return all.toArray(new String[0]);
    }

    /** 3,000 events of three features (and one bad row, which --on-bad-record skip counts) for one day. */
    private static void events(Path base, String day, double shift) throws IOException {
        Path dir = Files.createDirectories(base.resolve("data/events/day=" + day));
        SplittableRandom rng = new SplittableRandom(day.hashCode());
        StringBuilder b = new StringBuilder("amount,latency_ms,items\n");
        for (int i = 0; i < 3000; i++) {
            int k = i % 3;
            b.append(String.format("%.4f,%.4f,%.4f%n", 10 * k + shift + rng.nextGaussian(), 50 + 5 * k + 3 * rng.nextGaussian(),
                    2 + k + 0.5 * rng.nextGaussian()));
        }
        b.append("n/a,12,3\n");
        Files.writeString(dir.resolve("part-00000.csv"), b.toString());
    }

    private static void submit(Path logs, String mainClass, List<String> templated, Path base, String[] day, int exit)
            throws Exception {
        List<String> a = new ArrayList<>();
        for (String t : templated) {
            a.add(t.replace("{{ macros.ds_add(ds, -1) }}", day[1]).replace("{{ ds }}", day[0])
                    .replace("hdfs:///", base.toUri().toString()));
        }
        int code = SparkSubmitIntegrationTest.submitForExit(logs, mainClass, a.toArray(new String[0]));
        assertEquals(exit, code, mainClass + " " + a + ":\n" + Files.readString(SparkSubmitIntegrationTest.logOf(logs, mainClass)));
    }
}
