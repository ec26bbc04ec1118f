package io.sufstat.jobs.spark;

import io.sufstat.common.em.RowHash;
import io.sufstat.common.stats.MomentSummary;
import io.sufstat.common.stats.RowBlock;
import io.sufstat.jobs.io.ReadStats;
import io.sufstat.jobs.io.RowCursor;
import io.sufstat.jobs.io.TableSource;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.RDDInfo;
import org.apache.spark.storage.StorageLevel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The input read once, checked, and cached in memory as {@link DataBlock}s, for jobs that pass over
 * the data many times (EM). Building it also yields the read counts and the overall moments.
 */
public final class BlockCache implements AutoCloseable {

    private final JavaRDD<DataBlock> blocks;
    private final int dimension;
    private final ReadStats stats;
    private final MomentSummary moments;
    private final int blockRows;
    private boolean missing;
    private List<List<DataBlock>> local;
    private double weightSum;
    private long contentHash;

    private BlockCache(JavaRDD<DataBlock> blocks, int dimension, ReadStats stats, MomentSummary moments, int blockRows) {
        this.blocks = blocks;
        this.dimension = dimension;
        this.stats = stats;
        this.moments = moments;
        this.blockRows = blockRows;
    }

    /** Reads {@code table} into cached blocks (one pass, which also computes counts and moments). */
    public static BlockCache of(TableSource table, StorageLevel level) throws Exception {
        return of(table, level, true);
    }

    /**
     * As {@link #of(TableSource, StorageLevel)}; with {@code moments} false the d × d co-moments are not
     * computed (for high-dimensional jobs such as PPCA, which must never form a d × d matrix) and
     * {@link #moments()} is unavailable.
     */
    public static BlockCache of(TableSource table, StorageLevel level, boolean moments) throws Exception {
        int d = table.dimension();
        boolean weighted = table.hasWeights();
        JavaRDD<DataBlock> blocks = table.mapPartitions((p, c) -> toBlocks(d, weighted, c)).persist(level);
        BlockCache cache = summarize(blocks, d, moments && !table.missingAllowed());
        cache.missing = table.missingAllowed();
        return cache;
    }

    /** Caches blocks made elsewhere (benchmarks, generated data). */
    public static BlockCache of(JavaRDD<DataBlock> blocks, int d, StorageLevel level) throws Exception {
        return summarize(blocks.persist(level), d, true);
    }

    /** Caches blocks made elsewhere without the d × d co-moments (high-dimensional benchmarks). */
    public static BlockCache withoutMoments(JavaRDD<DataBlock> blocks, int d, StorageLevel level) throws Exception {
        return summarize(blocks.persist(level), d, false);
    }

    private static BlockCache summarize(JavaRDD<DataBlock> blocks, int d, boolean withMoments) throws Exception {
        record Part(MomentSummary summary, ReadStats stats, double weightSum, long contentHash)
                implements java.io.Serializable {
        }
        Part total = OrderedReduce.reduce(blocks.mapPartitions((Iterator<DataBlock> it) -> {
            MomentSummary s = withMoments ? MomentSummary.create(d) : null;
            ReadStats st = new ReadStats();
            double weight = 0;
            long hash = 0;
            double[] ones = null;
            while (it.hasNext()) {
                DataBlock b = it.next();
                for (int i = 0; i < b.rows; i++) {
                    double w = b.weights == null ? 1.0 : b.weights[i];
                    weight += w;
                    hash += RowHash.mix(RowHash.of(b.values, i * d, d, Double.doubleToLongBits(w), 0x5EED));
                }
                if (b.rows > 0 && s != null) {
                    double[] w = b.weights;
                    if (w == null) {
                        if (ones == null || ones.length < b.rows) {
                            ones = new double[b.rows];
                            Arrays.fill(ones, 1.0);
                        }
                        w = ones;
                    }
                    s.addBlock(b.values, w, b.rows);
                }
                if (b.stats != null) {
                    st.merge(b.stats);
                }
            }
            return List.of(new Part(s, st, weight, hash)).iterator();
        }), (a, b) -> new Part(a.summary() == null ? null : a.summary().combine(b.summary()), a.stats().merge(b.stats()),
                a.weightSum() + b.weightSum(), a.contentHash() + b.contentHash()))
                .orElseGet(() -> new Part(withMoments ? MomentSummary.create(d) : null, new ReadStats(), 0, 0));
        BlockCache cache = new BlockCache(blocks, d, total.stats(), total.summary(), RowBlock.forDimension(d).capacity());
        cache.weightSum = total.weightSum();
        cache.contentHash = total.contentHash();
        long rows = total.summary() != null ? total.summary().count() : total.stats().rowsUsed();
        if ((double) rows * d <= localLimit()) {
            cache.local = blocks.glom().collect();
        }
        return cache;
    }

    /** One partition's rows as blocks; the last block (possibly empty) carries the read counts. */
    static Iterator<DataBlock> toBlocks(int d, boolean weighted, RowCursor cursor) {
        RowBlock block = RowBlock.forDimension(d);
        List<DataBlock> out = new ArrayList<>();
        while (cursor.next()) {
            block.add(cursor.features(), cursor.weight());
            if (block.isFull()) {
                out.add(copy(block, weighted, null));
                block.clear();
            }
        }
        out.add(copy(block, weighted, cursor.stats()));
        return out.iterator();
    }

    /** Draws the rows of one chunk of generated data, handing each row to {@code sink}. */
    @FunctionalInterface
    public interface ChunkSource extends java.io.Serializable {
        void draw(long chunk, java.util.function.Consumer<double[]> sink);
    }

    /**
     * Blocks of generated rows: chunks {@code 0 … chunks − 1} of {@code source}, spread over
     * {@code partitions} partitions in order, so that the rows do not depend on the partitioning.
     */
    public static JavaRDD<DataBlock> generated(JavaSparkContext jsc, int d, long chunks, int partitions, ChunkSource source) {
        return jsc.parallelize(java.util.stream.IntStream.range(0, partitions).boxed().toList(), partitions)
                .mapPartitions((Iterator<Integer> it) -> {
                    List<DataBlock> out = new ArrayList<>();
                    if (!it.hasNext()) {
                        return out.iterator();
                    }
                    int p = it.next();
                    RowBlock block = RowBlock.forDimension(d);
                    for (long c = chunks * p / partitions; c < chunks * (p + 1) / partitions; c++) {
                        source.draw(c, x -> {
                            block.add(x, 1.0);
                            if (block.isFull()) {
                                out.add(copy(block, false, null));
                                block.clear();
                            }
                        });
                    }
                    out.add(copy(block, false, new ReadStats()));
                    return out.iterator();
                });
    }

    /** A block of rows given row-major (weights null for unit weights). */
    public static DataBlock block(int rows, double[] values, double[] weights) {
        return new DataBlock(rows, values, weights, null);
    }

    private static DataBlock copy(RowBlock b, boolean weighted, ReadStats stats) {
        int n = b.rows();
        return new DataBlock(n, Arrays.copyOf(b.values(), n * b.dimension()),
                weighted ? Arrays.copyOf(b.weights(), n) : null, stats);
    }

    public JavaRDD<DataBlock> blocks() {
        return blocks;
    }

    /**
     * Values (rows × d) up to which a cache also keeps its blocks on the driver, partition by partition, so that
     * passes over it run there without a Spark job each ({@code -Dsufstat.localPassLimit}, default 2²⁰ ≈ 8 MiB of
     * doubles; 0 runs every pass as a Spark job). The result is the same bits either way.
     */
    static double localLimit() {
        return Double.parseDouble(System.getProperty("sufstat.localPassLimit", Long.toString(1L << 20)));
    }

    /** The blocks of every partition, in partition order, when the cache is small enough to keep them on the driver. */
    public java.util.Optional<List<List<DataBlock>>> localPartitions() {
        return java.util.Optional.ofNullable(local);
    }

    public int dimension() {
        return dimension;
    }

    /** Most rows in one block. */
    public int blockRows() {
        return blockRows;
    }

    public ReadStats stats() {
        return stats;
    }

    /** Count, weight sum, mean and covariance of all cached rows. */
    /** True when rows may hold NaN for missing values ({@code --missing em}). */
    public boolean hasMissing() {
        return missing;
    }

    /**
     * The rows without a missing value, cached on their own (with their moments): for initialisations,
     * which need complete rows. The caller closes it.
     */
    public BlockCache completeRows(StorageLevel level) throws Exception {
        int d = dimension;
        JavaRDD<DataBlock> complete = blocks.map((DataBlock b) -> {
            double[] v = new double[b.rows * d];
            double[] w = b.weights == null ? null : new double[b.rows];
            int n = 0;
            rows:
            for (int i = 0; i < b.rows; i++) {
                for (int j = 0; j < d; j++) {
                    if (Double.isNaN(b.values[i * d + j])) {
                        continue rows;
                    }
                }
                System.arraycopy(b.values, i * d, v, n * d, d);
                if (w != null) {
                    w[n] = b.weights[i];
                }
                n++;
            }
            return new DataBlock(n, Arrays.copyOf(v, n * d), w == null ? null : Arrays.copyOf(w, n), b.stats);
        });
        return summarize(complete.persist(level), d, true);
    }

    /**
     * A fingerprint of the cached rows' contents: the sum (mod 2⁶⁴) of a 64-bit hash of every row's values
     * and weight, so it does not depend on the order or partitioning of the rows but changes when any
     * value does (a checkpoint is only resumed on the data it was written from).
     */
    public long contentHash() {
        return contentHash;
    }

    /** The number of cached rows (also when the cache has no moments). */
    public long rowCount() {
        return moments != null ? moments.count() : stats.rowsUsed();
    }

    /** {@code Σ w} of the cached rows. */
    public double weightSum() {
        return weightSum;
    }

    /** Whether {@link #moments()} is available (not for caches built without the d × d co-moments). */
    public boolean hasMoments() {
        return moments != null;
    }

    public MomentSummary moments() {
        if (moments == null) {
            throw new IllegalStateException("this cache was built without moments");
        }
        return moments;
    }

    /** Bytes the cache holds in memory, as Spark's storage reports it. */
    public long memoryBytes(JavaSparkContext jsc) {
        for (RDDInfo info : jsc.sc().getRDDStorageInfo()) {
            if (info.id() == blocks.id()) {
                return info.memSize();
            }
        }
        return 0;
    }

    @Override
    public void close() {
        blocks.unpersist(true);
    }
}
