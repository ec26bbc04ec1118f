package io.sufstat.common.linalg;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CholeskyTest {

    /** A random SPD matrix B·Bᵀ + d·I. */
    static double[] randomSpd(int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] b = new double[d * d];
        for (int k = 0; k < b.length; k++) {
            b[k] = rng.nextGaussian();
        }
        double[] a = new double[d * d];
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < d; c++) {
                double s = r == c ? d : 0;
                for (int k = 0; k < d; k++) {
                    s += b[r * d + k] * b[c * d + k];
                }
                a[r * d + c] = s;
            }
        }
        return a;
    }

    @Test
    void solveInPlaceSolvesTheSystem() {
        double[] a = {4, 1.2, -0.6, 1.2, 3, 0.5, -0.6, 0.5, 2};
        double[] b = {1, -2, 0.5};
        double[] x = b.clone();
        Cholesky.decompose(a, 3).solveInPlace(x);
        for (int r = 0; r < 3; r++) {
            double s = 0;
            for (int c = 0; c < 3; c++) {
                s += a[r * 3 + c] * x[c];
            }
            org.junit.jupiter.api.Assertions.assertEquals(b[r], s, 1e-15);
        }
    }

    @Test
    void factorReproducesTheMatrix() {
        for (int d : new int[] {1, 2, 7, 40}) {
            double[] a = randomSpd(d, d);
            Cholesky chol = Cholesky.decompose(a, d);
            assertTrue(chol.isPositiveDefinite());
            double[] l = chol.lower();
            for (int r = 0; r < d; r++) {
                for (int c = 0; c < d; c++) {
                    if (c > r) {
                        assertEquals(0.0, l[r * d + c]);
                    }
                    double s = 0;
                    for (int k = 0; k < d; k++) {
                        s += l[r * d + k] * l[c * d + k];
                    }
                    assertEquals(a[r * d + c], s, 1e-12 * a[r * d + r]);
                }
            }
        }
    }

    @Test
    void determinantAgainstClosedForm() {
        double[] a = {4, 2, 0.6, 2, 5, 1, 0.6, 1, 3};
        double det = 4 * (5 * 3 - 1 * 1) - 2 * (2 * 3 - 1 * 0.6) + 0.6 * (2 * 1 - 5 * 0.6);
        assertEquals(Math.log(det), Cholesky.decompose(a, 3).logDeterminant(), 1e-14);
    }

    @Test
    void inverseTransposedFactorIsThePrecisionFactor() {
        int d = 9;
        double[] a = randomSpd(d, 3);
        double[] p = Cholesky.decompose(a, d).inverseTransposedFactor();
        // A · (P Pᵀ) = I
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < d; c++) {
                double s = 0;
                for (int k = 0; k < d; k++) {
                    double prec = 0;
                    for (int m = 0; m < d; m++) {
                        prec += p[k * d + m] * p[c * d + m];
                    }
                    s += a[r * d + k] * prec;
                }
                assertEquals(r == c ? 1.0 : 0.0, s, 1e-12);
            }
            for (int c = 0; c < r; c++) {
                assertEquals(0.0, p[r * d + c], "P is upper triangular");
            }
        }
    }

    @Test
    void constantFeatureIsNamed() {
        double[] a = {2, 0, 0, 0, 0, 0, 0, 0, 1};
        Cholesky chol = Cholesky.decompose(a, 3);
        assertFalse(chol.isPositiveDefinite());
        assertEquals(1, chol.failedIndex());
        NotPositiveDefiniteException e = assertThrows(NotPositiveDefiniteException.class,
                () -> chol.orThrow(new String[] {"x", "y", "z"}));
        assertTrue(e.getMessage().contains("'y'"), e.getMessage());
        assertTrue(e.getMessage().contains("constant"), e.getMessage());
        assertTrue(e.getMessage().contains("--reg-covar"), e.getMessage());
        assertEquals(1, e.pivotIndex());
    }

    @Test
    void collinearFeatureFailsAtRoundingLevelPivot() {
        // z = x + y exactly: rank 2.
        double[] a = {2, 0.5, 2.5, 0.5, 1, 1.5, 2.5, 1.5, 4};
        Cholesky chol = Cholesky.decompose(a, 3);
        assertFalse(chol.isPositiveDefinite());
        assertEquals(2, chol.failedIndex());
        assertTrue(chol.smallestRelativePivot() > 0.1);
        // A tiny ridge makes it positive definite again.
        a[8] += 1e-6;
        assertTrue(Cholesky.decompose(a, 3).isPositiveDefinite());
    }

    @Test
    void indefiniteAndNonFinite() {
        assertFalse(Cholesky.decompose(new double[] {1, 2, 2, 1}, 2).isPositiveDefinite());
        assertFalse(Cholesky.decompose(new double[] {Double.NaN, 0, 0, 1}, 2).isPositiveDefinite());
        assertThrows(IllegalArgumentException.class, () -> Cholesky.decompose(new double[3], 2));
    }

    @Test
    void forwardSubstitution() {
        double[] a = randomSpd(5, 9);
        Cholesky chol = Cholesky.decompose(a, 5);
        double[] l = chol.lower();
        double[] b = {1, -2, 3, 0.5, 4};
        double[] y = b.clone();
        chol.solveLowerInPlace(y);
        for (int r = 0; r < 5; r++) {
            double s = 0;
            for (int k = 0; k <= r; k++) {
                s += l[r * 5 + k] * y[k];
            }
            assertEquals(b[r], s, 1e-12);
        }
    }
}
