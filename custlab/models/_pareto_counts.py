"""P(X(t) = n) under the Pareto/NBD model: the chance that a new customer makes exactly n
repeat purchases in their first t time units (Fader & Hardie 2006, "Deriving an expression
for P(X(t) = x) under the Pareto/NBD model", brucehardie.com/notes/012).

For one customer with purchase rate lambda and dropout rate mu (lifetime tau ~ Exp(mu)):

    P(X(t) = n | lambda, mu) = Poisson(n; lambda t) exp(-mu t)                 (still there at t)
        + mu lambda^n / (lambda + mu)^(n + 1) * [1 - sum_{i=0}^{n} Poisson(i; (lambda + mu) t)]
                                                                                (gone before t)

the second line being the integral of Poisson(n; lambda tau) mu exp(-mu tau) over tau in
(0, t]. Averaging over lambda ~ Gamma(r, alpha) and mu ~ Gamma(s, beta), the first line
becomes a negative binomial times (beta / (beta + t))^s; for the second, write
lambda = rho pi and mu = rho (1 - pi): rho integrates to a gamma function and pi to a
Gauss hypergeometric function, which gives the note's result

    P(X(t) = n) = NB(n; r, alpha, t) (beta / (beta + t))^s
        + alpha^r beta^s B(r + n, s + 1) / B(r, s) * [B_1 - sum_{i=0}^{n} Gamma(r + s + i) /
          (Gamma(r + s) i!) t^i B_2(i)]

with, for alpha >= beta (so that the hypergeometric argument stays in [0, 1)),

    B_1    = 2F1(r + s, s + 1; r + s + n + 1; (alpha - beta) / alpha) / alpha^(r + s)
    B_2(i) = 2F1(r + s + i, s + 1; r + s + n + 1; (alpha - beta) / (alpha + t)) / (alpha + t)^(r + s + i)

and for alpha < beta the same with alpha and beta swapped in the argument, the second
parameter ``s + 1`` replaced by ``r + n`` and the powers taken of beta and beta + t.
Every factor is computed in log space.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import quad
from scipy.special import betainc, betaln, gammaln, hyp2f1

__all__ = ["pareto_nbd_count_probabilities"]


def pareto_nbd_count_probabilities(params, n: np.ndarray, t: np.ndarray) -> np.ndarray:
    """P(X(t) = n) for arrays ``n`` (whole numbers >= 0) and ``t`` (>= 0) that broadcast.

    Missing values (NaN) in ``n`` or ``t`` give NaN.
    """
    r, alpha, s, beta = (float(p) for p in params)
    n, t = np.broadcast_arrays(np.asarray(n, float), np.asarray(t, float))
    out = np.full(n.shape, np.nan)
    ok = np.isfinite(n) & np.isfinite(t)
    n, t = n[ok], t[ok]

    with np.errstate(divide="ignore", invalid="ignore"):
        log_t = np.log(t)
        # Still there at t: negative binomial count times the chance of surviving to t.
        log_nb = (gammaln(r + n) - gammaln(r) - gammaln(n + 1) + r * (np.log(alpha) - np.log(alpha + t))
                  + np.where(n > 0, n * (log_t - np.log(alpha + t)), 0.0))
        there = np.exp(log_nb + s * (np.log(beta) - np.log(beta + t)))

    if alpha >= beta:
        big, diff, second = alpha, alpha - beta, np.full(n.shape, s + 1.0)
    else:
        big, diff, second = beta, beta - alpha, r + n
    c = r + s + n + 1
    rs = r + s
    # Gone before t: weight times bracket, with big^(r + s) moved out of the bracket into the
    # weight so that neither overflows. The weight is then (beta / alpha)^s or (alpha / beta)^r
    # times B(r + n, s + 1) / B(r, s), below 1; the bracket is big^(r + s) (B_1 - sum B_2(i)).
    log_weight = (r * np.log(alpha / big) + s * np.log(beta / big) + betaln(r + n, s + 1) - betaln(r, s))
    bracket = hyp2f1(rs, second, c, diff / big)
    for i in range(int(n.max(initial=0)) + 1):
        rows = n >= i
        if not rows.any():
            break
        ti = t[rows]
        with np.errstate(divide="ignore", invalid="ignore"):
            log_power = np.where(i > 0, i * (log_t[rows] - np.log(big + ti)), 0.0)
        log_term = gammaln(rs + i) - gammaln(rs) - gammaln(i + 1.0) + log_power + rs * np.log(big / (big + ti))
        with np.errstate(invalid="ignore", over="ignore"):     # failures are caught below
            bracket[rows] -= np.exp(log_term) * hyp2f1(rs + i, second[rows], c[rows], diff / (big + ti))
    with np.errstate(invalid="ignore", over="ignore"):
        gone = np.exp(log_weight) * bracket
    # The bracket is a tail of positive terms, below 0 only by rounding. Where scipy's
    # hypergeometric function fails (parameters far out, such as s and beta in the hundreds,
    # with many purchases), the term is integrated numerically instead.
    failed = ~np.isfinite(gone) | (gone < -1e-9) | (there + gone > 1 + 1e-9)
    for k in np.flatnonzero(failed):
        gone[k] = _gone_by_quadrature(r, alpha, s, beta, n[k], t[k])
    out[ok] = there + np.maximum(gone, 0.0)
    return out


def _gone_by_quadrature(r: float, alpha: float, s: float, beta: float, n: float, t: float) -> float:
    """The "gone before t" term for one (n, t), as a one-dimensional integral.

    With pi = lambda / (lambda + mu), the term is E[(1 - pi) pi^n P(Poisson((lambda + mu) t) > n)].
    Given pi, lambda + mu is Gamma(r + s, c) with c = beta + (alpha - beta) pi, so the Poisson
    tail averages to the negative binomial tail ``betainc(n + 1, r + s, t / (c + t))``, and pi
    has density pi^(r - 1) (1 - pi)^(s - 1) (alpha / c)^r (beta / c)^s / B(r, s).
    """
    if t == 0:
        return 0.0
    rs = r + s

    def log_rest(p):
        # (alpha / c)^r ((1 - p) beta / c)^s: the second factor cannot overflow, as c >= (1 - p) beta.
        c = beta + (alpha - beta) * p
        with np.errstate(divide="ignore"):                  # a tail that underflows to 0
            return (r * np.log(alpha / c) + s * np.log((1 - p) * beta / c) - betaln(r, s)
                    + np.log(betainc(n + 1, rs, t / (c + t))))

    # The integrand can be a narrow peak far from both ends (large s and beta, many purchases):
    # find it on a grid in log(p / (1 - p)) and split the interval there, so that quad sees it.
    grid = 1.0 / (1.0 + np.exp(-np.linspace(-40.0, 40.0, 4001)))
    grid = grid[(grid > 0) & (grid < 1)]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_f = (r + n - 1) * np.log(grid) + log_rest(grid) + np.log(grid * (1 - grid))
    mode = float(grid[np.nanargmax(np.where(np.isfinite(log_f), log_f, -np.inf))])
    # weight="alg" takes the factor p^(r + n - 1), singular at 0 when r + n < 1, exactly.
    left = quad(lambda p: np.exp(log_rest(p)), 0.0, mode, weight="alg", wvar=(r + n - 1, 0.0), limit=200,
                epsabs=1e-14, epsrel=1e-10)[0]
    right = quad(lambda p: np.exp((r + n - 1) * np.log(p) + log_rest(p)), mode, 1.0, limit=200, epsabs=1e-14,
                 epsrel=1e-10)[0]
    return float(left + right)
