package io.sufstat.common.em;

/**
 * A 64-bit hash of a row's values, a seed and a salt (SplitMix64's finaliser over the IEEE bits): the
 * source of per-row randomness in initialisations, so that a seed picks the same rows and draws the same
 * random responsibilities however the data are partitioned.
 */
public final class RowHash {

    private RowHash() {
    }

    public static long of(double[] values, int offset, int d, long seed, long salt) {
        long h = mix(seed ^ mix(salt + 0x632BE59BD9B4E019L));
        for (int j = 0; j < d; j++) {
            h = mix(h ^ Double.doubleToLongBits(values[offset + j] + 0.0));
        }
        return h;
    }

    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform double in (0, 1) from a hash. */
    public static double uniform(long h) {
        return ((h >>> 11) + 0.5) * 0x1.0p-53;
    }
}
