package io.sufstat.jobs.io;

import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.cli.UsageException;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The input options every job that reads rows shares, parsed and checked for consistency. */
public record InputOptions(String path, String format, List<String> features, Optional<String> featuresCol,
                           Optional<String> weightCol, List<String> groupBy, boolean skipBadRecords,
                           boolean header, char delimiter, boolean missingAllowed) {

    public static final Opt<String> INPUT = Opt.text("input", "PATH", "Input file, directory or glob (any Hadoop path:"
            + " file:, hdfs:, s3a: …).").required().protectsPath();
    public static final Opt<String> FORMAT = Opt.choice("format", "Input format; guessed from the extension of the path"
            + " or, for a directory, of its first file when absent (csv otherwise).", "csv", "parquet", "json", "orc");
    public static final Opt<List<String>> FEATURES = Opt.list("features", "C1,C2,…", "Feature columns, in order. Default:"
            + " every numeric column that is not the weight or a group column (for CSV: a column most of whose values in"
            + " the first 1000 rows are numbers).");
    public static final Opt<String> FEATURES_COL = Opt.text("features-col", "COL", "One vector column (Spark ML"
            + " VectorUDT) holding the features, instead of --features.");
    public static final Opt<String> WEIGHT_COL = Opt.text("weight-col", "COL", "Column of finite, non-negative row"
            + " weights (default: weight 1).");
    public static final Opt<String> ON_BAD_RECORD = Opt.choice("on-bad-record", "A row with a non-numeric, missing, NaN"
            + " or infinite value, the wrong column count, or a bad weight: fail the job naming file, line and column,"
            + " or skip it and count it by reason in metrics.json (_metrics.json beside data outputs).", "fail", "skip")
            .defaultsTo("fail");
    public static final Opt<Boolean> CSV_HEADER = Opt.bool("csv-header", "Whether CSV files start with a header line"
            + " (without one, columns are named c1, c2, …).").defaultsTo("true");
    public static final Opt<Character> CSV_DELIMITER = Opt.of("csv-delimiter", "CHAR", "CSV field delimiter ('\\t'"
            + " for tab).", InputOptions::delimiter).defaultsTo(",");

    /** The options of every job that reads rows. */
    public static final List<Opt<?>> SPECS = List.of(INPUT, FORMAT, FEATURES, FEATURES_COL, WEIGHT_COL, ON_BAD_RECORD,
            CSV_HEADER, CSV_DELIMITER);

    /** {@code --missing}: the jobs that can fit with missing values declare it. */
    public static final Opt<String> MISSING = Opt.choice("missing", "A missing feature value (empty field, null or"
            + " NaN): a bad record (fail, handled by --on-bad-record), or kept and handled by EM over the missing"
            + " coordinates (em: each row contributes its observed values and the expected statistics of the missing"
            + " ones).", "fail", "em").defaultsTo("fail");

    /** {@code --group-by}: the jobs that fit one model per group declare it. */
    public static final Opt<List<String>> GROUP_BY = Opt.list("group-by", "K1,K2", "Fit one model per value of these"
            + " columns.");

    public static InputOptions from(Options o) {
        return from(o, null);
    }

    /**
     * As {@link #from(Options)}; without {@code --format} and without a telling extension on the path (a
     * directory such as a job's output), the format is that of the first input file's name
     * ({@code part-…c000.snappy.parquet}), looked up with {@code conf} when it is not null.
     */
    public static InputOptions from(Options o, org.apache.hadoop.conf.Configuration conf) {
        String path = o.get(INPUT);
        String format = o.find(FORMAT).orElseGet(() -> {
            String guess = guessFormat(path);
            if (!guess.equals("csv") || conf == null || path.toLowerCase(Locale.ROOT).matches(".*\\.(csv|tsv|txt)(\\.gz|\\.bz2)?/*$")) {
                return guess;
            }
            try {
                List<org.apache.hadoop.fs.Path> files = HadoopFiles.listInputFiles(path, conf);
                return files.isEmpty() ? guess : guessFormat(files.get(0).getName());
            } catch (java.io.IOException e) {
                return guess;
            }
        });
        List<String> features = o.find(FEATURES).orElse(List.of());
        Optional<String> featuresCol = o.find(FEATURES_COL);
        if (!features.isEmpty() && featuresCol.isPresent()) {
            throw new UsageException("give either --features or --features-col, not both");
        }
        if (featuresCol.isPresent() && format.equals("csv")) {
            throw new UsageException("--features-col needs a vector column: use parquet, json or orc input"
                    + " (or --features for CSV columns)");
        }
        List<String> groupBy = o.declares(GROUP_BY) ? o.find(GROUP_BY).orElse(List.of()) : List.of();
        Optional<String> weight = o.find(WEIGHT_COL);
        if (weight.isPresent() && (features.contains(weight.get()) || groupBy.contains(weight.get()))) {
            throw new UsageException("column '" + weight.get() + "' cannot be both the weight and a feature or group column");
        }
        for (String g : groupBy) {
            if (features.contains(g)) {
                throw new UsageException("column '" + g + "' cannot be both a group column and a feature");
            }
        }
        boolean missing = o.declares(MISSING) && o.get(MISSING).equals("em");
        return new InputOptions(path, format, features, featuresCol, weight, groupBy, o.get(ON_BAD_RECORD).equals("skip"),
                o.get(CSV_HEADER), o.get(CSV_DELIMITER), missing);
    }

    private static char delimiter(String text) {
        String delim = text.equals("\\t") || text.equals("tab") ? "\t" : text;
        if (delim.length() != 1 || delim.charAt(0) == '"' || delim.charAt(0) > 127) {
            throw new UsageException("--csv-delimiter must be one ASCII character other than '\"', not '" + text + "'");
        }
        return delim.charAt(0);
    }

    static String guessFormat(String path) {
        String p = path.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
        if (p.endsWith(".parquet")) {
            return "parquet";
        }
        if (p.endsWith(".json") || p.endsWith(".jsonl") || p.endsWith(".ndjson")) {
            return "json";
        }
        if (p.endsWith(".orc")) {
            return "orc";
        }
        return "csv";
    }
}
