package io.sufstat.jobs.stream;

import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.io.AtomicOutput;
import io.sufstat.jobs.io.HadoopFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * A streaming fit's output directory: {@code versions/<batch id>/} (model.json, state.json, metrics.json, each
 * version written atomically like any sufstat output) and {@code latest/model.json}, replaced by an atomic rename
 * once its version is complete, so a reader never sees a partial model. The directory carries sufstat's marker;
 * one that does not, and is not empty, is refused.
 */
final class StreamOutput {

    private final FileSystem fs;
    private final Path root;
    private final Configuration conf;

    private StreamOutput(FileSystem fs, Path root, Configuration conf) {
        this.fs = fs;
        this.root = root;
        this.conf = conf;
    }

    /** Opens (creating when absent) the output at {@code dir}. */
    static StreamOutput open(String dir, Configuration conf) throws IOException {
        Path p = new Path(dir);
        FileSystem fs = HadoopFiles.fileSystem(p, conf);
        Path root = fs.makeQualified(p);
        if (fs.exists(root)) {
            if (!fs.getFileStatus(root).isDirectory()) {
                throw JobFailedException.output("output " + shown(root) + " is a file; choose another --output");
            }
            if (fs.listStatus(root).length > 0 && !fs.exists(new Path(root, AtomicOutput.MARKER))) {
                throw JobFailedException.output("output directory " + shown(root) + " is not empty and was not written by"
                        + " sufstat (no " + AtomicOutput.MARKER + " marker); choose another --output");
            }
        }
        fs.mkdirs(new Path(root, "versions"));
        fs.create(new Path(root, AtomicOutput.MARKER), true).close();
        return new StreamOutput(fs, root, conf);
    }

    String shown() {
        return shown(root);
    }

    private static String shown(Path p) {
        return HadoopFiles.redact(p.toString());
    }

    private Path version(long batch) {
        return new Path(new Path(root, "versions"), Long.toString(batch));
    }

    /** Whether version {@code batch} is complete (a replayed micro-batch finds it so). */
    boolean hasVersion(long batch) throws IOException {
        return fs.exists(new Path(version(batch), "_SUCCESS"));
    }

    /** The state of the newest complete version before {@code batch}, if any. */
    Optional<String> stateBefore(long batch) throws IOException {
        long best = -1;
        for (FileStatus st : fs.listStatus(new Path(root, "versions"))) {
            String name = st.getPath().getName();
            if (st.isDirectory() && name.matches("\\d{1,18}") && Long.parseLong(name) < batch
                    && Long.parseLong(name) > best && fs.exists(new Path(st.getPath(), "_SUCCESS"))) {
                best = Long.parseLong(name);
            }
        }
        if (best < 0) {
            return Optional.empty();
        }
        return Optional.of(HadoopFiles.readText(fs, new Path(version(best), "state.json"), 1L << 30, "streaming state"));
    }

    String stateSource(long batch) {
        return shown(new Path(version(batch), "state.json"));
    }

    /** Writes version {@code batch} atomically: every file of {@code files} (name → text). */
    void writeVersion(long batch, Map<String, String> files) throws IOException {
        AtomicOutput out = AtomicOutput.at(version(batch).toString(), true, "stream", conf);
        try {
            for (Map.Entry<String, String> f : files.entrySet()) {
                out.writeText(f.getKey(), f.getValue());
            }
            out.commit();
        } finally {
            out.abort();
        }
    }

    /** {@code DIR/latest/model.json}, once a batch has written a model. */
    Optional<String> latestModel() throws IOException {
        Path model = new Path(new Path(root, "latest"), "model.json");
        return fs.exists(model) ? Optional.of(model.toString()) : Optional.empty();
    }

    /** Points {@code latest/} at version {@code batch}: its model.json replaces latest/model.json in one rename. */
    void moveLatest(long batch) throws IOException {
        Path model = new Path(version(batch), "model.json");
        if (!fs.exists(model)) {
            return;
        }
        Path latest = new Path(root, "latest");
        fs.mkdirs(latest);
        Path temp = new Path(latest, ".model.json.tmp");
        try (OutputStream o = fs.create(temp, true)) {
            o.write(HadoopFiles.readText(fs, model, 1L << 30, "model").getBytes(StandardCharsets.UTF_8));
        }
        FileContext.getFileContext(temp.toUri(), conf).rename(temp, new Path(latest, "model.json"),
                Options.Rename.OVERWRITE);
        try (OutputStream o = fs.create(new Path(latest, "version"), true)) {
            o.write((batch + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }
}
