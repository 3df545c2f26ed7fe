"""Intervals and tests for experiments: Wilson, Newcombe, the pooled z-test, Welch and Holm.

See :mod:`custlab.experiments` for why Newcombe's interval is used for a difference of rates.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["format_p_value", "newcombe_interval", "wilson_interval"]


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} must be between 0 and 1, e.g. 0.95.")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def wilson_interval(successes, trials, *, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson's score interval for a proportion (fractions, 0 to 1); NaN where ``trials`` is 0.

    Examples
    --------
    >>> low, high = wilson_interval(0, 10)
    >>> float(low), round(float(high), 4)
    (0.0, 0.2775)
    """
    z = _z(confidence)
    k, n = np.asarray(successes, float), np.asarray(trials, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        centre = (k + z * z / 2) / (n + z * z)
        half = z * np.sqrt(n) / (n + z * z) * np.sqrt(p * (1 - p) + z * z / (4 * n))
        low, high = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
    low, high = np.where(k == 0, 0.0, low), np.where(k == n, 1.0, high)  # exact at the edges
    bad = n <= 0
    return np.where(bad, np.nan, low), np.where(bad, np.nan, high)


def newcombe_interval(successes_a, trials_a, successes_b, trials_b, *,
                      confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval for the difference of two proportions ``p_a - p_b``.

    With the Wilson intervals ``(l_a, u_a)`` and ``(l_b, u_b)`` of each proportion,
    ``low = d - sqrt((p_a - l_a)^2 + (u_b - p_b)^2)`` and
    ``high = d + sqrt((u_a - p_a)^2 + (p_b - l_b)^2)`` (Newcombe 1998, method 10).

    Returns
    -------
    low, high : arrays
        Bounds of the difference, as fractions (-1 to 1).

    Examples
    --------
    Newcombe's first example, 56/70 against 48/80 (his Table II, method 10: 0.0524 to 0.3339;
    the Wald interval is 0.0575 to 0.3425):

    >>> low, high = newcombe_interval(56, 70, 48, 80)
    >>> round(float(low), 4), round(float(high), 4)
    (0.0524, 0.3339)
    """
    ka, na, kb, nb = (np.asarray(v, float) for v in (successes_a, trials_a, successes_b, trials_b))
    la, ua = wilson_interval(ka, na, confidence=confidence)
    lb, ub = wilson_interval(kb, nb, confidence=confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        pa, pb = ka / na, kb / nb
    d = pa - pb
    return d - np.sqrt((pa - la) ** 2 + (ub - pb) ** 2), d + np.sqrt((ua - pa) ** 2 + (pb - lb) ** 2)


def _pooled_z_p_value(ka, na, kb, nb) -> float:
    """Two-sided p-value of the pooled two-proportion z-test; 1 when both rates are 0 or 1."""
    if na == 0 or nb == 0:
        return float("nan")
    pooled = (ka + kb) / (na + nb)
    se = np.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    if se == 0:
        return 1.0
    return float(2 * stats.norm.sf(abs(ka / na - kb / nb) / se))


def _welch(a: np.ndarray, b: np.ndarray, confidence: float) -> tuple[float, float, float]:
    """Welch's interval and p-value for mean(a) - mean(b); NaN when a group has one row."""
    if a.size < 2 or b.size < 2:
        return np.nan, np.nan, np.nan
    if np.var(a) == 0 and np.var(b) == 0:
        d = float(a.mean() - b.mean())
        return d, d, 1.0 if d == 0 else 0.0
    res = stats.ttest_ind(a, b, equal_var=False)
    ci = res.confidence_interval(confidence)
    return float(ci.low), float(ci.high), float(res.pvalue)


def _ratio_delta(num_a: np.ndarray, num_b: np.ndarray, den_a: np.ndarray, den_b: np.ndarray,
                 confidence: float) -> tuple[float, float, float]:
    """A ratio of two differences of means and its delta-method interval.

    ``R = (mean(num_a) - mean(num_b)) / (mean(den_a) - mean(den_b))``, both differences taken on
    the same customers (``num`` and ``den`` are two columns of one row per customer), so the
    interval counts the noise of the denominator and its covariance with the numerator::

        var(R) = (var(N) - 2 R cov(N, D) + R^2 var(D)) / D^2

    with ``var(N) = s^2(num_a) / n_a + s^2(num_b) / n_b`` and likewise for ``D`` and the
    covariance. NaN when the denominator is not positive or a group has one row.
    """
    na, nb = num_a.size, num_b.size
    den = float(den_a.mean() - den_b.mean())
    if na < 2 or nb < 2 or not den > 0:
        return np.nan, np.nan, np.nan
    ratio = float(num_a.mean() - num_b.mean()) / den
    var_n = num_a.var(ddof=1) / na + num_b.var(ddof=1) / nb
    var_d = den_a.var(ddof=1) / na + den_b.var(ddof=1) / nb
    cov = np.cov(num_a, den_a)[0, 1] / na + np.cov(num_b, den_b)[0, 1] / nb
    half = _z(confidence) * np.sqrt(max(var_n - 2 * ratio * cov + ratio ** 2 * var_d, 0.0)) / den
    return ratio, ratio - half, ratio + half


def format_p_value(p: float, *, digits: int = 3, sentence: bool = False) -> str:
    """A p-value as text: ``digits`` decimals, ``"< 0.001"`` below the smallest one shown, ``""`` for NaN.

    With ``sentence=True``, ready for a sentence: ``"p = 0.087"`` or ``"p < 0.001"``.

    Examples
    --------
    >>> format_p_value(0.0871), format_p_value(0.00002), format_p_value(float("nan"))
    ('0.087', '< 0.001', '')
    >>> format_p_value(0.0871, sentence=True), format_p_value(0.00002, sentence=True)
    ('p = 0.087', 'p < 0.001')
    """
    if p is None or np.isnan(p):
        return "p not computed" if sentence else ""
    floor = 10.0 ** -digits
    text = f"< {floor:.{digits}f}" if p < floor else f"{p:.{digits}f}"
    return ("p " + text if text.startswith("<") else "p = " + text) if sentence else text


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (Holm 1979); NaN stays NaN and is left out of the family."""
    p = np.asarray(p, float)
    out = np.full(p.size, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = ok.size
    order = ok[np.argsort(p[ok], kind="stable")]
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out
