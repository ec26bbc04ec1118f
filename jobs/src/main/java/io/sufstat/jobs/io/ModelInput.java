package io.sufstat.jobs.io;

import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Failure;
import io.sufstat.jobs.cli.UsageException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.util.CollectionAccumulator;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An input read whole, as a DataFrame, with a model's features located among its columns: the jobs
 * that apply a model ({@code score}, {@code impute}) keep every input column and add their own. CSV
 * columns are read as text and parsed exactly ({@link DecimalParser}); other formats keep their types.
 */
public final class ModelInput implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The options every job that applies a model to an input takes, besides {@link InputOptions#SPECS}. */
    public static final List<io.sufstat.jobs.cli.OptionSpec> SPECS = List.of(
            io.sufstat.jobs.cli.OptionSpec.required("model", "PATH", "The model: a model.json or a fit's output directory."),
            io.sufstat.jobs.cli.OptionSpec.required("output", "DIR", "Output directory; must be absent or empty."),
            io.sufstat.jobs.cli.OptionSpec.value("output-format", "csv|parquet|json|orc", "Output format (default: the input's).",
                    null),
            io.sufstat.jobs.cli.OptionSpec.flag("overwrite", "Replace a non-empty output directory."));

    /** {@code --output-format}, or the input's format. */
    public static String outputFormat(io.sufstat.jobs.cli.Options o, InputOptions in) {
        String format = o.get("output-format").orElse(in.format());
        if (!List.of("csv", "parquet", "json", "orc").contains(format)) {
            throw new UsageException("--output-format must be csv, parquet, json or orc, not '" + format + "'");
        }
        return format;
    }

    private final transient Dataset<Row> frame;
    private final String path;
    private final List<String> features;
    private final int[] featureAt;
    private final boolean skipBad;

    private ModelInput(Dataset<Row> frame, String path, List<String> features, int[] featureAt, boolean skipBad) {
        this.frame = frame;
        this.path = path;
        this.features = features;
        this.featureAt = featureAt;
        this.skipBad = skipBad;
    }

    /**
     * Reads {@code in} and finds the model's features in it: by name, or, with {@code --features}, the given
     * input columns in the model's order (renaming).
     */
    public static ModelInput open(InputOptions in, List<String> modelFeatures, SparkSession spark) throws java.io.IOException {
        if (in.featuresCol().isPresent() || !in.groupBy().isEmpty() || in.weightCol().isPresent()) {
            throw new UsageException("this job takes --features (or the model's feature names), not --features-col,"
                    + " --weight-col or --group-by");
        }
        if (HadoopFiles.listInputFiles(in.path(), spark.sparkContext().hadoopConfiguration()).isEmpty()) {
            throw new JobFailedException(Failure.INPUT, "no input files match " + in.path());
        }
        Dataset<Row> df;
        try {
            var reader = spark.read().format(in.format());
            if (in.format().equals("csv")) {
                reader = reader.option("header", Boolean.toString(in.header()))
                        .option("sep", String.valueOf(in.delimiter())).option("inferSchema", "false");
            }
            df = reader.load(in.path().split(","));
        } catch (RuntimeException e) {
            throw new JobFailedException(Failure.INPUT, "cannot read " + in.path() + " as " + in.format() + ": " + e.getMessage(), e);
        }
        if (in.format().equals("csv") && !in.header()) {
            String[] names = new String[df.columns().length];
            for (int j = 0; j < names.length; j++) {
                names[j] = "c" + (j + 1);
            }
            df = df.toDF(names);
        }
        List<String> columns = Arrays.asList(df.columns());
        List<String> mapped = in.features().isEmpty() ? modelFeatures : in.features();
        if (mapped.size() != modelFeatures.size()) {
            throw new UsageException("--features lists " + mapped.size() + " columns but the model has "
                    + modelFeatures.size() + " features " + modelFeatures);
        }
        int[] at = new int[mapped.size()];
        for (int j = 0; j < at.length; j++) {
            at[j] = columns.indexOf(mapped.get(j));
            if (at[j] < 0) {
                throw new JobFailedException(Failure.INPUT, "the model's feature '" + modelFeatures.get(j) + "'"
                        + (in.features().isEmpty() ? "" : " (input column '" + mapped.get(j) + "')")
                        + " is not a column of " + in.path() + "; its columns are " + columns
                        + (in.features().isEmpty() ? " (map them with --features)" : ""));
            }
            StructField f = df.schema().fields()[at[j]];
            if (!(f.dataType() instanceof NumericType) && !f.dataType().equals(DataTypes.StringType)) {
                throw new JobFailedException(Failure.INPUT, "column '" + f.name() + "' of " + in.path() + " has type "
                        + f.dataType().simpleString() + "; a feature must be numeric (or numeric text)");
            }
        }
        return new ModelInput(df, in.path(), List.copyOf(modelFeatures), at, in.skipBadRecords());
    }

    /** The whole input. */
    public Dataset<Row> frame() {
        return frame;
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
                if (problem != null) {
                    String what = RowCursor.describe(features.get(j), j, o == null ? null : o.toString(), problem);
                    if (!skipBad) {
                        throw new BadRecordException(problem, BadRecordException.PREFIX + path + ", row " + preview(r) + ": " + what);
                    }
                    stats.skip(problem, what);
                    return false;
                }
                out[off + j] = x;
                if (missing != null) {
                    missing[j] = isMissing;
                }
            }
            stats.used();
            return true;
        }
    }

    private static String preview(Row r) {
        String s = r.mkString("[", ", ", "]");
        return s.length() > 120 ? s.substring(0, 120) + "…]" : s;
    }

    /** Column names the job adds, checked against the input's so that none is overwritten. */
    public void requireNewColumns(List<String> added) {
        List<String> existing = new ArrayList<>(Arrays.asList(frame.columns()));
        for (String a : added) {
            if (existing.contains(a)) {
                throw new UsageException("the input already has a column '" + a + "', which this job adds; rename it");
            }
        }
    }
}
