package io.sufstat.jobs.bench;

import io.sufstat.common.linalg.Cholesky;
import io.sufstat.common.linalg.SymmetricEigen;
import io.sufstat.common.model.Ppca;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.em.EmEngine;
import io.sufstat.jobs.ppca.PpcaJob;
import io.sufstat.jobs.spark.BlockCache;
import io.sufstat.jobs.spark.DataBlock;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.feature.PCA;
import org.apache.spark.ml.feature.PCAModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * {@code sufstat bench-ppca}: sufstat's PPCA against Spark MLlib's {@code PCA} on the same generated rows
 * {@code x = W z + ε} (W random d × q, unit noise): time, and the largest principal angle between each
 * method's subspace and the true one. MLlib forms the d × d Gramian on the driver; sufstat never does.
 */
public final class BenchPpcaJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(BenchPpcaJob.class);

    /** This job's main class, for spark-submit. */
    public static final String CLASS = "io.sufstat.jobs.bench.BenchPpcaJob";

    public static void main(String[] args) {
        io.sufstat.jobs.core.Runner.main(new BenchPpcaJob(), args);
    }

    @Override
    public String name() {
        return "bench-ppca";
    }

    @Override
    public String summary() {
        return "Benchmark: sufstat ppca vs Spark MLlib PCA (time, subspace accuracy) at high dimension.";
    }

    @Override
    public String synopsis() {
        return "[--rows 20000] [--dim 10000] [--q 10] [--mllib true|false]";
    }

    @Override
    public String description() {
        return "Generates N rows x = W z + ε in D dimensions (W with N(0, 1) entries scaled by 3, q latent"
                + " dimensions, unit noise), cached once as row blocks and once as a DataFrame of vectors. Fits"
                + " sufstat's PPCA (tol 1e-9) and, with --mllib true, MLlib's PCA (k = q), and prints the seconds"
                + " of each and sin of the largest principal angle between its subspace and span(W).";
    }

    static final Opt<Long> ROWS = Opt.whole("rows", "N", "Rows (suffixes k, m allowed).").defaultsTo("20000")
            .check(n -> n > 0, "positive");
    static final Opt<Integer> DIM = Opt.integer("dim", "D", "Features.").defaultsTo("10000").check(d -> d > 1, "at least 2");
    static final Opt<Integer> Q = Opt.integer("q", "Q", "Latent dimension.").defaultsTo("10").check(q -> q > 0, "positive");

    @Override
    public List<Opt<?>> options() {
        return List.of(ROWS, DIM, Q, BenchResults.PARTITIONS, BenchResults.MLLIB, BenchResults.SEED);
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        long n = o.get(ROWS);
        int d = o.get(DIM);
        int q = o.get(Q);
        long seed = o.get(BenchResults.SEED);
        JavaSparkContext jsc = ctx.sparkContext();
        int partitions = BenchResults.partitions(o, jsc);
        SplittableRandom rng = new SplittableRandom(seed);
        double[] w = new double[d * q];
        for (int i = 0; i < w.length; i++) {
            w[i] = 3 * rng.nextGaussian();
        }
        JavaRDD<DataBlock> blocks = jsc.parallelize(IntStream.range(0, partitions).boxed().toList(), partitions)
                .mapPartitions((Iterator<Integer> it) -> {
                    int p = it.next();
                    long from = n * p / partitions;
                    long to = n * (p + 1) / partitions;
                    SplittableRandom r = new SplittableRandom(seed * 1_000_003L + p);
                    List<DataBlock> out = new ArrayList<>();
                    int rowsPerBlock = Math.max(16, 262_144 / d);
                    for (long start = from; start < to; start += rowsPerBlock) {
                        int rows = (int) Math.min(rowsPerBlock, to - start);
                        double[] v = new double[rows * d];
                        double[] z = new double[q];
                        for (int i = 0; i < rows; i++) {
                            for (int a = 0; a < q; a++) {
                                z[a] = r.nextGaussian();
                            }
                            for (int j = 0; j < d; j++) {
                                double s = r.nextGaussian();
                                for (int a = 0; a < q; a++) {
                                    s += w[j * q + a] * z[a];
                                }
                                v[i * d + j] = s;
                            }
                        }
                        out.add(BlockCache.block(rows, v, null));
                    }
                    return out.iterator();
                });
        double[] truth = orthonormal(w, d, q);
        StringBuilder table = new StringBuilder(String.format("%n%-36s %10s %22s%n", "method", "seconds", "sin(largest angle)"));
        try (BlockCache cache = BlockCache.withoutMoments(blocks, d, StorageLevel.MEMORY_ONLY())) {
            LOG.info("bench-ppca: {} rows × {} features cached, q = {}", n, d, q);
            long t = System.nanoTime();
            EmEngine.Fit<io.sufstat.common.model.Ppca> fit = PpcaJob.fit(jsc, cache, d, q, 200, 1e-9, seed, 1, null, null);
            double s = (System.nanoTime() - t) / 1e9;
            table.append(String.format("%-36s %10.2f %22.3e%n", "sufstat ppca (" + fit.iterations() + " passes, "
                    + String.format("%.2f", fit.secondsPerIteration()) + " s each)", s,
                    sinLargestAngle(truth, fit.model().principalAxes(), d, q)));
            if (o.get(BenchResults.MLLIB)) {
                JavaRDD<Row> rows = cache.blocks().flatMap((DataBlock b) -> {
                    List<Row> out = new ArrayList<>(b.rows());
                    for (int i = 0; i < b.rows(); i++) {
                        out.add(RowFactory.create(Vectors.dense(java.util.Arrays.copyOfRange(b.values(), i * d, (i + 1) * d))));
                    }
                    return out.iterator();
                });
                Dataset<Row> df = ctx.spark().createDataFrame(rows, DataTypes.createStructType(List.of(
                        DataTypes.createStructField("features", SQLDataTypes.VectorType(), false))))
                        .persist(StorageLevel.MEMORY_ONLY());
                df.count();
                t = System.nanoTime();
                PCAModel pca = new PCA().setK(q).setInputCol("features").setOutputCol("pca").fit(df);
                s = (System.nanoTime() - t) / 1e9;
                double[] pc = new double[d * q];
                for (int i = 0; i < d; i++) {
                    for (int a = 0; a < q; a++) {
                        pc[i * q + a] = pca.pc().apply(i, a);
                    }
                }
                table.append(String.format("%-36s %10.2f %22.3e%n", "Spark MLlib PCA (d × d on the driver)", s,
                        sinLargestAngle(truth, pc, d, q)));
                df.unpersist(true);
            }
        }
        System.out.print(table);
    }

    /** An orthonormal basis of the columns of a (d × q, row-major): {@code a L⁻ᵀ} with {@code aᵀa = LLᵀ}. */
    static double[] orthonormal(double[] a, int d, int q) {
        double[] g = new double[q * q];
        for (int i = 0; i < d; i++) {
            for (int r = 0; r < q; r++) {
                for (int c = 0; c < q; c++) {
                    g[r * q + c] += a[i * q + r] * a[i * q + c];
                }
            }
        }
        Cholesky ch = Cholesky.decompose(g, q).orThrow(null);
        double[] out = new double[d * q];
        double[] row = new double[q];
        for (int i = 0; i < d; i++) {
            System.arraycopy(a, i * q, row, 0, q);
            ch.solveLowerInPlace(row);
            System.arraycopy(row, 0, out, i * q, q);
        }
        return out;
    }

    /** sin of the largest principal angle between the spans of two orthonormal d × q bases. */
    static double sinLargestAngle(double[] u, double[] v, int d, int q) {
        double[] c = new double[q * q];
        for (int i = 0; i < d; i++) {
            for (int r = 0; r < q; r++) {
                for (int k = 0; k < q; k++) {
                    c[r * q + k] += u[i * q + r] * v[i * q + k];
                }
            }
        }
        double[] ctc = new double[q * q];
        for (int r = 0; r < q; r++) {
            for (int k = 0; k < q; k++) {
                double s = 0;
                for (int i = 0; i < q; i++) {
                    s += c[i * q + r] * c[i * q + k];
                }
                ctc[r * q + k] = s;
            }
        }
        double[] ev = SymmetricEigen.of(ctc, q).values();
        return Math.sqrt(Math.max(0, 1 - ev[q - 1]));
    }
}
