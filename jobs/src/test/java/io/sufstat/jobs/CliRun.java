package io.sufstat.jobs;

import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.core.Failures;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The command line run in this JVM on the shared test session, as {@link Sufstat#run(Job, String[],
 * org.apache.spark.sql.SparkSession)} runs it: its exit status, what it printed on stdout and stderr, and
 * its log lines ({@code LEVEL logger: message}, stack traces included), captured by an appender on the
 * root logger.
 */
public record CliRun(int exit, String out, String err, List<String> log) {

    /** Runs {@code sufstat args…} ({@code args[0]} is the job). */
    public static synchronized CliRun of(String... args) {
        Job job = Sufstat.JOBS.get(args[0]);
        if (job == null) {
            throw new IllegalArgumentException("no job " + args[0]);
        }
        SparkTest.spark();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        StringWriter logText = new StringWriter();
        Appender appender = WriterAppender.newBuilder().setName("cli-run-capture").setTarget(logText)
                .setLayout(PatternLayout.newBuilder().withPattern("%p %c{1}: %m%n%throwable").build()).build();
        appender.start();
        config.getRootLogger().addAppender(appender, null, null);
        ctx.updateLoggers();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = io.sufstat.jobs.core.Runner.run(job, Arrays.copyOfRange(args, 1, args.length), SparkTest.spark());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            config.getRootLogger().removeAppender("cli-run-capture");
            ctx.updateLoggers();
            appender.stop();
        }
        return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                logText.toString().lines().toList());
    }

    /** The log lines at ERROR. */
    public List<String> errors() {
        return log.stream().filter(l -> l.startsWith("ERROR ")).toList();
    }

    /**
     * The one line a failure printed: the only ERROR log line, or for a usage error (exit 2) the only
     * line on stderr; fails the test when there is not exactly one, or when a stack trace or a repeated
     * message was printed.
     */
    public String failureLine() {
        for (String l : log) {
            if (l.startsWith("\tat ") || l.contains("Exception in thread")) {
                throw new AssertionError("a stack trace was printed:\n" + String.join("\n", log));
            }
        }
        List<String> lines = exit == 2 ? err.lines().filter(l -> !l.isBlank()).toList() : errors();
        if (lines.size() != 1 || (exit == 2 && !errors().isEmpty()) || (exit != 2 && !err.isBlank())) {
            throw new AssertionError("expected one line, got:\nlog:\n" + String.join("\n", log) + "\nstderr:\n" + err);
        }
        return lines.get(0);
    }
}
