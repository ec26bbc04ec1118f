package io.sufstat.jobs.em;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.io.HadoopFiles;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.JsonShapes;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * EM state saved after every iteration, so that a run whose driver died resumes where it stopped: per
 * fit (a slot: K, covariance type, initialisation run, …) a directory of {@code iteration-NNNNNN.json}
 * files, each written to a hidden temporary name and renamed into place (atomic on HDFS and local disks),
 * the two newest kept. A state holds the model's parameters bit for bit (its {@link StateCodec}), the
 * iterations done and the trace, so the resumed run continues exactly as the uninterrupted one would
 * have; every model fitted by {@link EmEngine} can be checkpointed.
 *
 * <p>A checkpoint never yields a wrong model. Every state carries a fingerprint of its run: the data's
 * contents (row count, weight sum and a hash of every row, from the caching pass), the features and
 * every option that changes the EM path (the job's own: K, covariance type, initialisation and its
 * seed, reg-covar, missing values, …). On any difference the fit starts afresh with a WARN line naming what changed.
 * {@code --tol} and {@code --max-iter} do not change the path, only where it stops: the saved trace
 * tells where the new values stop it, and the state is resumed only when that is not before the saved
 * iteration. A truncated or corrupt state file is an error that names the file.
 */
public final class Checkpoint {

    private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);
    private static final int FORMAT_VERSION = 3;
    private static final long MAX_FILE_BYTES = io.sufstat.jobs.io.ModelJson.MAX_FILE_BYTES;

    private final FileSystem fs;
    private final Path dir;
    private final Map<String, String> runFingerprint;

    private Checkpoint(FileSystem fs, Path dir, Map<String, String> runFingerprint) {
        this.fs = fs;
        this.dir = dir;
        this.runFingerprint = runFingerprint;
    }

    /** The checkpoint directory of a run whose data and options are {@code fingerprint} (name → value). */
    public static Checkpoint open(String dir, Configuration conf, Map<String, String> fingerprint) throws IOException {
        Path p = new Path(dir);
        FileSystem fs = HadoopFiles.fileSystem(p, conf);
        if (fs.exists(p) && !fs.getFileStatus(p).isDirectory()) {
            throw JobFailedException.output("--checkpoint " + HadoopFiles.redact(dir) + " is a file, not a directory");
        }
        fs.mkdirs(p);
        return new Checkpoint(fs, fs.makeQualified(p), Map.copyOf(fingerprint));
    }

    /** The saved state of one EM run. */
    public record State<P>(P model, int iterations, double[] trace, double previous, boolean converged) {
    }

    /** How EM stops: at the first iteration whose change is below tol, or at maxIter. */
    public record Stopping(int maxIter, double tol) {
        /** The first iteration among the first {@code n} of {@code trace} whose change is below tol, or n + 1. */
        int converges(double[] trace, int n) {
            for (int it = 2; it <= n; it++) {
                if (Math.abs(trace[it - 1] - trace[it - 2]) < tol) {
                    return it;
                }
            }
            return n + 1;
        }

        /** The iteration an uninterrupted run stops at, when that is within the first {@code n}; else n + 1 or more. */
        int stopWithin(double[] trace, int n) {
            return Math.min(converges(trace, n), maxIter);
        }
    }

    /**
     * The place of one fit's states: directory {@code name} (e.g. {@code k3-full-init0}), fingerprinted by
     * the run's fields and {@code fields} (K, covariance type, initialisation run, …).
     */
    public <P> Slot<P> slot(String name, Map<String, String> fields, StateCodec<P> codec) {
        Map<String, String> fp = new LinkedHashMap<>(runFingerprint);
        fp.putAll(fields);
        return new Slot<>(new Path(dir, name), fp, codec);
    }

    /** One fit's states: the latest one loaded, each new one saved atomically. */
    public final class Slot<P> {
        private final Path path;
        private final Map<String, String> fingerprint;
        private final StateCodec<P> codec;

        private Slot(Path path, Map<String, String> fingerprint, StateCodec<P> codec) {
            this.path = path;
            this.fingerprint = fingerprint;
            this.codec = codec;
        }

        private FileStatus[] states() throws IOException {
            if (!fs.exists(path)) {
                return new FileStatus[0];
            }
            FileStatus[] files = fs.listStatus(path, p -> p.getName().matches("iteration-\\d{6}\\.json"));
            Arrays.sort(files, (a, b) -> b.getPath().getName().compareTo(a.getPath().getName()));
            return files;
        }

        /**
         * The newest saved state when it belongs to this run and {@code stopping} does not stop EM before
         * it; otherwise empty (after a WARN line saying why, and removing the stale states).
         *
         * @throws JobFailedException when the newest state file is truncated or corrupt
         */
        Optional<State<P>> load(Stopping stopping) throws IOException {
            FileStatus[] files = states();
            if (files.length == 0) {
                return Optional.empty();
            }
            Path file = files[0].getPath();
            JsonShapes f = JsonShapes.of("checkpoint " + file);
            State<P> s;
            List<String> changed;
            try {
                JsonNode n = f.parseObject(HadoopFiles.readText(fs, file, MAX_FILE_BYTES, "checkpoint"));
                changed = n.path("formatVersion").asInt(-1) != FORMAT_VERSION ? List.of("checkpoint format")
                        : changedFields(n.get("fingerprint"));
                s = changed.isEmpty() ? parse(f, n) : null;
            } catch (JobFailedException e) {
                throw JobFailedException.model(e.getMessage() + "; delete " + file + " (or the directory " + path
                        + ") to start this fit afresh");
            }
            if (!changed.isEmpty()) {
                LOG.warn("checkpoint {} is of a different run ({} changed): starting this fit afresh", path,
                        String.join(", ", changed));
                clear(files);
                return Optional.empty();
            }
            int stop = stopping.stopWithin(s.trace(), s.iterations());
            if (stop < s.iterations()) {
                LOG.warn("checkpoint {} holds iteration {}, but --tol {} and --max-iter {} stop EM at iteration {}:"
                        + " starting this fit afresh", path, s.iterations(), stopping.tol(), stopping.maxIter(), stop);
                clear(files);
                return Optional.empty();
            }
            boolean converged = stopping.converges(s.trace(), s.iterations()) == s.iterations();
            LOG.info("resuming from checkpoint {}: {} iterations done{}", file, s.iterations(), converged ? ", converged" : "");
            return Optional.of(new State<>(s.model(), s.iterations(), s.trace(), s.previous(), converged));
        }

        /** The fingerprint fields whose saved value differs from this run's, or "format" for an older file. */
        private List<String> changedFields(JsonNode saved) {
            List<String> changed = new ArrayList<>();
            if (saved == null || !saved.isObject()) {
                changed.add("checkpoint format");
                return changed;
            }
            for (Map.Entry<String, String> e : fingerprint.entrySet()) {
                JsonNode v = saved.get(e.getKey());
                if (v == null || !v.isTextual() || !v.asText().equals(e.getValue())) {
                    changed.add(e.getKey());
                }
            }
            saved.fieldNames().forEachRemaining(name -> {
                if (!fingerprint.containsKey(name)) {
                    changed.add(name);
                }
            });
            return changed;
        }

        /** Deletes this slot's state files (only files named as sufstat names them). */
        private void clear(FileStatus[] files) throws IOException {
            for (FileStatus f : files) {
                fs.delete(f.getPath(), false);
            }
        }

        void save(State<P> s) throws IOException {
            ObjectNode n = Json.object();
            n.put("formatVersion", FORMAT_VERSION);
            ObjectNode fp = n.putObject("fingerprint");
            fingerprint.forEach(fp::put);
            n.put("iterations", s.iterations());
            n.put("previous", s.previous());
            ArrayNode trace = n.putArray("trace");
            for (int i = 0; i < s.iterations(); i++) {
                trace.add(s.trace()[i]);
            }
            codec.write(s.model(), n.putObject("model"));
            String name = String.format("iteration-%06d.json", s.iterations());
            Path tmp = new Path(path, "." + name + "." + UUID.randomUUID() + ".tmp");
            fs.mkdirs(path);
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                out.write(Json.write(n).getBytes(StandardCharsets.UTF_8));
                out.hsync();
            }
            Path target = new Path(path, name);
            fs.delete(target, false);
            if (!fs.rename(tmp, target)) {
                throw new IOException("could not rename " + tmp + " to " + target);
            }
            // Keep the two newest states.
            FileStatus[] files = states();
            for (int i = 2; i < files.length; i++) {
                fs.delete(files[i].getPath(), false);
            }
        }

        private State<P> parse(JsonShapes f, JsonNode n) {
            if (!n.path("formatVersion").isIntegralNumber() || n.get("formatVersion").asInt() != FORMAT_VERSION) {
                throw f.field("formatVersion", "is " + n.get("formatVersion") + ", not " + FORMAT_VERSION);
            }
            int iterations = (int) f.integer(n, "iterations", 1, Integer.MAX_VALUE - 1);
            double[] trace = f.vector(n.get("trace"), "trace", iterations);
            JsonNode model = n.get("model");
            if (model == null || !model.isObject()) {
                throw f.field("model", "is missing");
            }
            try {
                return new State<>(codec.read(model, f), iterations, trace, f.number(n, "previous"), false);
            } catch (IllegalArgumentException e) {
                throw f.fail("holds an invalid model: " + e.getMessage());
            }
        }
    }
}
