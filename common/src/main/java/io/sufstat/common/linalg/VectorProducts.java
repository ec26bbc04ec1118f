package io.sufstat.common.linalg;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BlockProducts} as register-blocked SIMD kernels on the Vector API: lanes run over rows in the
 * E-step (so each lane accumulates one row's squared norm and no horizontal sum is needed) and over
 * columns in the M-step (outer-product updates of a tile of the Gram matrix held in registers). Both
 * skip work that is known to be zero: rows of a factor below its diagonal, and the Gram matrix's upper
 * triangle. Loaded only after {@link BlockProducts#vectorApiAvailable()} said the module is there.
 */
final class VectorProducts extends BlockProducts {

    /** The widest preferred species that divides 8, so that {@link #paddedWidth} rows hold whole vectors. */
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED.length() <= 8
            ? DoubleVector.SPECIES_PREFERRED : DoubleVector.SPECIES_512;
    private static final int L = S.length();

    private VectorProducts() {
    }

    static VectorProducts create() {
        return new VectorProducts();
    }

    @Override
    public int rowAlignment() {
        return 2 * L;
    }

    @Override
    public int workSize(int ld, int kd) {
        return 0;
    }

    /**
     * Each component's upper triangle packed in the order the kernel reads it: per group of 4 columns (then per
     * remaining column) its offsets, then its rows 0 … last, contiguous. Read from the row-major layout, a group's
     * 4 entries of consecutive rows lie K·d doubles apart, a new page for every row once K·d passes 512: past
     * d ≈ 300 the kernel ran at a third of its speed, waiting on the TLB and a prefetcher that could not follow.
     */
    @Override
    public double[] prepareFactors(double[] f, int d, int k) {
        int kd = k * d;
        int offsets = d * kd;
        double[] packed = new double[packedSize(d, k)];
        int p = 0;
        for (int j = 0; j < k; j++) {
            int col = j * d;
            int end = col + d;
            for (; col + 4 <= end; col += 4) {
                System.arraycopy(f, offsets + col, packed, p, 4);
                p += 4;
                for (int c = 0; c <= col - j * d + 3; c++) {
                    System.arraycopy(f, c * kd + col, packed, p, 4);
                    p += 4;
                }
            }
            for (; col < end; col++) {
                packed[p++] = f[offsets + col];
                for (int c = 0; c <= col - j * d; c++) {
                    packed[p++] = f[c * kd + col];
                }
            }
        }
        return packed;
    }

    /** Doubles of {@link #prepareFactors}' layout. */
    static int packedSize(int d, int k) {
        int size = 0;
        int col = 0;
        for (; col + 4 <= d; col += 4) {
            size += 4 * (col + 5);
        }
        for (; col < d; col++) {
            size += col + 2;
        }
        return k * size;
    }

    @Override
    public void squaredNorms(double[] xt, int ld, int rows, int d, int k, double[] f, double[] work, double[] out) {
        if (f.length != packedSize(d, k)) {
            throw new IllegalArgumentException("factors of " + f.length + " doubles are not packed for d = " + d
                    + ", K = " + k + " (prepareFactors)");
        }
        if (f.length > TILE_FIRST_LIMIT) {
            squaredNormsByColumnGroup(xt, ld, rows, d, k, f, out);
            return;
        }
        for (int i0 = 0; i0 < rows; i0 += 2 * L) {
            int p = 0;
            for (int j = 0; j < k; j++) {
                int o = j * ld;
                DoubleVector.zero(S).intoArray(out, o + i0);
                DoubleVector.zero(S).intoArray(out, o + i0 + L);
                int col = 0;
                for (; col + 4 <= d; col += 4) {
                    p = addGroupOfFour(xt, ld, i0, f, p, col + 3, out, o);
                }
                for (; col < d; col++) {
                    p = addColumn(xt, ld, i0, f, p, col, out, o);
                }
            }
        }
    }

    /**
     * Packed factors up to this many doubles (1 MiB, one core's L2 cache here) are streamed once per tile of rows;
     * larger ones (d ≳ 150 at K = 10, or d = 100 at K = 200) group by group, each group over every tile while it
     * sits in L1. Measured by {@code bench-gmm}: at d = 100, K = 10 tile first was 8% faster; at d = 100, K = 200
     * group first 13%, at d = 400 35%, at d = 1,000 (40 MB of factors) 39%.
     * {@code -Dsufstat.tileFirstLimit} changes it (for benchmarks; both orders give the same bits).
     */
    private static final int TILE_FIRST_LIMIT = Integer.getInteger("sufstat.tileFirstLimit", 128 * 1024);

    /**
     * {@link #squaredNorms} with the loops turned: per component and group of 4 columns, every tile of rows, its
     * running sums of squares kept in {@code out} between groups. The same operations on each lane in the same
     * order as the tile-first loop, so the same bits; but each group of the factors is read from memory once per
     * sub-block instead of once per 16 rows (at d = 1,000 and K = 10 the packed factors are 40 MB).
     */
    static void squaredNormsByColumnGroup(double[] xt, int ld, int rows, int d, int k, double[] f,
                                          double[] out) {
        int p = 0;
        for (int j = 0; j < k; j++) {
            int o = j * ld;
            java.util.Arrays.fill(out, o, o + ld, 0.0);
            int col = 0;
            int next = p;
            for (; col + 4 <= d; col += 4, p = next) {
                for (int i0 = 0; i0 < rows; i0 += 2 * L) {
                    next = addGroupOfFour(xt, ld, i0, f, p, col + 3, out, o);
                }
            }
            for (; col < d; col++, p = next) {
                for (int i0 = 0; i0 < rows; i0 += 2 * L) {
                    next = addColumn(xt, ld, i0, f, p, col, out, o);
                }
            }
        }
    }

    /**
     * The one inner step of both loop orders: for the 2·L rows at {@code i0}, the products with the 4 factor
     * columns packed at {@code p} (offsets, then rows 0 … {@code last}), whose squares are added to the running
     * sums in {@code out[o + i0 …]}. Column col + t of an upper-triangular block is zero below row col + t, so
     * rows past the group's last column are neither stored nor read. Returns where the next group starts.
     */
    private static int addGroupOfFour(double[] xt, int ld, int i0, double[] f, int p, int last, double[] out, int o) {
        DoubleVector a0 = DoubleVector.broadcast(S, f[p]);
        DoubleVector a1 = DoubleVector.broadcast(S, f[p + 1]);
        DoubleVector a2 = DoubleVector.broadcast(S, f[p + 2]);
        DoubleVector a3 = DoubleVector.broadcast(S, f[p + 3]);
        DoubleVector b0 = a0;
        DoubleVector b1 = a1;
        DoubleVector b2 = a2;
        DoubleVector b3 = a3;
        int q = p + 4;
        for (int c = 0; c <= last; c++, q += 4) {
            int xo = c * ld + i0;
            DoubleVector x0 = DoubleVector.fromArray(S, xt, xo);
            DoubleVector x1 = DoubleVector.fromArray(S, xt, xo + L);
            DoubleVector f0 = DoubleVector.broadcast(S, f[q]);
            DoubleVector f1 = DoubleVector.broadcast(S, f[q + 1]);
            DoubleVector f2 = DoubleVector.broadcast(S, f[q + 2]);
            DoubleVector f3 = DoubleVector.broadcast(S, f[q + 3]);
            a0 = x0.fma(f0, a0);
            b0 = x1.fma(f0, b0);
            a1 = x0.fma(f1, a1);
            b1 = x1.fma(f1, b1);
            a2 = x0.fma(f2, a2);
            b2 = x1.fma(f2, b2);
            a3 = x0.fma(f3, a3);
            b3 = x1.fma(f3, b3);
        }
        DoubleVector s0 = DoubleVector.fromArray(S, out, o + i0);
        DoubleVector s1 = DoubleVector.fromArray(S, out, o + i0 + L);
        a0.fma(a0, s0).add(a1.mul(a1)).add(a2.fma(a2, a3.mul(a3))).intoArray(out, o + i0);
        b0.fma(b0, s1).add(b1.mul(b1)).add(b2.fma(b2, b3.mul(b3))).intoArray(out, o + i0 + L);
        return q;
    }

    /** {@link #addGroupOfFour} for one remaining column {@code col} (packed at {@code p}: offset, rows 0 … col). */
    private static int addColumn(double[] xt, int ld, int i0, double[] f, int p, int col, double[] out, int o) {
        DoubleVector a = DoubleVector.broadcast(S, f[p]);
        DoubleVector b = a;
        for (int c = 0; c <= col; c++) {
            int xo = c * ld + i0;
            DoubleVector fc = DoubleVector.broadcast(S, f[p + 1 + c]);
            a = DoubleVector.fromArray(S, xt, xo).fma(fc, a);
            b = DoubleVector.fromArray(S, xt, xo + L).fma(fc, b);
        }
        a.fma(a, DoubleVector.fromArray(S, out, o + i0)).intoArray(out, o + i0);
        b.fma(b, DoubleVector.fromArray(S, out, o + i0 + L)).intoArray(out, o + i0 + L);
        return p + col + 2;
    }

    @Override
    public void addGram(double[] g, int gOff, int rows, int w, double[] q, int off) {
        int wp = paddedWidth(w);
        for (int a0 = 0; a0 < w; a0 += 4) {
            int na = Math.min(4, w - a0);
            // Vectors of columns b that reach the tile's lower triangle: those starting at or before its last row.
            int vectors = (a0 + na - 1) / L + 1;
            int v = 0;
            if (na == 4) {
                for (; v + 2 <= vectors; v += 2) {
                    tile4x2(g, gOff, rows, wp, a0, v * L, q, off);
                }
                if (v < vectors) {
                    tile4x1(g, gOff, rows, wp, a0, v * L, q, off);
                }
            } else {
                for (int a = a0; a < a0 + na; a++) {
                    for (int u = 0; u < vectors; u++) {
                        tile1x1(g, gOff, rows, wp, a, u * L, q, off);
                    }
                }
            }
        }
    }

    private static void tile4x2(double[] g, int gOff, int rows, int wp, int a, int b, double[] q, int off) {
        DoubleVector c00 = DoubleVector.zero(S);
        DoubleVector c01 = c00;
        DoubleVector c10 = c00;
        DoubleVector c11 = c00;
        DoubleVector c20 = c00;
        DoubleVector c21 = c00;
        DoubleVector c30 = c00;
        DoubleVector c31 = c00;
        for (int i = 0, o = gOff; i < rows; i++, o += wp) {
            DoubleVector y0 = DoubleVector.fromArray(S, g, o + b);
            DoubleVector y1 = DoubleVector.fromArray(S, g, o + b + L);
            DoubleVector x0 = DoubleVector.broadcast(S, g[o + a]);
            DoubleVector x1 = DoubleVector.broadcast(S, g[o + a + 1]);
            DoubleVector x2 = DoubleVector.broadcast(S, g[o + a + 2]);
            DoubleVector x3 = DoubleVector.broadcast(S, g[o + a + 3]);
            c00 = y0.fma(x0, c00);
            c01 = y1.fma(x0, c01);
            c10 = y0.fma(x1, c10);
            c11 = y1.fma(x1, c11);
            c20 = y0.fma(x2, c20);
            c21 = y1.fma(x2, c21);
            c30 = y0.fma(x3, c30);
            c31 = y1.fma(x3, c31);
        }
        addInto(q, off + a * wp + b, c00);
        addInto(q, off + a * wp + b + L, c01);
        addInto(q, off + (a + 1) * wp + b, c10);
        addInto(q, off + (a + 1) * wp + b + L, c11);
        addInto(q, off + (a + 2) * wp + b, c20);
        addInto(q, off + (a + 2) * wp + b + L, c21);
        addInto(q, off + (a + 3) * wp + b, c30);
        addInto(q, off + (a + 3) * wp + b + L, c31);
    }

    private static void tile4x1(double[] g, int gOff, int rows, int wp, int a, int b, double[] q, int off) {
        DoubleVector c0 = DoubleVector.zero(S);
        DoubleVector c1 = c0;
        DoubleVector c2 = c0;
        DoubleVector c3 = c0;
        for (int i = 0, o = gOff; i < rows; i++, o += wp) {
            DoubleVector y = DoubleVector.fromArray(S, g, o + b);
            c0 = y.fma(DoubleVector.broadcast(S, g[o + a]), c0);
            c1 = y.fma(DoubleVector.broadcast(S, g[o + a + 1]), c1);
            c2 = y.fma(DoubleVector.broadcast(S, g[o + a + 2]), c2);
            c3 = y.fma(DoubleVector.broadcast(S, g[o + a + 3]), c3);
        }
        addInto(q, off + a * wp + b, c0);
        addInto(q, off + (a + 1) * wp + b, c1);
        addInto(q, off + (a + 2) * wp + b, c2);
        addInto(q, off + (a + 3) * wp + b, c3);
    }

    private static void tile1x1(double[] g, int gOff, int rows, int wp, int a, int b, double[] q, int off) {
        DoubleVector c = DoubleVector.zero(S);
        for (int i = 0, o = gOff; i < rows; i++, o += wp) {
            c = DoubleVector.fromArray(S, g, o + b).fma(DoubleVector.broadcast(S, g[o + a]), c);
        }
        addInto(q, off + a * wp + b, c);
    }

    private static void addInto(double[] q, int at, DoubleVector v) {
        DoubleVector.fromArray(S, q, at).add(v).intoArray(q, at);
    }

    @Override
    public String describe() {
        return "SIMD kernels (Vector API, " + L + " doubles per vector)";
    }
}
