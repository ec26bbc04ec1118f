package io.sufstat.jobs.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.Gaussian;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.Ppca;
import io.sufstat.common.model.PpcaMixture;
import io.sufstat.common.model.TMixture;
import io.sufstat.jobs.cli.JobFailedException;

import java.util.ArrayList;
import java.util.List;

/**
 * The model.json format. Version 1, for a single Gaussian:
 * {@code {"kind":"gaussian","formatVersion":1,"features":[…],"count":N,"weightSum":W,"mean":[…],
 * "covariance":[[…],…],"logLikelihood":ℓ,"covarianceEstimator":"mle|unbiased","regCovar":r}} — the
 * covariance as nested rows of the full d×d matrix. For a mixture:
 * {@code {"kind":"gaussian-mixture","formatVersion":1,"features":[…],"covarianceType":"full|diag|tied|spherical",
 * "weights":[…],"means":[[…]],"covariances":[[[…]]],…}} with every covariance a full d×d matrix.
 * Models are read back as JSON and validated, never deserialised as objects.
 */
public final class ModelJson {

    public static final int FORMAT_VERSION = 1;

    private ModelJson() {
    }

    public static ObjectNode gaussian(List<String> features, long count, double weightSum, Gaussian g,
                                      double logLikelihood, String estimator, double regCovar) {
        ObjectNode n = Json.object();
        n.put("kind", "gaussian");
        n.put("formatVersion", FORMAT_VERSION);
        features.forEach(n.putArray("features")::add);
        n.put("count", count);
        n.put("weightSum", Json.finite(weightSum, "weightSum"));
        n.set("mean", Json.array(g.mean(), "mean"));
        n.set("covariance", Json.matrix(g.covariance(), g.dimension(), "covariance"));
        n.put("logLikelihood", Json.finite(logLikelihood, "logLikelihood"));
        n.put("covarianceEstimator", estimator);
        n.put("regCovar", regCovar);
        return n;
    }

    /** The parameters of a mixture; callers add the fit's statistics. */
    public static ObjectNode mixture(List<String> features, GaussianMixture m) {
        ObjectNode n = Json.object();
        n.put("kind", "gaussian-mixture");
        n.put("formatVersion", FORMAT_VERSION);
        features.forEach(n.putArray("features")::add);
        n.put("covarianceType", m.covarianceType().label());
        n.set("weights", Json.array(m.weights(), "weights"));
        ArrayNode means = n.putArray("means");
        ArrayNode covs = n.putArray("covariances");
        int d = m.dimension();
        for (int k = 0; k < m.size(); k++) {
            means.add(Json.array(m.component(k).mean(), "means[" + k + "]"));
            covs.add(Json.matrix(m.component(k).covariance(), d, "covariances[" + k + "]"));
        }
        return n;
    }

    /**
     * A model read back: its feature names, its kind, the mixture every job that applies models uses (a
     * single Gaussian is a mixture of one; a PPCA model N(μ, WWᵀ + σ²I)), and the model itself as fitted
     * ({@code model}: a {@link GaussianMixture}, {@link Ppca} or {@link PpcaMixture}), for warm starts.
     */
    public record Loaded(List<String> features, String kind, GaussianMixture mixture, Object model) {
        public Loaded(List<String> features, GaussianMixture mixture) {
            this(features, "gaussian-mixture", mixture, mixture);
        }

        /** The fitted model as {@code type}, or a failure naming what it is. */
        public <T> T as(Class<T> type, String expectedKind, String source) {
            if (!type.isInstance(model)) {
                throw JobFailedException.model("the model " + source + " is of kind '" + kind + "'; this needs '"
                        + expectedKind + "'");
            }
            return type.cast(model);
        }
    }

    /** Largest model file read (checked before reading). */
    public static final long MAX_FILE_BYTES = 256L << 20;
    /** Most features a model may have. */
    public static final int MAX_FEATURES = 100_000;
    /** Most components a model may have. */
    public static final int MAX_COMPONENTS = 10_000;
    /**
     * Most covariance entries (K·d²) a model may need once applied: every reader forms a d × d
     * covariance and its Cholesky factor per component, so this bounds the memory a model file can ask
     * for (2²⁷ doubles, 1 GiB).
     */
    public static final long MAX_COVARIANCE_ENTRIES = 1L << 27;

    /**
     * Reads and validates a model from a Hadoop path: a {@code model.json} file, or a directory holding one
     * (a fit's output directory).
     *
     * @throws JobFailedException when it cannot be read or is invalid
     */
    public static Loaded load(String pathOrDir, org.apache.hadoop.conf.Configuration conf) {
        String path = file(pathOrDir, conf);
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
            return read(HadoopFiles.readText(HadoopFiles.fileSystem(p, conf), p, MAX_FILE_BYTES, "model"), path);
        } catch (java.io.FileNotFoundException e) {
            throw JobFailedException.model("the model " + path + " does not exist; give --model a model.json or the"
                    + " output directory of a fit");
        } catch (java.io.IOException e) {
            throw JobFailedException.model("cannot read the model " + path + ": " + e.getMessage());
        }
    }

    /** The model.json a path names: the file itself, or {@code DIR/model.json} for a directory. */
    private static String file(String pathOrDir, org.apache.hadoop.conf.Configuration conf) {
        String trimmed = pathOrDir.replaceAll("/+$", "");
        if (trimmed.endsWith(".json")) {
            return trimmed;
        }
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(trimmed);
            org.apache.hadoop.fs.FileSystem fs = HadoopFiles.fileSystem(p, conf);
            if (fs.exists(p) && fs.getFileStatus(p).isFile()) {
                return trimmed;
            }
        } catch (java.io.IOException | IllegalArgumentException e) {
            // Reported when the file is read.
        }
        return trimmed + "/model.json";
    }

    /**
     * Parses and validates a model.json text; {@code source} names it in messages. Every size is checked
     * against the limits above and against the arrays the file actually holds before anything is
     * allocated.
     *
     * @throws JobFailedException naming the file and the field (not JSON, wrong kind or version, wrong
     *         shapes, duplicate or empty feature names, weights that do not sum to 1, a covariance that is
     *         not positive definite)
     */
    public static Loaded read(String text, String source) {
        JsonShapes f = JsonShapes.of("model " + source);
        JsonNode n = f.parseObject(text);
        if (!n.has("formatVersion")) {
            throw f.fail("has no formatVersion; a sufstat model.json has \"formatVersion\": " + FORMAT_VERSION
                    + " (was it written by sufstat?)");
        }
        JsonNode version = n.get("formatVersion");
        if (!version.isIntegralNumber() || version.asLong() != FORMAT_VERSION) {
            throw f.fail("has formatVersion " + version + "; this sufstat reads version " + FORMAT_VERSION);
        }
        String kind = f.text(n, "kind");
        List<String> features = f.names(n, "features", MAX_FEATURES);
        int d = features.size();
        try {
            Object model = switch (kind) {
                case "gaussian" -> {
                    limit(f, 1, d);
                    yield GaussianMixture.of(CovarianceType.FULL, new double[] {1.0},
                            new double[][] {f.vector(n.get("mean"), "mean", d)},
                            new double[][] {f.matrix(n.get("covariance"), "covariance", d, d)});
                }
                case "gaussian-mixture", "bayesian-gaussian-mixture" -> mixture(f, n, d);
                case "ppca" -> ppca(f, n, d);
                case "t-mixture" -> tMixture(f, n, d);
                case "mppca" -> mppca(f, n, d);
                default -> throw f.field("kind", "is '" + kind + "'; expected gaussian, gaussian-mixture, t-mixture,"
                        + " bayesian-gaussian-mixture, ppca or mppca");
            };
            GaussianMixture applied = model instanceof Ppca p ? GaussianMixture.of(CovarianceType.FULL, new double[] {1.0},
                    new double[][] {p.mean()}, new double[][] {p.covariance()})
                    : model instanceof PpcaMixture pm ? pm.toGaussianMixture()
                    : model instanceof TMixture tm ? tm.scales() : (GaussianMixture) model;
            return new Loaded(List.copyOf(features), kind, applied, model);
        } catch (IllegalArgumentException e) {
            throw f.fail("is invalid: " + e.getMessage());
        }
    }

    private static GaussianMixture mixture(JsonShapes f, JsonNode n, int d) {
        CovarianceType type;
        try {
            type = CovarianceType.parse(n.has("covarianceType") ? f.text(n, "covarianceType") : "full");
        } catch (IllegalArgumentException e) {
            throw f.field("covarianceType", "is invalid: " + e.getMessage());
        }
        int k = f.size(n, "weights", 1, MAX_COMPONENTS);
        if (n.path("means").size() != k || n.path("covariances").size() != k) {
            throw f.fail("needs as many weights, means and covariances (got " + k + ", " + n.path("means").size()
                    + ", " + n.path("covariances").size() + ")");
        }
        limit(f, k, d);
        double[] weights = f.vector(n.get("weights"), "weights", k);
        f.array(n.get("means"), "means", k);
        f.array(n.get("covariances"), "covariances", k);
        double[][] means = new double[k][];
        double[][] covs = new double[k][];
        for (int j = 0; j < k; j++) {
            means[j] = f.vector(n.get("means").get(j), "means[" + j + "]", d);
            covs[j] = f.matrix(n.get("covariances").get(j), "covariances[" + j + "]", d, d);
        }
        return GaussianMixture.of(type, weights, means, covs);
    }

    /** A Student-t mixture: the mixture's fields with {@code scales} for covariances, and {@code degreesOfFreedom}. */
    private static TMixture tMixture(JsonShapes f, JsonNode n, int d) {
        ObjectNode asMixture = ((ObjectNode) n).deepCopy();
        asMixture.set("covariances", n.get("scales"));
        try {
            GaussianMixture scales = mixture(f, asMixture, d);
            return TMixture.of(scales, f.vector(n.get("degreesOfFreedom"), "degreesOfFreedom", scales.size()));
        } catch (JobFailedException e) {
            throw JobFailedException.model(e.getMessage().replace("covariances", "scales"));
        }
    }

    /** The parameters of a t-mixture (weights, means, scales, degreesOfFreedom); callers add the fit's statistics. */
    public static ObjectNode tMixture(List<String> features, TMixture t) {
        ObjectNode n = mixture(features, t.scales());
        n.put("kind", "t-mixture");
        n.set("scales", n.remove("covariances"));
        n.set("degreesOfFreedom", Json.array(t.degreesOfFreedom(), "degreesOfFreedom"));
        return n;
    }

    /** A PPCA model (applied as the Gaussian N(μ, WWᵀ + σ²I), which forms the d × d covariance). */
    private static Ppca ppca(JsonShapes f, JsonNode n, int d) {
        limit(f, 1, d);
        int q = (int) f.integer(n, "latentDimension", 1, Math.max(1, d - 1));
        double[] mean = f.vector(n.get("mean"), "mean", d);
        double[] w = f.matrix(n.get("loadings"), "loadings", d, q);
        return Ppca.of(mean, w, q, positive(f, n, "noiseVariance"));
    }

    /** A mixture of PPCA models (applied as the Gaussian mixture with covariances W_k W_kᵀ + σ_k² I). */
    private static PpcaMixture mppca(JsonShapes f, JsonNode n, int d) {
        int k = f.size(n, "weights", 1, MAX_COMPONENTS);
        limit(f, k, d);
        int q = (int) f.integer(n, "latentDimension", 1, Math.max(1, d - 1));
        double[] weights = f.vector(n.get("weights"), "weights", k);
        double[] noise = f.vector(n.get("noiseVariances"), "noiseVariances", k);
        f.array(n.get("means"), "means", k);
        f.array(n.get("loadings"), "loadings", k);
        Ppca[] components = new Ppca[k];
        for (int j = 0; j < k; j++) {
            if (!(noise[j] > 0)) {
                throw f.field("noiseVariances[" + j + "]", "must be positive, not " + noise[j]);
            }
            double[] mean = f.vector(n.get("means").get(j), "means[" + j + "]", d);
            double[] w = f.matrix(n.get("loadings").get(j), "loadings[" + j + "]", d, q);
            components[j] = Ppca.of(mean, w, q, noise[j]);
        }
        return new PpcaMixture(weights, components);
    }

    private static double positive(JsonShapes f, JsonNode n, String field) {
        double v = f.number(n, field);
        if (!(v > 0)) {
            throw f.field(field, "must be positive, not " + v);
        }
        return v;
    }

    /** Refuses a model whose K·d² covariance entries exceed {@link #MAX_COVARIANCE_ENTRIES}. */
    private static void limit(JsonShapes f, int k, int d) {
        long entries = (long) k * d * d;
        if (entries > MAX_COVARIANCE_ENTRIES) {
            throw f.fail("has " + k + " component(s) of dimension " + d + ", " + entries + " covariance entries once"
                    + " applied; sufstat applies models of at most " + MAX_COVARIANCE_ENTRIES + " (K·d²)");
        }
    }
}
