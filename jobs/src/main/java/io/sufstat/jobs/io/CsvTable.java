package io.sufstat.jobs.io;

import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Failure;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * CSV input read line by line through Hadoop's {@code TextInputFormat}, so that a bad value is reported
 * with its file, line and column, and numbers are parsed straight from the bytes into the row.
 *
 * <p>Quoted fields ({@code "…"}, with {@code ""} for a quote) are understood; a quoted field may not span
 * lines. Blank lines are ignored. With a header (the default), every file's first line must name the
 * same columns as the first file's. Compressed files (.gz, .bz2) are read whole.
 */
final class CsvTable extends TableSource {
    private static final long serialVersionUID = 1L;
    private static final int SAMPLE_ROWS = 1000;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CsvTable.class);

    private final String path;
    private final List<String> columns;
    private final List<String> features;
    private final int[] featureIndex;
    private final int weightIndex;
    private final int[] groupIndex;
    private final boolean header;
    private final byte delimiter;
    private final boolean skipBad;
    private final boolean missingAllowed;
    private final transient JavaSparkContext jsc;

    private CsvTable(String path, List<String> columns, List<String> features, int[] featureIndex, int weightIndex,
                     int[] groupIndex, boolean header, byte delimiter, boolean skipBad, boolean missingAllowed,
                     JavaSparkContext jsc) {
        this.path = path;
        this.columns = columns;
        this.features = features;
        this.featureIndex = featureIndex;
        this.weightIndex = weightIndex;
        this.groupIndex = groupIndex;
        this.header = header;
        this.delimiter = delimiter;
        this.skipBad = skipBad;
        this.missingAllowed = missingAllowed;
        this.jsc = jsc;
    }

    static CsvTable openCsv(InputOptions o, SparkSession spark) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        List<Path> files = HadoopFiles.inputFiles(o.path(), "csv", conf);
        if (files.isEmpty()) {
            throw new JobFailedException(Failure.INPUT, "no input files match " + o.path());
        }
        byte delim = (byte) o.delimiter();
        // The header comes from the first non-empty file; the type sample from the first file with data
        // rows (looking at a few files at most).
        List<String> sample = List.of();
        Path first = null;
        int minLines = o.header() ? 2 : 1;
        for (Path f : files.subList(0, Math.min(files.size(), 16))) {
            List<String> head = headLines(f, conf);
            if (first == null && !head.isEmpty()) {
                sample = head;
                first = f;
            }
            if (head.stream().skip(minLines - 1).anyMatch(l -> !l.isBlank())) {
                sample = head;
                first = f;
                break;
            }
        }
        if (sample.isEmpty()) {
            throw new JobFailedException(Failure.INPUT, "the input " + o.path() + " is empty: " + files.size() + " file(s), no lines");
        }
        if (sample.stream().skip(minLines - 1).allMatch(String::isBlank) && o.features().isEmpty()) {
            throw new JobFailedException(Failure.INPUT, "the input " + o.path() + " has no data rows"
                    + (o.header() ? " (only a header)" : ""));
        }
        List<String> columns;
        int firstData;
        if (o.header()) {
            columns = new ArrayList<>(fields(sample.get(0), delim));
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).isBlank()) {
                    columns.set(i, "c" + (i + 1));
                }
            }
            Set<String> seen = new HashSet<>();
            for (String c : columns) {
                if (!seen.add(c)) {
                    throw new JobFailedException(Failure.INPUT, "the header of " + first + " names column '" + c + "' twice");
                }
            }
            firstData = 1;
        } else {
            int n = fields(sample.get(0), delim).size();
            columns = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                columns.add("c" + (i + 1));
            }
            firstData = 0;
        }
        // A column is numeric when most of its non-empty sampled values parse as numbers: a stray bad
        // value must fail (or be skipped) with its line, not silently drop the column.
        int[] numbers = new int[columns.size()];
        int[] values = new int[columns.size()];
        DecimalParser parser = new DecimalParser();
        for (int r = firstData; r < sample.size(); r++) {
            if (sample.get(r).isBlank()) {
                continue;
            }
            List<String> f = fields(sample.get(r), delim);
            for (int c = 0; c < Math.min(f.size(), columns.size()); c++) {
                String v = f.get(c).trim();
                if (v.isEmpty()) {
                    continue;
                }
                values[c]++;
                parser.parse(v);
                if (parser.ok) {
                    numbers[c]++;
                }
            }
        }
        String weight = o.weightCol().orElse(null);
        List<String> features = new ArrayList<>(o.features());
        if (features.isEmpty()) {
            List<String> excluded = new ArrayList<>();
            for (int c = 0; c < columns.size(); c++) {
                String name = columns.get(c);
                if (name.equals(weight) || o.groupBy().contains(name)) {
                    continue;
                }
                if (values[c] > 0 && 2 * numbers[c] > values[c]) {
                    features.add(name);
                } else {
                    excluded.add(name);
                }
            }
            if (!excluded.isEmpty()) {
                LOG.warn("columns not used as features (not numeric in the first {} rows): {}; name the features"
                        + " with --features to choose", SAMPLE_ROWS, String.join(", ", excluded));
            }
            if (features.isEmpty()) {
                throw new JobFailedException(Failure.INPUT, "no numeric columns in " + first + " (columns: "
                        + String.join(", ", columns) + "); name the features with --features");
            }
        }
        int[] featureIndex = indexes(features, columns, first, "feature");
        int weightIndex = weight == null ? -1 : indexes(List.of(weight), columns, first, "weight")[0];
        int[] groupIndex = indexes(o.groupBy(), columns, first, "group");
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return new CsvTable(o.path(), List.copyOf(columns), List.copyOf(features), featureIndex, weightIndex,
                groupIndex, o.header(), delim, o.skipBadRecords(), o.missingAllowed(), jsc);
    }

    /** The first lines of a file (a byte-order mark dropped), or a failure naming the file. */
    private static List<String> headLines(Path f, Configuration conf) {
        try {
            List<String> head = new ArrayList<>(HadoopFiles.headLines(f, conf, SAMPLE_ROWS + 1));
            if (!head.isEmpty() && head.get(0).startsWith("\uFEFF")) {
                head.set(0, head.get(0).substring(1));
            }
            return head;
        } catch (IOException | RuntimeException e) {
            throw unreadable(f.toString(), e);
        }
    }

    /** A file that cannot be read through: truncated or corrupt (compressed) data, named. */
    static JobFailedException unreadable(String file, Throwable e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        return JobFailedException.input("cannot read " + HadoopFiles.redact(file) + ": " + why + " (a truncated or"
                + " corrupt file? replace or remove it)");
    }

    private static int[] indexes(List<String> names, List<String> columns, Path file, String role) {
        int[] idx = new int[names.size()];
        for (int i = 0; i < names.size(); i++) {
            idx[i] = columns.indexOf(names.get(i));
            if (idx[i] < 0) {
                throw new MissingColumn(role + " column '" + names.get(i) + "' is not in " + file
                        + "; its columns are: " + String.join(", ", columns), names.get(i), columns);
            }
        }
        return idx;
    }

    /** A named column is not in the file; says which and what the columns are. */
    static final class MissingColumn extends JobFailedException {
        private static final long serialVersionUID = 1L;
        final String column;
        final List<String> columns;

        MissingColumn(String message, String column, List<String> columns) {
            super(Failure.INPUT, message);
            this.column = column;
            this.columns = List.copyOf(columns);
        }
    }

    /** The unquoted fields of one line (driver side: header and sample). */
    static List<String> fields(String line, byte delimiter) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        FieldSplitter s = new FieldSplitter(8);
        int len = b.length;
        if (len > 0 && b[len - 1] == '\r') {
            len--;
        }
        int n = s.split(b, len, delimiter);
        List<String> out = new ArrayList<>(Math.max(n, 0));
        for (int i = 0; i < n; i++) {
            out.add(s.string(b, i).trim());
        }
        return out;
    }

    @Override
    public boolean missingAllowed() {
        return missingAllowed;
    }

    @Override
    public boolean hasWeights() {
        return weightIndex >= 0;
    }

    @Override
    public List<String> features() {
        return features;
    }

    @Override
    public int numPartitions() {
        return textRdd().getNumPartitions();
    }

    @SuppressWarnings("unchecked")
    private JavaNewHadoopRDD<LongWritable, Text> textRdd() {
        Configuration conf = new Configuration(jsc.hadoopConfiguration());
        return (JavaNewHadoopRDD<LongWritable, Text>) jsc.newAPIHadoopFile(path, TextInputFormat.class,
                LongWritable.class, Text.class, conf);
    }

    @Override
    public <R> JavaRDD<R> mapPartitions(PartitionFunction<R> f) {
        CsvTable table = this;
        return textRdd().mapPartitionsWithInputSplit((InputSplit split, Iterator<Tuple2<LongWritable, Text>> lines) -> {
            FileSplit fs = (FileSplit) split;
            RowCursor cursor = new CsvCursor(table, fs.getPath().toString(), fs.getStart(), lines);
            return f.apply(TaskContext.getPartitionId(), cursor);
        }, false);
    }

    /** Every column name, in file order. */
    List<String> columns() {
        return columns;
    }

    /**
     * The usable rows with every column as text and the features parsed, as {@link ParsedRow}s: the rows of
     * jobs that keep the input's columns ({@code score}, {@code impute}), checked and counted exactly as
     * every other job reads CSV (file, line and column in messages). Each partition adds its counts to
     * {@code stats} when it is exhausted (when not null).
     */
    JavaRDD<org.apache.spark.sql.Row> parsedRows(org.apache.spark.util.CollectionAccumulator<ReadStats> stats) {
        return mapPartitions((p, cursor) -> {
            CsvCursor c = (CsvCursor) cursor;
            return new Iterator<org.apache.spark.sql.Row>() {
                private Boolean ready;

                @Override
                public boolean hasNext() {
                    if (ready == null) {
                        ready = c.next();
                        if (!ready && stats != null) {
                            stats.add(c.stats());
                        }
                    }
                    return ready;
                }

                @Override
                public org.apache.spark.sql.Row next() {
                    if (!hasNext()) {
                        throw new java.util.NoSuchElementException();
                    }
                    ready = null;
                    return new ParsedRow(c.fieldValues(), c.features().clone());
                }
            };
        });
    }

    /** Finds field boundaries in a line, quote-aware, without allocating per line. */
    static final class FieldSplitter {
        int[] starts;
        int[] ends;
        boolean[] escaped;

        FieldSplitter(int capacity) {
            starts = new int[capacity];
            ends = new int[capacity];
            escaped = new boolean[capacity];
        }

        /** Splits {@code b[0, len)}; returns the field count, or −1 for an unterminated quote. */
        int split(byte[] b, int len, byte delim) {
            int n = 0;
            int i = 0;
            while (true) {
                if (n == starts.length) {
                    starts = Arrays.copyOf(starts, n * 2);
                    ends = Arrays.copyOf(ends, n * 2);
                    escaped = Arrays.copyOf(escaped, n * 2);
                }
                int j = i;
                while (j < len && b[j] == ' ') {
                    j++;
                }
                if (j < len && b[j] == '"') {
                    int start = j + 1;
                    int k = start;
                    boolean esc = false;
                    while (true) {
                        if (k >= len) {
                            return -1;
                        }
                        if (b[k] == '"') {
                            if (k + 1 < len && b[k + 1] == '"') {
                                esc = true;
                                k += 2;
                                continue;
                            }
                            break;
                        }
                        k++;
                    }
                    starts[n] = start;
                    ends[n] = k;
                    escaped[n] = esc;
                    k++;
                    while (k < len && b[k] != delim) {
                        if (b[k] != ' ') {
                            return -1;
                        }
                        k++;
                    }
                    n++;
                    if (k >= len) {
                        return n;
                    }
                    i = k + 1;
                } else {
                    int k = i;
                    while (k < len && b[k] != delim) {
                        k++;
                    }
                    starts[n] = i;
                    ends[n] = k;
                    escaped[n] = false;
                    n++;
                    if (k >= len) {
                        return n;
                    }
                    i = k + 1;
                }
            }
        }

        String string(byte[] b, int field) {
            String s = new String(b, starts[field], ends[field] - starts[field], StandardCharsets.UTF_8);
            return escaped[field] ? s.replace("\"\"", "\"") : s;
        }

        boolean isBlank(byte[] b, int field) {
            for (int k = starts[field]; k < ends[field]; k++) {
                if (b[k] != ' ' && b[k] != '\t') {
                    return false;
                }
            }
            return true;
        }
    }

    /** The cursor over one split's lines. */
    private static final class CsvCursor extends RowCursor {
        private final CsvTable t;
        private final String file;
        private final long splitStart;
        private final Iterator<Tuple2<LongWritable, Text>> lines;
        private final FieldSplitter splitter;
        private final DecimalParser parser = new DecimalParser();
        private long lineInSplit;
        private long offset;
        private byte[] bytes;

        CsvCursor(CsvTable t, String file, long splitStart, Iterator<Tuple2<LongWritable, Text>> lines) {
            super(t.features.size(), t.skipBad, t.missingAllowed);
            this.t = t;
            this.file = file;
            this.splitStart = splitStart;
            this.lines = lines;
            this.splitter = new FieldSplitter(t.columns.size() + 1);
        }

        private String where() {
            long line = splitStart == 0 ? lineInSplit : HadoopFiles.lineNumberAt(new Path(file), new Configuration(), offset);
            return file + " line " + line;
        }

        /** The next line, or null at the end; a failure to read (a truncated .gz) names the file. */
        private Tuple2<LongWritable, Text> nextLine() {
            try {
                return lines.hasNext() ? lines.next() : null;
            } catch (Exception e) {
                // Hadoop's record reader throws IOException through Scala's iterator, undeclared.
                throw unreadable(file, e);
            }
        }

        @Override
        public boolean next() {
            rows:
            for (Tuple2<LongWritable, Text> rec = nextLine(); rec != null; rec = nextLine()) {
                lineInSplit++;
                offset = rec._1().get();
                Text text = rec._2();
                bytes = text.getBytes();
                int len = text.getLength();
                if (offset == 0 && len >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF) {
                    bytes = Arrays.copyOfRange(bytes, 3, len);
                    len -= 3;
                }
                if (len > 0 && bytes[len - 1] == '\r') {
                    len--;
                }
                if (offset == 0 && t.header) {
                    checkHeader(len);
                    continue;
                }
                if (isBlank(len)) {
                    continue;
                }
                stats.read();
                int n = splitter.split(bytes, len, t.delimiter);
                if (n < 0) {
                    bad(BadRecordReason.MALFORMED_RECORD, this::where, "a quoted field is not closed on its line");
                    continue;
                }
                if (n != t.columns.size()) {
                    bad(BadRecordReason.WRONG_COLUMN_COUNT, this::where,
                            "the line has " + n + " fields but the header has " + t.columns.size());
                    continue;
                }
                for (int j = 0; j < features.length; j++) {
                    int c = t.featureIndex[j];
                    double v = value(c);
                    if (!parser.ok) {
                        continue rows;
                    }
                    features[j] = v;
                }
                if (t.weightIndex >= 0) {
                    int c = t.weightIndex;
                    double w = splitter.isBlank(bytes, c) ? Double.NaN : parser.parse(bytes, splitter.starts[c], splitter.ends[c]);
                    if (!(w >= 0) || w == Double.POSITIVE_INFINITY) {
                        bad(BadRecordReason.BAD_WEIGHT, this::where,
                                describe(t.columns.get(c), c, splitter.string(bytes, c), BadRecordReason.BAD_WEIGHT));
                        continue;
                    }
                    weight = w;
                }
                if (t.groupIndex.length > 0) {
                    String[] key = new String[t.groupIndex.length];
                    for (int g = 0; g < key.length; g++) {
                        key[g] = splitter.string(bytes, t.groupIndex[g]).trim();
                    }
                    groupKey = Arrays.asList(key);
                }
                stats.used();
                return true;
            }
            return false;
        }

        /** Every column of the current row as text (quotes removed; an empty field is null, as Spark reads it). */
        Object[] fieldValues() {
            Object[] v = new Object[t.columns.size()];
            for (int c = 0; c < v.length; c++) {
                String f = splitter.string(bytes, c);
                v[c] = f.isEmpty() ? null : f;
            }
            return v;
        }

        /** Parses field c; on a bad value records it and leaves {@code parser.ok} false. */
        private double value(int c) {
            if (splitter.isBlank(bytes, c) && missingAllowed) {
                parser.ok = true;
                return Double.NaN;
            }
            if (splitter.isBlank(bytes, c)) {
                parser.ok = false;
                bad(BadRecordReason.MISSING_VALUE, this::where,
                        describe(t.columns.get(c), c, null, BadRecordReason.MISSING_VALUE));
                return Double.NaN;
            }
            double v = parser.parse(bytes, splitter.starts[c], splitter.ends[c]);
            if (!parser.ok) {
                bad(BadRecordReason.NOT_A_NUMBER, this::where,
                        describe(t.columns.get(c), c, splitter.string(bytes, c), BadRecordReason.NOT_A_NUMBER));
            } else if (!Double.isFinite(v) && !(missingAllowed && Double.isNaN(v))) {
                parser.ok = false;
                bad(BadRecordReason.NON_FINITE, this::where,
                        describe(t.columns.get(c), c, splitter.string(bytes, c), BadRecordReason.NON_FINITE));
            }
            return v;
        }

        private boolean isBlank(int len) {
            for (int k = 0; k < len; k++) {
                if (bytes[k] != ' ' && bytes[k] != '\t') {
                    return false;
                }
            }
            return true;
        }

        private void checkHeader(int len) {
            List<String> names = fields(new String(bytes, 0, len, StandardCharsets.UTF_8), t.delimiter);
            for (int i = 0; i < names.size(); i++) {
                if (names.get(i).isBlank()) {
                    names.set(i, "c" + (i + 1));
                }
            }
            if (!names.equals(t.columns)) {
                throw new BadRecordException(BadRecordReason.MALFORMED_RECORD, BadRecordException.PREFIX + file
                        + " line 1: its header (" + String.join(",", names) + ") differs from the first file's ("
                        + String.join(",", t.columns) + ")");
            }
        }
    }
}
