package io.sufstat.jobs.spark;

import io.sufstat.jobs.io.ReadStats;

import java.io.Serializable;

/**
 * Rows of the input as one dense row-major {@code double[]} (and their weights, or {@code null} for unit
 * weights): the cached form of the data for iterative jobs, about {@code rows·d·8} bytes plus a few
 * dozen bytes per block instead of an object per row. The last block of a partition carries the
 * partition's read counts.
 */
public final class DataBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    final int rows;
    final double[] values;
    final double[] weights;
    final ReadStats stats;

    DataBlock(int rows, double[] values, double[] weights, ReadStats stats) {
        this.rows = rows;
        this.values = values;
        this.weights = weights;
        this.stats = stats;
    }

    public int rows() {
        return rows;
    }

    /** Row-major values, exactly {@code rows·d} long. */
    public double[] values() {
        return values;
    }

    /** Weights, or null when every row has weight 1. */
    public double[] weights() {
        return weights;
    }
}
