package io.sufstat.jobs.core;

import org.apache.spark.SparkContext;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.JavaSparkStatusTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A heartbeat for long jobs: every {@value #DEFAULT_SECONDS} seconds ({@code -Dsufstat.progressSeconds}) while
 * Spark runs a job, one INFO line with the time since the job started and each active stage's completed and
 * total tasks, so that a long read or pass is never silent for more than that. Nothing is logged while no
 * Spark job runs (sufstat's own steps log their own lines).
 */
public final class Progress implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    static final double DEFAULT_SECONDS = 10;

    private final ScheduledExecutorService timer;

    private Progress(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Starts the heartbeat of {@code job} on {@code sc}. */
    public static Progress start(SparkContext sc, String job) {
        double seconds = Double.parseDouble(System.getProperty("sufstat.progressSeconds",
                Double.toString(DEFAULT_SECONDS)));
        long t0 = System.nanoTime();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sufstat-progress");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, (long) (seconds * 1000));
        timer.scheduleAtFixedRate(() -> {
            try {
                line(JavaSparkContext.fromSparkContext(sc).statusTracker(), (System.nanoTime() - t0) / 1e9).ifPresent(l -> LOG.info("{}: {}", job, l));
            } catch (RuntimeException e) {
                // The context is stopping: nothing to report.
            }
        }, period, period, TimeUnit.MILLISECONDS);
        return new Progress(timer);
    }

    /** The progress line for the active stages, empty when none is running. */
    static java.util.Optional<String> line(JavaSparkStatusTracker tracker, double elapsed) {
        List<String> stages = new ArrayList<>();
        for (int id : tracker.getActiveStageIds()) {
            SparkStageInfo s = tracker.getStageInfo(id);
            if (s != null) {
                stages.add(String.format(Locale.ROOT, "stage %d (%s) %d of %d tasks done", id, s.name(),
                        s.numCompletedTasks(), s.numTasks()));
            }
        }
        if (stages.isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(String.format(Locale.ROOT, "still working after %.0f s: %s", elapsed,
                String.join("; ", stages)));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
