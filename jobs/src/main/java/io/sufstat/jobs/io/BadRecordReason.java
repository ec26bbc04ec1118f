package io.sufstat.jobs.io;

/** Why a row of input could not be used; the keys of {@code skippedByReason} in metrics.json. */
public enum BadRecordReason {
    NOT_A_NUMBER("notANumber", "is not a number"),
    NON_FINITE("nonFinite", "is NaN or infinite"),
    MISSING_VALUE("missingValue", "is missing"),
    WRONG_COLUMN_COUNT("wrongColumnCount", "has the wrong number of columns"),
    BAD_WEIGHT("badWeight", "is not a finite, non-negative weight"),
    WRONG_VECTOR_SIZE("wrongVectorSize", "has the wrong vector size"),
    MALFORMED_RECORD("malformedRecord", "could not be parsed");

    private final String key;
    private final String phrase;

    BadRecordReason(String key, String phrase) {
        this.key = key;
        this.phrase = phrase;
    }

    /** The camel-case key used in metrics.json. */
    public String key() {
        return key;
    }

    /** What is wrong, as the end of a sentence about a value ("'abc' is not a number"). */
    public String phrase() {
        return phrase;
    }
}
