package io.sufstat.common.linalg;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run's BLAS is the one asked for, and the row-major conventions of the kernels hold. */
class BlasTest {

    @Test
    void javaBlasWhenNativeIsDisallowed() {
        if ("false".equals(System.getProperty("dev.ludovic.netlib.blas.allowNative"))) {
            assertFalse(Blas.isNative(), Blas.describe());
        }
        assertTrue(Blas.describe().startsWith(Blas.isNative() ? "native" : "Java"));
    }

    /** dsyrk on a row-major n×d block fills the row-major lower triangle of XᵀX. */
    @Test
    void syrkOfARowMajorBlock() {
        int n = 5;
        int d = 3;
        double[] x = new double[n * d];
        for (int k = 0; k < x.length; k++) {
            x[k] = Math.sin(k + 1);
        }
        double[] c = new double[d * d];
        Blas.get().dsyrk("U", "N", d, n, 1.0, x, d, 0.0, c, d);
        for (int r = 0; r < d; r++) {
            for (int col = 0; col <= r; col++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += x[i * d + r] * x[i * d + col];
                }
                assertEquals(s, c[r * d + col], 1e-14);
            }
        }
    }
}
