package io.sufstat.jobs.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sufstat.jobs.SparkTest;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * model.json format version 1 is stable: the Iris model has the golden file's fields, in its order, with
 * its strings and counts, and numbers equal to 1e-14 relative (BLAS implementations round the last
 * bits differently).
 */
class ModelJsonGoldenTest extends SparkTest {

    @Test
    void irisModelMatchesTheGoldenFile() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode golden;
        try (InputStream in = getClass().getResourceAsStream("/golden/iris-mle-model.json")) {
            golden = json.readTree(in);
        }
        Path iris = Files.exists(Path.of("../sample-data/iris.csv")) ? Path.of("../sample-data/iris.csv")
                : Path.of("sample-data/iris.csv");
        Path out = tempDir("golden").resolve("iris");
        runJob("mle", "--input", iris.toString(), "--output", out.toString());
        JsonNode actual = json.readTree(out.resolve("model.json").toFile());
        assertEquals(fieldNames(golden), fieldNames(actual));
        assertSame(golden, actual, "$");
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void assertSame(JsonNode expected, JsonNode actual, String path) {
        assertEquals(expected.getNodeType(), actual.getNodeType(), path);
        if (expected.isObject()) {
            for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                assertTrue(actual.has(f), path + "." + f);
                assertSame(expected.get(f), actual.get(f), path + "." + f);
            }
        } else if (expected.isArray()) {
            assertEquals(expected.size(), actual.size(), path);
            for (int i = 0; i < expected.size(); i++) {
                assertSame(expected.get(i), actual.get(i), path + "[" + i + "]");
            }
        } else if (expected.isFloatingPointNumber()) {
            double e = expected.asDouble();
            // The log-likelihood sums log-determinant and trace terms whose last bits differ between the
            // Java and native BLAS: 1e-14 relative (about 40 ulp) covers both.
            assertEquals(e, actual.asDouble(), Math.max(8 * Math.ulp(e), 1e-14 * Math.abs(e)), path);
        } else {
            assertEquals(expected, actual, path);
        }
    }
}
