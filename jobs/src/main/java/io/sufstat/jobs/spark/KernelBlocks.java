package io.sufstat.jobs.spark;

import io.sufstat.common.model.BlockDensity;
import io.sufstat.common.model.MixtureKernel;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.UnaryOperator;

/**
 * Streams a partition's rows through a {@link BlockDensity} (a Gaussian or Student-t mixture) a block at a time: rows are parsed into a
 * block of doubles, the block's log-densities and posteriors computed at once, then one output row
 * emitted per kept input row. Lazily, so a partition never has more than one block in memory. Rows are
 * {@code Row}s or Spark's internal rows; an iterator that reuses its row object (Spark's internal rows) must
 * copy the rows it keeps.
 */
public final class KernelBlocks {

    private KernelBlocks() {
    }

    /** Puts a row's features at {@code values[offset …]}; false to drop the row. */
    @FunctionalInterface
    public interface Parser<I> {
        boolean read(I row, double[] values, int offset);
    }

    /** The output row for input row {@code row}, number {@code i} of its block in {@code ws}. */
    @FunctionalInterface
    public interface Emitter<I, O> {
        O emit(I row, int i, MixtureKernel.Workspace ws);
    }

    /** Maps {@code rows} to output rows; {@code atEnd} runs once, after the last output row has been taken. */
    public static <I, O> Iterator<O> map(Iterator<I> rows, BlockDensity kernel, int blockRows, Parser<I> parser,
                                         Emitter<I, O> emitter, Runnable atEnd) {
        return map(rows, kernel, blockRows, parser, UnaryOperator.identity(), emitter, atEnd);
    }

    /** {@link #map}, keeping {@code keep(row)} of each parsed row until its block is emitted (a copy, for reused rows). */
    public static <I, O> Iterator<O> map(Iterator<I> rows, BlockDensity kernel, int blockRows, Parser<I> parser,
                                         UnaryOperator<I> keep, Emitter<I, O> emitter, Runnable atEnd) {
        int d = kernel.dimension();
        MixtureKernel.Workspace ws = kernel.workspace(blockRows);
        double[] values = new double[blockRows * d];
        Object[] kept = new Object[blockRows];
        return new Iterator<>() {
            int n;
            int next;
            boolean done;
            boolean ended;

            @Override
            public boolean hasNext() {
                while (next == n) {
                    if (done) {
                        if (!ended) {
                            ended = true;
                            atEnd.run();
                        }
                        return false;
                    }
                    n = 0;
                    next = 0;
                    while (n < blockRows && rows.hasNext()) {
                        I r = rows.next();
                        if (parser.read(r, values, n * d)) {
                            kept[n++] = keep.apply(r);
                        }
                    }
                    if (n > 0) {
                        kernel.posteriors(values, null, n, ws);
                    }
                    if (!rows.hasNext()) {
                        done = true;
                    }
                }
                return true;
            }

            @Override
            public O next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int i = next++;
                @SuppressWarnings("unchecked")
                I r = (I) kept[i];
                kept[i] = null;
                return emitter.emit(r, i, ws);
            }
        };
    }

    /** The most probable component of block row {@code i}. */
    public static int argmax(double[] posteriors, int i, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) {
            if (posteriors[i * k + j] > posteriors[i * k + best]) {
                best = j;
            }
        }
        return best;
    }
}
