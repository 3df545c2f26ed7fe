"""The Pareto/NBD log-likelihood with its gradient and Hessian, for Newton's method.

The likelihood of a row (Fader & Hardie 2005, "A note on deriving the Pareto/NBD model and
related expressions") is ``exp(head) * (exp(alive) + exp(died))``, where ``died`` holds

    A0 = G(t_x) - G(T),   G(t) = 2F1(k, b; k + 1; z_t) / (m + t)^k,   k = r + s + x,

with ``m = alpha``, ``b = s + 1``, ``z_t = (alpha - beta) / (alpha + t)`` when alpha >= beta,
and ``m = beta``, ``b = r + x``, ``z_t = (beta - alpha) / (beta + t)`` otherwise.

**Derivatives in alpha and beta are analytic.** They enter only through ``z`` and ``m``,
and a hypergeometric function whose third argument exceeds its first by one has a
derivative in ``z`` that costs nothing once the function is known: from
``z^k F / k = integral_0^z u^(k-1) (1 - u)^(-b) du`` it follows that
``z F'(z) = k ((1 - z)^(-b) - F(z))``. The second derivative in ``z`` is the
hypergeometric function with shifted arguments, ``F'' = k b (b + 1) / (k + 2) *
2F1(k + 2, b + 2; k + 3; z)``, one more evaluation, needed only for the Hessian.

**Derivatives in r and s are central differences** of each row's log-likelihood, taken row
by row before summing, so rounding in the sum does not enter: r and s also move the
first two arguments of the hypergeometric function, in which it has no cheap derivative.
Mixed derivatives (r or s with alpha or beta) are central differences of the analytic
alpha and beta derivatives; the r-s derivative uses the two diagonal points
``(r + h, s + h)`` and ``(r - h, s - h)``.

One Hessian costs seven evaluations of the hypergeometric function per row (plus one for
``F''``), one gradient five, one value one, where numerical derivatives of the value alone
would need 33 for a Hessian. The term at ``T`` is computed once per distinct ``(x, T)``
pair: T takes few values in most data (one per day of first purchase).

Written by hand: no maintained library gives these derivatives.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, hyp2f1

from custlab.models._data import group_codes

__all__ = ["ParetoData", "pareto_nbd_derivatives"]

#: Relative step of the central differences in r and s.
STEP = 1e-4
#: Slices of rows sharing k and b with at least this many rows interpolate the
#: hypergeometric function (see :func:`_log_hyp`), at this many Chebyshev points.
INTERPOLATE_ROWS, NODES = 2000, 24
_NODE_COS = np.cos(np.pi * (np.arange(NODES) + 0.5) / NODES)
_COS_TABLE = np.cos(np.outer(np.arange(NODES), np.pi * (np.arange(NODES) + 0.5) / NODES))
#: Below this z, ``F'(z) / F(z)`` comes from the first three terms of its power series,
#: where the closed form above would lose digits to cancellation.
SMALL_Z = 1e-6


class ParetoData:
    """The (x, t_x, T) rows of a fit with their weights, the distinct x and the distinct
    (x, T) pairs, each with every row's position among them."""

    def __init__(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, weights: np.ndarray):
        # Rows sorted by x, so the rows sharing an x (and so k and b) are one slice each.
        order = np.argsort(x, kind="stable")
        x, t_x, T, weights = x[order], t_x[order], T[order], weights[order]
        self.x, self.t_x, self.T, self.w = x, t_x, T, weights
        starts = np.flatnonzero(np.r_[True, np.diff(x) != 0])
        groups = zip(starts.tolist(), np.r_[starts[1:], x.size].tolist(), strict=True)
        # Slices large enough to interpolate, and the rows of all the others (evaluated at once).
        self.groups = [(a, b) for a, b in groups if b - a >= INTERPOLATE_ROWS]
        small = np.ones(x.size, bool)
        for a, b in self.groups:
            small[a:b] = False
        self.small_rows = np.flatnonzero(small) if self.groups else None
        self.xs, at = np.unique(x, return_inverse=True)
        self.at = at.reshape(-1)
        self.w_by_x = np.bincount(self.at, weights=weights, minlength=self.xs.size)
        self.pair_at, first = group_codes(x, T)
        self.pair_x, self.pair_T = x[first], T[first]
        self.total = float(weights.sum())

    def subsample(self, rows: int) -> "ParetoData":
        """Every k-th row, k chosen to keep about ``rows`` of them, with their own weights."""
        keep = slice(0, None, int(np.ceil(self.x.size / rows)))
        return ParetoData(self.x[keep], self.t_x[keep], self.T[keep], self.w[keep])


def _log_hyp(k, b, z, groups, small_rows=None) -> np.ndarray:
    """``log 2F1(k, b; k + 1; z)`` per row; ``groups`` are the (start, stop) slices of at least
    :data:`INTERPOLATE_ROWS` rows that share k and b, ``small_rows`` the positions of the other
    rows (None: every row).

    In a slice of at least :data:`INTERPOLATE_ROWS` rows, the function is evaluated at
    :data:`NODES` Chebyshev points spanning the slice's z and its logarithm interpolated
    (Clenshaw's recurrence): it is analytic in z up to z = 1, so the coefficients fall
    geometrically, and the interpolant is used only when the last of them are below 1e-14 of
    the values, well under the rounding of the likelihood. Otherwise, and in small slices,
    the function is evaluated row by row. Each row then costs a few multiplications instead
    of one evaluation of the hypergeometric series.
    """
    if not groups:
        return np.log(hyp2f1(k, b, k + 1, z))
    out = np.empty(z.shape)
    if small_rows is not None and small_rows.size:
        out[small_rows] = np.log(hyp2f1(k[small_rows], b[small_rows], k[small_rows] + 1, z[small_rows]))
    for start, stop in groups:
        rows = slice(start, stop)
        zs = z[rows]
        lo, hi = float(zs.min()), float(zs.max())
        if hi > lo:
            kk, bb = k[start], b[start]
            nodes = lo + (hi - lo) * (_NODE_COS + 1) / 2
            f = np.log(hyp2f1(kk, bb, kk + 1, nodes))
            c = (2.0 / NODES) * (_COS_TABLE @ f)
            c[0] /= 2
            if np.all(np.isfinite(c)) and np.max(np.abs(c[-4:])) <= 1e-14 * max(1.0, float(np.max(np.abs(f)))):
                y = (2 * zs - (lo + hi)) / (hi - lo)
                b1, b2 = np.zeros_like(y), np.zeros_like(y)
                for n in range(NODES - 1, 0, -1):
                    b1, b2 = c[n] + 2 * y * b1 - b2, b1
                out[rows] = c[0] + y * b1 - b2
                continue
        out[rows] = np.log(hyp2f1(k[rows], b[rows], k[rows] + 1, zs))
    return out


def _log_g(k, b, m, diff, t, on_alpha: bool, order: int, groups=None, small_rows=None):
    """log G(t) and, up to ``order``, its derivatives in (alpha, beta) (see the module docstring).

    Returns ``(log_g, grad, hess)``: grad a pair of arrays (d/d alpha, d/d beta), hess a triple
    (alpha-alpha, alpha-beta, beta-beta); absent beyond ``order``.
    """
    mt = m + t
    z = diff / mt
    log_f = _log_hyp(k, b, z, groups, small_rows)
    log_g = log_f - k * np.log(mt)
    if order == 0:
        return log_g, None, None
    inv_f = np.exp(-log_f)
    small = z < SMALL_Z
    safe_z = np.where(small, 1.0, z)
    ratio = np.exp(-b * np.log1p(-z) - log_f)                # (1 - z)^(-b) / F
    series = k * b / (k + 1) * (1 + (b + 1) * (k + 1) / (k + 2) * z
                                + (b + 1) * (b + 2) * (k + 1) / (2 * (k + 3)) * z * z) * inv_f
    d1 = np.where(small, series, k / safe_z * (ratio - 1))   # F' / F
    # z = diff / (m + t) with diff = m - other parameter: the derivatives of z.
    dz_m = (mt - diff) / mt**2                               # d z / d m
    dz_o = -1.0 / mt                                         # d z / d (the other one)
    g_m = d1 * dz_m - k / mt
    g_o = d1 * dz_o
    grad = (g_m, g_o) if on_alpha else (g_o, g_m)
    if order == 1:
        return log_g, grad, None
    d2 = k * b * (b + 1) / (k + 2) * hyp2f1(k + 2, b + 2, k + 3, z) * inv_f   # F'' / F
    curv = d2 - d1 * d1
    h_mm = curv * dz_m**2 + d1 * (-2 * (mt - diff) / mt**3) + k / mt**2
    h_mo = curv * dz_m * dz_o + d1 / mt**2
    h_oo = curv * dz_o**2
    hess = (h_mm, h_mo, h_oo) if on_alpha else (h_oo, h_mo, h_mm)
    return log_g, grad, hess


def _rows(params, data: ParetoData, order: int):
    """Each row's log-likelihood and, up to ``order``, its derivatives in (alpha, beta)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _rows_unguarded(params, data, order)


def _rows_unguarded(params, data: ParetoData, order: int):
    r, alpha, s, beta = (float(p) for p in params)
    x, at, pair_at = data.x, data.at, data.pair_at
    on_alpha = alpha >= beta
    m, diff = (alpha, alpha - beta) if on_alpha else (beta, beta - alpha)
    k = r + s + x
    b = np.full(x.shape, s + 1.0) if on_alpha else r + x
    kp = r + s + data.pair_x
    bp = np.full(kp.shape, s + 1.0) if on_alpha else r + data.pair_x
    l1, g1, h1 = _log_g(k, b, m, diff, data.t_x, on_alpha, order, data.groups, data.small_rows)
    l2p, g2p, h2p = _log_g(kp, bp, m, diff, data.pair_T, on_alpha, order)
    l2 = l2p[pair_at]
    rho = np.exp(l2 - l1)                                    # G(T) / G(t_x), below 1
    log_a0 = l1 + np.log1p(-rho)
    head = (gammaln(r + data.xs) - gammaln(r))[at] + r * np.log(alpha) + s * np.log(beta)
    log_aT, log_bT = np.log(alpha + data.T), np.log(beta + data.T)
    alive = -(r + x) * log_aT - s * log_bT
    died = np.log(s) - np.log(k) + log_a0
    died = np.where(np.isnan(died), -np.inf, died)
    top = np.maximum(alive, died)
    e_alive, e_died = np.exp(alive - top), np.exp(died - top)
    ll = head + top + np.log(e_alive + e_died)
    if order == 0:
        return ll, None, None
    sigma = e_died / (e_alive + e_died)                      # weight of the "died" branch
    one_minus = 1.0 / (1.0 - rho)
    g2 = [g[pair_at] for g in g2p]
    d_died = [np.where(sigma > 0, (g1[i] - rho * g2[i]) * one_minus, 0.0) for i in range(2)]
    i_aT, i_bT = 1.0 / (alpha + data.T), 1.0 / (beta + data.T)
    d_alive = [-(r + x) * i_aT, -s * i_bT]
    d_head = [r / alpha, s / beta]
    grad = [d_head[i] + (1 - sigma) * d_alive[i] + sigma * d_died[i] for i in range(2)]
    if order == 1:
        return ll, grad, None
    h2 = [h[pair_at] for h in h2p]
    a0_second = []
    for idx, (i, j) in enumerate(((0, 0), (0, 1), (1, 1))):
        second = ((h1[idx] + g1[i] * g1[j]) - rho * (h2[idx] + g2[i] * g2[j])) * one_minus
        a0_second.append(np.where(sigma > 0, second - d_died[i] * d_died[j], 0.0))
    alive_second = [(r + x) * i_aT**2, 0.0, s * i_bT**2]
    head_second = [-r / alpha**2, 0.0, -s / beta**2]
    v = sigma * (1 - sigma)
    hess = []
    for idx, (i, j) in enumerate(((0, 0), (0, 1), (1, 1))):
        gap_i, gap_j = d_died[i] - d_alive[i], d_died[j] - d_alive[j]
        hess.append(head_second[idx] + (1 - sigma) * alive_second[idx] + sigma * a0_second[idx]
                    + v * gap_i * gap_j)
    return ll, grad, hess


def pareto_nbd_derivatives(params, data: ParetoData, order: int = 2):
    """Summed, weighted log-likelihood and, up to ``order``, its gradient and Hessian in
    (r, alpha, s, beta); see the module docstring for how each part is computed."""
    r, alpha, s, beta = (float(p) for p in params)
    w = data.w
    centre, grad_ab, hess_ab = _rows(params, data, order)
    value = float(np.dot(w, centre))
    if order == 0:
        return value
    hr, hs = STEP * r, STEP * s
    shifted = order - 1                                      # the Hessian needs alpha, beta slopes there
    r_up, r_up_g, _ = _rows((r + hr, alpha, s, beta), data, shifted)
    r_dn, r_dn_g, _ = _rows((r - hr, alpha, s, beta), data, shifted)
    s_up, s_up_g, _ = _rows((r, alpha, s + hs, beta), data, shifted)
    s_dn, s_dn_g, _ = _rows((r, alpha, s - hs, beta), data, shifted)
    grad = np.array([
        np.dot(w, r_up - r_dn) / (2 * hr),
        np.dot(w, grad_ab[0]),
        np.dot(w, s_up - s_dn) / (2 * hs),
        np.dot(w, grad_ab[1]),
    ])
    if order == 1:
        return value, grad
    both_up = _rows((r + hr, alpha, s + hs, beta), data, 0)[0]
    both_dn = _rows((r - hr, alpha, s - hs, beta), data, 0)[0]
    hess = np.empty((4, 4))
    hess[0, 0] = np.dot(w, r_up - 2 * centre + r_dn) / hr**2
    hess[2, 2] = np.dot(w, s_up - 2 * centre + s_dn) / hs**2
    hess[0, 2] = np.dot(w, both_up + both_dn - r_up - r_dn - s_up - s_dn + 2 * centre) / (2 * hr * hs)
    hess[1, 1], hess[1, 3], hess[3, 3] = (float(np.dot(w, h)) for h in hess_ab)
    hess[0, 1] = np.dot(w, r_up_g[0] - r_dn_g[0]) / (2 * hr)
    hess[0, 3] = np.dot(w, r_up_g[1] - r_dn_g[1]) / (2 * hr)
    hess[1, 2] = np.dot(w, s_up_g[0] - s_dn_g[0]) / (2 * hs)
    hess[2, 3] = np.dot(w, s_up_g[1] - s_dn_g[1]) / (2 * hs)
    hess = np.triu(hess) + np.triu(hess, 1).T
    return value, grad, hess
