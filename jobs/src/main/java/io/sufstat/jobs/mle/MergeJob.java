package io.sufstat.jobs.mle;

import io.sufstat.jobs.io.SavedStatistics;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.linalg.Blas;
import io.sufstat.common.stats.CovarianceEstimator;
import io.sufstat.common.stats.MomentSummary;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.io.AtomicOutput;
import io.sufstat.jobs.io.HadoopFiles;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.report.Summary;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.io.IOException;
import java.io.Serializable;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code sufstat merge}: the Gaussian(s) of the union of earlier {@code mle} (or {@code merge}) runs, from their
 * saved statistics alone. Inputs are merged group by group with {@link MomentSummary#combine} in the order given
 * (a glob's matches in path order, a window's days in date order), so the result equals {@code mle} on the union of
 * the data to rounding, and no row is read again.
 */
public final class MergeJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(MergeJob.class);

    /** {@code spark-submit --class {@value #CLASS} sufstat-jobs.jar [options]}: the same options as the launcher. */
    public static void main(String[] args) {
        io.sufstat.jobs.core.Runner.main(new MergeJob(), args);
    }

    /** This job's main class, for spark-submit. */
    public static final String CLASS = "io.sufstat.jobs.mle.MergeJob";

    static final Opt<String> INPUT = Opt.text("input", "DIR1,DIR2,…|GLOB|PATTERN", "Outputs of mle or merge (their"
            + " stats/ folders are read): a comma-separated list, Hadoop globs, or with --window a path containing"
            + " {date}.").required();
    static final Opt<Integer> WINDOW = Opt.integer("window", "DAYS", "Merge the DAYS days ending at --date: --input"
            + " is a path with {date}, replaced by each day in --date-format.").check(n -> n >= 1 && n <= 36_600,
            "from 1 to 36600");
    static final Opt<String> DATE = Opt.text("date", "YYYY-MM-DD", "The window's last day (ISO date). Default: today"
            + " (UTC); an unattended run should pass its schedule's date (Airflow: {{ ds }}).");
    static final Opt<String> DATE_FORMAT = Opt.text("date-format", "PATTERN", "How {date} is spelled in paths"
            + " (java.time pattern).").defaultsTo("yyyy-MM-dd");
    static final Opt<Boolean> ALLOW_MISSING = Opt.flag("allow-missing", "Merge the days of the window that exist"
            + " (logging the missing ones) instead of failing when a day has no statistics.");
    static final Opt<List<String>> GROUP_BY = Opt.list("group-by", "K1,K2", "Merge groups into coarser ones: some of"
            + " the inputs' group columns (default: all of them).");

    @Override
    public String name() {
        return "merge";
    }

    @Override
    public String summary() {
        return "Merge the saved statistics of mle runs (days, windows) into one model, without reading the data.";
    }

    @Override
    public String synopsis() {
        return "--input DIR1,DIR2,…|GLOB --output DIR [options]";
    }

    @Override
    public String description() {
        return "Reads the stats/ folder of each input (written by mle and by merge), checks that all have the same"
                + " features, weights and group columns, merges them group by group in the order given (Chan et"
                + " al.'s pairwise update, exact to rounding) and writes what mle would have written for the union"
                + " of their data: model.json (or models/ per group), metrics.json and the merged stats/, which a"
                + " later merge can read again. With --window N and --input '…/{date}/…', the N days ending at"
                + " --date.\nOutput is atomic: DIR appears, with _SUCCESS, only when the job succeeds.";
    }

    @Override
    public List<Opt<?>> options() {
        return List.of(INPUT, WINDOW, DATE, DATE_FORMAT, ALLOW_MISSING, GROUP_BY, AtomicOutput.OUTPUT,
                MleJob.UNBIASED, MleJob.REG_COVAR, AtomicOutput.OVERWRITE);
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        long t0 = System.nanoTime();
        Configuration conf = ctx.hadoopConf();
        List<String> inputs = o.given(WINDOW) ? window(o, conf) : listed(o.get(INPUT), conf);
        double ridge = o.get(MleJob.REG_COVAR);
        CovarianceEstimator estimator = o.get(MleJob.UNBIASED) ? CovarianceEstimator.UNBIASED
                : CovarianceEstimator.MAXIMUM_LIKELIHOOD;
        AtomicOutput out = AtomicOutput.prepare(o, conf);
        try {
            refuseOutputAmongInputs(out, inputs, conf);
            SparkSession spark = ctx.spark();
            List<Dataset<Row>> tables = new ArrayList<>();
            SavedStatistics.Header header = readHeaders(spark, inputs, tables);
            if (header.isMixture() && o.given(GROUP_BY)) {
                throw new UsageException("--group-by does not apply to a mixture's E statistics (one group per component)");
            }
            List<String> groupBy = o.find(GROUP_BY).orElse(header.groupBy());
            List<Integer> projection = projection(groupBy, header.groupBy());
            SavedStatistics.Header merged = header.withGroupBy(groupBy);
            JavaRDD<SavedStatistics.Group> groups = mergeGroups(tables, inputs, header.features().size(), projection);
            ObjectNode metrics = metrics(inputs, merged);
            double mergeSeconds = (System.nanoTime() - t0) / 1e9;
            if (header.isMixture()) {
                MixtureMerge.write(spark, groups.collect(), merged, o.given(MleJob.REG_COVAR)
                        ? java.util.OptionalDouble.of(ridge) : java.util.OptionalDouble.empty(), out, metrics);
            } else if (groupBy.isEmpty()) {
                List<SavedStatistics.Group> one = groups.collect();
                MomentSummary s = one.isEmpty() ? MomentSummary.create(header.features().size()) : one.get(0).summary();
                MleJob.writeOne(spark, merged, s, estimator, ridge, out, metrics, mergeSeconds, t0);
            } else {
                GroupedMle.write(spark, groups, merged, estimator, ridge, out, metrics, t0);
            }
            out.commit();
            Summary.print(out);
            LOG.info("merged {} inputs into {}", inputs.size(), out.shown());
        } finally {
            out.abort();
        }
    }

    /** The inputs of a comma-separated list (commas inside a glob's braces belong to it), globs expanded in path order. */
    static List<String> listed(String input, Configuration conf) throws IOException {
        List<String> out = new ArrayList<>();
        for (String item : splitOutsideBraces(input)) {
            if (item.contains("{date}")) {
                throw new UsageException("--input contains {date}: give --window DAYS (and --date) to merge a window");
            }
            Path p = new Path(item);
            FileSystem fs = HadoopFiles.fileSystem(p, conf);
            FileStatus[] matches = fs.globStatus(p);
            if (matches == null || matches.length == 0) {
                throw JobFailedException.input(HadoopFiles.redact(item) + " does not exist (or matches nothing); give"
                        + " merge the output directories of mle or merge");
            }
            Arrays.sort(matches, Comparator.comparing(FileStatus::getPath));
            for (FileStatus m : matches) {
                out.add(m.getPath().toString());
            }
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String p : out) {
            if (!seen.add(p)) {
                throw new UsageException("--input names " + HadoopFiles.redact(p) + " twice; its rows would count twice");
            }
        }
        return out;
    }

    static List<String> splitOutsideBraces(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == ',' && depth == 0) {
                add(out, cur, s);
                continue;
            }
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            cur.append(c);
        }
        add(out, cur, s);
        return out;
    }

    private static void add(List<String> out, StringBuilder cur, String whole) {
        String t = cur.toString().trim();
        if (t.isEmpty()) {
            throw new UsageException("--input has an empty item: '" + whole + "'");
        }
        out.add(t);
        cur.setLength(0);
    }

    /** The window's days, oldest first, that have statistics; a missing day fails unless --allow-missing. */
    static List<String> window(Options o, Configuration conf) throws IOException {
        String pattern = o.get(INPUT);
        if (!pattern.contains("{date}")) {
            throw new UsageException("--window needs an --input path containing {date}, e.g. stats/day={date}");
        }
        DateTimeFormatter format;
        try {
            format = DateTimeFormatter.ofPattern(o.get(DATE_FORMAT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--date-format is not a date pattern: " + e.getMessage());
        }
        LocalDate end;
        try {
            end = o.find(DATE).map(LocalDate::parse).orElseGet(() -> LocalDate.now(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            throw new UsageException("--date must be an ISO date like 2026-11-30, not '" + o.find(DATE).orElse("") + "'");
        }
        int days = o.get(WINDOW);
        List<String> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (int i = days - 1; i >= 0; i--) {
            LocalDate day = end.minusDays(i);
            String path = pattern.replace("{date}", day.format(format));
            Path p = new Path(path);
            if (HadoopFiles.fileSystem(p, conf).exists(new Path(p, SavedStatistics.FOLDER))) {
                found.add(path);
            } else {
                missing.add(day + " (" + HadoopFiles.redact(path) + ")");
            }
        }
        LOG.info("window of {} days ending {}: {} with statistics, {} missing", days, end, found.size(), missing.size());
        if (!missing.isEmpty()) {
            if (!o.get(ALLOW_MISSING) || found.isEmpty()) {
                throw JobFailedException.input("the window of " + days + " days ending " + end + " has no statistics for "
                        + missing.size() + " day(s): " + String.join(", ", missing.subList(0, Math.min(3, missing.size())))
                        + (missing.size() > 3 ? ", …" : "") + "; run mle for them"
                        + (found.isEmpty() ? "" : ", or pass --allow-missing to merge the " + found.size() + " that exist"));
            }
            LOG.warn("--allow-missing: merging {} of {} days; missing {}", found.size(), days, missing);
        }
        return found;
    }

    private static void refuseOutputAmongInputs(AtomicOutput out, List<String> inputs, Configuration conf)
            throws IOException {
        for (String in : inputs) {
            Path p = new Path(in);
            Path q = HadoopFiles.fileSystem(p, conf).makeQualified(p);
            if (q.equals(out.target())) {
                throw new UsageException("--output " + out.shown() + " is also an input; write the merge elsewhere");
            }
        }
    }

    /** Reads each input's stats/ lazily, checking that all share one header, which it returns. */
    private static SavedStatistics.Header readHeaders(SparkSession spark, List<String> inputs, List<Dataset<Row>> tables)
            throws IOException {
        SavedStatistics.Header first = null;
        String firstWhere = null;
        for (String in : inputs) {
            String where = SavedStatistics.shown(in);
            Path stats = new Path(in, SavedStatistics.FOLDER);
            if (!HadoopFiles.fileSystem(stats, spark.sparkContext().hadoopConfiguration()).exists(stats)) {
                throw JobFailedException.input(where + " does not exist: " + HadoopFiles.redact(in) + " holds no saved"
                        + " statistics (mle writes them; mle --missing em cannot)");
            }
            Dataset<Row> df;
            try {
                df = spark.read().parquet(stats.toString());
            } catch (Exception e) {
                // Spark's AnalysisException is checked in Scala's eyes only: catch it with everything else.
                throw JobFailedException.model(where + " is not readable as Parquet (" + String.valueOf(e.getMessage())
                        .lines().findFirst().orElse("") + "); give merge the output directories of mle or merge");
            }
            SavedStatistics.checkSchema(df.schema(), where);
            List<SavedStatistics.Header> headers = SavedStatistics.headers(df, where);
            if (headers.isEmpty()) {
                throw JobFailedException.model(where + " holds no statistics (no rows)");
            }
            if (headers.size() > 1) {
                throw JobFailedException.model(where + " mixes statistics of different data: "
                        + headers.get(0).difference(headers.get(1)).orElse(""));
            }
            SavedStatistics.Header h = headers.get(0);
            if (first == null) {
                first = h;
                firstWhere = where;
            } else if (h.difference(first).isPresent()) {
                throw JobFailedException.model("cannot merge " + firstWhere + " with " + where + ": they differ in "
                        + first.difference(h).get() + "; merge only statistics of the same features, weights and groups");
            }
            tables.add(df);
        }
        return first;
    }

    /** The positions of {@code groupBy} among the inputs' group columns (a usage error when one is not there). */
    static List<Integer> projection(List<String> groupBy, List<String> columns) {
        List<Integer> at = new ArrayList<>();
        for (String g : groupBy) {
            int i = columns.indexOf(g);
            if (i < 0) {
                throw new UsageException("--group-by " + g + " is not a group column of the inputs (they have "
                        + (columns.isEmpty() ? "none" : String.join(", ", columns)) + ")");
            }
            at.add(i);
        }
        return at;
    }

    /** A saved group on its way to a merge: where it came from, for the fixed order. */
    private record Item(int input, List<String> key, MomentSummary summary) implements Serializable {
    }

    private static JavaRDD<SavedStatistics.Group> mergeGroups(List<Dataset<Row>> tables, List<String> inputs, int d,
                                                              List<Integer> projection) {
        JavaRDD<Item> all = null;
        for (int i = 0; i < tables.size(); i++) {
            int input = i;
            String where = SavedStatistics.shown(inputs.get(i));
            JavaRDD<Item> items = tables.get(i).toJavaRDD().map(r -> {
                SavedStatistics.Group g = SavedStatistics.read(r, d, where);
                return new Item(input, g.key(), g.summary());
            });
            all = all == null ? items : all.union(items);
        }
        int partitions = Math.max(1, Math.min(all.getNumPartitions(), 200));
        return all.mapToPair(it -> new Tuple2<>(project(it.key(), projection), it))
                .groupByKey(partitions)
                .map(g -> new SavedStatistics.Group(g._1(), mergeInOrder(g._2(), d, inputs)));
    }

    private static List<String> project(List<String> key, List<Integer> projection) {
        List<String> out = new ArrayList<>(projection.size());
        for (int i : projection) {
            out.add(key.get(i));
        }
        return out;
    }

    /** Merges a group's parts in input order, then by their full group key; a key twice in one input is refused. */
    private static MomentSummary mergeInOrder(Iterable<Item> parts, int d, List<String> inputs) {
        List<Item> sorted = new ArrayList<>();
        parts.forEach(sorted::add);
        Comparator<Item> order = Comparator.comparingInt(Item::input);
        sorted.sort(order.thenComparing(it -> it.key(), MergeJob::compareKeys));
        MomentSummary s = MomentSummary.create(d);
        for (int i = 0; i < sorted.size(); i++) {
            Item it = sorted.get(i);
            if (i > 0 && it.input() == sorted.get(i - 1).input() && compareKeys(it.key(), sorted.get(i - 1).key()) == 0) {
                throw JobFailedException.model(SavedStatistics.shown(inputs.get(it.input())) + " holds group " + it.key()
                        + " twice; it is not the output of one mle or merge");
            }
            s.combine(it.summary());
        }
        return s;
    }

    private static int compareKeys(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            String x = a.get(i);
            String y = b.get(i);
            int c = x == null ? (y == null ? 0 : -1) : y == null ? 1 : x.compareTo(y);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    private static ObjectNode metrics(List<String> inputs, SavedStatistics.Header h) {
        ObjectNode m = Json.object();
        m.put("job", "merge");
        ArrayNode a = m.putArray("inputs");
        inputs.forEach(i -> a.add(HadoopFiles.redact(i)));
        m.put("weightColumn", h.weightColumn());
        m.put("blas", Blas.describe());
        return m;
    }
}
