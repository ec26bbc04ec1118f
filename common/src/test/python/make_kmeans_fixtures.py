#!/usr/bin/python3
"""Reference fixtures for sufstat's k-means (the kmeans initialisation of gmm): scikit-learn's Lloyd k-means.

Run from the repository root with Debian's scikit-learn (apt-get install python3-sklearn):

    /usr/bin/python3 common/src/test/python/make_kmeans_fixtures.py

For each case it draws blobs with a fixed seed, takes K of its rows as the initial centres, runs
sklearn.cluster.KMeans(init=those centres, n_init=1, algorithm="lloyd", tol=0) until no label changes
(scikit-learn's strict convergence), and writes the data, the initial centres, the final centres, the
iterations and the inertia to common/src/test/resources/kmeans/<name>.json.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.cluster import KMeans

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "kmeans")


def case(name, seed, n, d, k, offset):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 4, size=(k, d))
    X = offset + centres[np.arange(n) % k] + rng.normal(0, 1.5, size=(n, d))
    init = X[rng.choice(n, size=k, replace=False)]
    km = KMeans(n_clusters=k, init=init, n_init=1, algorithm="lloyd", tol=0, max_iter=300).fit(X)
    counts = np.bincount(km.labels_, minlength=k)
    assert counts.min() > 0, "an empty cluster: scikit-learn would relocate it"
    out = {
        "sklearn": sklearn.__version__,
        "x": X.tolist(),
        "initCentres": init.tolist(),
        "centres": km.cluster_centers_.tolist(),
        "iterations": int(km.n_iter_),
        "inertia": float(km.inertia_),
        "counts": counts.tolist(),
    }
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(out, f)
    print(name, km.n_iter_, km.inertia_)


case("blobs-4", seed=11, n=400, d=3, k=4, offset=0.0)
case("overlapping-6", seed=12, n=600, d=5, k=6, offset=0.0)
case("offset-3", seed=13, n=300, d=2, k=3, offset=1e6)
