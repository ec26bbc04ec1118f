package io.sufstat.jobs.io;

import io.sufstat.jobs.cli.JobFailedException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way a model file can be wrong gets a message that names the problem (and is never deserialised). */
class ModelJsonValidationTest {

    static final String HEAD = "{\"kind\":\"gaussian-mixture\",\"formatVersion\":1,\"features\":[\"a\",\"b\"],"
            + "\"covarianceType\":\"full\",";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{not json|not valid JSON",
        "[1, 2]|not a JSON object",
        "{\"kind\":\"gaussian\",\"formatVersion\":7,\"features\":[\"a\"]}|formatVersion 7",
        "{\"kind\":\"tree\",\"formatVersion\":1,\"features\":[\"a\"]}|field kind is 'tree'",
        "{\"kind\":\"gaussian\",\"formatVersion\":1,\"features\":[]}|field features has 0 elements",
        "{\"kind\":\"gaussian\",\"formatVersion\":1,\"features\":[\"a\",\"b\"],\"mean\":[0],\"covariance\":[[1,0],[0,1]]}|field mean must have 2 elements, not 1",
        "{\"kind\":\"gaussian\",\"formatVersion\":1,\"features\":[\"a\",\"b\"],\"mean\":[0,\"x\"],\"covariance\":[[1,0],[0,1]]}|mean[1] is not a number",
        "{\"kind\":\"gaussian\",\"formatVersion\":1,\"features\":[\"a\",\"b\"],\"mean\":[0,0],\"covariance\":[[1,2],[2,1]]}|not positive definite",
        "{\"kind\":\"gaussian\",\"formatVersion\":1,\"features\":[\"a\",\"b\"],\"mean\":[0,0],\"covariance\":[[1,0.5],[0,1]]}|symmetric",
        HEAD + "\"weights\":[0.5,0.6],\"means\":[[0,0],[1,1]],\"covariances\":[[[1,0],[0,1]],[[1,0],[0,1]]]}|sum to",
        HEAD + "\"weights\":[0.5,0.5],\"means\":[[0,0]],\"covariances\":[[[1,0],[0,1]],[[1,0],[0,1]]]}|as many weights, means and covariances",
        HEAD + "\"weights\":[1],\"means\":[[0,0]],\"covariances\":[[[1,0,0],[0,1,0]]]}|field covariances[0][0] must have 2 elements, not 3",
    })
    void badModelsAreNamed(String text, String expected) {
        JobFailedException e = assertThrows(JobFailedException.class, () -> ModelJson.read(text, "m.json"));
        assertTrue(e.getMessage().contains("m.json") && e.getMessage().contains(expected), e.getMessage());
    }
}
