package io.sufstat.common.em;

import io.sufstat.common.model.FixtureJson;
import io.sufstat.common.stats.ClusterSums;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lloyd iterations from the same initial centres end at scikit-learn 1.2's {@code KMeans(algorithm="lloyd",
 * tol=0)} centres and inertia (fixtures by {@code common/src/test/python/make_kmeans_fixtures.py}), also at
 * an offset of 1e6; the inertia never increases.
 */
class LloydTest {

    static String fixture(String name) throws IOException {
        try (InputStream in = LloydTest.class.getResourceAsStream("/kmeans/" + name + ".json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"blobs-4", "overlapping-6", "offset-3"})
    void endsAtScikitLearnsCentres(String name) throws IOException {
        String f = fixture(name);
        double[][] x = FixtureJson.matrix(f, "x");
        double[] values = TMixtureEmTest.rows(x);
        int n = x.length;
        double[][] centres = FixtureJson.matrix(f, "initCentres");
        double previousInertia = Double.POSITIVE_INFINITY;
        double inertia = Double.NaN;
        int moved = 0;
        ClusterSums last = null;
        for (int it = 1; it <= 100; it++) {
            Lloyd step = Lloyd.from(centres);
            // Two blocks, to go through the merge as a distributed pass would.
            ClusterSums s = step.zero();
            step.accumulate(s, step.workspace(n), values, null, n / 2);
            ClusterSums rest = step.zero();
            step.accumulate(rest, step.workspace(n), java.util.Arrays.copyOfRange(values, (n / 2) * x[0].length,
                    values.length), null, n - n / 2);
            s.combine(rest);
            inertia = s.inertia();
            assertTrue(inertia <= previousInertia * (1 + 1e-12), name + ": the inertia rose at iteration " + it);
            previousInertia = inertia;
            double[][] next = step.next(s);
            // The labels stopped changing (scikit-learn's strict convergence): the centres are their means.
            if (last != null && sameWeights(last, s) || it > 60) {
                centres = next;
                last = s;
                break;
            }
            last = s;
            centres = next;
            moved = it;
        }
        double[][] expected = FixtureJson.matrix(f, "centres");
        for (int j = 0; j < expected.length; j++) {
            for (int c = 0; c < expected[j].length; c++) {
                assertEquals(expected[j][c], centres[j][c], 1e-10 * Math.max(1, Math.abs(expected[j][c])),
                        name + " centre " + j + "," + c);
            }
        }
        assertEquals(FixtureJson.number(f, "inertia"), inertia, 1e-9 * FixtureJson.number(f, "inertia"), name + " inertia");
        double[] counts = FixtureJson.vector(f, "counts");
        for (int j = 0; j < counts.length; j++) {
            assertEquals(counts[j], last.weight(j), 0.0, name + " rows in cluster " + j);
        }
        assertTrue(Math.abs(moved - (int) FixtureJson.number(f, "iterations")) <= 2,
                name + ": " + moved + " moving iterations against scikit-learn's " + FixtureJson.number(f, "iterations"));
    }

    private static boolean sameWeights(ClusterSums a, ClusterSums b) {
        for (int j = 0; j < a.clusters(); j++) {
            if (a.weight(j) != b.weight(j)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void emptyClusterKeepsItsCentreAndTiesGoToTheFirst() {
        double[] values = {0, 0, 1, 0, 0, 1};
        Lloyd step = Lloyd.from(new double[][] {{0, 0}, {0, 0}, {100, 100}});
        ClusterSums s = step.zero();
        step.accumulate(s, step.workspace(3), values, null, 3);
        assertEquals(3, s.weight(0), 0.0);
        assertEquals(0, s.weight(1), 0.0);
        double[][] next = step.next(s);
        assertEquals(1.0 / 3, next[0][0], 1e-15);
        assertEquals(100, next[2][1], 0.0);
        assertEquals(2, s.inertia(), 1e-15);
    }
}
