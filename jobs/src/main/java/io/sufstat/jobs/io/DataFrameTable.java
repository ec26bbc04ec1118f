package io.sufstat.jobs.io;

import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Failure;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Parquet, JSON (lines) or ORC input read through Spark's DataFrame readers. Features are numeric or
 * string columns (strings are parsed), or one vector column; a bad value is reported with its file
 * (and, for Parquet, its row number) and column.
 */
final class DataFrameTable extends TableSource {
    private static final long serialVersionUID = 1L;
    private static final String CORRUPT = "_corrupt_record";

    private final transient Dataset<Row> selected;
    private final List<String> features;
    private final List<String> featureColumns;
    private final boolean vector;
    private final boolean hasWeight;
    private final int groups;
    private final boolean hasCorrupt;
    private final boolean hasRowIndex;
    private final boolean skipBad;
    private final boolean missingAllowed;

    private DataFrameTable(Dataset<Row> selected, List<String> features, List<String> featureColumns, boolean vector,
                           boolean hasWeight, int groups, boolean hasCorrupt, boolean hasRowIndex, boolean skipBad,
                           boolean missingAllowed) {
        this.selected = selected;
        this.features = features;
        this.featureColumns = featureColumns;
        this.vector = vector;
        this.hasWeight = hasWeight;
        this.groups = groups;
        this.hasCorrupt = hasCorrupt;
        this.hasRowIndex = hasRowIndex;
        this.skipBad = skipBad;
        this.missingAllowed = missingAllowed;
    }

    static DataFrameTable openDataFrame(InputOptions o, SparkSession spark) throws java.io.IOException {
        if (HadoopFiles.inputFiles(o.path(), o.format(), spark.sparkContext().hadoopConfiguration()).isEmpty()) {
            throw new JobFailedException(Failure.INPUT, "no input files match " + o.path());
        }
        Dataset<Row> df;
        try {
            df = HadoopFiles.reader(spark, o.path(), o.format()).load(o.path().split(","));
        } catch (RuntimeException e) {
            throw new JobFailedException(Failure.INPUT, "cannot read " + o.path() + " as " + o.format() + ": " + e.getMessage(), e);
        }
        return fromFrame(df, o, true);
    }

    /**
     * The table over an already loaded DataFrame; {@code fromFiles} says whether Spark's file metadata
     * columns exist (they name the file and row in bad-record messages).
     */
    static DataFrameTable fromFrame(Dataset<Row> df, InputOptions o, boolean fromFiles) {
        StructType schema = df.schema();
        List<String> names = Arrays.asList(schema.fieldNames());
        if (names.isEmpty() || (names.size() == 1 && names.get(0).equals(CORRUPT))) {
            throw new JobFailedException(Failure.INPUT, "the input " + o.path() + " has no columns (empty, or not " + o.format() + ")");
        }
        String weight = o.weightCol().orElse(null);
        List<Column> cols = new ArrayList<>();
        List<String> features = new ArrayList<>();
        List<String> featureColumns = new ArrayList<>();
        boolean vector = o.featuresCol().isPresent();
        if (vector) {
            String vc = o.featuresCol().get();
            StructField f = field(schema, vc, "features", o.path());
            if (!f.dataType().equals(SQLDataTypes.VectorType())) {
                throw new JobFailedException(Failure.INPUT, "--features-col '" + vc + "' has type " + f.dataType().simpleString()
                        + ", not a Spark ML vector");
            }
            int size = AttributeGroup.fromStructField(f).size();
            if (size < 0) {
                Row first = df.select(vc).na().drop().first();
                size = ((Vector) first.get(0)).size();
            }
            for (int i = 0; i < size; i++) {
                features.add(vc + "[" + i + "]");
            }
            featureColumns.add(vc);
            cols.add(functions.col(vc));
        } else {
            List<String> chosen = new ArrayList<>(o.features());
            if (chosen.isEmpty()) {
                List<String> excluded = new ArrayList<>();
                for (StructField f : schema.fields()) {
                    if (f.name().equals(weight) || o.groupBy().contains(f.name()) || f.name().equals(CORRUPT)) {
                        continue;
                    }
                    (f.dataType() instanceof NumericType ? chosen : excluded).add(f.name());
                }
                if (!excluded.isEmpty() && !chosen.isEmpty()) {
                    org.slf4j.LoggerFactory.getLogger(DataFrameTable.class).warn("columns not used as features (not"
                            + " numeric): {}; name the features with --features to choose", String.join(", ", excluded));
                }
                if (chosen.isEmpty()) {
                    throw new JobFailedException(Failure.INPUT, "no numeric columns in " + o.path() + " (schema: "
                            + schema.simpleString() + "); name the features with --features");
                }
            }
            for (String c : chosen) {
                StructField f = field(schema, c, "feature", o.path());
                checkScalar(f, "feature");
                features.add(c);
                featureColumns.add(c);
                cols.add(functions.col(quote(c)));
            }
        }
        if (weight != null) {
            checkScalar(field(schema, weight, "weight", o.path()), "weight");
            cols.add(functions.col(quote(weight)));
        }
        for (String g : o.groupBy()) {
            field(schema, g, "group", o.path());
            cols.add(functions.col(quote(g)).cast(DataTypes.StringType));
        }
        boolean hasCorrupt = names.contains(CORRUPT);
        if (hasCorrupt) {
            cols.add(functions.col(CORRUPT));
        }
        cols.add(fromFiles ? functions.col("_metadata.file_path") : functions.lit(o.path()));
        boolean hasRowIndex = fromFiles && o.format().equals("parquet");
        if (hasRowIndex) {
            cols.add(functions.col("_metadata.row_index"));
        }
        Dataset<Row> selected = df.select(cols.toArray(new Column[0]));
        return new DataFrameTable(selected, List.copyOf(features), List.copyOf(featureColumns), vector,
                weight != null, o.groupBy().size(), hasCorrupt, hasRowIndex, o.skipBadRecords(), o.missingAllowed());
    }

    private static String quote(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    private static StructField field(StructType schema, String name, String role, String path) {
        for (StructField f : schema.fields()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new JobFailedException(Failure.INPUT, role + " column '" + name + "' is not in " + path + "; its columns are: "
                + String.join(", ", schema.fieldNames()));
    }

    private static void checkScalar(StructField f, String role) {
        DataType t = f.dataType();
        if (!(t instanceof NumericType) && !t.equals(DataTypes.StringType)) {
            throw new JobFailedException(Failure.INPUT, role + " column '" + f.name() + "' has type " + t.simpleString()
                    + "; it must be numeric (or a string holding numbers)");
        }
    }

    @Override
    public boolean missingAllowed() {
        return missingAllowed;
    }

    @Override
    public boolean hasWeights() {
        return hasWeight;
    }

    @Override
    public List<String> features() {
        return features;
    }

    @Override
    public int numPartitions() {
        return selected.rdd().getNumPartitions();
    }

    @Override
    public <R> JavaRDD<R> mapPartitions(PartitionFunction<R> f) {
        DataFrameTable table = this;
        java.util.Optional<int[]> codes = ScalarCodes.of(selected.schema(), featureColumns.size() + (hasWeight ? 1 : 0));
        if (!hasCorrupt && codes.isPresent() && ScalarCodes.enabled()) {
            // Numeric columns or a vector only: read Spark's internal rows directly, without a Row per record.
            int[] c = codes.get();
            return selected.queryExecution().toRdd().toJavaRDD().mapPartitionsWithIndex(
                    (Integer index, Iterator<org.apache.spark.sql.catalyst.InternalRow> rows) ->
                            f.apply(index, new InternalCursor(table, rows, c)), false);
        }
        return selected.javaRDD().mapPartitionsWithIndex(
                (Integer index, Iterator<Row> rows) -> f.apply(index, new Cursor(table, rows)), false);
    }

    /**
     * How to read each leading numeric column of an internal row: the column's type as a code (with a decimal's
     * precision and scale packed in), or empty when some column is not numeric (a string to parse, a vector).
     */
    static final class ScalarCodes {
        static final int DOUBLE = 1;
        static final int FLOAT = 2;
        static final int LONG = 3;
        static final int INT = 4;
        static final int SHORT = 5;
        static final int BYTE = 6;
        static final int DECIMAL = 7;
        /** A Spark ML vector column (its internal struct: type, size, indices, values). */
        static final int VECTOR = 8;

        private ScalarCodes() {
        }

        /** Off with {@code -Dsufstat.internalRows=false} (the Row path, for comparison). */
        static boolean enabled() {
            return !"false".equals(System.getProperty("sufstat.internalRows"));
        }

        static java.util.Optional<int[]> of(StructType schema, int columns) {
            int[] codes = new int[columns];
            for (int i = 0; i < columns; i++) {
                DataType t = schema.fields()[i].dataType();
                if (t.equals(DataTypes.DoubleType)) {
                    codes[i] = DOUBLE;
                } else if (t.equals(DataTypes.FloatType)) {
                    codes[i] = FLOAT;
                } else if (t.equals(DataTypes.LongType)) {
                    codes[i] = LONG;
                } else if (t.equals(DataTypes.IntegerType)) {
                    codes[i] = INT;
                } else if (t.equals(DataTypes.ShortType)) {
                    codes[i] = SHORT;
                } else if (t.equals(DataTypes.ByteType)) {
                    codes[i] = BYTE;
                } else if (t instanceof org.apache.spark.sql.types.DecimalType d && d.precision() <= 38) {
                    codes[i] = DECIMAL | d.precision() << 8 | d.scale() << 16;
                } else if (i == 0 && t.equals(SQLDataTypes.VectorType())) {
                    codes[i] = VECTOR;
                } else {
                    return java.util.Optional.empty();
                }
            }
            return java.util.Optional.of(codes);
        }

        static double read(org.apache.spark.sql.catalyst.InternalRow row, int i, int code) {
            return switch (code & 0xff) {
                case DOUBLE -> row.getDouble(i);
                case FLOAT -> row.getFloat(i);
                case LONG -> row.getLong(i);
                case INT -> row.getInt(i);
                case SHORT -> row.getShort(i);
                case BYTE -> row.getByte(i);
                default -> row.getDecimal(i, (code >>> 8) & 0xff, (code >>> 16) & 0xff).toDouble();
            };
        }
    }

    /** The cursor over Spark's internal rows of numeric columns: the same checks and messages as {@link Cursor}. */
    private static final class InternalCursor extends RowCursor {
        private final DataFrameTable t;
        private final Iterator<org.apache.spark.sql.catalyst.InternalRow> rows;
        private final int[] codes;
        private final int weightAt;
        private final int groupAt;
        private final int fileAt;
        private org.apache.spark.sql.catalyst.InternalRow row;

        InternalCursor(DataFrameTable t, Iterator<org.apache.spark.sql.catalyst.InternalRow> rows, int[] codes) {
            super(t.features.size(), t.skipBad, t.missingAllowed);
            this.t = t;
            this.rows = rows;
            this.codes = codes;
            int next = t.featureColumns.size();
            this.weightAt = t.hasWeight ? next++ : -1;
            this.groupAt = next;
            this.fileAt = next + t.groups;
        }

        private String where() {
            String file = row.isNullAt(fileAt) ? "(unknown file)" : row.getUTF8String(fileAt).toString();
            return t.hasRowIndex && !row.isNullAt(fileAt + 1) ? file + " row " + (row.getLong(fileAt + 1) + 1) : file;
        }

        /**
         * Reads column 0, a Spark ML vector in its internal form (type 0 sparse: size, indices, values; type 1
         * dense: values), into {@code features}; false (the record counted bad) when it is missing, of the
         * wrong size or has a non-finite value — the checks and messages of {@link Cursor}.
         */
        private boolean vector() {
            String name = t.featureColumns.get(0);
            if (row.isNullAt(0)) {
                bad(BadRecordReason.MISSING_VALUE, this::where, describe(name, 0, null, BadRecordReason.MISSING_VALUE));
                return false;
            }
            org.apache.spark.sql.catalyst.InternalRow v = row.getStruct(0, 4);
            int size = ScalarColumns.vectorSize(v);
            if (size != features.length) {
                bad(BadRecordReason.WRONG_VECTOR_SIZE, this::where, "column '" + name + "': a vector of size "
                        + size + " where " + features.length + " was expected");
                return false;
            }
            ScalarColumns.readVector(v, features, 0, size);
            for (int j = 0; j < size; j++) {
                double x = features[j];
                if (!Double.isFinite(x) && !(t.missingAllowed && Double.isNaN(x))) {
                    bad(BadRecordReason.NON_FINITE, this::where,
                            describe(t.features.get(j), j, Double.toString(x), BadRecordReason.NON_FINITE));
                    return false;
                }
            }
            return true;
        }

        @Override
        public boolean next() {
            rows:
            while (rows.hasNext()) {
                row = rows.next();
                stats.read();
                if (t.vector && !vector()) {
                    continue;
                }
                for (int j = 0; j < (t.vector ? 0 : features.length); j++) {
                    double x;
                    if (row.isNullAt(j)) {
                        if (!missingAllowed) {
                            bad(BadRecordReason.MISSING_VALUE, this::where, describe(t.features.get(j), j, null,
                                    BadRecordReason.MISSING_VALUE));
                            continue rows;
                        }
                        x = Double.NaN;
                    } else {
                        x = ScalarCodes.read(row, j, codes[j]);
                        if (!Double.isFinite(x) && !(missingAllowed && Double.isNaN(x))) {
                            bad(BadRecordReason.NON_FINITE, this::where, describe(t.features.get(j), j, Double.toString(x),
                                    BadRecordReason.NON_FINITE));
                            continue rows;
                        }
                    }
                    features[j] = x;
                }
                if (weightAt >= 0) {
                    double w = row.isNullAt(weightAt) ? Double.NaN : ScalarCodes.read(row, weightAt, codes[weightAt]);
                    if (!(w >= 0) || w == Double.POSITIVE_INFINITY) {
                        bad(BadRecordReason.BAD_WEIGHT, this::where, "weight: " + (row.isNullAt(weightAt) ? "the value"
                                : "'" + w + "'") + " " + BadRecordReason.BAD_WEIGHT.phrase());
                        continue;
                    }
                    weight = w;
                }
                if (t.groups > 0) {
                    String[] key = new String[t.groups];
                    for (int g = 0; g < key.length; g++) {
                        key[g] = row.isNullAt(groupAt + g) ? null : row.getUTF8String(groupAt + g).toString();
                    }
                    groupKey = Arrays.asList(key);
                }
                stats.used();
                return true;
            }
            return false;
        }
    }

    private static final class Cursor extends RowCursor {
        private final DataFrameTable t;
        private final Iterator<Row> rows;
        private final DecimalParser parser = new DecimalParser();
        private final int weightAt;
        private final int groupAt;
        private final int corruptAt;
        private final int fileAt;
        private Row row;

        Cursor(DataFrameTable t, Iterator<Row> rows) {
            super(t.features.size(), t.skipBad, t.missingAllowed);
            this.t = t;
            this.rows = rows;
            int next = t.featureColumns.size();
            this.weightAt = t.hasWeight ? next++ : -1;
            this.groupAt = next;
            next += t.groups;
            this.corruptAt = t.hasCorrupt ? next++ : -1;
            this.fileAt = next;
        }

        private String where() {
            String file = row.isNullAt(fileAt) ? "(unknown file)" : row.getString(fileAt);
            return t.hasRowIndex && !row.isNullAt(fileAt + 1) ? file + " row " + (row.getLong(fileAt + 1) + 1) : file;
        }

        @Override
        public boolean next() {
            rows:
            while (rows.hasNext()) {
                row = rows.next();
                stats.read();
                if (corruptAt >= 0 && !row.isNullAt(corruptAt)) {
                    String raw = row.getString(corruptAt);
                    bad(BadRecordReason.MALFORMED_RECORD, this::where,
                            "'" + (raw.length() > 80 ? raw.substring(0, 80) + "…" : raw) + "' "
                                    + BadRecordReason.MALFORMED_RECORD.phrase());
                    continue;
                }
                if (t.vector) {
                    String name = t.featureColumns.get(0);
                    if (row.isNullAt(0)) {
                        bad(BadRecordReason.MISSING_VALUE, this::where, describe(name, 0, null, BadRecordReason.MISSING_VALUE));
                        continue;
                    }
                    Vector v = (Vector) row.get(0);
                    if (v.size() != features.length) {
                        bad(BadRecordReason.WRONG_VECTOR_SIZE, this::where, "column '" + name + "': a vector of size "
                                + v.size() + " where " + features.length + " was expected");
                        continue;
                    }
                    for (int j = 0; j < features.length; j++) {
                        double x = v.apply(j);
                        if (!Double.isFinite(x) && !(t.missingAllowed && Double.isNaN(x))) {
                            bad(BadRecordReason.NON_FINITE, this::where,
                                    describe(t.features.get(j), j, Double.toString(x), BadRecordReason.NON_FINITE));
                            continue rows;
                        }
                        features[j] = x;
                    }
                } else {
                    for (int j = 0; j < features.length; j++) {
                        double x = scalar(j, t.features.get(j));
                        if (!parser.ok) {
                            continue rows;
                        }
                        features[j] = x;
                    }
                }
                if (weightAt >= 0) {
                    Object w = row.get(weightAt);
                    double x = w == null ? Double.NaN : toDouble(w);
                    if (!parser.ok || !(x >= 0) || x == Double.POSITIVE_INFINITY) {
                        bad(BadRecordReason.BAD_WEIGHT, this::where,
                                "weight: " + (w == null ? "the value" : "'" + w + "'") + " " + BadRecordReason.BAD_WEIGHT.phrase());
                        continue;
                    }
                    weight = x;
                }
                if (t.groups > 0) {
                    String[] key = new String[t.groups];
                    for (int g = 0; g < key.length; g++) {
                        key[g] = row.isNullAt(groupAt + g) ? null : row.getString(groupAt + g);
                    }
                    groupKey = Arrays.asList(key);
                }
                stats.used();
                return true;
            }
            return false;
        }

        private double scalar(int j, String name) {
            Object o = row.get(j);
            if (missingAllowed && (o == null || (o instanceof String str && str.isBlank()))) {
                parser.ok = true;
                return Double.NaN;
            }
            if (o == null) {
                parser.ok = false;
                bad(BadRecordReason.MISSING_VALUE, this::where, describe(name, j, null, BadRecordReason.MISSING_VALUE));
                return Double.NaN;
            }
            double x = toDouble(o);
            if (!parser.ok) {
                bad(BadRecordReason.NOT_A_NUMBER, this::where, describe(name, j, o.toString(), BadRecordReason.NOT_A_NUMBER));
            } else if (!Double.isFinite(x) && !(missingAllowed && Double.isNaN(x))) {
                parser.ok = false;
                bad(BadRecordReason.NON_FINITE, this::where, describe(name, j, o.toString(), BadRecordReason.NON_FINITE));
            }
            return x;
        }

        private double toDouble(Object o) {
            parser.ok = true;
            if (o instanceof Double d) {
                return d;
            }
            if (o instanceof BigDecimal b) {
                return b.doubleValue();
            }
            if (o instanceof Number n) {
                return n.doubleValue();
            }
            if (o instanceof String s) {
                return s.isBlank() ? missing() : parser.parse(s);
            }
            parser.ok = false;
            return Double.NaN;
        }

        private double missing() {
            parser.ok = false;
            return Double.NaN;
        }
    }

}
