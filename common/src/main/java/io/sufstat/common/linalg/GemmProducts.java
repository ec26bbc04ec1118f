package io.sufstat.common.linalg;

/** {@link BlockProducts} as two netlib {@code dgemm} calls (native or Java BLAS, whichever is active). */
final class GemmProducts extends BlockProducts {

    static final GemmProducts INSTANCE = new GemmProducts();

    private GemmProducts() {
    }

    @Override
    public int rowAlignment() {
        return 1;
    }

    @Override
    public int workSize(int ld, int kd) {
        return ld * kd;
    }

    @Override
    public void squaredNorms(double[] xt, int ld, int rows, int d, int k, double[] f, double[] work, double[] out) {
        int kd = k * d;
        // Column-major Z (rows × Kd) = [X, 1] (rows × w, ld) · F; F row-major is Fᵀ column-major, hence "T".
        Blas.get().dgemm("N", "T", rows, kd, d + 1, 1.0, xt, ld, f, kd, 0.0, work, rows);
        for (int j = 0; j < k; j++) {
            int o = j * ld;
            java.util.Arrays.fill(out, o, o + rows, 0.0);
            for (int col = j * d; col < (j + 1) * d; col++) {
                int zo = col * rows;
                for (int i = 0; i < rows; i++) {
                    double z = work[zo + i];
                    out[o + i] += z * z;
                }
            }
        }
    }

    @Override
    public void addGram(double[] g, int gOff, int rows, int w, double[] q, int off) {
        int wp = paddedWidth(w);
        // Row-major g (rows × wp) is column-major wp × rows; its first w rows times their transpose.
        Blas.get().dgemm("N", "T", w, w, rows, 1.0, g, gOff, wp, g, gOff, wp, 1.0, q, off, wp);
    }

    @Override
    public String describe() {
        return "BLAS dgemm";
    }
}
