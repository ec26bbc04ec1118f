package io.sufstat.common.linalg;

/**
 * The two level-3 products an EM pass spends its time in, behind one interface so that each JVM runs
 * the fastest implementation it has: sufstat's own register-blocked SIMD kernels
 * ({@code jdk.incubator.vector}, which every Spark 4 JVM loads), or netlib's {@code dgemm} (native
 * OpenBLAS or Java) where the Vector API is absent. The SIMD kernels skip the zero triangle of the
 * precision factors that a general GEMM multiplies and square as they go; for the E-step's shapes
 * (hundreds of rows, d + 1 ≤ a few hundred) they run about 3× faster than OpenBLAS's dgemm plus a
 * squaring pass, and 15× faster than netlib's Java dgemm; at d = 1,000 a whole EM iteration on them is still
 * 20% faster than on OpenBLAS (bench-gmm, 6.8 against 8.6 s).
 *
 * <p>Both products take blocks in layouts that both implementations share, so the choice changes
 * nothing but speed: a sub-block's centred rows transposed ({@code (d + 1) × ld}, row {@code c} holding
 * coordinate c of every row, row d ones), and gathered M-step rows row-major with
 * {@link #paddedWidth} columns.
 */
public abstract class BlockProducts {

    private static final BlockProducts ACTIVE = choose();

    BlockProducts() {
    }

    /** The implementation this JVM uses: SIMD when the Vector API is present, else GEMM on netlib's BLAS. */
    public static BlockProducts get() {
        return ACTIVE;
    }

    /** The GEMM implementation on netlib's active BLAS, whatever else is available (for tests and benchmarks). */
    public static BlockProducts gemm() {
        return GemmProducts.INSTANCE;
    }

    /** True when {@code jdk.incubator.vector} is loaded in this JVM (Spark 4 adds it to every driver and executor). */
    public static boolean vectorApiAvailable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /**
     * The SIMD implementation, or empty without the Vector API module. Checked before the class that uses
     * the module is loaded, so a JVM without it never sees a linkage error.
     */
    public static java.util.Optional<BlockProducts> simd() {
        return vectorApiAvailable() ? java.util.Optional.of(VectorProducts.create()) : java.util.Optional.empty();
    }

    /** {@code -Dsufstat.products=gemm|simd} overrides the choice (benchmarks, and a way out should a kernel misbehave). */
    private static BlockProducts choose() {
        String forced = System.getProperty("sufstat.products", "auto");
        switch (forced) {
            case "gemm":
                return GemmProducts.INSTANCE;
            case "simd":
            case "auto":
                return simd().orElse(GemmProducts.INSTANCE);
            default:
                throw new IllegalArgumentException("-Dsufstat.products must be auto, gemm or simd, not " + forced);
        }
    }

    /** Row width of gathered M-step rows and of a component's Gram matrix: {@code w} rounded up to 8. */
    public static int paddedWidth(int w) {
        return (w + 7) & ~7;
    }

    /** The transposed centred rows' stride {@code ld} must be a multiple of this. */
    public abstract int rowAlignment();

    /** Doubles of work space {@link #squaredNorms} needs for {@code ld} rows and {@code kd} factor columns. */
    public abstract int workSize(int ld, int kd);

    /**
     * The factors ({@code (d + 1) × K·d} row-major, as {@link #squaredNorms} describes) in the layout this
     * implementation reads them in: the row-major array itself for GEMM. Made once per kernel and JVM.
     */
    public double[] prepareFactors(double[] f, int d, int k) {
        return f;
    }

    /**
     * The E-step's product and its squares: for the transposed centred rows {@code xt} ({@code (d + 1) × ld},
     * last row ones) and the factors {@code f} ({@code (d + 1) × K·d} row-major: K upper-triangular
     * {@code d × d} blocks side by side over a row of offsets) in this implementation's layout
     * ({@link #prepareFactors}),
     * {@code out[j·ld + i] = ‖[x_i, 1] F_j‖²} for every component j and row {@code i < rows}; entries of
     * rows past {@code rows} up to the next multiple of {@link #rowAlignment()} are overwritten with
     * values of no meaning.
     */
    public abstract void squaredNorms(double[] xt, int ld, int rows, int d, int k, double[] f, double[] work,
                                      double[] out);

    /**
     * The M-step's Gram matrix: {@code q[off + a·wp + b] += Σ_i g[i·wp + a] g[i·wp + b]} for
     * {@code 0 ≤ b ≤ a < w}, {@code wp = paddedWidth(w)}, over {@code rows} rows of {@code g} starting at
     * {@code gOff}. Entries above the diagonal are unspecified.
     */
    public abstract void addGram(double[] g, int gOff, int rows, int w, double[] q, int off);

    /** For the logs, e.g. {@code SIMD (8 doubles per vector)}. */
    public abstract String describe();
}
