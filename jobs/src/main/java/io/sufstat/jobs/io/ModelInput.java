package io.sufstat.jobs.io;

import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Failure;
import io.sufstat.jobs.cli.UsageException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.util.CollectionAccumulator;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An input read whole, with a model's features located among its columns: the jobs that apply a model
 * ({@code score}, {@code impute}) keep every input column and add their own. CSV is read by sufstat's
 * CSV reader, with the same checks and messages as in every job, its columns kept as text; other formats
 * are read by Spark and keep their types.
 */
public final class ModelInput implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final io.sufstat.jobs.cli.Opt<String> MODEL = io.sufstat.jobs.cli.Opt.text("model", "PATH",
            "The model: a model.json or a fit's output directory.").required().protectsPath();
    public static final io.sufstat.jobs.cli.Opt<String> OUTPUT_FORMAT = io.sufstat.jobs.cli.Opt.choice("output-format",
            "Output format (default: the input's).", "csv", "parquet", "json", "orc");

    /** The options every job that applies a model to an input takes, besides {@link InputOptions#SPECS}. */
    public static final List<io.sufstat.jobs.cli.Opt<?>> SPECS = List.of(MODEL, AtomicOutput.OUTPUT, OUTPUT_FORMAT,
            AtomicOutput.OVERWRITE);

    /** {@code --output-format}, or the input's format. */
    public static String outputFormat(io.sufstat.jobs.cli.Options o, InputOptions in) {
        return o.find(OUTPUT_FORMAT).orElse(in.format());
    }

    private final transient Dataset<Row> frame;
    private final transient CsvTable csv;
    private final StructType schema;
    private final String path;
    private final List<String> features;
    private final int[] featureAt;
    private final boolean skipBad;
    /** How to read each feature from an internal row ({@link DataFrameTable.ScalarCodes}), when all are numeric. */
    private final int[] featureCodes;

    private ModelInput(Dataset<Row> frame, CsvTable csv, StructType schema, String path, List<String> features,
                       int[] featureAt, boolean skipBad) {
        this.frame = frame;
        this.csv = csv;
        this.schema = schema;
        this.path = path;
        this.features = features;
        this.featureAt = featureAt;
        this.skipBad = skipBad;
        StructField[] featureFields = new StructField[featureAt.length];
        for (int j = 0; j < featureAt.length; j++) {
            featureFields[j] = schema.fields()[featureAt[j]];
        }
        this.featureCodes = frame == null ? null
                : DataFrameTable.ScalarCodes.of(new StructType(featureFields), featureAt.length).orElse(null);
    }

    /**
     * Reads {@code in} and finds the model's features in it: by name, or, with {@code --features}, the given
     * input columns in the model's order (renaming). CSV is read by sufstat's own reader, as by every job
     * (field counts, quotes, headers, file and line in messages); {@code missingAllowed} keeps a missing
     * feature value as NaN instead of making the row bad.
     */
    public static ModelInput open(InputOptions in, List<String> modelFeatures, SparkSession spark, boolean missingAllowed)
            throws java.io.IOException {
        if (in.featuresCol().isPresent() || !in.groupBy().isEmpty() || in.weightCol().isPresent()) {
            throw new UsageException("this job takes --features (or the model's feature names), not --features-col,"
                    + " --weight-col or --group-by");
        }
        List<String> mapped = in.features().isEmpty() ? modelFeatures : in.features();
        if (mapped.size() != modelFeatures.size()) {
            throw new UsageException("--features lists " + mapped.size() + " columns but the model has "
                    + modelFeatures.size() + " features " + modelFeatures);
        }
        if (in.format().equals("csv")) {
            return openCsv(in, mapped, modelFeatures, spark, missingAllowed);
        }
        if (HadoopFiles.inputFiles(in.path(), in.format(), spark.sparkContext().hadoopConfiguration()).isEmpty()) {
            throw JobFailedException.input("no input files match " + in.path());
        }
        Dataset<Row> df;
        try {
            df = HadoopFiles.reader(spark, in.path(), in.format()).load(in.path().split(","));
        } catch (RuntimeException e) {
            throw new JobFailedException(Failure.INPUT, "cannot read " + in.path() + " as " + in.format() + ": "
                    + e.getMessage(), e);
        }
        List<String> columns = Arrays.asList(df.columns());
        int[] at = new int[mapped.size()];
        for (int j = 0; j < at.length; j++) {
            at[j] = columns.indexOf(mapped.get(j));
            if (at[j] < 0) {
                throw missingColumn(in, modelFeatures.get(j), mapped.get(j), columns);
            }
            StructField f = df.schema().fields()[at[j]];
            if (!(f.dataType() instanceof NumericType) && !f.dataType().equals(DataTypes.StringType)) {
                throw new JobFailedException(Failure.INPUT, "column '" + f.name() + "' of " + in.path() + " has type "
                        + f.dataType().simpleString() + "; a feature must be numeric (or numeric text)");
            }
        }
        return new ModelInput(df, null, df.schema(), in.path(), List.copyOf(modelFeatures), at, in.skipBadRecords());
    }

    private static ModelInput openCsv(InputOptions in, List<String> mapped, List<String> modelFeatures,
                                      SparkSession spark, boolean missingAllowed) throws java.io.IOException {
        CsvTable table;
        try {
            table = CsvTable.openCsv(new InputOptions(in.path(), in.format(), mapped, java.util.Optional.empty(),
                    java.util.Optional.empty(), List.of(), in.skipBadRecords(), in.header(), in.delimiter(), missingAllowed),
                    spark);
        } catch (CsvTable.MissingColumn e) {
            int j = mapped.indexOf(e.column);
            throw missingColumn(in, j >= 0 ? modelFeatures.get(j) : e.column, e.column, e.columns);
        }
        List<StructField> fields = new ArrayList<>();
        for (String c : table.columns()) {
            fields.add(DataTypes.createStructField(c, DataTypes.StringType, true));
        }
        int[] at = new int[mapped.size()];
        for (int j = 0; j < at.length; j++) {
            at[j] = table.columns().indexOf(mapped.get(j));
        }
        return new ModelInput(null, table, DataTypes.createStructType(fields), in.path(), List.copyOf(modelFeatures), at,
                in.skipBadRecords());
    }

    private static JobFailedException missingColumn(InputOptions in, String feature, String column, List<String> columns) {
        return JobFailedException.input("the model's feature '" + feature + "'"
                + (in.features().isEmpty() ? "" : " (input column '" + column + "')") + " is not a column of "
                + HadoopFiles.redact(in.path()) + (columns == null ? "" : "; its columns are " + columns)
                + (in.features().isEmpty() ? " (map them with --features)" : ""));
    }

    /** The input's columns and types (for CSV every column is text). */
    public StructType schema() {
        return schema;
    }

    /** The input's column names. */
    public List<String> columns() {
        return Arrays.asList(schema.fieldNames());
    }

    /**
     * The input's rows; each partition's read counts go to {@code stats} (CSV rows are counted as they are
     * read, other rows by the {@link FeatureReader} that reads them).
     */
    public JavaRDD<Row> rows(CollectionAccumulator<ReadStats> stats) {
        return csv != null ? csv.parsedRows(stats) : frame.javaRDD();
    }

    /**
     * True when the input's rows can be read as Spark's internal rows ({@link #internalRows}): not CSV, and
     * every feature a numeric column. Such rows skip the conversion to {@code Row} objects on the way in and,
     * with {@code InternalFrames}, on the way out.
     */
    public boolean hasInternalRows() {
        return featureCodes != null && DataFrameTable.ScalarCodes.enabled();
    }

    /** The input's rows as Spark's internal rows (the iterator reuses its row: copy a row to keep it). */
    public JavaRDD<InternalRow> internalRows() {
        if (!hasInternalRows()) {
            throw new IllegalStateException("this input has no internal rows of numeric features");
        }
        return frame.queryExecution().toRdd().toJavaRDD();
    }

    /** The model's feature names, in model order. */
    public List<String> features() {
        return features;
    }

    /** A per-task reader of feature values. */
    public FeatureReader reader() {
        return new FeatureReader();
    }

    /** An accumulator for the partitions' read statistics (merge on the driver with {@link #merged}). */
    public static CollectionAccumulator<ReadStats> statsAccumulator(SparkSession spark, String name) {
        return spark.sparkContext().collectionAccumulator(name);
    }

    /** The partitions' statistics merged. */
    public static ReadStats merged(CollectionAccumulator<ReadStats> acc) {
        ReadStats all = new ReadStats();
        for (ReadStats s : acc.value()) {
            all.merge(s);
        }
        return all;
    }

    /** Reads the features of rows, one at a time, counting them in its {@link ReadStats}. */
    public final class FeatureReader {
        private final DecimalParser parser = new DecimalParser();
        private final ReadStats stats = new ReadStats();

        private FeatureReader() {
        }

        public ReadStats stats() {
            return stats;
        }

        /**
         * Puts row {@code r}'s features into {@code out[off …]} and marks {@code missing[j]} for null, blank or
         * NaN values (their slot gets NaN). Non-numeric and infinite values are bad records: under {@code fail}
         * this throws {@link BadRecordException} naming the column and the row; under {@code skip} it counts
         * the row and returns false. With {@code missingIsBad} a missing value is handled the same way.
         */
        public boolean read(Row r, double[] out, int off, boolean[] missing, boolean missingIsBad) {
            if (r instanceof ParsedRow parsed) {
                double[] x = parsed.features();
                System.arraycopy(x, 0, out, off, x.length);
                if (missing != null) {
                    for (int j = 0; j < x.length; j++) {
                        missing[j] = Double.isNaN(x[j]);
                    }
                }
                return true;
            }
            stats.read();
            for (int j = 0; j < featureAt.length; j++) {
                Object o = r.get(featureAt[j]);
                double x;
                BadRecordReason problem = null;
                if (o == null) {
                    x = Double.NaN;
                } else if (o instanceof Double dv) {
                    x = dv;
                } else if (o instanceof BigDecimal b) {
                    x = b.doubleValue();
                } else if (o instanceof Number n) {
                    x = n.doubleValue();
                } else {
                    String s = o.toString();
                    if (s.isBlank()) {
                        x = Double.NaN;
                    } else {
                        x = parser.parse(s);
                        if (!parser.ok) {
                            problem = BadRecordReason.NOT_A_NUMBER;
                        }
                    }
                }
                if (problem == null && Double.isInfinite(x)) {
                    problem = BadRecordReason.NON_FINITE;
                }
                boolean isMissing = problem == null && Double.isNaN(x);
                if (isMissing && missingIsBad) {
                    problem = o == null || o.toString().isBlank() ? BadRecordReason.MISSING_VALUE : BadRecordReason.NON_FINITE;
                }
                String raw = problem == null || o == null ? null : o.toString();
                if (!accept(stats, j, x, isMissing, problem, raw, () -> r, out, off, missing)) {
                    return false;
                }
            }
            stats.used();
            return true;
        }
    }

    /**
     * Reads the features of internal rows ({@link #internalRows}) with the same rules and messages as
     * {@link FeatureReader}, counting them in its {@link ReadStats}.
     */
    public final class InternalReader {
        private final ReadStats stats = new ReadStats();

        private InternalReader() {
        }

        public ReadStats stats() {
            return stats;
        }

        /** {@link FeatureReader#read} for an internal row. */
        public boolean read(InternalRow r, double[] out, int off, boolean[] missing, boolean missingIsBad) {
            stats.read();
            for (int j = 0; j < featureAt.length; j++) {
                boolean isNull = r.isNullAt(featureAt[j]);
                double x = isNull ? Double.NaN : DataFrameTable.ScalarCodes.read(r, featureAt[j], featureCodes[j]);
                boolean isMissing = Double.isNaN(x);
                BadRecordReason problem = Double.isInfinite(x) ? BadRecordReason.NON_FINITE
                        : isMissing && missingIsBad ? (isNull ? BadRecordReason.MISSING_VALUE : BadRecordReason.NON_FINITE)
                        : null;
                if (!accept(stats, j, x, isMissing, problem, problem == null || isNull ? null : Double.toString(x),
                        () -> (Row) org.apache.spark.sql.catalyst.CatalystTypeConverters.createToScalaConverter(schema)
                                .apply(r), out, off, missing)) {
                    return false;
                }
            }
            stats.used();
            return true;
        }
    }

    /** A per-task reader of features from internal rows. */
    public InternalReader internalReader() {
        return new InternalReader();
    }

    /**
     * Stores feature {@code j}'s value, or, for a {@code problem}, fails naming the row (under {@code fail}) or counts
     * the row as skipped; false when the row is bad.
     */
    /** {@code raw}: the value's text, for the message; made by the callers only for a problem (formatting every
     *  double cost half of {@code score}'s time). */
    private boolean accept(ReadStats stats, int j, double x, boolean isMissing, BadRecordReason problem, String raw,
                           java.util.function.Supplier<Row> row, double[] out, int off, boolean[] missing) {
        if (problem != null) {
            String what = RowCursor.describe(features.get(j), j, raw, problem);
            if (!skipBad) {
                throw new BadRecordException(problem, BadRecordException.PREFIX + path + ", row " + preview(row.get())
                        + ": " + what);
            }
            stats.skip(problem, what);
            return false;
        }
        out[off + j] = x;
        if (missing != null) {
            missing[j] = isMissing;
        }
        return true;
    }

    private static String preview(Row r) {
        String s = r.mkString("[", ", ", "]");
        return s.length() > 120 ? s.substring(0, 120) + "…]" : s;
    }

    /** Column names the job adds, checked against the input's so that none is overwritten. */
    public void requireNewColumns(List<String> added) {
        List<String> existing = columns();
        for (String a : added) {
            if (existing.contains(a)) {
                throw new UsageException("the input already has a column '" + a + "', which this job adds; rename it");
            }
        }
    }
}
