package io.sufstat.jobs.spark;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * A tree reduction whose merge order is fixed by partition index, so that the result is the same bits
 * on every run and every cluster (Spark's {@code reduce}/{@code treeAggregate} merge task results in
 * the order tasks finish). Up to {@value #DIRECT} partial results (fewer for large results: {@link
 * #reduce(JavaRDD, Function2, int)}) are merged on the driver; beyond that, one or more shuffle levels first
 * merge runs of {@code ⌈√n⌉} consecutive partitions.
 */
public final class OrderedReduce {

    public static final int DIRECT = 32;

    private OrderedReduce() {
    }

    /** Merges every element of {@code rdd} in partition order (and element order within a partition). */
    public static <T> Optional<T> reduce(JavaRDD<T> rdd, Function2<T, T, T> merge) throws Exception {
        return reduce(rdd, merge, DIRECT);
    }

    /**
     * {@link #reduce(JavaRDD, Function2)} collecting at most {@code direct} partial results on the driver (at
     * least 2): large results (statistics of K·d² values at high d) go through more shuffle levels instead of
     * all arriving at the driver at once.
     */
    public static <T> Optional<T> reduce(JavaRDD<T> rdd, Function2<T, T, T> merge, int direct) throws Exception {
        int limit = Math.max(2, direct);
        JavaPairRDD<Integer, T> level = rdd.mapPartitionsWithIndex((Integer index, Iterator<T> it) -> {
            T acc = null;
            while (it.hasNext()) {
                T next = it.next();
                acc = acc == null ? next : merge.call(acc, next);
            }
            List<Tuple2<Integer, T>> out = acc == null ? List.of() : List.of(new Tuple2<>(index, acc));
            return out.iterator();
        }, true).mapToPair(t -> t);
        long n = rdd.getNumPartitions();
        while (n > limit) {
            int fanIn = (int) Math.ceil(Math.sqrt(n));
            int groups = (int) ((n + fanIn - 1) / fanIn);
            level = level.mapToPair(t -> new Tuple2<>(t._1() / fanIn, t))
                    .groupByKey(groups)
                    .mapToPair(g -> new Tuple2<>(g._1(), foldInOrder(g._2(), merge)));
            n = groups;
        }
        List<Tuple2<Integer, T>> parts = new ArrayList<>(level.collect());
        if (parts.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(foldInOrder(parts, merge));
    }

    /**
     * The same merge order as {@link #reduce} over partitions' results already on the driver ({@code parts.get(i)}
     * the result of partition i; null for a partition without one): the same bits as the distributed reduction.
     */
    public static <T> Optional<T> reduceLocal(List<T> parts, Function2<T, T, T> merge) throws Exception {
        return reduceLocal(parts, merge, DIRECT);
    }

    /** {@link #reduceLocal(List, Function2)} in the order of {@link #reduce(JavaRDD, Function2, int)}. */
    public static <T> Optional<T> reduceLocal(List<T> parts, Function2<T, T, T> merge, int direct) throws Exception {
        int limit = Math.max(2, direct);
        List<Tuple2<Integer, T>> level = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            if (parts.get(i) != null) {
                level.add(new Tuple2<>(i, parts.get(i)));
            }
        }
        long n = parts.size();
        while (n > limit) {
            int fanIn = (int) Math.ceil(Math.sqrt(n));
            int groups = (int) ((n + fanIn - 1) / fanIn);
            List<List<Tuple2<Integer, T>>> byGroup = new ArrayList<>();
            for (int g = 0; g < groups; g++) {
                byGroup.add(new ArrayList<>());
            }
            for (Tuple2<Integer, T> t : level) {
                byGroup.get(t._1() / fanIn).add(t);
            }
            List<Tuple2<Integer, T>> next = new ArrayList<>();
            for (int g = 0; g < groups; g++) {
                if (!byGroup.get(g).isEmpty()) {
                    next.add(new Tuple2<>(g, foldInOrder(byGroup.get(g), merge)));
                }
            }
            level = next;
            n = groups;
        }
        return level.isEmpty() ? Optional.empty() : Optional.of(foldInOrder(level, merge));
    }

    private static <T> T foldInOrder(Iterable<Tuple2<Integer, T>> parts, Function2<T, T, T> merge) throws Exception {
        List<Tuple2<Integer, T>> sorted = new ArrayList<>();
        parts.forEach(sorted::add);
        Collections.sort(sorted, Comparator.comparing(Tuple2::_1));
        T acc = null;
        for (Tuple2<Integer, T> p : sorted) {
            acc = acc == null ? p._2() : merge.call(acc, p._2());
        }
        return acc;
    }
}
