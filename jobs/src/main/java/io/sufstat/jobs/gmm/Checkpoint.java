package io.sufstat.jobs.gmm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
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
 * fit (K, covariance type, initialisation) a directory of {@code iteration-NNNNNN.json} files, each
 * written to a hidden temporary name and renamed into place (atomic on HDFS and local disks), the two
 * newest kept. A state holds the mixture's parameters bit for bit (JSON doubles round-trip exactly, and
 * {@link GaussianMixture#restore} keeps the weights' bits), the iterations done and the log-likelihood
 * trace, so the resumed run continues exactly as the uninterrupted one would have.
 *
 * <p>A checkpoint never yields a wrong model. Every state carries a fingerprint of its run: the data's
 * contents (row count, weight sum and a hash of every row, from the caching pass), the features and
 * every option that changes the EM path (K, covariance type, initialisation and its seed, reg-covar,
 * missing values). On any difference the fit starts afresh with a WARN line naming what changed.
 * {@code --tol} and {@code --max-iter} do not change the path, only where it stops: the saved trace
 * tells where the new values stop it, and the state is resumed only when that is not before the saved
 * iteration. A truncated or corrupt state file is an error that names the file.
 */
final class Checkpoint {

    private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);
    private static final int FORMAT_VERSION = 2;
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
    static Checkpoint open(String dir, Configuration conf, Map<String, String> fingerprint) throws IOException {
        Path p = new Path(dir);
        FileSystem fs = HadoopFiles.fileSystem(p, conf);
        if (fs.exists(p) && !fs.getFileStatus(p).isDirectory()) {
            throw JobFailedException.output("--checkpoint " + HadoopFiles.redact(dir) + " is a file, not a directory");
        }
        fs.mkdirs(p);
        return new Checkpoint(fs, fs.makeQualified(p), Map.copyOf(fingerprint));
    }

    /** The saved state of one EM run. */
    record State(GaussianMixture model, int iterations, double[] trace, double previous, boolean converged) {
    }

    /** How EM stops: at the first iteration whose change is below tol, or at maxIter. */
    record Stopping(int maxIter, double tol) {
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

    /** The place of one fit's states. */
    Slot slot(int k, CovarianceType type, int init, int dimension) {
        Map<String, String> fp = new LinkedHashMap<>(runFingerprint);
        fp.put("k", Integer.toString(k));
        fp.put("covarianceType", type.label());
        fp.put("initRun", Integer.toString(init));
        return new Slot(new Path(dir, "k" + k + "-" + type.label() + "-init" + init), fp, k, type, dimension);
    }

    /** One fit's states: the latest one loaded, each new one saved atomically. */
    final class Slot {
        private final Path path;
        private final Map<String, String> fingerprint;
        private final int k;
        private final CovarianceType type;
        private final int dimension;

        private Slot(Path path, Map<String, String> fingerprint, int k, CovarianceType type, int dimension) {
            this.path = path;
            this.fingerprint = fingerprint;
            this.k = k;
            this.type = type;
            this.dimension = dimension;
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
        Optional<State> load(Stopping stopping) throws IOException {
            FileStatus[] files = states();
            if (files.length == 0) {
                return Optional.empty();
            }
            Path file = files[0].getPath();
            JsonShapes f = JsonShapes.of("checkpoint " + file);
            State s;
            List<String> changed;
            try {
                JsonNode n = f.parseObject(HadoopFiles.readText(fs, file, MAX_FILE_BYTES, "checkpoint"));
                changed = changedFields(n.get("fingerprint"));
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
            return Optional.of(new State(s.model(), s.iterations(), s.trace(), s.previous(), converged));
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

        void save(State s) throws IOException {
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
            GaussianMixture m = s.model();
            n.put("covarianceType", m.covarianceType().label());
            n.set("weights", Json.array(m.weights(), "weights"));
            ArrayNode means = n.putArray("means");
            ArrayNode covs = n.putArray("covariances");
            for (int j = 0; j < m.size(); j++) {
                means.add(Json.array(m.component(j).mean(), "mean"));
                covs.add(Json.array(m.component(j).covariance(), "covariance"));
            }
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

        private State parse(JsonShapes f, JsonNode n) {
            if (!n.path("formatVersion").isIntegralNumber() || n.get("formatVersion").asInt() != FORMAT_VERSION) {
                throw f.field("formatVersion", "is " + n.get("formatVersion") + ", not " + FORMAT_VERSION);
            }
            String typeLabel = f.text(n, "covarianceType");
            if (!typeLabel.equals(type.label())) {
                throw f.field("covarianceType", "is " + typeLabel + ", not " + type.label());
            }
            int iterations = (int) f.integer(n, "iterations", 1, Integer.MAX_VALUE - 1);
            double[] trace = f.vector(n.get("trace"), "trace", iterations);
            double[] w = f.vector(n.get("weights"), "weights", k);
            f.array(n.get("means"), "means", k);
            f.array(n.get("covariances"), "covariances", k);
            double[][] means = new double[k][];
            double[][] covs = new double[k][];
            for (int j = 0; j < k; j++) {
                means[j] = f.vector(n.get("means").get(j), "means[" + j + "]", dimension);
                covs[j] = f.vector(n.get("covariances").get(j), "covariances[" + j + "]", dimension * dimension);
            }
            try {
                return new State(GaussianMixture.restore(type, w, means, covs), iterations, trace,
                        f.number(n, "previous"), false);
            } catch (IllegalArgumentException e) {
                throw f.fail("holds an invalid mixture: " + e.getMessage());
            }
        }
    }
}
