package io.sufstat.jobs;

import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.core.Failures;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code sufstat} in a JVM of its own, as a scheduler starts it: the test class path, the JVM flags Spark
 * needs, the launcher's logging configuration; its exit status and what it printed.
 */
public final class Subprocess {

    private Subprocess() {
    }

    /** A finished run. */
    public record Result(int exit, String out, String err) {
        /** stderr without the JVM's own notice about the Vector API module. */
        public List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank() && !l.startsWith("WARNING: Using incubator modules")).toList();
        }
    }

    /** The command line of {@code mainClass args…}. */
    public static List<String> command(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("-XX:+Ignore") || a.startsWith("-Dio.netty")
                    || a.startsWith("--enable-native")) {
                cmd.add(a);
            }
        }
        cmd.add("-Xmx1g");
        cmd.add("-Ddev.ludovic.netlib.blas.allowNative=false");
        cmd.add("-Dlog4j2.configurationFile=" + BadInputCatalogueTest.Fixtures.repository().resolve("conf/log4j2.properties"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts {@code sufstat args…} with stdout and stderr going to {@code log}. */
    public static Process start(Path log, String... args) throws IOException {
        return new ProcessBuilder(command(Sufstat.class.getName(), args)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    /** Runs {@code mainClass args…} to its end. */
    public static Result runMain(String mainClass, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("sufstat-out", ".txt");
        Path err = Files.createTempFile("sufstat-err", ".txt");
        Process p = new ProcessBuilder(command(mainClass, args)).redirectOutput(out.toFile()).redirectError(err.toFile())
                .start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("sufstat did not finish: " + String.join(" ", args));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** Runs {@code sufstat args…} to its end. */
    public static Result run(String... args) throws IOException, InterruptedException {
        return runMain(Sufstat.class.getName(), args);
    }
}
