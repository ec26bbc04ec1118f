package io.sufstat.jobs.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sufstat.jobs.cli.JobFailedException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the fields of an untrusted JSON file (a model.json, a checkpoint) and checks every shape before
 * anything is allocated from it: arrays are sized from what the file holds, never from a number it
 * declares, every number must be finite, and a violation is one {@link JobFailedException#model} line
 * naming the file and the field. Parsing itself is bounded by Jackson's stream-read constraints
 * (nesting depth, number and string lengths) and refuses duplicate keys and trailing content.
 */
public final class JsonShapes {

    /** A parser for untrusted files: shallow nesting, short numbers and names, no duplicate keys. */
    private static final ObjectMapper STRICT = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxNumberLength(64)
                    .maxStringLength(1 << 16).maxNameLength(256).build())
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final String source;

    private JsonShapes(String source) {
        this.source = source;
    }

    /** Checks fields of the file described by {@code source} ("model /data/m/model.json"). */
    public static JsonShapes of(String source) {
        return new JsonShapes(source);
    }

    /** Parses {@code text} as one JSON object. */
    public JsonNode parseObject(String text) {
        JsonNode n;
        try {
            n = STRICT.readTree(text);
        } catch (Exception e) {
            String m = String.valueOf(e.getMessage());
            int cut = m.indexOf("\n at [Source");
            throw fail("is not valid JSON (" + (cut >= 0 ? m.substring(0, cut) : m).replaceAll("\\s+", " ").trim() + ")");
        }
        if (n == null || !n.isObject()) {
            throw fail("is not a JSON object");
        }
        return n;
    }

    /** An error about the whole file. */
    public JobFailedException fail(String problem) {
        return JobFailedException.model(source + " " + problem);
    }

    /** An error about one field. */
    public JobFailedException field(String field, String problem) {
        return JobFailedException.model(source + ": field " + field + " " + problem);
    }

    /** A required string field. */
    public String text(JsonNode parent, String field) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            throw field(field, "is missing");
        }
        if (!v.isTextual()) {
            throw field(field, "must be a string, not " + v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
        }
        return v.asText();
    }

    /** A required whole number in [min, max]. */
    public long integer(JsonNode parent, String field, long min, long max) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            throw field(field, "is missing");
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw field(field, "must be a whole number from " + min + " to " + max + ", not " + preview(v));
        }
        return v.asLong();
    }

    /** A required finite number. */
    public double number(JsonNode parent, String field) {
        return finite(parent.get(field), field);
    }

    /** The array at {@code field} with exactly {@code n} elements. */
    public JsonNode array(JsonNode node, String field, int n) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw field(field, "is missing");
        }
        if (!node.isArray()) {
            throw field(field, "must be an array, not " + preview(node));
        }
        if (node.size() != n) {
            throw field(field, "must have " + n + " elements, not " + node.size());
        }
        return node;
    }

    /** The size of a required array field (at most {@code max}). */
    public int size(JsonNode parent, String field, int min, int max) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            throw field(field, "is missing");
        }
        if (!v.isArray()) {
            throw field(field, "must be an array, not " + preview(v));
        }
        if (v.size() < min || v.size() > max) {
            throw field(field, "has " + v.size() + " elements; between " + min + " and " + max + " are allowed");
        }
        return v.size();
    }

    /** An array of {@code n} finite numbers. */
    public double[] vector(JsonNode node, String field, int n) {
        array(node, field, n);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = finite(node.get(i), field + "[" + i + "]");
        }
        return v;
    }

    /** A {@code rows × cols} matrix as nested rows, returned row-major; every row is checked before allocating. */
    public double[] matrix(JsonNode node, String field, int rows, int cols) {
        array(node, field, rows);
        for (int r = 0; r < rows; r++) {
            array(node.get(r), field + "[" + r + "]", cols);
        }
        double[] m = new double[Math.multiplyExact(rows, cols)];
        for (int r = 0; r < rows; r++) {
            JsonNode row = node.get(r);
            for (int c = 0; c < cols; c++) {
                m[r * cols + c] = finite(row.get(c), field + "[" + r + "][" + c + "]");
            }
        }
        return m;
    }

    /** Non-empty, distinct names (at most {@code max}). */
    public List<String> names(JsonNode parent, String field, int max) {
        int n = size(parent, field, 1, max);
        JsonNode a = parent.get(field);
        List<String> out = new ArrayList<>(n);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            JsonNode v = a.get(i);
            if (!v.isTextual() || v.asText().isBlank()) {
                throw field(field + "[" + i + "]", "must be a non-empty name, not " + preview(v));
            }
            if (!seen.add(v.asText())) {
                throw field(field, "names '" + v.asText() + "' twice; feature names must be distinct");
            }
            out.add(v.asText());
        }
        return out;
    }

    private double finite(JsonNode v, String field) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            throw field(field, "is missing");
        }
        if (!v.isNumber()) {
            throw field(field, "is not a number: " + preview(v));
        }
        double x = v.asDouble();
        if (!Double.isFinite(x)) {
            throw field(field, "is not a finite number: " + preview(v));
        }
        return x;
    }

    private static String preview(JsonNode v) {
        String s = v.isContainerNode() ? v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) : v.toString();
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
