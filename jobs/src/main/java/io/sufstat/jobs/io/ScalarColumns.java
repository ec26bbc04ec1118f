package io.sufstat.jobs.io;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.List;

/** Numeric columns of Spark's internal rows read as doubles, by position and type, without a {@code Row}. */
public final class ScalarColumns implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<String> names;
    private final int[] at;
    private final int[] codes;

    private ScalarColumns(List<String> names, int[] at, int[] codes) {
        this.names = names;
        this.at = at;
        this.codes = codes;
    }

    /** The columns {@code names} of {@code schema}; fails when one is missing or not numeric. */
    public static ScalarColumns of(StructType schema, List<String> names) {
        int[] at = new int[names.size()];
        org.apache.spark.sql.types.StructField[] fields = new org.apache.spark.sql.types.StructField[at.length];
        for (int j = 0; j < at.length; j++) {
            at[j] = schema.fieldIndex(names.get(j));
            fields[j] = schema.fields()[at[j]];
        }
        int[] codes = DataFrameTable.ScalarCodes.of(new StructType(fields), at.length).orElseThrow(() ->
                new IllegalArgumentException("the columns " + names + " must all be numeric"));
        return new ScalarColumns(List.copyOf(names), at, codes);
    }

    /** Puts the row's values at {@code out[off …]}; the index of the first null or non-finite one, or −1. */
    public int read(InternalRow row, double[] out, int off) {
        for (int j = 0; j < at.length; j++) {
            if (row.isNullAt(at[j])) {
                return j;
            }
            double x = DataFrameTable.ScalarCodes.read(row, at[j], codes[j]);
            if (!Double.isFinite(x)) {
                return j;
            }
            out[off + j] = x;
        }
        return -1;
    }

    /** Column {@code j}'s name. */
    public String name(int j) {
        return names.get(j);
    }

    /** The size of a Spark ML vector in its internal form (type 0 sparse: size, indices, values; type 1 dense: values). */
    public static int vectorSize(InternalRow vector) {
        return vector.getByte(0) == 1 ? vector.getArray(3).numElements() : vector.getInt(1);
    }

    /** Puts the {@code d} values of a Spark ML vector in its internal form at {@code out[off …]} (zeros filled in). */
    public static void readVector(InternalRow vector, double[] out, int off, int d) {
        org.apache.spark.sql.catalyst.util.ArrayData values = vector.getArray(3);
        if (vector.getByte(0) == 1) {
            for (int j = 0; j < d; j++) {
                out[off + j] = values.getDouble(j);
            }
        } else {
            java.util.Arrays.fill(out, off, off + d, 0.0);
            org.apache.spark.sql.catalyst.util.ArrayData indices = vector.getArray(2);
            for (int i = 0; i < indices.numElements(); i++) {
                out[off + indices.getInt(i)] = values.getDouble(i);
            }
        }
    }
}
