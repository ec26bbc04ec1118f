package io.sufstat.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.gmm.GmmJob;
import io.sufstat.jobs.mle.MleJob;
import io.sufstat.jobs.io.InputOptions;
import io.sufstat.jobs.io.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code sufstat bench-startup}: the wall time of a first answer on small data, side by side in one run. Each
 * repeat starts, in turn, three fresh JVMs with this JVM's flags and class path: a bare local Spark session
 * that reads the CSV and counts it ({@link BareSparkCount}, the floor), {@code gmm --k 3} and {@code mle} on
 * the same file. Prints the median seconds of each, the ratios to the floor, and gmm's seconds per EM
 * iteration (at so few rows, the cost of one Spark job).
 */
public final class BenchStartupJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(BenchStartupJob.class);

    /** This job's main class. */
    public static final String CLASS = "io.sufstat.jobs.bench.BenchStartupJob";

    static final Opt<Integer> REPEAT = Opt.integer("repeat", "R", "Runs of each command (the median is reported).")
            .defaultsTo("5").check(r -> r > 0, "positive");

    public static void main(String[] args) {
        io.sufstat.jobs.core.Runner.main(new BenchStartupJob(), args);
    }

    @Override
    public String name() {
        return "bench-startup";
    }

    @Override
    public String summary() {
        return "Benchmark: wall time of gmm --k 3 and mle on a small CSV against a bare Spark session counting it.";
    }

    @Override
    public String synopsis() {
        return "--input CSV [--repeat 5] [--results FILE]";
    }

    @Override
    public String description() {
        return "Each repeat starts five fresh JVMs in turn, with this JVM's flags and class path: a bare local Spark"
                + " session (UI off) that reads --input and counts it (the floor), one that only starts and stops, then"
                + " 'gmm --k 3' and 'mle' on the same file, and 'gmm --k 3' again with every pass a Spark job"
                + " (-Dsufstat.localPassLimit=0) to show what a Spark job per EM iteration costs."
                + " Prints the median wall seconds of each, their ratios to the bare session, and gmm's seconds per EM"
                + " iteration. Run it on a quiet machine; the ratios are what to compare.";
    }

    @Override
    public List<Opt<?>> options() {
        return List.of(InputOptions.INPUT, REPEAT, BenchResults.RESULTS);
    }

    /** One command measured: its arguments after the main class, and every wall time. */
    private record Command(String label, List<String> jvmArgs, String mainClass, List<String> args, List<Double> seconds) {
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        String input = o.get(InputOptions.INPUT);
        int repeat = o.get(REPEAT);
        Path work = Files.createTempDirectory("sufstat-bench-startup");
        // Each job's own main class: the same command line as 'sufstat JOB …' after the job's name.
        List<String> gmm = List.of("--input", input, "--output", work.resolve("gmm").toString(), "--k", "3",
                "--overwrite", "--quiet");
        List<Command> commands = List.of(
                new Command("bare Spark session: read CSV, count", List.of(), BareSparkCount.class.getName(),
                        List.of(input), new ArrayList<>()),
                new Command("bare Spark session: start, stop", List.of(), BareSparkCount.class.getName(), List.of(),
                        new ArrayList<>()),
                new Command("sufstat gmm --k 3", List.of(), GmmJob.CLASS, gmm, new ArrayList<>()),
                new Command("sufstat mle", List.of(), MleJob.CLASS, List.of("--input", input, "--output",
                        work.resolve("mle").toString(), "--overwrite", "--quiet"), new ArrayList<>()),
                new Command("gmm --k 3, every pass a Spark job", List.of("-Dsufstat.localPassLimit=0"), GmmJob.CLASS,
                        gmm.stream().map(a -> a.endsWith("/gmm") ? a + "-spark" : a).toList(), new ArrayList<>()));
        LOG.info("bench-startup: {} repeats of {} commands on {}", repeat, commands.size(), input);
        for (int r = 0; r < repeat; r++) {
            for (Command c : commands) {
                c.seconds().add(time(c, work));
            }
            LOG.info("repeat {} of {}: {}", r + 1, repeat, commands.stream()
                    .map(c -> String.format("%.2f s", c.seconds().get(c.seconds().size() - 1))).toList());
        }
        double onDriver = secondsPerIteration(work.resolve("gmm/metrics.json"));
        double asJobs = secondsPerIteration(work.resolve("gmm-spark/metrics.json"));
        report(commands, onDriver, asJobs, o);
        deleteTree(work);
    }

    private static double secondsPerIteration(Path metrics) throws java.io.IOException {
        JsonNode m = Json.MAPPER.readTree(metrics.toFile());
        return m.path("fits").path(0).path("secondsPerIteration").asDouble(Double.NaN);
    }

    private static void report(List<Command> commands, double onDriver, double asJobs, Options o)
            throws java.io.IOException {
        double floor = median(commands.get(0).seconds());
        StringBuilder table = new StringBuilder(String.format("%n%-40s %10s %8s  %s%n", "command", "median s", "ratio",
                "all runs (s)"));
        ObjectNode results = Json.object();
        Map<String, Double> medians = new LinkedHashMap<>();
        for (Command c : commands) {
            double m = median(c.seconds());
            medians.put(c.label(), m);
            table.append(String.format("%-40s %10.2f %7.2f×  %s%n", c.label(), m, m / floor,
                    c.seconds().stream().map(s -> String.format("%.2f", s)).toList()));
        }
        table.append(String.format("gmm: %.3f s per EM iteration with the passes on the driver (a cache this small"
                + " stays there), %.3f s with every pass a Spark job%n", onDriver, asJobs));
        System.out.print(table);
        results.put("bareSeconds", floor);
        results.put("startStopSeconds", medians.get(commands.get(1).label()));
        results.put("gmmSeconds", medians.get(commands.get(2).label()));
        results.put("mleSeconds", medians.get(commands.get(3).label()));
        results.put("gmmRatio", medians.get(commands.get(2).label()) / floor);
        results.put("mleRatio", medians.get(commands.get(3).label()) / floor);
        results.put("gmmSecondsPerIteration", onDriver);
        results.put("gmmSecondsPerIterationAsSparkJobs", asJobs);
        results.put("gmmAllPassesAsSparkJobsSeconds", medians.get(commands.get(4).label()));
        results.put("repeat", commands.get(0).seconds().size());
        BenchResults.save(o, results);
    }

    /** Runs one command in a fresh JVM with this JVM's flags; its wall seconds. */
    private static double time(Command c, Path work) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(c.jvmArgs());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(c.mainClass());
        cmd.addAll(c.args());
        File log = work.resolve("last.log").toFile();
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw JobFailedException.fit(c.label() + " did not finish in 10 minutes");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (p.exitValue() != 0) {
            List<String> lines = Files.readAllLines(log.toPath());
            throw JobFailedException.fit(c.label() + " failed with exit " + p.exitValue() + ": "
                    + String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size())));
        }
        return seconds;
    }

    static double median(List<Double> xs) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static void deleteTree(Path dir) throws java.io.IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
