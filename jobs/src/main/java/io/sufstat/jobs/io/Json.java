package io.sufstat.jobs.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * JSON output with Jackson (the one Spark ships): field order as inserted, doubles in Java's shortest
 * round-trip form, so a rerun on the same input writes the same bytes. Non-finite numbers are refused:
 * they have no JSON form and never belong in a model.
 */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** An array of finite doubles. */
    public static ArrayNode array(double[] values, String what) {
        ArrayNode a = MAPPER.createArrayNode();
        for (int i = 0; i < values.length; i++) {
            a.add(finite(values[i], what + "[" + i + "]"));
        }
        return a;
    }

    /** A nested array of the rows of a row-major {@code rows × cols} matrix. */
    public static ArrayNode matrix(double[] m, int cols, String what) {
        ArrayNode a = MAPPER.createArrayNode();
        for (int r = 0; r < m.length / cols; r++) {
            ArrayNode row = a.addArray();
            for (int c = 0; c < cols; c++) {
                row.add(finite(m[r * cols + c], what + "[" + r + "][" + c + "]"));
            }
        }
        return a;
    }

    public static double finite(double v, String what) {
        if (!Double.isFinite(v)) {
            throw new IllegalStateException(what + " is " + v + ": refusing to write a non-finite number");
        }
        return v;
    }

    public static String write(Object node) {
        try {
            return MAPPER.writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
