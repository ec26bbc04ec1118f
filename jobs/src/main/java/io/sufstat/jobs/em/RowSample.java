package io.sufstat.jobs.em;

import io.sufstat.common.em.EStep;
import io.sufstat.common.em.Initialisation;
import io.sufstat.common.stats.Mergeable;
import io.sufstat.jobs.spark.BlockCache;
import org.apache.spark.api.java.JavaSparkContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A uniform sample of cached rows, in one pass and independent of the partitioning: every row gets the key
 * {@code −ln u / w} with u from a hash of its values and the seed (Efraimidis &amp; Spirakis 2006, weighted
 * sampling without replacement), and the {@code n} smallest keys win (ties by the rows' values). Each task
 * keeps its best in a bounded heap; the partitions' lists merge like any statistics. Rows with a missing
 * value are left out. Any other key ({@link #smallestKeys}) picks rows the same way (the k-means++ seeding).
 */
public final class RowSample {

    private RowSample() {
    }

    /** A row and its key. */
    record Keyed(double key, double[] row) implements java.io.Serializable {
        static final Comparator<Keyed> ORDER = Comparator.comparingDouble(Keyed::key).thenComparing(Keyed::row,
                Arrays::compare);
    }

    /** A row's priority key from its values (at an offset) and its weight; smaller wins, +∞ leaves the row out. */
    @FunctionalInterface
    public interface RowKey extends java.io.Serializable {
        double key(double[] values, int offset, double weight);
    }

    /** The uniform sample's key: {@code −ln u / w} from the row hash, +∞ for a row with a missing value. */
    public static RowKey uniformKey(int d, long seed) {
        return (values, offset, weight) -> {
            for (int j = 0; j < d; j++) {
                if (Double.isNaN(values[offset + j])) {
                    return Double.POSITIVE_INFINITY;
                }
            }
            return Initialisation.pickKey(values, offset, d, weight, seed);
        };
    }

    /**
     * The {@code n} rows with the smallest keys among those seen, in key order: a partition's share of the sample,
     * mergeable with the others' (also usable inside any other one-pass aggregation).
     */
    public static final class Best implements Mergeable<Best> {
        private static final long serialVersionUID = 1L;
        private final int n;
        private final int d;
        private final RowKey rowKey;
        private List<Keyed> sorted = new ArrayList<>();
        private transient PriorityQueue<Keyed> heap;

        public Best(int n, int d, RowKey rowKey) {
            this.n = n;
            this.d = d;
            this.rowKey = rowKey;
        }

        /** Offers the row of {@code d} values at {@code offset} (left out when its key is +∞). */
        public void offer(double[] values, int offset, double weight) {
            double key = rowKey.key(values, offset, weight);
            // A key above the largest kept one cannot enter: skip the copy (most rows of a large pass).
            if (key < Double.POSITIVE_INFINITY && (heap == null || heap.size() < n || key <= heap.peek().key())) {
                offer(new Keyed(key, Arrays.copyOfRange(values, offset, offset + d)));
            }
        }

        /** The rows kept, in key order. */
        public double[][] sample() {
            return rows().stream().map(Keyed::row).toArray(double[][]::new);
        }

        private void offer(Keyed k) {
            if (heap == null) {
                heap = new PriorityQueue<>(ORDER_DESCENDING);
                heap.addAll(sorted);
            }
            if (heap.size() < n) {
                heap.add(k);
            } else if (Keyed.ORDER.compare(k, heap.peek()) < 0) {
                heap.poll();
                heap.add(k);
            }
        }

        List<Keyed> rows() {
            if (heap != null) {
                sorted = new ArrayList<>(heap);
                sorted.sort(Keyed.ORDER);
                heap = null;
            }
            return sorted;
        }

        @Override
        public Best combine(Best other) {
            List<Keyed> all = new ArrayList<>(rows());
            all.addAll(other.rows());
            all.sort(Keyed.ORDER);
            sorted = new ArrayList<>(all.subList(0, Math.min(n, all.size())));
            return this;
        }

        private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
            rows();
            out.defaultWriteObject();
        }

        private static final Comparator<Keyed> ORDER_DESCENDING = Keyed.ORDER.reversed();
    }

    /** The pass: every row's key, each task's best. */
    private record Step(int n, int d, RowKey rowKey) implements EStep<Best, Void> {
        @Override
        public Best zero() {
            return new Best(n, d, rowKey);
        }

        @Override
        public Void workspace(int blockRows) {
            return null;
        }

        @Override
        public void accumulate(Best s, Void work, double[] values, double[] weights, int rows) {
            for (int i = 0; i < rows; i++) {
                s.offer(values, i * d, weights == null ? 1.0 : weights[i]);
            }
        }
    }

    /** Up to {@code n} rows (row-major, fewer when the data have fewer complete rows of positive weight). */
    public static double[][] uniform(JavaSparkContext jsc, BlockCache cache, int n, long seed) throws Exception {
        return smallestKeys(jsc, cache, n, uniformKey(cache.dimension(), seed));
    }

    /**
     * The (at most) {@code n} rows with the smallest keys, in key order (ties by the rows' values): one pass, each
     * partition keeping its best, merged in partition order.
     */
    public static double[][] smallestKeys(JavaSparkContext jsc, BlockCache cache, int n, RowKey rowKey)
            throws Exception {
        return BlockPass.run(jsc, cache, new Step(n, cache.dimension(), rowKey)).sample();
    }
}
