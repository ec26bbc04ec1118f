package io.sufstat.common.linalg;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every available {@link BlockProducts} against plain loops, over shapes that hit each tile and tail. */
class BlockProductsTest {

    private static List<BlockProducts> implementations() {
        List<BlockProducts> all = new ArrayList<>();
        all.add(BlockProducts.gemm());
        BlockProducts.simd().ifPresent(all::add);
        return all;
    }

    @Test
    void theSimdKernelsAreAvailableWhereSparkRuns() {
        // The test JVM gets Spark's module options, as every Spark 4 driver and executor does.
        assertTrue(BlockProducts.simd().isPresent(), "jdk.incubator.vector should be loaded");
        String expected = "gemm".equals(System.getProperty("sufstat.products")) ? "BLAS dgemm" : "SIMD";
        assertTrue(BlockProducts.get().describe().startsWith(expected), BlockProducts.get().describe());
    }

    /**
     * Large factors are streamed group by group over every tile of rows instead of tile by tile: both loop orders
     * must give the same bits, and the packing must hold the upper triangles whatever d mod 4 is.
     */
    @Test
    void bothLoopOrdersOfTheSimdKernelGiveTheSameBits() {
        Random rnd = new Random(5);
        BlockProducts p = BlockProducts.simd().orElseThrow();
        for (int d : new int[] {1, 4, 7, 21, 70}) {
            for (int k : new int[] {1, 2}) {
                int rows = 37;
                int align = p.rowAlignment();
                int ld = (rows + align - 1) / align * align;
                int kd = k * d;
                double[] xt = centredRows(rnd, d, ld);
                double[] f = factors(rnd, d, k);
                double[] packed = p.prepareFactors(f, d, k);
                assertEquals(VectorProducts.packedSize(d, k), packed.length);
                double[] tileFirst = new double[k * ld];
                double[] groupFirst = new double[k * ld];
                p.squaredNorms(xt, ld, rows, d, k, packed, new double[p.workSize(ld, kd)], tileFirst);
                VectorProducts.squaredNormsByColumnGroup(xt, ld, rows, d, k, packed, groupFirst);
                for (int j = 0; j < k; j++) {
                    for (int i = 0; i < rows; i++) {
                        assertEquals(Double.doubleToLongBits(tileFirst[j * ld + i]),
                                Double.doubleToLongBits(groupFirst[j * ld + i]), "d=" + d + " k=" + k + " row " + i);
                    }
                }
            }
        }
    }

    @Test
    void squaredNormsMatchPlainLoops() {
        Random rnd = new Random(11);
        for (BlockProducts p : implementations()) {
            for (int d : new int[] {1, 3, 4, 5, 8, 20, 21}) {
                for (int k : new int[] {1, 3}) {
                    for (int rows : new int[] {1, 7, 16, 33}) {
                        int align = p.rowAlignment();
                        int ld = (rows + align - 1) / align * align;
                        int kd = k * d;
                        double[] xt = centredRows(rnd, d, ld);
                        double[] f = factors(rnd, d, k);
                        double[] out = new double[k * ld];
                        p.squaredNorms(xt, ld, rows, d, k, p.prepareFactors(f, d, k), new double[p.workSize(ld, kd)], out);
                        for (int j = 0; j < k; j++) {
                            for (int i = 0; i < rows; i++) {
                                double expect = 0;
                                for (int c = 0; c < d; c++) {
                                    double z = 0;
                                    for (int r = 0; r <= d; r++) {
                                        z += xt[r * ld + i] * f[r * kd + j * d + c];
                                    }
                                    expect += z * z;
                                }
                                assertEquals(expect, out[j * ld + i], 1e-12 * expect,
                                        p.describe() + " d=" + d + " k=" + k + " rows=" + rows);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void gramMatchesPlainLoopsOnTheLowerTriangleAndAccumulates() {
        Random rnd = new Random(12);
        for (BlockProducts p : implementations()) {
            for (int w : new int[] {1, 2, 4, 5, 8, 9, 21, 30}) {
                for (int rows : new int[] {1, 3, 40}) {
                    int wp = BlockProducts.paddedWidth(w);
                    int gOff = 5 * wp;
                    double[] g = new double[gOff + rows * wp];
                    for (int i = 0; i < rows; i++) {
                        for (int c = 0; c < w; c++) {
                            g[gOff + i * wp + c] = rnd.nextGaussian();
                        }
                    }
                    int off = 3 * wp;
                    double[] q = new double[off + w * wp];
                    p.addGram(g, gOff, rows, w, q, off);
                    p.addGram(g, gOff, rows, w, q, off);
                    for (int a = 0; a < w; a++) {
                        for (int b = 0; b <= a; b++) {
                            double expect = 0;
                            for (int i = 0; i < rows; i++) {
                                expect += g[gOff + i * wp + a] * g[gOff + i * wp + b];
                            }
                            assertEquals(2 * expect, q[off + a * wp + b], 1e-12 * (1 + Math.abs(expect)),
                                    p.describe() + " w=" + w + " rows=" + rows + " (" + a + "," + b + ")");
                        }
                    }
                    for (int e = 0; e < off; e++) {
                        assertEquals(0.0, q[e], "wrote before its offset");
                    }
                }
            }
        }
    }

    /** Random transposed centred rows, {@code (d + 1) × ld}, the last row ones. */
    private static double[] centredRows(Random rnd, int d, int ld) {
        double[] xt = new double[(d + 1) * ld];
        for (int e = 0; e < d * ld; e++) {
            xt[e] = rnd.nextGaussian();
        }
        java.util.Arrays.fill(xt, d * ld, (d + 1) * ld, 1.0);
        return xt;
    }

    /** Random factors in the row-major layout: K upper triangles side by side over a row of offsets. */
    private static double[] factors(Random rnd, int d, int k) {
        int kd = k * d;
        double[] f = new double[(d + 1) * kd];
        for (int j = 0; j < k; j++) {
            for (int r = 0; r < d; r++) {
                for (int c = r; c < d; c++) {
                    f[r * kd + j * d + c] = rnd.nextGaussian();
                }
            }
            for (int c = 0; c < d; c++) {
                f[d * kd + j * d + c] = rnd.nextGaussian();
            }
        }
        return f;
    }
}
