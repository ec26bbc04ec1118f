package io.sufstat.common.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link Mergeable} contract, one check for every statistics type (here and in sufstat-jobs): any
 * cutting of the rows into blocks and any order of combining the blocks' statistics — left to right after
 * a shuffle, or pairwise as a tree reduce — give the statistics of the whole, to 1e-12 relative in
 * everything they determine; and the empty summary is an identity on either side.
 */
public final class MergeableContract {

    private MergeableContract() {
    }

    /** One implementation: empty statistics, the statistics of rows [from, to), and what they determine. */
    public interface Subject<S extends Mergeable<S>> {
        S empty();

        S of(int from, int to);

        double[] observe(S s);
    }

    /** Checks {@code subject} over {@code n} rows with 20 random cuttings and merge orders. */
    public static <S extends Mergeable<S>> void check(String name, Subject<S> subject, int n) {
        double[] whole = subject.observe(subject.of(0, n));
        SplittableRandom rng = new SplittableRandom(3);
        for (int trial = 0; trial < 20; trial++) {
            List<S> parts = new ArrayList<>();
            for (int[] c : cuts(rng, n)) {
                parts.add(subject.of(c[0], c[1]));
            }
            Collections.shuffle(parts, new java.util.Random(rng.nextLong()));
            S merged;
            if (trial % 2 == 0) {
                merged = subject.empty();
                for (S p : parts) {
                    merged = merged.combine(p);
                }
            } else {
                while (parts.size() > 1) {
                    List<S> next = new ArrayList<>();
                    for (int i = 0; i < parts.size(); i += 2) {
                        next.add(i + 1 < parts.size() ? parts.get(i).combine(parts.get(i + 1)) : parts.get(i));
                    }
                    parts = next;
                }
                merged = parts.get(0);
            }
            assertClose(whole, subject.observe(merged), name + " trial " + trial);
        }
        assertArrayEquals(whole, subject.observe(subject.of(0, n).combine(subject.empty())), name + " · ∅");
        assertClose(whole, subject.observe(subject.empty().combine(subject.of(0, n))), name + " ∅ · x");
    }

    /** Random cut points of [0, n): between 1 and 12 blocks, some of them empty. */
    static List<int[]> cuts(SplittableRandom rng, int n) {
        int blocks = 1 + rng.nextInt(12);
        List<Integer> points = new ArrayList<>(List.of(0, n));
        for (int b = 1; b < blocks; b++) {
            points.add(rng.nextInt(n + 1));
        }
        Collections.sort(points);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i + 1 < points.size(); i++) {
            out.add(new int[] {points.get(i), points.get(i + 1)});
        }
        return out;
    }

    static void assertClose(double[] expected, double[] actual, String what) {
        assertTrue(expected.length == actual.length, what);
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-12 * Math.max(Math.abs(expected[i]), 1e-3 * scale);
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol, what + ": entry " + i + " " + expected[i] + " vs " + actual[i]);
        }
    }

    /** Concatenated arrays (for {@link Subject#observe}). */
    public static double[] concat(double[]... parts) {
        return Arrays.stream(parts).flatMapToDouble(Arrays::stream).toArray();
    }
}
