package io.sufstat.jobs.report;

import io.sufstat.common.em.RowHash;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A uniform sample of at most {@code n} values seen by many tasks, the same however they were partitioned: every
 * value's key is a 64-bit hash of its bits, each task keeps the values of the {@code n} smallest keys, and the
 * tasks' lists merge to the {@code n} smallest overall (so equal values are all in or all out).
 */
public final class ValueSample implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A value with its key; the heap's head is the entry with the largest key (then the largest value). */
    private record Entry(long key, double value) {
    }

    private static final Comparator<Entry> BY_KEY_DESCENDING =
            Comparator.comparingLong(Entry::key).reversed().thenComparingDouble(e -> -e.value());

    private final int n;
    private transient PriorityQueue<Entry> heap;

    /** A sample of at most {@code n} values; with {@code n = 0} it keeps nothing, at no cost per value. */
    public ValueSample(int n) {
        this.n = n;
    }

    static long key(double value) {
        return RowHash.mix(Double.doubleToLongBits(value) ^ 0x5A17E5L);
    }

    /** Offers a value. */
    public void add(double value) {
        if (n == 0) {
            return;
        }
        if (heap == null) {
            heap = new PriorityQueue<>(BY_KEY_DESCENDING);
        }
        long k = key(value);
        if (heap.size() < n) {
            heap.add(new Entry(k, value));
        } else {
            // Only a value that sorts before the largest kept key enters (and that entry leaves).
            Entry top = heap.peek();
            if (k < top.key() || (k == top.key() && value < top.value())) {
                heap.poll();
                heap.add(new Entry(k, value));
            }
        }
    }

    /** The values kept. */
    public double[] values() {
        return heap == null ? new double[0] : heap.stream().mapToDouble(Entry::value).toArray();
    }

    /** The sample of the union of several tasks' samples (each from {@link #values}). */
    public static double[] merge(Collection<double[]> parts, int n) {
        List<Double> all = new ArrayList<>();
        for (double[] p : parts) {
            for (double v : p) {
                all.add(v);
            }
        }
        all.sort(Comparator.<Double>comparingLong(ValueSample::key).thenComparingDouble(v -> v));
        double[] out = all.stream().limit(n).mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(out);
        return out;
    }
}
