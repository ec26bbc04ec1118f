package io.sufstat.jobs.spark;

import io.sufstat.jobs.SparkTest;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OrderedReduceTest extends SparkTest {

    /** Concatenation is not commutative: only a merge in partition order gives back the original sequence. */
    @Test
    void mergesInPartitionOrderAtEveryDepth() throws Exception {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark().sparkContext());
        for (int partitions : new int[] {1, 7, 32, 33, 200}) {
            List<String> items = IntStream.range(0, 1000).mapToObj(Integer::toString).toList();
            JavaRDD<String> rdd = jsc.parallelize(items, partitions);
            String joined = OrderedReduce.reduce(rdd, (a, b) -> a + "," + b).orElseThrow();
            assertEquals(String.join(",", items), joined, partitions + " partitions");
        }
    }

    @Test
    void emptyInputGivesNothing() throws Exception {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark().sparkContext());
        assertTrue(OrderedReduce.reduce(jsc.parallelize(List.<Integer>of(), 3), Integer::sum).isEmpty());
        assertEquals(IntStream.range(0, 100).sum(), OrderedReduce.reduce(jsc.parallelize(
                IntStream.range(0, 100).boxed().collect(Collectors.toList()), 40), Integer::sum).orElseThrow());
    }

    /**
     * With fewer results allowed on the driver at once (large statistics), the merge still runs in partition order,
     * and a floating-point merge gives the same bits on the driver ({@code reduceLocal}) as through Spark.
     */
    @Test
    void fewerDirectResultsKeepTheOrderAndTheBits() throws Exception {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark().sparkContext());
        List<String> items = IntStream.range(0, 300).mapToObj(Integer::toString).toList();
        List<Double> values = IntStream.range(0, 300).mapToObj(i -> Math.pow(1.37, i % 97) / (i + 1)).toList();
        for (int direct : new int[] {2, 3, 5}) {
            for (int partitions : new int[] {3, 13, 40}) {
                assertEquals(String.join(",", items), OrderedReduce.reduce(jsc.parallelize(items, partitions),
                        (a, b) -> a + "," + b, direct).orElseThrow(), partitions + " partitions, " + direct + " direct");
                JavaRDD<Double> rdd = jsc.parallelize(values, partitions);
                double spark = OrderedReduce.reduce(rdd, Double::sum, direct).orElseThrow();
                List<Double> parts = rdd.mapPartitions(it -> {
                    double s = 0;
                    boolean any = false;
                    while (it.hasNext()) {
                        s = any ? s + it.next() : it.next();
                        any = true;
                    }
                    return (any ? List.of(s) : List.<Double>of()).iterator();
                }).collect();
                assertEquals(spark, OrderedReduce.reduceLocal(parts, Double::sum, direct).orElseThrow(), 0.0);
            }
        }
    }

    /**
     * A per-partition fold sees its partition's index, partitions that return nothing are skipped, and the one-job
     * path (up to the direct limit) and the shuffle path (beyond it) give the same sequence.
     */
    @Test
    void partitionFoldsSeeTheirIndexAndMayReturnNothing() throws Exception {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark().sparkContext());
        List<Integer> items = IntStream.range(0, 10).boxed().toList();
        for (int partitions : new int[] {4, 16, 40}) {
            OrderedReduce.PartitionFold<Integer, String> fold = (partition, it) -> {
                StringBuilder b = new StringBuilder();
                it.forEachRemaining(x -> b.append(b.length() == 0 ? "" : ";").append(x));
                return b.length() == 0 ? null : partition + ":" + b;
            };
            String expected = jsc.parallelize(items, partitions).mapPartitionsWithIndex((p, it) -> {
                StringBuilder b = new StringBuilder();
                it.forEachRemaining(x -> b.append(b.length() == 0 ? "" : ";").append(x));
                return (b.length() == 0 ? List.<String>of() : List.of(p + ":" + b)).iterator();
            }, true).collect().stream().collect(Collectors.joining(","));
            assertEquals(expected, OrderedReduce.reduce(jsc.parallelize(items, partitions), fold, (a, b) -> a + "," + b,
                    OrderedReduce.DIRECT).orElseThrow(), partitions + " partitions");
        }
    }

    /** A checked exception thrown in a partition's fold fails the job with its own message, as a Spark job's would. */
    @Test
    void aFoldsCheckedExceptionFailsTheJobWithItsMessage() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark().sparkContext());
        OrderedReduce.PartitionFold<Integer, Integer> fold = (partition, it) -> {
            throw new java.io.IOException("partition " + partition + " cannot be read");
        };
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> OrderedReduce.reduce(
                jsc.parallelize(List.of(1, 2, 3), 1), fold, Integer::sum, OrderedReduce.DIRECT));
        assertTrue(String.valueOf(e.getMessage()).contains("partition 0 cannot be read"), e.getMessage());
    }
}
