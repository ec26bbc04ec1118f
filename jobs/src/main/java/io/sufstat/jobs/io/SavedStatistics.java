package io.sufstat.jobs.io;

import io.sufstat.common.stats.MomentSummary;
import io.sufstat.jobs.cli.JobFailedException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The sufficient statistics an {@code mle} (or {@code merge}) writes in {@code DIR/stats/}: Parquet, one row per
 * group, each a {@link MomentSummary} in its saved parts (count, W, Σw², the mean as reference point plus offset,
 * the centred co-moment matrix) with what two sets of statistics must share to merge: the feature names, the
 * weight column and the group columns. Schema version {@value #VERSION}; a reader refuses any other.
 */
public final class SavedStatistics {

    /** The schema version this sufstat writes and reads. */
    public static final int VERSION = 1;
    public static final String KIND = "gaussian-moments";
    /** Per-component responsibility-weighted moments of a mixture's E-step (gmm --save-statistics). */
    public static final String MIXTURE_KIND = "mixture-component-moments";
    /** The folder inside an output. */
    public static final String FOLDER = "stats";

    public static final StructType SCHEMA = DataTypes.createStructType(List.of(
            field("version", DataTypes.IntegerType, false),
            field("kind", DataTypes.StringType, false),
            field("features", strings(), false),
            field("weightColumn", DataTypes.StringType, false),
            field("groupBy", strings(), false),
            field("model", DataTypes.StringType, false),
            field("group", DataTypes.createArrayType(DataTypes.StringType, true), false),
            field("count", DataTypes.LongType, false),
            field("weightSum", DataTypes.DoubleType, false),
            field("weightSquareSum", DataTypes.DoubleType, false),
            field("mean", doubles(), false),
            field("reference", doubles(), false),
            field("meanOffset", doubles(), false),
            field("comoment", doubles(), false)));

    private SavedStatistics() {
    }

    /**
     * What statistics must share to be merged: their kind, features (names and order), the weight column ("" for
     * unit weights), the group columns and, for a mixture's E statistics, the mixture they were taken under.
     */
    public record Header(String kind, List<String> features, String weightColumn, List<String> groupBy, String model)
            implements Serializable {
        public Header {
            features = List.copyOf(features);
            groupBy = List.copyOf(groupBy);
        }

        /** The header of mle's statistics. */
        public static Header gaussian(List<String> features, String weightColumn, List<String> groupBy) {
            return new Header(KIND, features, weightColumn, groupBy, "");
        }

        /** The header of a mixture's E statistics under {@code modelJson} (one group per component). */
        public static Header mixture(List<String> features, String weightColumn, String modelJson) {
            return new Header(MIXTURE_KIND, features, weightColumn, List.of("component"), modelJson);
        }

        public boolean isMixture() {
            return kind.equals(MIXTURE_KIND);
        }

        public Header withGroupBy(List<String> columns) {
            return new Header(kind, features, weightColumn, columns, model);
        }

        /** Says how this header differs from {@code other}, or empty when they agree. */
        public Optional<String> difference(Header other) {
            if (!kind.equals(other.kind)) {
                return Optional.of("kind " + kind + " vs " + other.kind);
            }
            if (!features.equals(other.features)) {
                return Optional.of("features " + features + " vs " + other.features);
            }
            if (!weightColumn.equals(other.weightColumn)) {
                return Optional.of("weights " + describeWeights(weightColumn) + " vs " + describeWeights(other.weightColumn));
            }
            if (!groupBy.equals(other.groupBy)) {
                return Optional.of("group columns " + groupBy + " vs " + other.groupBy);
            }
            if (!model.equals(other.model)) {
                return Optional.of("the mixture their E statistics were taken under (E statistics merge only under one"
                        + " mixture: take them with gmm --init MODEL.json --evaluate --save-statistics)");
            }
            return Optional.empty();
        }

        private static String describeWeights(String column) {
            return column.isEmpty() ? "none (unit weights)" : "from column '" + column + "'";
        }
    }

    /** One group's statistics. */
    public static Row row(Header h, List<String> group, MomentSummary s) {
        double[] mean = s.weightSum() > 0 ? s.mean() : new double[0];
        return RowFactory.create(VERSION, h.kind(), h.features().toArray(new String[0]), h.weightColumn(),
                h.groupBy().toArray(new String[0]), h.model(), group.toArray(new String[0]), s.count(), s.weightSum(),
                s.weightSquareSum(), mean, s.reference(), s.meanOffset(), s.comoment());
    }

    /**
     * Checks that {@code df} (the {@code stats/} of {@code where}) has this version's columns, so that reading a
     * row cannot fail on a type; the first difference is named.
     */
    public static void checkSchema(StructType schema, String where) {
        for (StructField f : SCHEMA.fields()) {
            Optional<StructField> have = Arrays.stream(schema.fields()).filter(x -> x.name().equals(f.name())).findFirst();
            if (have.isEmpty()) {
                throw JobFailedException.model(where + " is not sufstat statistics: it has no column '" + f.name()
                        + "'; give merge the output directories of mle or merge");
            }
            if (!sameType(have.get().dataType(), f.dataType())) {
                throw JobFailedException.model(where + ": column '" + f.name() + "' is " + have.get().dataType()
                        .simpleString() + ", not " + f.dataType().simpleString());
            }
        }
    }

    private static boolean sameType(DataType a, DataType b) {
        if (a instanceof ArrayType x && b instanceof ArrayType y) {
            return sameType(x.elementType(), y.elementType());
        }
        return a.equals(b);
    }

    /** The distinct headers of a stats table, after checking its version and kind. */
    public static List<Header> headers(Dataset<Row> df, String where) {
        List<Header> out = new ArrayList<>();
        for (Row r : df.select("version", "kind", "features", "weightColumn", "groupBy", "model").distinct()
                .collectAsList()) {
            for (int i = 0; i < 6; i++) {
                if (r.isNullAt(i)) {
                    throw JobFailedException.model(where + ": a row has no " + r.schema().fields()[i].name());
                }
            }
            int version = r.getInt(0);
            if (version != VERSION) {
                throw JobFailedException.model(where + " holds statistics of schema version " + version + "; this sufstat"
                        + " reads version " + VERSION + (version > VERSION ? " (upgrade sufstat)" : ""));
            }
            if (!KIND.equals(r.getString(1)) && !MIXTURE_KIND.equals(r.getString(1))) {
                throw JobFailedException.model(where + " holds statistics of kind '" + r.getString(1) + "'; merge reads '"
                        + KIND + "' (mle's) and '" + MIXTURE_KIND + "' (gmm --save-statistics)");
            }
            out.add(new Header(r.getString(1), r.getList(2), r.getString(3), r.getList(4), r.getString(5)));
        }
        return out;
    }

    /** A saved group: its key and summary, checked; {@code where} names the input in a message. */
    public static Group read(Row r, int d, String where) {
        for (String column : new String[] {"group", "count", "weightSum", "weightSquareSum", "reference", "meanOffset",
            "comoment"}) {
            if (r.isNullAt(r.fieldIndex(column))) {
                throw JobFailedException.model(where + ": a row has no " + column);
            }
        }
        List<String> group = r.getList(r.fieldIndex("group"));
        double[] reference = doublesOf(r, "reference");
        double[] offset = doublesOf(r, "meanOffset");
        double[] comoment = doublesOf(r, "comoment");
        try {
            if ((long) comoment.length != (long) d * d) {
                throw new IllegalArgumentException("the co-moment matrix has " + comoment.length + " entries, not "
                        + d + " x " + d);
            }
            MomentSummary s = MomentSummary.restore(d, r.getLong(r.fieldIndex("count")),
                    r.getDouble(r.fieldIndex("weightSum")), r.getDouble(r.fieldIndex("weightSquareSum")), reference,
                    offset, comoment);
            return new Group(group, s);
        } catch (IllegalArgumentException e) {
            throw JobFailedException.model(where + ", group " + group + ": " + e.getMessage());
        }
    }

    /** A group key and its statistics. */
    public record Group(List<String> key, MomentSummary summary) implements Serializable {
    }

    private static double[] doublesOf(Row r, String name) {
        List<Double> v = r.getList(r.fieldIndex(name));
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            Double x = v.get(i);
            out[i] = x == null ? Double.NaN : x;
        }
        return out;
    }

    /** Writes the rows (from {@link #row}) as {@code DIR/stats/} of {@code out}, in as few files as they need. */
    public static void write(org.apache.spark.sql.SparkSession spark, org.apache.spark.api.java.JavaRDD<Row> rows,
                      AtomicOutput out) {
        spark.createDataFrame(rows, SCHEMA).write().parquet(out.path(FOLDER));
    }

    /** The path of the statistics inside an output directory, as messages show it. */
    public static String shown(String dir) {
        return HadoopFiles.redact(dir.replaceAll("/+$", "") + "/" + FOLDER);
    }

    private static StructField field(String name, DataType type, boolean nullable) {
        return DataTypes.createStructField(name, type, nullable);
    }

    private static ArrayType strings() {
        return DataTypes.createArrayType(DataTypes.StringType, false);
    }

    private static ArrayType doubles() {
        return DataTypes.createArrayType(DataTypes.DoubleType, false);
    }
}
