package io.sufstat.jobs.io;

import io.sufstat.jobs.cli.OptionSpec;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.cli.UsageException;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The input options every job that reads rows shares, parsed and checked for consistency. */
public record InputOptions(String path, String format, List<String> features, Optional<String> featuresCol,
                           Optional<String> weightCol, List<String> groupBy, boolean skipBadRecords,
                           boolean header, char delimiter, boolean missingAllowed) {

    public static final List<OptionSpec> SPECS = List.of(
            OptionSpec.required("input", "PATH", "Input file, directory or glob (any Hadoop path: file:, hdfs:, s3a: …)."),
            OptionSpec.value("format", "csv|parquet|json|orc", "Input format; guessed from the extension of the path or, for a directory, of its first file"
                    + " when absent (csv otherwise).", null),
            OptionSpec.value("features", "C1,C2,…", "Feature columns, in order. Default: every numeric column"
                    + " that is not the weight or a group column (for CSV: a column most of whose values in the first 1000"
                    + " rows are numbers).", null),
            OptionSpec.value("features-col", "COL", "One vector column (Spark ML VectorUDT) holding the features,"
                    + " instead of --features.", null),
            OptionSpec.value("weight-col", "COL", "Column of finite, non-negative row weights (default: weight 1).", null),
            OptionSpec.value("on-bad-record", "fail|skip", "A row with a non-numeric, missing, NaN or infinite value,"
                    + " the wrong column count, or a bad weight: fail the job naming file, line and column, or skip"
                    + " it and count it by reason in metrics.json (_metrics.json beside data outputs).", "fail"),
            OptionSpec.value("csv-header", "true|false", "Whether CSV files start with a header line (without"
                    + " one, columns are named c1, c2, …).", "true"),
            OptionSpec.value("csv-delimiter", "CHAR", "CSV field delimiter ('\\t' for tab).", ","));

    /** {@code --missing}: the jobs that can fit with missing values declare it. */
    public static final OptionSpec MISSING = OptionSpec.value("missing", "fail|em", "A missing feature value (empty"
            + " field, null or NaN): a bad record (fail, handled by --on-bad-record), or kept and handled by EM over the"
            + " missing coordinates (em: each row contributes its observed values and the expected statistics of the"
            + " missing ones).", "fail");

    /** As {@link #SPECS} plus {@code --group-by}. */
    public static final OptionSpec GROUP_BY = OptionSpec.value("group-by", "K1,K2", "Fit one model per value of"
            + " these columns.", null);

    public static InputOptions from(Options o) {
        return from(o, null);
    }

    /**
     * As {@link #from(Options)}; without {@code --format} and without a telling extension on the path (a
     * directory such as a job's output), the format is that of the first input file's name
     * ({@code part-…c000.snappy.parquet}), looked up with {@code conf} when it is not null.
     */
    public static InputOptions from(Options o, org.apache.hadoop.conf.Configuration conf) {
        String path = o.require("input");
        String format = o.get("format").map(f -> f.toLowerCase(Locale.ROOT)).orElseGet(() -> {
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
        if (!List.of("csv", "parquet", "json", "orc").contains(format)) {
            throw new UsageException("--format must be csv, parquet, json or orc, not '" + format + "'");
        }
        List<String> features = o.getList("features");
        Optional<String> featuresCol = o.get("features-col");
        if (!features.isEmpty() && featuresCol.isPresent()) {
            throw new UsageException("give either --features or --features-col, not both");
        }
        if (featuresCol.isPresent() && format.equals("csv")) {
            throw new UsageException("--features-col needs a vector column: use parquet, json or orc input"
                    + " (or --features for CSV columns)");
        }
        List<String> groupBy = tryList(o, "group-by");
        Optional<String> weight = o.get("weight-col");
        if (weight.isPresent() && (features.contains(weight.get()) || groupBy.contains(weight.get()))) {
            throw new UsageException("column '" + weight.get() + "' cannot be both the weight and a feature or group column");
        }
        for (String g : groupBy) {
            if (features.contains(g)) {
                throw new UsageException("column '" + g + "' cannot be both a group column and a feature");
            }
        }
        String policy = o.getChoice("on-bad-record", "fail", "skip");
        String header = o.getChoice("csv-header", "true", "false");
        String delim = o.require("csv-delimiter");
        if (delim.equals("\\t") || delim.equals("tab")) {
            delim = "\t";
        }
        if (delim.length() != 1 || delim.charAt(0) == '"' || delim.charAt(0) > 127) {
            throw new UsageException("--csv-delimiter must be one ASCII character other than '\"', not '" + delim + "'");
        }
        boolean missing = tryChoice(o, "missing").equals("em");
        return new InputOptions(path, format, features, featuresCol, weight, groupBy, policy.equals("skip"),
                header.equals("true"), delim.charAt(0), missing);
    }

    private static String tryChoice(Options o, String name) {
        try {
            return o.getChoice(name, "fail", "em");
        } catch (IllegalArgumentException notDeclared) {
            return "fail";
        }
    }

    private static List<String> tryList(Options o, String name) {
        try {
            return o.getList(name);
        } catch (IllegalArgumentException notDeclared) {
            return List.of();
        }
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
