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
}
