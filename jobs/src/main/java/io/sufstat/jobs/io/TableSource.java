package io.sufstat.jobs.io;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * An input table resolved against its schema: which columns are the features, the weight and the group
 * keys, and how to turn each partition into a {@link RowCursor}. The one place jobs read rows from.
 */
public abstract class TableSource implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What a job does with the cursor of one partition. */
    @FunctionalInterface
    public interface PartitionFunction<R> extends Serializable {
        Iterator<R> apply(int partition, RowCursor cursor) throws Exception;
    }

    /** Resolves {@code options} against the input's header or schema; fails with a clear message. */
    public static TableSource open(InputOptions options, SparkSession spark) throws IOException {
        return options.format().equals("csv")
                ? CsvTable.openCsv(options, spark)
                : DataFrameTable.openDataFrame(options, spark);
    }

    /**
     * A table over a DataFrame already in hand (the Spark ML estimators): features from one vector column
     * (or scalar columns), an optional weight column; {@code name} stands for the source in messages.
     */
    public static TableSource of(Dataset<Row> df, List<String> featureColumns, Optional<String> vectorColumn,
                                 Optional<String> weightColumn, boolean skipBad, String name) {
        InputOptions o = new InputOptions(name, "dataframe", featureColumns, vectorColumn, weightColumn, List.of(), skipBad,
                true, ',', false);
        return DataFrameTable.fromFrame(df, o, false);
    }

    /** Feature names, in model order. */
    public abstract List<String> features();

    public final int dimension() {
        return features().size();
    }

    /** Runs {@code f} on every partition's cursor. */
    public abstract <R> JavaRDD<R> mapPartitions(PartitionFunction<R> f);

    /** True when missing feature values are kept as NaN ({@code --missing em}) instead of being bad records. */
    public abstract boolean missingAllowed();

    /** True when rows carry weights (a weight column was given). */
    public abstract boolean hasWeights();

    /** Partitions of the input. */
    public abstract int numPartitions();
}
