package io.sufstat.jobs.gmm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Failure;
import io.sufstat.jobs.io.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;

/**
 * EM state saved after every iteration, so that a run whose driver died resumes where it stopped: per
 * fit (K, covariance type, initialisation) a directory of {@code iteration-NNNNNN.json} files, each
 * written to a hidden temporary name and renamed into place (atomic on HDFS and local disks), the two
 * newest kept. A state holds the mixture's parameters bit for bit (JSON doubles round-trip exactly, and
 * {@link GaussianMixture#restore} keeps the weights' bits), the iterations done, the log-likelihood
 * trace and whether EM had converged, so the resumed run continues exactly as the uninterrupted one
 * would have. Every file carries a fingerprint of the run (input, features, rows, options); a checkpoint
 * of a different run is refused rather than silently continued.
 */
final class Checkpoint {

    private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);
    private static final int FORMAT_VERSION = 1;

    private final FileSystem fs;
    private final Path dir;
    private final String fingerprint;

    private Checkpoint(FileSystem fs, Path dir, String fingerprint) {
        this.fs = fs;
        this.dir = dir;
        this.fingerprint = fingerprint;
    }

    static Checkpoint open(String dir, Configuration conf, String fingerprint) throws IOException {
        Path p = new Path(dir);
        FileSystem fs = p.getFileSystem(conf);
        fs.mkdirs(p);
        return new Checkpoint(fs, fs.makeQualified(p), fingerprint);
    }

    /** The saved state of one EM run. */
    record State(GaussianMixture model, int iterations, double[] trace, double previous, boolean converged) {
    }

    /** The place of one fit's states. */
    Slot slot(int k, CovarianceType type, int init) {
        return new Slot(new Path(dir, "k" + k + "-" + type.label() + "-init" + init));
    }

    /** One fit's states: the latest one loaded, each new one saved atomically. */
    final class Slot {
        private final Path path;

        private Slot(Path path) {
            this.path = path;
        }

        /** True when a state has been saved here. */
        boolean hasState() throws IOException {
            return fs.exists(path) && fs.listStatus(path, p -> p.getName().startsWith("iteration-")
                    && p.getName().endsWith(".json")).length > 0;
        }

        Optional<State> load() throws IOException {
            if (!fs.exists(path)) {
                return Optional.empty();
            }
            FileStatus[] files = fs.listStatus(path, p -> p.getName().startsWith("iteration-") && p.getName().endsWith(".json"));
            Arrays.sort(files, (a, b) -> b.getPath().getName().compareTo(a.getPath().getName()));
            for (FileStatus f : files) {
                String text;
                try (InputStream in = fs.open(f.getPath())) {
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                JsonNode n = Json.MAPPER.readTree(text);
                if (!fingerprint.equals(n.path("fingerprint").asText())) {
                    throw new JobFailedException(Failure.MODEL, "checkpoint " + f.getPath() + " belongs to a different run ("
                            + n.path("fingerprint").asText() + "; this run is " + fingerprint + "): use another"
                            + " --checkpoint directory or delete this one");
                }
                State s = parse(n);
                LOG.info("resuming from checkpoint {}: {} iterations done{}", f.getPath(), s.iterations(),
                        s.converged() ? ", converged" : "");
                return Optional.of(s);
            }
            return Optional.empty();
        }

        void save(State s) throws IOException {
            ObjectNode n = Json.object();
            n.put("formatVersion", FORMAT_VERSION);
            n.put("fingerprint", fingerprint);
            n.put("iterations", s.iterations());
            n.put("converged", s.converged());
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
            FileStatus[] files = fs.listStatus(path, p -> p.getName().startsWith("iteration-"));
            Arrays.sort(files, (a, b) -> b.getPath().getName().compareTo(a.getPath().getName()));
            for (int i = 2; i < files.length; i++) {
                fs.delete(files[i].getPath(), false);
            }
        }

        private State parse(JsonNode n) {
            CovarianceType type = CovarianceType.parse(n.path("covarianceType").asText());
            int k = n.path("weights").size();
            double[] w = new double[k];
            double[][] means = new double[k][];
            double[][] covs = new double[k][];
            for (int j = 0; j < k; j++) {
                w[j] = n.path("weights").get(j).asDouble();
                means[j] = doubles(n.path("means").get(j));
                covs[j] = doubles(n.path("covariances").get(j));
            }
            double[] trace = doubles(n.path("trace"));
            return new State(GaussianMixture.restore(type, w, means, covs), n.path("iterations").asInt(), trace,
                    n.path("previous").asDouble(), n.path("converged").asBoolean());
        }

        private double[] doubles(JsonNode a) {
            double[] v = new double[a.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = a.get(i).asDouble();
            }
            return v;
        }
    }
}
