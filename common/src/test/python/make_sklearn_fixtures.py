#!/usr/bin/python3
"""Reference fixtures for sufstat's EM: scikit-learn's GaussianMixture from fixed initial parameters.

Run from the repository root with Debian's scikit-learn (apt-get install python3-sklearn):

    /usr/bin/python3 common/src/test/python/make_sklearn_fixtures.py

For each data set and covariance type it fits GaussianMixture(tol=0, max_iter=N) from the given
initial weights, means and covariances (passed to scikit-learn as precisions) and writes the inputs
and the results (parameters after N EM iterations, lower_bound_, score, score_samples and
predict_proba of the first rows) to common/src/test/resources/sklearn/<name>.json. Covariances are
always written as full d x d matrices, as sufstat's model.json does.
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "sklearn")
MAX_ITER = 8
REG_COVAR = 1e-6


def blobs(seed=0, n=400, d=3):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0, 0.0], [4.0, 1.0, -2.0], [-3.0, 3.0, 1.0]])[:, :d]
    rows = []
    for k, size in enumerate([120, 160, 120]):
        a = rng.normal(size=(d, d)) * 0.6
        cov = a @ a.T + 0.3 * np.eye(d)
        rows.append(rng.multivariate_normal(centres[k], cov, size=size))
    x = np.vstack(rows)
    return x[rng.permutation(len(x))]


def iris():
    path = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "sample-data", "iris.csv")
    return np.loadtxt(path, delimiter=",", skiprows=1, usecols=(0, 1, 2, 3))


def full_matrices(cov, cov_type, k, d):
    if cov_type == "full":
        return cov
    if cov_type == "tied":
        return np.array([cov] * k)
    if cov_type == "diag":
        return np.array([np.diag(c) for c in cov])
    return np.array([np.eye(d) * c for c in cov])


def init_for(x, k, cov_type):
    n, d = x.shape
    idx = np.linspace(0, n - 1, k).astype(int)
    means = x[idx].copy()
    weights = np.linspace(1.0, 2.0, k)
    weights /= weights.sum()
    var = x.var(axis=0)
    base = np.diag(var) * 0.8 + 0.05 * np.cov(x.T, bias=True)
    if cov_type == "full":
        covs = np.array([base * (1.0 + 0.1 * j) for j in range(k)])
        precisions = np.array([np.linalg.inv(c) for c in covs])
    elif cov_type == "tied":
        covs = base
        precisions = np.linalg.inv(base)
    elif cov_type == "diag":
        covs = np.array([var * (1.0 + 0.1 * j) for j in range(k)])
        precisions = 1.0 / covs
    else:
        covs = np.array([var.mean() * (1.0 + 0.1 * j) for j in range(k)])
        precisions = 1.0 / covs
    return weights, means, covs, precisions


def fixture(name, x, k, cov_type):
    n, d = x.shape
    weights, means, covs, precisions = init_for(x, k, cov_type)
    gm = GaussianMixture(n_components=k, covariance_type=cov_type, tol=0.0, max_iter=MAX_ITER,
                         reg_covar=REG_COVAR, weights_init=weights, means_init=means,
                         precisions_init=precisions, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm.fit(x)
    rows = min(10, n)
    return {
        "name": name,
        "sklearnVersion": sklearn.__version__,
        "covarianceType": cov_type,
        "k": k,
        "maxIter": MAX_ITER,
        "regCovar": REG_COVAR,
        "x": x.tolist(),
        "initWeights": weights.tolist(),
        "initMeans": means.tolist(),
        "initCovariances": full_matrices(covs, cov_type, k, d).tolist(),
        "weights": gm.weights_.tolist(),
        "means": gm.means_.tolist(),
        "covariances": full_matrices(gm.covariances_, cov_type, k, d).tolist(),
        "nIter": int(gm.n_iter_),
        "lowerBound": float(gm.lower_bound_),
        "score": float(gm.score(x)),
        "scoreSamples": gm.score_samples(x[:rows]).tolist(),
        "predictProba": gm.predict_proba(x[:rows]).tolist(),
        "bic": float(gm.bic(x)),
        "aic": float(gm.aic(x)),
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    for data_name, x, k in [("blobs3d", blobs(), 3), ("iris", iris(), 3)]:
        for cov_type in ["full", "tied", "diag", "spherical"]:
            f = fixture(data_name + "-" + cov_type, x, k, cov_type)
            path = os.path.join(OUT, f["name"] + ".json")
            with open(path, "w") as out:
                json.dump(f, out, indent=1)
            print(path, "score", f["score"], "n_iter", f["nIter"])


if __name__ == "__main__":
    main()
