#!/usr/bin/python3
"""Reference fixtures for sufstat's Student-t mixtures (ECM), written from the formulas alone.

Run from the repository root with Debian's NumPy and SciPy (apt-get install python3-scipy):

    /usr/bin/python3 common/src/test/python/make_tmm_fixtures.py

McLachlan & Peel (2000, section 7.5): one iteration is the E-step under the current parameters
(tau_ik proportional to pi_k t_k(x_i), u_ik = (nu_k + d) / (nu_k + delta_ik)), CM-step 1 (pi_k = A_k / n,
mu_k = sum tau u x / sum tau u, Sigma_k = sum tau u (x - mu_k)(x - mu_k)^T / A_k, with A_k = sum tau,
pooled for tied, diagonal parts for diag and spherical, plus reg_covar on the diagonal), then CM-step 2
(each nu_k from the same E-step: -psi(nu/2) + ln(nu/2) + 1 + sum tau (ln u - u) / A_k
+ psi((nu_old + d)/2) - ln((nu_old + d)/2) = 0, solved by brentq to 1e-14 and clamped to [0.5, 200]).
For every covariance type it runs N iterations from a fixed start on data with 5% gross outliers and
writes the data, the start and, after every iteration, the log-likelihood of the parameters before the
update; at the end the parameters and their log-likelihood, to common/src/test/resources/tmm/<name>.json.
"""
import json
import os

import numpy as np
from scipy.linalg import cho_factor, solve_triangular
from scipy.optimize import brentq
from scipy.special import digamma, gammaln, logsumexp

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "tmm")
REG = 1e-6
ITERATIONS = 8
DOF_MIN, DOF_MAX = 0.5, 200.0


def e_step(X, w, mu, S, nu):
    n, d = X.shape
    K = len(w)
    logp = np.zeros((n, K))
    delta = np.zeros((n, K))
    for k in range(K):
        L = np.linalg.cholesky(S[k])
        Z = solve_triangular(L, (X - mu[k]).T, lower=True)
        delta[:, k] = (Z ** 2).sum(axis=0)
        logdet = 2 * np.log(np.diag(L)).sum()
        logp[:, k] = (np.log(w[k]) + gammaln((nu[k] + d) / 2) - gammaln(nu[k] / 2) - d / 2 * np.log(nu[k] * np.pi)
                      - 0.5 * logdet - (nu[k] + d) / 2 * np.log1p(delta[:, k] / nu[k]))
    lse = logsumexp(logp, axis=1)
    tau = np.exp(logp - lse[:, None])
    u = (nu[None, :] + d) / (nu[None, :] + delta)
    return tau, u, lse.sum()


def solve_dof(mean_log_weight, old, d):
    c = 1 + mean_log_weight + digamma((old + d) / 2) - np.log((old + d) / 2)
    f = lambda v: -digamma(v / 2) + np.log(v / 2) + c
    if f(DOF_MAX) >= 0:
        return DOF_MAX
    if f(DOF_MIN) <= 0:
        return DOF_MIN
    return brentq(f, DOF_MIN, DOF_MAX, xtol=1e-14, rtol=1e-15, maxiter=500)


def cm_step(X, tau, u, nu, cov_type, dof_mode):
    n, d = X.shape
    K = tau.shape[1]
    A = tau.sum(axis=0)
    w = A / A.sum()
    tu = tau * u
    B = tu.sum(axis=0)
    mu = (tu.T @ X) / B[:, None]
    raw = []
    for k in range(K):
        D = X - mu[k]
        raw.append((tu[:, k, None] * D).T @ D)
    S = []
    for k in range(K):
        if cov_type == "full":
            s = raw[k] / A[k]
        elif cov_type == "tied":
            s = sum(raw) / A.sum()
        elif cov_type == "diag":
            s = np.diag(np.diag(raw[k]) / A[k])
        else:
            s = np.eye(d) * (np.diag(raw[k]).mean() / A[k])
        S.append(s + REG * np.eye(d))
    L = (tau * (np.log(u) - u)).sum(axis=0)
    if dof_mode == "fixed":
        nu_new = nu.copy()
    elif dof_mode == "tied":
        nu_new = np.full(K, solve_dof(L.sum() / A.sum(), nu[0], d))
    else:
        nu_new = np.array([solve_dof(L[k] / A[k], nu[k], d) for k in range(K)])
    return w, mu, np.array(S), nu_new


def data(seed):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0, 0.0], [6.0, -4.0, 2.0], [-5.0, 5.0, 4.0]])
    X = np.vstack([rng.standard_t(5, size=(90, 3)) @ np.diag([1.0, 1.5, 0.7]) + c for c in centres])
    outliers = rng.uniform(-40, 40, size=(15, 3))
    return np.vstack([X, outliers])


def start(X, cov_type):
    d = X.shape[1]
    cov = np.cov(X.T, bias=True)
    means = X[[3, 100, 200]] + 0.5
    if cov_type == "diag":
        cov = np.diag(np.diag(cov))
    elif cov_type == "spherical":
        cov = np.eye(d) * np.diag(cov).mean()
    return np.array([0.3, 0.3, 0.4]), means, np.array([cov + REG * np.eye(d)] * 3), np.array([10.0, 10.0, 10.0])


def main():
    os.makedirs(OUT, exist_ok=True)
    X = data(2026)
    for cov_type, dof_mode in [("full", "free"), ("tied", "free"), ("diag", "tied"), ("spherical", "free"),
                               ("full", "fixed")]:
        w, mu, S, nu = start(X, cov_type)
        init = {"initWeights": w.tolist(), "initMeans": mu.tolist(), "initScales": S.tolist(), "initDof": nu.tolist()}
        trace = []
        for _ in range(ITERATIONS):
            tau, u, ll = e_step(X, w, mu, S, nu)
            trace.append(ll)
            w, mu, S, nu = cm_step(X, tau, u, nu, cov_type, dof_mode)
        _, _, ll = e_step(X, w, mu, S, nu)
        name = f"blobs-{cov_type}-{dof_mode}"
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump({"covarianceType": cov_type, "dofMode": dof_mode, "regCovar": REG, "iterations": ITERATIONS,
                       "x": X.tolist(), **init, "trace": trace, "logLikelihood": ll,
                       "weights": w.tolist(), "means": mu.tolist(), "scales": S.tolist(),
                       "degreesOfFreedom": nu.tolist()}, f, indent=1)
        print(name, "ll", ll, "nu", nu)


if __name__ == "__main__":
    main()
