package io.sufstat.jobs.em;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.jobs.io.JsonShapes;

/**
 * How a model's parameters are saved in a checkpoint and read back bit for bit (JSON doubles round-trip
 * exactly). Reading is from an untrusted file: shapes are checked against the fit's own K, d and q.
 */
public interface StateCodec<P> {

    /** The parameters' fields, added to {@code into}. */
    void write(P params, ObjectNode into);

    /** The parameters from {@code n}, checked by {@code f}; throws a {@code JobFailedException} naming the field. */
    P read(JsonNode n, JsonShapes f);
}
