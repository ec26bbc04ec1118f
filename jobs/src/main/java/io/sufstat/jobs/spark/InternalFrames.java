package io.sufstat.jobs.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.StructType;

/**
 * DataFrames of Spark's internal rows, as its own scans produce them: the rows a job writes reach Spark's
 * writers without a {@code Row} object or a boxed value per field.
 */
public final class InternalFrames {

    private InternalFrames() {
    }

    /**
     * A DataFrame of {@code rows} with {@code schema}. Rows may be reused mutable rows: Spark projects each
     * one to an unsafe row as it reads it.
     */
    public static Dataset<Row> of(SparkSession spark, JavaRDD<InternalRow> rows, StructType schema) {
        return ((org.apache.spark.sql.classic.SparkSession) spark).internalCreateDataFrame(rows.rdd(), schema, false);
    }

    /** A new unsafe row of {@code fields} fixed-width, non-null fields (doubles, ints, booleans), in one array. */
    public static UnsafeRow fixedWidthRow(int fields) {
        int bytes = UnsafeRow.calculateBitSetWidthInBytes(fields) + 8 * fields;
        UnsafeRow row = new UnsafeRow(fields);
        row.pointTo(new byte[bytes], bytes);
        return row;
    }
}
