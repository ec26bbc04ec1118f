package io.sufstat.jobs.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mergeable counts of what a read saw: rows read, rows used, rows skipped by reason, and the first few
 * skipped rows as examples for the log. Under the {@code skip} policy nothing is dropped silently: every
 * skipped row is counted here and reported in metrics.json.
 */
public final class ReadStats implements io.sufstat.common.stats.Mergeable<ReadStats> {
    private static final long serialVersionUID = 1L;
    private static final int MAX_EXAMPLES = 5;

    private long rowsRead;
    private long rowsUsed;
    private final EnumMap<BadRecordReason, Long> skipped = new EnumMap<>(BadRecordReason.class);
    private final List<String> examples = new ArrayList<>();

    public void read() {
        rowsRead++;
    }

    public void used() {
        rowsUsed++;
    }

    /** Counts a skipped row; keeps its description when fewer than five examples are kept. */
    public void skip(BadRecordReason reason, String description) {
        skipped.merge(reason, 1L, Long::sum);
        if (examples.size() < MAX_EXAMPLES) {
            examples.add(description);
        }
    }

    @Override
    public ReadStats combine(ReadStats other) {
        return merge(other);
    }

    /** Adds {@code other}'s counts (and examples, up to five) to these. */
    public ReadStats merge(ReadStats other) {
        rowsRead += other.rowsRead;
        rowsUsed += other.rowsUsed;
        other.skipped.forEach((k, v) -> skipped.merge(k, v, Long::sum));
        for (String e : other.examples) {
            if (examples.size() < MAX_EXAMPLES) {
                examples.add(e);
            }
        }
        return this;
    }

    public long rowsRead() {
        return rowsRead;
    }

    public long rowsUsed() {
        return rowsUsed;
    }

    public long rowsSkipped() {
        long s = 0;
        for (long v : skipped.values()) {
            s += v;
        }
        return s;
    }

    /** Skipped rows by reason key (only reasons that occurred), for metrics.json. */
    public Map<String, Long> skippedByReason() {
        Map<String, Long> m = new LinkedHashMap<>();
        skipped.forEach((k, v) -> m.put(k.key(), v));
        return m;
    }

    public List<String> examples() {
        return Collections.unmodifiableList(examples);
    }

    /** Adds rowsRead, rowsUsed, rowsSkipped and skippedByReason to a metrics.json object. */
    public void putInto(com.fasterxml.jackson.databind.node.ObjectNode metrics) {
        metrics.put("rowsRead", rowsRead);
        metrics.put("rowsUsed", rowsUsed);
        metrics.put("rowsSkipped", rowsSkipped());
        com.fasterxml.jackson.databind.node.ObjectNode by = metrics.putObject("skippedByReason");
        skippedByReason().forEach(by::put);
    }

    /** Logs one warning with the skipped rows by reason and the first examples, when any were skipped. */
    public void warnIfSkipped(org.slf4j.Logger log) {
        if (rowsSkipped() > 0) {
            log.warn("skipped {} of {} rows: {}; for example: {}", rowsSkipped(), rowsRead, skippedByReason(),
                    String.join(" | ", examples));
        }
    }

    /** Fails when no row was usable: the input had no data rows, or every row was skipped (and why). */
    public void requireUsableRows(String input) {
        if (rowsUsed == 0) {
            throw io.sufstat.jobs.cli.JobFailedException.input(rowsRead == 0
                    ? "the input " + input + " has no data rows"
                    : "no usable rows in " + input + ": all " + rowsRead + " rows were skipped " + skippedByReason());
        }
    }
}
