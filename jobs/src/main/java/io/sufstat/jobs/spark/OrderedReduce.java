package io.sufstat.jobs.spark;

import org.apache.spark.TaskContext;
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
        return reduce(rdd, (Integer partition, Iterator<T> it) -> {
            T acc = null;
            while (it.hasNext()) {
                T next = it.next();
                acc = acc == null ? next : merge.call(acc, next);
            }
            return acc;
        }, merge, direct);
    }

    /** What one partition contributes to a reduction: its result from its index and elements, or null for none. */
    @FunctionalInterface
    public interface PartitionFold<X, T> extends java.io.Serializable {
        T fold(Integer partition, Iterator<X> elements) throws Exception;
    }

    /**
     * Merges, in partition order, each partition's {@code fold} of its elements. Up to {@code direct} partitions
     * (at least 2) this is one Spark job whose tasks return their results straight to the driver; beyond that,
     * shuffle levels first merge runs of {@code ⌈√n⌉} consecutive partitions.
     */
    public static <X, T> Optional<T> reduce(JavaRDD<X> rdd, PartitionFold<X, T> fold, Function2<T, T, T> merge,
                                            int direct) throws Exception {
        int limit = Math.max(2, direct);
        long n = rdd.getNumPartitions();
        if (n <= limit) {
            return reduceLocal(collectFolds(rdd, fold), merge, direct);
        }
        JavaPairRDD<Integer, T> level = rdd.mapPartitionsWithIndex((Integer index, Iterator<X> it) -> {
            T result = fold.fold(index, it);
            List<Tuple2<Integer, T>> out = result == null ? List.of() : List.of(new Tuple2<>(index, result));
            return out.iterator();
        }, true).mapToPair(t -> t);
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
     * Each partition's fold (null where none), by partition index, from one job of {@code SparkContext.runJob}
     * with a named function. Transformations and {@code collect} pass their lambdas through Spark's closure
     * cleaner, which parses the class files of Spark's RDD classes on every call: about 4 ms of a 6 ms job in
     * local mode, the largest part of an EM iteration's fixed cost at small N.
     */
    @SuppressWarnings("unchecked")
    private static <X, T> List<T> collectFolds(JavaRDD<X> rdd, PartitionFold<X, T> fold) {
        Object[] results = (Object[]) rdd.context().runJob(rdd.rdd(), new FoldTask<>(fold),
                scala.reflect.ClassTag$.MODULE$.AnyRef());
        List<T> parts = new ArrayList<>(results.length);
        for (Object r : results) {
            parts.add((T) r);
        }
        return parts;
    }

    /** A partition's task: {@code fold} over its elements. A named class, which the closure cleaner passes over. */
    private static final class FoldTask<X, T> extends scala.runtime.AbstractFunction2<TaskContext,
            scala.collection.Iterator<X>, Object> implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final PartitionFold<X, T> fold;

        FoldTask(PartitionFold<X, T> fold) {
            this.fold = fold;
        }

        @Override
        public Object apply(TaskContext task, scala.collection.Iterator<X> elements) {
            try {
                return fold.fold(task.partitionId(), scala.jdk.javaapi.CollectionConverters.asJava(elements));
            } catch (Exception e) {
                throw FoldTask.<RuntimeException>rethrow(e);
            }
        }

        /** Throws {@code e} unchanged (checked or not), as Spark's Java API does from a function's call. */
        @SuppressWarnings("unchecked")
        private static <E extends Exception> E rethrow(Exception e) throws E {
            throw (E) e;
        }
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
