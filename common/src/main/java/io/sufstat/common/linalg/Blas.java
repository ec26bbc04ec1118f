package io.sufstat.common.linalg;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;

/**
 * The BLAS sufstat's block kernels call: the one Spark itself ships ({@code dev.ludovic.netlib}),
 * which is native OpenBLAS through JNI when the machine has it and a pure-Java (vectorised where the
 * JVM allows) implementation otherwise.
 *
 * <p>netlib's BLAS is column-major. A row-major {@code n × d} block is the column-major
 * {@code d × n} matrix of its transpose, which is how the kernels here hand blocks to it.
 */
public final class Blas {

    private Blas() {
    }

    /** The process-wide BLAS instance (native when available). */
    public static BLAS get() {
        return BLAS.getInstance();
    }

    /** True when the active BLAS is a native library reached through JNI. */
    public static boolean isNative() {
        return get() instanceof NativeBLAS;
    }

    /**
     * One line for the logs: which BLAS is active and what the EM kernels run on, e.g.
     * {@code native (…JNIBLAS); EM products: BLAS dgemm}.
     */
    public static String describe() {
        return (isNative() ? "native" : "Java") + " (" + get().getClass().getName() + "); EM products: "
                + BlockProducts.get().describe();
    }
}
