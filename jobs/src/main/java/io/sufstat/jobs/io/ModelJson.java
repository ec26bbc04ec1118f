package io.sufstat.jobs.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.model.Gaussian;

import java.util.List;

/**
 * The model.json format. Version 1, for a single Gaussian:
 * {@code {"kind":"gaussian","formatVersion":1,"features":[…],"count":N,"weightSum":W,"mean":[…],
 * "covariance":[[…],…],"logLikelihood":ℓ,"covarianceEstimator":"mle|unbiased","regCovar":r}} — the
 * covariance as nested rows of the full d×d matrix.
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
}
