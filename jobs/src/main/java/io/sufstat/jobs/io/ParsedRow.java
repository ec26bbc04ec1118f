package io.sufstat.jobs.io;

import org.apache.spark.sql.catalyst.expressions.GenericRow;

/**
 * An input row that keeps every column as read and carries its features already parsed and checked (by
 * the CSV reader, which knows file and line): {@link ModelInput.FeatureReader} takes the features from
 * it instead of parsing the columns again.
 */
final class ParsedRow extends GenericRow {
    private static final long serialVersionUID = 1L;

    private final double[] features;

    ParsedRow(Object[] values, double[] features) {
        super(values);
        this.features = features;
    }

    /** The features in model order (NaN where missing, when missing values are allowed). */
    double[] features() {
        return features;
    }
}
