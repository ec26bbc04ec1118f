package io.sufstat.jobs.em;

import io.sufstat.common.em.EStep;
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
 * writes broadcast → mapPartitions → ordered reduce. A cache small enough to be kept on the driver is
 * passed over there, in the same order, without a Spark job.
 */
public final class BlockPass {

    private BlockPass() {
    }

    /** The statistics of every cached row under {@code step} (the empty statistics for no rows). */
    public static <S extends Mergeable<S>, W> S run(JavaSparkContext jsc, BlockCache cache, EStep<S, W> step) throws Exception {
        int capacity = cache.blockRows();
        if (cache.localPartitions().isPresent()) {
            return onDriver(cache.localPartitions().get(), step, capacity);
        }
        Broadcast<EStep<S, W>> shipped = jsc.broadcast(step);
        try {
            return OrderedReduce.reduce(cache.blocks().mapPartitions((Iterator<DataBlock> it) -> {
                EStep<S, W> s = shipped.value();
                W work = s.workspace(capacity);
                S acc = s.zero();
                while (it.hasNext()) {
                    DataBlock b = it.next();
                    if (b.rows() > 0) {
                        s.accumulate(acc, work, b.values(), b.weights(), b.rows());
                    }
                }
                return List.of(acc).iterator();
            }), Mergeable::combine).orElseGet(step::zero);
        } finally {
            shipped.destroy();
        }
    }

    /**
     * The same pass over a small cache's blocks kept on the driver ({@link BlockCache#localPartitions}): each
     * partition folded into its own statistics, merged in {@link OrderedReduce}'s order, so the result is the
     * distributed pass's bits without a Spark job (a job costs tens of milliseconds, more than a pass over a
     * few thousand rows).
     */
    private static <S extends Mergeable<S>, W> S onDriver(List<List<DataBlock>> partitions, EStep<S, W> step,
                                                          int capacity) throws Exception {
        W work = step.workspace(capacity);
        List<S> parts = new java.util.ArrayList<>(partitions.size());
        for (List<DataBlock> partition : partitions) {
            S acc = step.zero();
            for (DataBlock b : partition) {
                if (b.rows() > 0) {
                    step.accumulate(acc, work, b.values(), b.weights(), b.rows());
                }
            }
            parts.add(acc);
        }
        return OrderedReduce.reduceLocal(parts, Mergeable::combine).orElseGet(step::zero);
    }
}
