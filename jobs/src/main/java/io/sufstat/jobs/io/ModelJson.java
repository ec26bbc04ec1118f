package io.sufstat.jobs.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.Gaussian;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Failure;

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

    /** A model read back: its feature names and its mixture (a single Gaussian is a mixture of one). */
    public record Loaded(List<String> features, GaussianMixture mixture) {
    }

    /**
     * Reads and validates a model from a Hadoop path: a {@code model.json} file, or a directory holding one
     * (a fit's output directory).
     *
     * @throws JobFailedException when it cannot be read or is invalid
     */
    public static Loaded load(String pathOrDir, org.apache.hadoop.conf.Configuration conf) {
        String path = pathOrDir.endsWith(".json") ? pathOrDir : pathOrDir.replaceAll("/+$", "") + "/model.json";
        try {
            return read(HadoopFiles.readText(path, conf), path);
        } catch (java.io.IOException e) {
            throw new JobFailedException(Failure.MODEL, "cannot read the model " + path + ": " + e.getMessage());
        }
    }

    /**
     * Parses and validates a model.json text; {@code source} names it in messages.
     *
     * @throws JobFailedException naming the problem (not JSON, wrong kind or version, wrong shapes, weights
     *         that do not sum to 1, a covariance that is not positive definite)
     */
    public static Loaded read(String text, String source) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new JobFailedException(Failure.MODEL, "model " + source + " is not valid JSON: " + e.getMessage());
        }
        if (n == null || !n.isObject()) {
            throw new JobFailedException(Failure.MODEL, "model " + source + " is not a JSON object");
        }
        String kind = n.path("kind").asText("");
        int version = n.path("formatVersion").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw new JobFailedException(Failure.MODEL, "model " + source + " has formatVersion " + n.path("formatVersion")
                    + "; this sufstat reads version " + FORMAT_VERSION);
        }
        List<String> features = new ArrayList<>();
        n.path("features").forEach(f -> features.add(f.asText()));
        int d = features.size();
        if (d == 0) {
            throw new JobFailedException(Failure.MODEL, "model " + source + " lists no features");
        }
        try {
            if (kind.equals("gaussian")) {
                double[] mean = vector(n.path("mean"), d, source, "mean");
                double[] cov = matrix(n.path("covariance"), d, source, "covariance");
                return new Loaded(features, GaussianMixture.of(CovarianceType.FULL, new double[] {1.0},
                        new double[][] {mean}, new double[][] {cov}));
            }
            if (kind.equals("ppca")) {
                // Applied as the Gaussian N(μ, WWᵀ + σ²I) (forms the d × d covariance).
                int q = n.path("latentDimension").asInt(0);
                double[] mean = vector(n.path("mean"), d, source, "mean");
                JsonNode l = n.path("loadings");
                if (!l.isArray() || l.size() != d) {
                    throw new JobFailedException(Failure.MODEL, "model " + source + ": loadings must be a " + d + "×" + q + " matrix");
                }
                double[] w = new double[d * q];
                for (int r = 0; r < d; r++) {
                    System.arraycopy(vector(l.get(r), q, source, "loadings[" + r + "]"), 0, w, r * q, q);
                }
                io.sufstat.common.model.Ppca p = io.sufstat.common.model.Ppca.of(mean, w, q,
                        n.path("noiseVariance").asDouble(Double.NaN));
                return new Loaded(features, GaussianMixture.of(CovarianceType.FULL, new double[] {1.0},
                        new double[][] {mean}, new double[][] {p.covariance()}));
            }
            if (kind.equals("mppca")) {
                // Applied as the Gaussian mixture with covariances W_k W_kᵀ + σ_k² I.
                int q = n.path("latentDimension").asInt(0);
                int k = n.path("weights").size();
                double[] weights = vector(n.path("weights"), k, source, "weights");
                double[] noise = vector(n.path("noiseVariances"), k, source, "noiseVariances");
                double[][] means = new double[k][];
                double[][] covs = new double[k][];
                for (int j = 0; j < k; j++) {
                    means[j] = vector(n.path("means").get(j), d, source, "means[" + j + "]");
                    JsonNode l = n.path("loadings").get(j);
                    if (l == null || !l.isArray() || l.size() != d) {
                        throw new JobFailedException(Failure.MODEL, "model " + source + ": loadings[" + j + "] must be a " + d + "×" + q
                                + " matrix");
                    }
                    double[] w = new double[d * q];
                    for (int r = 0; r < d; r++) {
                        System.arraycopy(vector(l.get(r), q, source, "loadings[" + j + "][" + r + "]"), 0, w, r * q, q);
                    }
                    covs[j] = io.sufstat.common.model.Ppca.of(means[j], w, q, noise[j]).covariance();
                }
                return new Loaded(features, GaussianMixture.of(CovarianceType.FULL, weights, means, covs));
            }
            if (!kind.equals("gaussian-mixture")) {
                throw new JobFailedException(Failure.MODEL, "model " + source + " has kind '" + kind + "'; expected gaussian, gaussian-mixture, ppca or mppca");
            }
            CovarianceType type = CovarianceType.parse(n.path("covarianceType").asText("full"));
            JsonNode w = n.path("weights");
            int k = w.size();
            if (k == 0 || n.path("means").size() != k || n.path("covariances").size() != k) {
                throw new JobFailedException(Failure.MODEL, "model " + source + " needs as many weights, means and covariances (got "
                        + k + ", " + n.path("means").size() + ", " + n.path("covariances").size() + ")");
            }
            double[] weights = vector(w, k, source, "weights");
            double[][] means = new double[k][];
            double[][] covs = new double[k][];
            for (int j = 0; j < k; j++) {
                means[j] = vector(n.path("means").get(j), d, source, "means[" + j + "]");
                covs[j] = matrix(n.path("covariances").get(j), d, source, "covariances[" + j + "]");
            }
            return new Loaded(features, GaussianMixture.of(type, weights, means, covs));
        } catch (IllegalArgumentException e) {
            throw new JobFailedException(Failure.MODEL, "model " + source + " is invalid: " + e.getMessage());
        }
    }

    private static double[] vector(JsonNode a, int n, String source, String what) {
        if (!a.isArray() || a.size() != n) {
            throw new JobFailedException(Failure.MODEL, "model " + source + ": " + what + " must be an array of " + n + " numbers");
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            if (!a.get(i).isNumber()) {
                throw new JobFailedException(Failure.MODEL, "model " + source + ": " + what + "[" + i + "] is not a number");
            }
            v[i] = a.get(i).asDouble();
        }
        return v;
    }

    private static double[] matrix(JsonNode a, int d, String source, String what) {
        if (!a.isArray() || a.size() != d) {
            throw new JobFailedException(Failure.MODEL, "model " + source + ": " + what + " must be a " + d + "×" + d + " matrix");
        }
        double[] m = new double[d * d];
        for (int r = 0; r < d; r++) {
            System.arraycopy(vector(a.get(r), d, source, what + "[" + r + "]"), 0, m, r * d, d);
        }
        return m;
    }
}
