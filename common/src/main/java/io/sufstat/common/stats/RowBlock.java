package io.sufstat.common.stats;

import java.util.Arrays;

/**
 * A reusable buffer of up to {@code capacity} rows of {@code d} doubles, row-major, with one weight per
 * row: the unit the block kernels work on. Readers fill it row by row and hand it to a summary when it
 * is full, then {@link #clear()} it; nothing is allocated per row.
 *
 * <p>Not a value type: it is a work array owned by one task at a time.
 */
public final class RowBlock {

    /** Rows per block when the caller has no better idea: large enough for level-3 BLAS, small enough for L2. */
    public static final int DEFAULT_ROWS = 4096;

    private final int dim;
    private final double[] values;
    private final double[] weights;
    private int rows;

    private RowBlock(int dim, int capacity) {
        this.dim = dim;
        this.values = new double[Math.multiplyExact(dim, capacity)];
        this.weights = new double[capacity];
    }

    /** An empty block for rows of {@code dim} values, holding at most {@code capacity} rows. */
    public static RowBlock create(int dim, int capacity) {
        if (dim <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("dimension and capacity must be positive: " + dim + ", " + capacity);
        }
        return new RowBlock(dim, capacity);
    }

    /** An empty block sized so that it holds about {@code DEFAULT_ROWS × 20} values (at least 64 rows). */
    public static RowBlock forDimension(int dim) {
        int rows = Math.max(64, Math.min(DEFAULT_ROWS, (DEFAULT_ROWS * 20) / Math.max(1, dim)));
        return create(dim, rows);
    }

    /**
     * Wraps {@code n} row-major rows (and their weights, or unit weights when {@code weights} is empty)
     * as a full block. The arrays are copied.
     */
    public static RowBlock of(int dim, double[] rowMajor, double[] weights) {
        int n = rowMajor.length / dim;
        if (n * dim != rowMajor.length) {
            throw new IllegalArgumentException(rowMajor.length + " values do not make rows of " + dim);
        }
        RowBlock b = create(dim, Math.max(1, n));
        System.arraycopy(rowMajor, 0, b.values, 0, rowMajor.length);
        if (weights.length == 0) {
            Arrays.fill(b.weights, 0, n, 1.0);
        } else if (weights.length == n) {
            System.arraycopy(weights, 0, b.weights, 0, n);
        } else {
            throw new IllegalArgumentException(weights.length + " weights for " + n + " rows");
        }
        b.rows = n;
        return b;
    }

    public int dimension() {
        return dim;
    }

    public int capacity() {
        return weights.length;
    }

    /** Rows currently held. */
    public int rows() {
        return rows;
    }

    public boolean isFull() {
        return rows == weights.length;
    }

    public boolean isEmpty() {
        return rows == 0;
    }

    /** Empties the block (the arrays are kept). */
    public void clear() {
        rows = 0;
    }

    /**
     * Appends one row; the caller has checked the values. Returns the row's index.
     *
     * @throws IllegalStateException when the block is full
     */
    public int add(double[] row, double weight) {
        if (isFull()) {
            throw new IllegalStateException("block is full (" + rows + " rows)");
        }
        System.arraycopy(row, 0, values, rows * dim, dim);
        weights[rows] = weight;
        return rows++;
    }

    /**
     * The start of the next row, for readers that parse straight into the block; call
     * {@link #commitRow(double)} when the row is complete, or nothing to discard it.
     */
    public int nextRowOffset() {
        if (isFull()) {
            throw new IllegalStateException("block is full (" + rows + " rows)");
        }
        return rows * dim;
    }

    /** Accepts the row written at {@link #nextRowOffset()} with the given weight. */
    public void commitRow(double weight) {
        weights[rows++] = weight;
    }

    /** The backing row-major values: rows {@code 0..rows()-1} are valid. Shared, not copied. */
    public double[] values() {
        return values;
    }

    /** The backing weights: entries {@code 0..rows()-1} are valid. Shared, not copied. */
    public double[] weights() {
        return weights;
    }
}
