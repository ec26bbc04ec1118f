package io.sufstat.jobs.em;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.Ppca;
import io.sufstat.common.model.PpcaMixture;
import io.sufstat.common.model.TMixture;
import io.sufstat.common.model.VariationalMixture;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.JsonShapes;

/** The checkpoint forms of sufstat's models, each read back against the fit's own shapes. */
public final class Codecs {

    private Codecs() {
    }

    /**
     * A Gaussian mixture of {@code k} components of dimension {@code d} and covariance type {@code type}:
     * weights, means and full covariances, restored with the weights' bits ({@link GaussianMixture#restore}).
     */
    public static StateCodec<GaussianMixture> mixture(int k, int d, CovarianceType type) {
        return new StateCodec<>() {
            @Override
            public void write(GaussianMixture m, ObjectNode n) {
                n.put("covarianceType", m.covarianceType().label());
                n.set("weights", Json.array(m.weights(), "weights"));
                ArrayNode means = n.putArray("means");
                ArrayNode covs = n.putArray("covariances");
                for (int j = 0; j < m.size(); j++) {
                    means.add(Json.array(m.component(j).mean(), "mean"));
                    covs.add(Json.array(m.component(j).covariance(), "covariance"));
                }
            }

            @Override
            public GaussianMixture read(JsonNode n, JsonShapes f) {
                String label = f.text(n, "covarianceType");
                if (!label.equals(type.label())) {
                    throw f.field("covarianceType", "is " + label + ", not " + type.label());
                }
                double[] w = f.vector(n.get("weights"), "weights", k);
                f.array(n.get("means"), "means", k);
                f.array(n.get("covariances"), "covariances", k);
                double[][] means = new double[k][];
                double[][] covs = new double[k][];
                for (int j = 0; j < k; j++) {
                    means[j] = f.vector(n.get("means").get(j), "means[" + j + "]", d);
                    covs[j] = f.vector(n.get("covariances").get(j), "covariances[" + j + "]", d * d);
                }
                return GaussianMixture.restore(type, w, means, covs);
            }
        };
    }

    /** A PPCA model of dimension {@code d} and latent dimension {@code q}: μ, W (row-major d × q), σ². */
    public static StateCodec<Ppca> ppca(int d, int q) {
        return new StateCodec<>() {
            @Override
            public void write(Ppca p, ObjectNode n) {
                n.set("mean", Json.array(p.mean(), "mean"));
                n.set("loadings", Json.array(p.loadings(), "loadings"));
                n.put("noiseVariance", p.noiseVariance());
            }

            @Override
            public Ppca read(JsonNode n, JsonShapes f) {
                return Ppca.of(f.vector(n.get("mean"), "mean", d), f.vector(n.get("loadings"), "loadings", d * q), q,
                        f.number(n, "noiseVariance"));
            }
        };
    }

    /** A mixture of {@code k} PPCA models: weights and the components. */
    public static StateCodec<PpcaMixture> ppcaMixture(int k, int d, int q) {
        StateCodec<Ppca> one = ppca(d, q);
        return new StateCodec<>() {
            @Override
            public void write(PpcaMixture m, ObjectNode n) {
                n.set("weights", Json.array(m.weights(), "weights"));
                ArrayNode cs = n.putArray("components");
                for (Ppca c : m.components()) {
                    one.write(c, cs.addObject());
                }
            }

            @Override
            public PpcaMixture read(JsonNode n, JsonShapes f) {
                double[] w = f.vector(n.get("weights"), "weights", k);
                f.array(n.get("components"), "components", k);
                Ppca[] cs = new Ppca[k];
                for (int j = 0; j < k; j++) {
                    cs[j] = one.read(n.get("components").get(j), f);
                }
                return new PpcaMixture(w, cs);
            }
        };
    }

    /** A Student-t mixture: its locations and scales as a mixture, and ν per component. */
    public static StateCodec<TMixture> tMixture(int k, int d, CovarianceType type) {
        StateCodec<GaussianMixture> scales = mixture(k, d, type);
        return new StateCodec<>() {
            @Override
            public void write(TMixture t, ObjectNode n) {
                scales.write(t.scales(), n);
                n.set("degreesOfFreedom", Json.array(t.degreesOfFreedom(), "degreesOfFreedom"));
            }

            @Override
            public TMixture read(JsonNode n, JsonShapes f) {
                return TMixture.of(scales.read(n, f), f.vector(n.get("degreesOfFreedom"), "degreesOfFreedom", k));
            }
        };
    }

    /** A variational Bayesian mixture: every variational parameter. */
    public static StateCodec<VariationalMixture> variational(int k, int d, CovarianceType type, boolean dirichletProcess) {
        return new StateCodec<>() {
            @Override
            public void write(VariationalMixture v, ObjectNode n) {
                ArrayNode c = n.putArray("weightConcentration");
                ArrayNode means = n.putArray("means");
                ArrayNode covs = n.putArray("covariances");
                double[] beta = new double[k];
                double[] dof = new double[k];
                for (int j = 0; j < k; j++) {
                    c.add(Json.array(v.concentration(j), "weightConcentration"));
                    means.add(Json.array(v.mean(j), "mean"));
                    covs.add(Json.array(v.covariance(j), "covariance"));
                    beta[j] = v.meanPrecision(j);
                    dof[j] = v.degreesOfFreedom(j);
                }
                n.set("meanPrecision", Json.array(beta, "meanPrecision"));
                n.set("degreesOfFreedom", Json.array(dof, "degreesOfFreedom"));
            }

            @Override
            public VariationalMixture read(JsonNode n, JsonShapes f) {
                double[][] c = new double[k][];
                double[][] means = new double[k][];
                double[][] covs = new double[k][];
                f.array(n.get("weightConcentration"), "weightConcentration", k);
                f.array(n.get("means"), "means", k);
                f.array(n.get("covariances"), "covariances", k);
                for (int j = 0; j < k; j++) {
                    c[j] = f.vector(n.get("weightConcentration").get(j), "weightConcentration[" + j + "]",
                            dirichletProcess ? 2 : 1);
                    means[j] = f.vector(n.get("means").get(j), "means[" + j + "]", d);
                    covs[j] = f.vector(n.get("covariances").get(j), "covariances[" + j + "]", d * d);
                }
                return VariationalMixture.of(type, dirichletProcess, c, f.vector(n.get("meanPrecision"), "meanPrecision", k),
                        means, f.vector(n.get("degreesOfFreedom"), "degreesOfFreedom", k), covs);
            }
        };
    }
}
