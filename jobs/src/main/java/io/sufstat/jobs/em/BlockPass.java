package io.sufstat.jobs.em;

import io.sufstat.common.em.EStep;
import io.sufstat.common.em.RowHash;
import io.sufstat.common.stats.Mergeable;
import io.sufstat.jobs.spark.BlockCache;
import io.sufstat.jobs.spark.DataBlock;
import io.sufstat.jobs.spark.OrderedReduce;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import java.util.Iterator;
import java.util.List;

/**
 * One distributed pass over cached row blocks: {@code step} is broadcast once, every partition folds its
 * blocks into {@code step.zero()} with one work area, and the partitions' statistics are combined in
 * partition order (so a rerun merges in the same order and gives the same bits). The one place sufstat
 * writes broadcast → per-partition fold → ordered reduce. A cache small enough to be kept on the driver is
 * passed over there, in the same order, without a Spark job.
 */
public final class BlockPass {

    private BlockPass() {
    }

    /** The statistics of every cached row under {@code step} (the empty statistics for no rows). */
    public static <S extends Mergeable<S>, W> S run(JavaSparkContext jsc, BlockCache cache, EStep<S, W> step) throws Exception {
        return run(jsc, cache, step, BlockChoice.ALL);
    }

    /**
     * Which cached blocks a pass reads: all, or a seeded random fraction (block b of partition p is read when a
     * hash of (seed, draw, p, b) falls below the fraction), for the mini-batches of stepwise EM.
     */
    public record BlockChoice(double fraction, long seed, long draw) implements java.io.Serializable {
        public static final BlockChoice ALL = new BlockChoice(1, 0, 0);

        public BlockChoice {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("a fraction of blocks must be in (0, 1], not " + fraction);
            }
        }

        boolean reads(int partition, int block) {
            if (fraction >= 1) {
                return true;
            }
            long h = RowHash.mix(RowHash.mix(seed ^ (draw * 0x9E3779B97F4A7C15L)) ^ ((long) partition << 32 | block));
            return RowHash.uniform(h) < fraction;
        }
    }

    /** The statistics of the cached rows of the blocks {@code choice} reads. */
    public static <S extends Mergeable<S>, W> S run(JavaSparkContext jsc, BlockCache cache, EStep<S, W> step,
                                                    BlockChoice choice) throws Exception {
        int capacity = cache.blockRows();
        long budget = resultBudget(jsc);
        // Counting stops at half the budget (beyond it, two results at a time is the answer anyway), so a pass never
        // serializes more than that of its empty statistics (at d = 1,000, K = 10: 80 MB, about 3% of a pass).
        int direct = directResults(serializedBytes(step.zero(), budget / 2), budget);
        if (cache.localPartitions().isPresent()) {
            return onDriver(cache.localPartitions().get(), step, capacity, choice, direct);
        }
        if (serializedBytes(step, closureLimit()) <= closureLimit()) {
            // Spark ships a stage's closure to the executors once anyway: a small step goes with it, saving the
            // creation and removal of a broadcast per pass (a few ms of every iteration at small N).
            return OrderedReduce.reduce(cache.blocks(), (Integer partition, Iterator<DataBlock> it) ->
                    fold(step, capacity, choice, partition, it), Mergeable::combine, direct).orElseGet(step::zero);
        }
        Broadcast<EStep<S, W>> shipped = jsc.broadcast(step);
        try {
            return OrderedReduce.reduce(cache.blocks(), (Integer partition, Iterator<DataBlock> it) ->
                    fold(shipped.value(), capacity, choice, partition, it), Mergeable::combine, direct)
                    .orElseGet(step::zero);
        } finally {
            shipped.destroy();
        }
    }

    /**
     * Steps up to this size (serialized) travel in the task closure; larger ones as a broadcast (Spark warns
     * about task binaries over 1 MiB). {@code -Dsufstat.closureLimit=BYTES} changes it.
     */
    static long closureLimit() {
        return Long.getLong("sufstat.closureLimit", 512 * 1024);
    }

    /** Whether {@code step} serializes to at most {@link #closureLimit()} bytes. */
    static boolean shipsWithTask(Object step) {
        return serializedBytes(step, closureLimit()) <= closureLimit();
    }

    /**
     * How many partitions' statistics of {@code bytes} each the driver takes at once: as many as fit in
     * {@code budget}, between 2 and {@link OrderedReduce}'s default. At d = 1,000 and K = 10 a pass's statistics
     * are 80 MB, so 13 partitions collected at once would pass Spark's default {@code spark.driver.maxResultSize}
     * of 1 GiB and fail the job.
     */
    static int directResults(long bytes, long budget) {
        return (int) Math.max(2, Math.min(OrderedReduce.DIRECT, budget / Math.max(1, bytes)));
    }

    /** A quarter of {@code spark.driver.maxResultSize} (1 GiB unless set; 0, unlimited, counts as 1 GiB). */
    static long resultBudget(JavaSparkContext jsc) {
        long max = jsc.getConf().getSizeAsBytes("spark.driver.maxResultSize", "1g");
        return (max <= 0 ? 1L << 30 : max) / 4;
    }

    /** The Java-serialized size of {@code o}, counting stopped just beyond {@code limit}. */
    static long serializedBytes(Object o, long limit) {
        class Full extends java.io.IOException {
            private static final long serialVersionUID = 1L;
        }
        long[] bytes = {0};
        java.io.OutputStream counter = new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                write(null, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                bytes[0] += len;
                if (bytes[0] > limit) {
                    throw new Full();
                }
            }
        };
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(counter)) {
            out.writeObject(o);
        } catch (Full e) {
            return bytes[0];
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot serialize " + o.getClass().getName(), e);
        }
        return bytes[0];
    }

    private static <S extends Mergeable<S>, W> S fold(EStep<S, W> s, int capacity, BlockChoice choice,
                                                                int partition, Iterator<DataBlock> it) throws Exception {
        W work = s.workspace(capacity);
        S acc = s.zero();
        int block = 0;
        while (it.hasNext()) {
            DataBlock b = it.next();
            if (b.rows() > 0 && choice.reads(partition, block)) {
                s.accumulate(acc, work, b.values(), b.weights(), b.rows());
            }
            block++;
        }
        return acc;
    }

    /**
     * The same pass over a small cache's blocks kept on the driver ({@link BlockCache#localPartitions}): each
     * partition folded into its own statistics, merged in {@link OrderedReduce}'s order, so the result is the
     * distributed pass's bits without a Spark job (a job costs tens of milliseconds, more than a pass over a
     * few thousand rows).
     */
    private static <S extends Mergeable<S>, W> S onDriver(List<List<DataBlock>> partitions, EStep<S, W> step,
                                                          int capacity, BlockChoice choice, int direct) throws Exception {
        W work = step.workspace(capacity);
        List<S> parts = new java.util.ArrayList<>(partitions.size());
        for (int p = 0; p < partitions.size(); p++) {
            S acc = step.zero();
            List<DataBlock> partition = partitions.get(p);
            for (int block = 0; block < partition.size(); block++) {
                DataBlock b = partition.get(block);
                if (b.rows() > 0 && choice.reads(p, block)) {
                    step.accumulate(acc, work, b.values(), b.weights(), b.rows());
                }
            }
            parts.add(acc);
        }
        return OrderedReduce.reduceLocal(parts, Mergeable::combine, direct).orElseGet(step::zero);
    }
}
