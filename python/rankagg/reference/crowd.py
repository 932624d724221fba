"""Plain numpy references for :mod:`rankagg.crowd`: the mixture of Bradley–Terry models and
Crowd-BT, fitted by the same EM written over rows with ``np.bincount`` — slow, short and easy
to check. They are the tests' second opinion and the benchmarks' pure-Python baseline.

Rows are given as arrays: ``judge`` (int codes 0..J-1), ``a``, ``b`` (int codes 0..n-1),
``outcome`` (1 = a won, 0 = b won, 0.5 = tie; ties count half a win each way).

>>> import numpy as np
>>> from rankagg.reference import crowd
>>> judge = np.array([0, 0, 1, 1]); a = np.array([0, 1, 0, 1]); b = np.array([1, 2, 2, 2])
>>> fit = crowd.mixture_em(judge, a, b, np.ones(4), groups=1, n_items=3, n_judges=2)
>>> import rankagg as ra
>>> plain = ra.bradley_terry({"a": a, "b": b, "outcome": np.ones(4)}, regularization=1.0, scale="logit")
>>> bool(np.allclose(fit["theta"][0], plain.table.sort("item")["score"].to_numpy(), atol=1e-8))
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["crowd_em", "mixture_em", "mixture_log_likelihood"]


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -x)


def _rows(a: np.ndarray, b: np.ndarray, outcome: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, wins of i, wins of j) per row, ties split in half."""
    o = np.asarray(outcome, dtype=float)
    return np.asarray(a), np.asarray(b), o, 1.0 - o


def _bt_fit(
    i: np.ndarray, j: np.ndarray, wi: np.ndarray, wj: np.ndarray, n: int, regularization: float, theta0: np.ndarray
) -> np.ndarray:
    """Bradley–Terry with ``regularization`` virtual wins and losses per item against a virtual
    item of strength 1 (θ = 0), by Newton's method on the log-likelihood (a dense solve: small n
    only); returns θ centred to mean 0."""
    theta = np.array(theta0, dtype=float)
    games = wi + wj
    for _ in range(200):
        p = np.exp(_log_sigmoid(theta[i] - theta[j]))
        r = wi - games * p
        grad = np.bincount(i, weights=r, minlength=n) - np.bincount(j, weights=r, minlength=n)
        h = games * p * (1 - p)
        hess = np.zeros((n, n))
        np.add.at(hess, (i, i), h)
        np.add.at(hess, (j, j), h)
        np.add.at(hess, (i, j), -h)
        np.add.at(hess, (j, i), -h)
        if regularization > 0:
            q = np.exp(_log_sigmoid(theta))
            grad += regularization * (1 - 2 * q)
            hess[np.diag_indices(n)] += 2 * regularization * q * (1 - q)
        else:
            hess += 1.0 / n  # the direction of a common shift, which the likelihood ignores
        step = np.linalg.solve(hess, grad)
        theta += step
        if regularization == 0:
            theta -= theta.mean()
        if np.max(np.abs(step)) < 1e-13:
            break
    return theta - theta.mean()


def mixture_log_likelihood(
    judge: np.ndarray, a: np.ndarray, b: np.ndarray, outcome: np.ndarray, theta: np.ndarray, shares: np.ndarray
) -> tuple[float, np.ndarray]:
    """Σ_judges ln Σ_g π_g P(judge's rows | θ_g), and the judges' posteriors (judges × groups)."""
    i, j, wi, wj = _rows(a, b, outcome)
    n_judges = int(np.max(judge)) + 1
    per = np.empty((n_judges, len(shares)))
    for g in range(len(shares)):
        d = theta[g][i] - theta[g][j]
        ll = wi * _log_sigmoid(d) + wj * _log_sigmoid(-d)
        per[:, g] = np.log(shares[g]) + np.bincount(judge, weights=ll, minlength=n_judges)
    total = np.logaddexp.reduce(per, axis=1)
    return float(total.sum()), np.exp(per - total[:, None])


def mixture_em(
    judge: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    outcome: np.ndarray,
    *,
    groups: int,
    n_items: int,
    n_judges: int,
    responsibilities: np.ndarray | None = None,
    seed: int = 0,
    regularization: float = 1.0,
    tol: float = 1e-9,
    max_iter: int = 1000,
) -> dict[str, Any]:
    """EM for the mixture of Bradley–Terry models from ``responsibilities`` (judges × groups),
    or from a random balanced partition of the judges."""
    i, j, wi, wj = _rows(a, b, outcome)
    if responsibilities is None:
        rng = np.random.default_rng(seed)
        resp = np.zeros((n_judges, groups))
        resp[rng.permutation(n_judges), np.arange(n_judges) % groups] = 1.0
    else:
        resp = np.array(responsibilities, dtype=float)
    theta = np.zeros((groups, n_items))
    ll_old = -np.inf
    iterations, converged = 0, False
    ll = ll_old
    while iterations < max_iter:
        shares = resp.mean(axis=0)
        for g in range(groups):
            w = resp[judge, g]
            theta[g] = _bt_fit(i, j, w * wi, w * wj, n_items, regularization, theta[g])
        ll, resp = mixture_log_likelihood(judge, a, b, outcome, theta, shares)
        iterations += 1
        if abs(ll - ll_old) <= tol * (1.0 + abs(ll)):
            converged = True
            break
        ll_old = ll
    return {
        "theta": theta,
        "shares": resp.mean(axis=0),
        "responsibilities": resp,
        "log_likelihood": ll,
        "iterations": iterations,
        "converged": converged,
    }


def crowd_em(
    judge: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    outcome: np.ndarray,
    *,
    n_items: int,
    n_judges: int,
    regularization: float = 0.0,
    prior: tuple[float, float] = (1.0, 1.0),
    initial_reliability: float = 0.8,
    tol: float = 1e-9,
    max_iter: int = 1000,
) -> dict[str, Any]:
    """EM for Crowd-BT (Chen et al., 2013) from the plain Bradley–Terry fit and η = initial."""
    i, j, wi, wj = _rows(a, b, outcome)
    theta = _bt_fit(i, j, wi, wj, n_items, regularization, np.zeros(n_items))
    eta = np.full(n_judges, initial_reliability)
    counts = np.bincount(judge, weights=wi + wj, minlength=n_judges)

    def e_step(theta: np.ndarray, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        d = theta[i] - theta[j]
        up, down = np.exp(_log_sigmoid(d)), np.exp(_log_sigmoid(-d))
        e = eta[judge]
        p_up, p_down = e * up + (1 - e) * down, e * down + (1 - e) * up
        truth_up, truth_down = e * up / p_up, e * down / p_down
        ll = float(np.sum(wi * np.log(p_up) + wj * np.log(p_down)))
        return truth_up, truth_down, ll

    _, _, ll = e_step(theta, eta)
    iterations, converged = 0, False
    while iterations < max_iter:
        truth_up, truth_down = e_step(theta, eta)[:2]
        truthful = np.bincount(judge, weights=wi * truth_up + wj * truth_down, minlength=n_judges)
        eta = np.clip((truthful + prior[0] - 1) / (counts + prior[0] + prior[1] - 2), 0.0, 1.0)
        true_i = wi * truth_up + wj * (1 - truth_down)
        true_j = wj * truth_down + wi * (1 - truth_up)
        theta = _bt_fit(i, j, true_i, true_j, n_items, regularization, theta)
        new = e_step(theta, eta)[2]
        iterations += 1
        done = abs(new - ll) <= tol * (1.0 + abs(new))
        ll = new
        if done:
            converged = True
            break
    return {"theta": theta, "reliability": eta, "log_likelihood": ll, "iterations": iterations, "converged": converged}
