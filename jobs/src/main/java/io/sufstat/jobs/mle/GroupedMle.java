package io.sufstat.jobs.mle;

import io.sufstat.jobs.io.SavedStatistics;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.model.Gaussian;
import io.sufstat.common.stats.CovarianceEstimator;
import io.sufstat.common.stats.MomentSummary;
import io.sufstat.common.stats.RowBlock;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.io.AtomicOutput;
import io.sufstat.jobs.io.InputOptions;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.ReadStats;
import io.sufstat.jobs.io.RowCursor;
import io.sufstat.jobs.io.TableSource;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code mle --group-by}: one Gaussian per group key. Each partition keeps a summary per key it sees;
 * the partials are shuffled by key and merged in partition order (so results do not depend on task
 * timing), solved on the executors, and written as a table — no per-group data reaches the driver.
 *
 * <p>A group whose covariance cannot be estimated (one row, constant or collinear features) does not
 * fail the job: its row has {@code logLikelihood} null and an {@code error} saying why, and the number
 * of such groups is logged and written to metrics.json.
 */
final class GroupedMle {

    private static final Logger LOG = LoggerFactory.getLogger(GroupedMle.class);
    private static final Set<String> RESERVED = Set.of("kind", "features", "count", "weightSum", "mean",
            "covariance", "logLikelihood", "error");
    /** Rows buffered per partition across all open group blocks, in doubles. */
    private static final int BUFFER_BUDGET = 1 << 22;
    private static final int MAX_BLOCKED_GROUPS = 1024;

    private GroupedMle() {
    }

    static void fit(SparkSession spark, TableSource table, InputOptions in, CovarianceEstimator estimator, double ridge,
                    AtomicOutput out, ObjectNode metrics, long t0) throws Exception {
        List<String> keys = in.groupBy();
        for (String k : keys) {
            if (RESERVED.contains(k)) {
                throw new UsageException("group column '" + k + "' collides with a model field; rename it (reserved: "
                        + String.join(", ", RESERVED) + ")");
            }
        }
        int d = table.dimension();
        JavaRDD<Partial> partials = table.mapPartitions((p, c) -> summarize(p, d, c)).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            ReadStats stats = new ReadStats();
            for (ReadStats s : partials.filter(p -> p.stats != null).map(p -> p.stats).collect()) {
                stats.merge(s);
            }
            stats.warnIfSkipped(LOG);
            stats.requireUsableRows(in.path());
            stats.putInto(metrics);
            JavaRDD<SavedStatistics.Group> groups = partials.filter(p -> p.key != null)
                    .mapToPair(p -> new Tuple2<>(p.key, p))
                    .groupByKey(Math.max(1, table.numPartitions()))
                    .map(g -> new SavedStatistics.Group(g._1(), mergeInPartitionOrder(g._2(), d)));
            SavedStatistics.Header header = SavedStatistics.Header.gaussian(table.features(), in.weightCol().orElse(""), keys);
            write(spark, groups, header, estimator, ridge, out, metrics, t0);
        } finally {
            partials.unpersist();
        }
    }

    private static MomentSummary mergeInPartitionOrder(Iterable<Partial> parts, int d) {
        List<Partial> sorted = new ArrayList<>();
        parts.forEach(sorted::add);
        sorted.sort(Comparator.comparingInt(p -> p.partition));
        MomentSummary s = MomentSummary.create(d);
        for (Partial p : sorted) {
            s.combine(p.summary);
        }
        return s;
    }

    /**
     * Solves and writes one Gaussian per group (models/parquet, models/json, group-counts), and the groups'
     * statistics (stats/), filling metrics.json: shared by {@code mle --group-by} and {@code merge}.
     */
    static void write(SparkSession spark, JavaRDD<SavedStatistics.Group> groups, SavedStatistics.Header header,
                      CovarianceEstimator estimator, double ridge, AtomicOutput out, ObjectNode metrics, long t0)
            throws Exception {
        List<String> keys = header.groupBy();
        List<String> features = header.features();
        String est = MleJob.estimatorName(estimator);
        groups = groups.persist(StorageLevel.MEMORY_AND_DISK());
        JavaRDD<Row> models = groups.map(g -> solve(g.key(), g.summary(), features, estimator, est, ridge));
        Dataset<Row> df = spark.createDataFrame(models, schema(keys))
                .orderBy(keys.stream().map(k -> functions.col("`" + k + "`").asc_nulls_first()).toArray(Column[]::new))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            double aggregateSeconds = (System.nanoTime() - t0) / 1e9;
            long tw = System.nanoTime();
            df.write().parquet(out.path("models/parquet"));
            df.write().json(out.path("models/json"));
            List<Column> countCols = new ArrayList<>();
            keys.forEach(k -> countCols.add(functions.col("`" + k + "`")));
            countCols.add(functions.col("count"));
            countCols.add(functions.col("weightSum"));
            df.select(countCols.toArray(new Column[0])).coalesce(1).write().option("header", "true")
                    .csv(out.path("group-counts"));
            SavedStatistics.write(spark, groups.sortBy(g -> String.join("\u0000", nullsFirst(g.key())), true,
                    Math.max(1, groups.getNumPartitions())).map(g -> SavedStatistics.row(header, g.key(), g.summary())), out);
            Row totals = df.agg(functions.count(functions.lit(1)), functions.count(functions.col("error"))).first();
            long count = totals.getLong(0);
            long failed = totals.getLong(1);
            if (failed > 0) {
                List<Row> examples = df.filter(functions.col("error").isNotNull()).limit(3).collectAsList();
                LOG.warn("{} of {} groups have no model (see the error column), e.g. {}", failed, count, examples);
            }
            LOG.info("fitted {} groups by ({})", count, String.join(", ", keys));
            metrics.put("groups", count);
            metrics.put("groupsWithoutModel", failed);
            features.forEach(metrics.putArray("features")::add);
            ObjectNode seconds = metrics.putObject("seconds");
            seconds.put("readAndAggregate", MleJob.round(aggregateSeconds));
            seconds.put("write", MleJob.round((System.nanoTime() - tw) / 1e9));
            seconds.put("total", MleJob.round((System.nanoTime() - t0) / 1e9));
            out.writeText("metrics.json", Json.write(metrics));
        } finally {
            df.unpersist();
            groups.unpersist();
        }
    }

    /** A sort key for a group: null values first (as "\u0001" sorts after the empty marker). */
    private static List<String> nullsFirst(List<String> key) {
        List<String> out = new ArrayList<>(key.size());
        for (String k : key) {
            out.add(k == null ? "" : "\u0001" + k);
        }
        return out;
    }

    static StructType schema(List<String> keys) {
        List<StructField> f = new ArrayList<>();
        for (String k : keys) {
            f.add(DataTypes.createStructField(k, DataTypes.StringType, true));
        }
        f.add(DataTypes.createStructField("kind", DataTypes.StringType, false));
        f.add(DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.StringType, false), false));
        f.add(DataTypes.createStructField("count", DataTypes.LongType, false));
        f.add(DataTypes.createStructField("weightSum", DataTypes.DoubleType, false));
        f.add(DataTypes.createStructField("mean", DataTypes.createArrayType(DataTypes.DoubleType, false), true));
        f.add(DataTypes.createStructField("covariance",
                DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType, false), false), true));
        f.add(DataTypes.createStructField("logLikelihood", DataTypes.DoubleType, true));
        f.add(DataTypes.createStructField("covarianceEstimator", DataTypes.StringType, false));
        f.add(DataTypes.createStructField("error", DataTypes.StringType, true));
        return DataTypes.createStructType(f);
    }

    private static Row solve(List<String> key, MomentSummary s, List<String> features,
                             CovarianceEstimator estimator, String est, double ridge) {
        List<Object> values = new ArrayList<>(key);
        values.add("gaussian");
        values.add(features.toArray(new String[0]));
        values.add(s.count());
        values.add(s.weightSum());
        if (s.weightSum() == 0) {
            values.add(null);
            values.add(null);
            values.add(null);
            values.add(est);
            values.add("all rows of the group have weight 0");
            return RowFactory.create(values.toArray());
        }
        double[] mean = s.mean();
        double[] cov = null;
        Double ll = null;
        String error = null;
        try {
            Gaussian g = MleJob.solve(s, estimator, ridge, features, "the group");
            cov = g.covariance();
            ll = s.logLikelihood(g);
        } catch (JobFailedException e) {
            error = e.getMessage();
            try {
                cov = s.covariance(estimator);
            } catch (IllegalStateException tooFew) {
                cov = null;
            }
        }
        values.add(mean);
        values.add(cov == null ? null : Gaussian.nest(cov, features.size()));
        values.add(ll);
        values.add(est);
        values.add(error);
        return RowFactory.create(values.toArray());
    }

    /** Per-partition summaries per group key; a last record carries the partition's read counts. */
    private static Iterator<Partial> summarize(int partition, int d, RowCursor cursor) {
        Map<List<String>, GroupBuffer> groups = new HashMap<>();
        int blockRows = Math.max(1, Math.min(256, BUFFER_BUDGET / (MAX_BLOCKED_GROUPS * d)));
        while (cursor.next()) {
            GroupBuffer g = groups.get(cursor.groupKey());
            if (g == null) {
                g = new GroupBuffer(d, groups.size() < MAX_BLOCKED_GROUPS ? blockRows : 0);
                groups.put(cursor.groupKey(), g);
            }
            g.add(cursor.features(), cursor.weight());
        }
        List<Partial> out = new ArrayList<>(groups.size() + 1);
        groups.forEach((k, g) -> out.add(new Partial(k, partition, g.finish(), null)));
        out.add(new Partial(null, partition, null, cursor.stats()));
        return out.iterator();
    }

    /** A group's summary and, for the first groups seen, a block buffer so that rows go in by SYRK. */
    private static final class GroupBuffer {
        final MomentSummary summary;
        final RowBlock block;

        GroupBuffer(int d, int blockRows) {
            summary = MomentSummary.create(d);
            block = blockRows > 1 ? RowBlock.create(d, blockRows) : null;
        }

        void add(double[] x, double w) {
            if (block == null) {
                summary.add(x, w);
                return;
            }
            block.add(x, w);
            if (block.isFull()) {
                summary.addBlock(block);
                block.clear();
            }
        }

        MomentSummary finish() {
            if (block != null) {
                summary.addBlock(block);
                block.clear();
            }
            return summary;
        }
    }

    /** One partition's summary of one group (or, with a null key, the partition's read counts). */
    static final class Partial implements Serializable {
        private static final long serialVersionUID = 1L;
        final List<String> key;
        final int partition;
        final MomentSummary summary;
        final ReadStats stats;

        Partial(List<String> key, int partition, MomentSummary summary, ReadStats stats) {
            this.key = key == null ? null : new ArrayList<>(key);
            this.partition = partition;
            this.summary = summary;
            this.stats = stats;
        }
    }
}
