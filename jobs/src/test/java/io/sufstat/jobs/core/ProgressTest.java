package io.sufstat.jobs.core;

import io.sufstat.jobs.SparkTest;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The heartbeat line names each running stage with its completed and total tasks, and is silent when idle. */
class ProgressTest extends SparkTest {

    @Test
    void describesRunningStagesAndIsSilentWhenIdle() throws Exception {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark().sparkContext());
        assertTrue(Progress.line(jsc.statusTracker(), 1).isEmpty(), "no job, no line");
        CompletableFuture<Long> job = CompletableFuture.supplyAsync(() -> jsc.parallelize(List.of(1, 2, 3, 4, 5, 6), 6)
                .map(x -> {
                    Thread.sleep(400);
                    return x;
                }).count());
        Optional<String> line = Optional.empty();
        for (int i = 0; i < 200 && line.isEmpty() && !job.isDone(); i++) {
            Thread.sleep(20);
            line = Progress.line(jsc.statusTracker(), 12.4);
        }
        assertEquals(6L, job.get());
        assertTrue(line.isPresent(), "a line while the stage ran");
        assertTrue(line.get().matches("still working after 12 s: stage \\d+ \\(count at ProgressTest\\.java:\\d+\\) \\d of 6"
                + " tasks done"), line.get());
        assertTrue(Progress.line(jsc.statusTracker(), 1).isEmpty(), "silent again once the job is done");
    }
}
