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

    private static final Comparator<double[]> BY_KEY_DESCENDING =
            Comparator.<double[]>comparingLong(v -> key(v[0])).reversed().thenComparingDouble(v -> -v[0]);

    private final int n;
    private transient PriorityQueue<double[]> heap;

    public ValueSample(int n) {
        this.n = n;
    }

    static long key(double value) {
        return RowHash.mix(Double.doubleToLongBits(value) ^ 0x5A17E5L);
    }

    /** Offers a value. */
    public void add(double value) {
        if (heap == null) {
            heap = new PriorityQueue<>(BY_KEY_DESCENDING);
        }
        if (heap.size() < n) {
            heap.add(new double[] {value});
        } else if (BY_KEY_DESCENDING.compare(new double[] {value}, heap.peek()) > 0) {
            heap.poll();
            heap.add(new double[] {value});
        }
    }

    /** The values kept. */
    public double[] values() {
        return heap == null ? new double[0] : heap.stream().mapToDouble(v -> v[0]).toArray();
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
