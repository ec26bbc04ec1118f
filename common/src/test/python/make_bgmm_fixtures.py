#!/usr/bin/python3
"""Reference fixtures for sufstat's variational Bayesian Gaussian mixture: scikit-learn 1.2's
BayesianGaussianMixture from given initial responsibilities.

Run from the repository root with Debian's scikit-learn (apt-get install python3-sklearn):

    /usr/bin/python3 common/src/test/python/make_bgmm_fixtures.py

The initial responsibilities are the posteriors of every row under a fixed Gaussian mixture (as
sufstat's --init MODEL.json does); scikit-learn then runs its _initialize(X, resp) (the variational
M-step) and N E/M iterations (tol=0). For each covariance type and weight-concentration prior the
fixture holds the data, the initial mixture, scikit-learn's priors, lower_bound_ after 1, 2, ..., N
iterations (one fit each) and every variational parameter after N iterations, in
common/src/test/resources/bgmm/<name>.json.
"""
import json
import os
import warnings

import numpy as np
import sklearn
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import BayesianGaussianMixture

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "bgmm")
ITERATIONS = 10


class FromResponsibilities(BayesianGaussianMixture):
    """scikit-learn's model, initialised from given responsibilities instead of k-means."""

    def _initialize_parameters(self, X, random_state):
        self._initialize(X, self.initial_resp)


def data():
    rng = np.random.default_rng(11)
    centres = np.array([[0.0, 0.0, 0.0], [5.0, -3.0, 1.0], [-4.0, 4.0, 3.0]])
    scales = [np.array([[1.0, 0.3, 0.0], [0.3, 0.8, 0.2], [0.0, 0.2, 1.2]]), np.eye(3) * 0.6, np.diag([1.5, 0.5, 1.0])]
    return np.vstack([rng.multivariate_normal(c, s, size=70) for c, s in zip(centres, scales)])


def initial():
    weights = np.array([0.25, 0.25, 0.3, 0.2])
    means = np.array([[0.5, 0.5, 0.0], [4.0, -2.0, 1.0], [-3.0, 3.0, 2.0], [1.0, 1.0, 1.0]])
    covs = np.array([np.eye(3) * 2.0] * 4)
    return weights, means, covs


def responsibilities(X, weights, means, covs):
    logp = np.column_stack([np.log(w) + multivariate_normal(m, c).logpdf(X) for w, m, c in zip(weights, means, covs)])
    return np.exp(logp - logsumexp(logp, axis=1)[:, None])


def fit(X, resp, cov_type, prior_type, iterations):
    m = FromResponsibilities(n_components=resp.shape[1], covariance_type=cov_type,
                             weight_concentration_prior_type=prior_type, tol=0.0, max_iter=iterations, n_init=1,
                             reg_covar=1e-6, random_state=0)
    m.initial_resp = resp
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m.fit(X)
    return m


def full(cov, cov_type, d):
    """Covariances as K full d x d matrices, whatever the type (scikit-learn's shapes vary)."""
    k = 4
    if cov_type == "full":
        return np.asarray(cov)
    if cov_type == "tied":
        return np.array([cov] * k)
    if cov_type == "diag":
        return np.array([np.diag(c) for c in cov])
    return np.array([np.eye(d) * c for c in cov])


def main():
    os.makedirs(OUT, exist_ok=True)
    X = data()
    weights, means, covs = initial()
    resp = responsibilities(X, weights, means, covs)
    for cov_type in ["full", "tied", "diag", "spherical"]:
        for prior_type in ["dirichlet_process", "dirichlet_distribution"]:
            trace = [fit(X, resp, cov_type, prior_type, n).lower_bound_ for n in range(1, ITERATIONS + 1)]
            m = fit(X, resp, cov_type, prior_type, ITERATIONS)
            d = X.shape[1]
            wc = m.weight_concentration_
            concentration = np.column_stack(wc).tolist() if prior_type == "dirichlet_process" else [[v] for v in wc]
            dof = np.broadcast_to(m.degrees_of_freedom_, (4,))
            prior_cov = m.covariance_prior_
            name = f"blobs-{cov_type}-{'process' if prior_type == 'dirichlet_process' else 'distribution'}"
            with open(os.path.join(OUT, name + ".json"), "w") as f:
                json.dump({
                    "sklearn": sklearn.__version__, "covarianceType": cov_type, "weightPrior": prior_type,
                    "iterations": ITERATIONS, "regCovar": 1e-6, "x": X.tolist(),
                    "initWeights": weights.tolist(), "initMeans": means.tolist(),
                    "initCovariances": covs.tolist(),
                    "weightConcentrationPrior": m.weight_concentration_prior_,
                    "meanPrecisionPrior": m.mean_precision_prior_, "meanPrior": m.mean_prior_.tolist(),
                    "dofPrior": m.degrees_of_freedom_prior_,
                    "covariancePrior": np.atleast_1d(prior_cov).ravel().tolist(),
                    "trace": trace, "lowerBound": m.lower_bound_,
                    "weightConcentration": concentration, "meanPrecision": m.mean_precision_.tolist(),
                    "means": m.means_.tolist(), "degreesOfFreedom": dof.tolist(),
                    "covariances": full(m.covariances_, cov_type, d).tolist(), "weights": m.weights_.tolist(),
                }, f, indent=1)
            print(name, m.lower_bound_, np.round(m.weights_, 4))


if __name__ == "__main__":
    main()
