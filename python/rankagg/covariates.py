"""Bradley–Terry with per-comparison covariates (style control): the Newton iteration.

logit P(a beats b) = θ_a − θ_b + xᵀβ, fitted by penalised maximum likelihood with
``covariate_l2``·‖β‖²/2 on the coefficients (and ``regularization`` on θ as in plain
Bradley–Terry: virtual wins and losses against an item of strength 0). Each Newton step gets
the gradient and information matrix from one parallel pass over the rows in Rust
(``_core.covariate_terms``) and solves the (n + p)-dimensional system with numpy, so this path
suits up to a few thousand items.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TypedDict

import numpy as np

from rankagg import _core
from rankagg.pairs import Comparisons

__all__ = ["CovariateFit", "fit", "bootstrap"]


@dataclass
class CovariateFit:
    theta: np.ndarray
    """Log-strengths, centred to mean 0."""
    beta: np.ndarray
    iterations: int
    converged: bool
    log_likelihood: float
    covariance: np.ndarray
    """Inverse information of the centred (θ, β) (model-based)."""
    sandwich: np.ndarray | None
    """H⁻¹ J H⁻¹ of the centred (θ, β), when asked for."""
    max_relative_gradient: float


def _penalised(
    rows: Comparisons,
    theta: np.ndarray,
    beta: np.ndarray,
    *,
    drop_ties: bool,
    l2: float,
    reg: float,
    with_meat: bool = False,
    validate: bool = False,
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray | None]:
    n, p = len(theta), len(beta)
    assert rows.x is not None
    ll, g, info, meat = _core.covariate_terms(
        n,
        rows.core_rows(),
        rows.x.reshape(-1),
        theta,
        beta,
        drop_ties=drop_ties,
        with_meat=with_meat,
        validate=validate,
    )
    k = n + p
    info = info.reshape(k, k)
    obj = ll - 0.5 * l2 * float(beta @ beta)
    g = g.copy()
    g[n:] -= l2 * beta
    info[n:, n:] += l2 * np.eye(p)
    if reg > 0:
        s = 1.0 / (1.0 + np.exp(-theta))
        # r wins and r losses against an item of strength 0, per item.
        obj += reg * float(np.sum(theta - 2.0 * np.logaddexp(0.0, theta)))
        g[:n] += reg * (1.0 - 2.0 * s)
        info[np.arange(n), np.arange(n)] += 2.0 * reg * s * (1.0 - s)
    return obj, g, info, (meat.reshape(k, k) if meat is not None else None)


def fit(
    rows: Comparisons,
    theta0: np.ndarray,
    *,
    drop_ties: bool,
    l2: float,
    regularization: float,
    tol: float,
    max_iter: int,
    counts: np.ndarray,
    with_sandwich: bool,
    beta0: np.ndarray | None = None,
) -> CovariateFit:
    """Newton's method with backtracking from (``theta0`` in code order, β = 0). ``counts``:
    comparisons per item (θ's gradient is divided by them for the stopping test, as in plain
    Bradley–Terry); β's gradient is divided by Σ|x|·w per feature."""
    assert rows.x is not None
    n, p = len(theta0), rows.x.shape[1]
    theta = theta0.astype(float).copy()
    beta = np.zeros(p) if beta0 is None else beta0.astype(float).copy()
    w = rows.weight if rows.weight is not None else 1.0
    scale = np.concatenate(
        [np.maximum(counts, 1e-300), np.maximum((np.abs(rows.x) * np.asarray(w).reshape(-1, 1)).sum(axis=0), 1e-300)]
    )
    gauge = np.zeros((n + p, n + p))
    if regularization <= 0:
        gauge[:n, :n] = 1.0 / n  # θ + c·1 leaves the likelihood unchanged: pin the mean
    obj, g, info, _ = _penalised(rows, theta, beta, drop_ties=drop_ties, l2=l2, reg=regularization, validate=True)
    rel = float(np.max(np.abs(g) / scale))
    iterations = 0
    while rel > tol and iterations < max_iter:
        iterations += 1
        step = np.linalg.solve(info + gauge, g)
        t = 1.0
        for _ in range(60):
            cand_theta, cand_beta = theta + t * step[:n], beta + t * step[n:]
            c_obj, c_g, c_info, _ = _penalised(
                rows, cand_theta, cand_beta, drop_ties=drop_ties, l2=l2, reg=regularization
            )
            if c_obj >= obj - 1e-12 * abs(obj):
                break
            t *= 0.5
        theta, beta, obj, g, info = cand_theta, cand_beta, c_obj, c_g, c_info
        rel = float(np.max(np.abs(g) / scale))
    meat = None
    if with_sandwich:  # one more pass over the rows, for the meat
        _, _, info, meat = _penalised(rows, theta, beta, drop_ties=drop_ties, l2=l2, reg=regularization, with_meat=True)
    centre = np.eye(n + p)
    centre[:n, :n] -= 1.0 / n
    if regularization > 0:
        hinv = np.linalg.inv(info)
    else:
        hinv = np.linalg.pinv(info, hermitian=True)
    cov = centre @ hinv @ centre.T
    sandwich = centre @ hinv @ meat @ hinv @ centre.T if meat is not None else None
    ll = obj + 0.5 * l2 * float(beta @ beta)
    if regularization > 0:
        ll -= regularization * float(np.sum(theta - 2.0 * np.logaddexp(0.0, theta)))
    return CovariateFit(theta - theta.mean(), beta, iterations, rel <= tol, ll, cov, sandwich, rel)


class CovariateReplicates(TypedDict):
    """What :func:`bootstrap` returns (one chunk of rounds)."""

    replicates: np.ndarray
    beta_replicates: np.ndarray
    not_converged: int


def bootstrap(
    rows: Comparisons,
    point: CovariateFit,
    *,
    rounds: int,
    first_round: int,
    seed: int,
    drop_ties: bool,
    l2: float,
    regularization: float,
    tol: float,
    max_iter: int,
) -> CovariateReplicates:
    """Row-resampling bootstrap: each round draws the rows with replacement (round r uses the
    generator seeded by (seed, r), so chunks give the same result) and refits from ``point``.
    Returns code-order θ replicates (rounds × n), β replicates (rounds × p) and the number of
    rounds that stopped before ``tol``."""
    m, n = len(rows.a), len(point.theta)
    base = rows.weight if rows.weight is not None else np.ones(m)
    thetas, betas, not_converged = [], [], 0
    for r in range(first_round, first_round + rounds):
        rng = np.random.default_rng([seed, r])
        w = base * np.bincount(rng.integers(0, m, m), minlength=m)
        counts = np.bincount(rows.a, w, n) + np.bincount(rows.b, w, n)
        f = fit(
            replace(rows, weight=w),
            point.theta,
            drop_ties=drop_ties,
            l2=l2,
            regularization=regularization,
            tol=tol,
            max_iter=max_iter,
            counts=counts,
            with_sandwich=False,
            beta0=point.beta,
        )
        thetas.append(f.theta)
        betas.append(f.beta)
        not_converged += not f.converged
    return {
        "replicates": np.array(thetas).reshape(rounds, n),
        "beta_replicates": np.array(betas).reshape(rounds, -1),
        "not_converged": not_converged,
    }
