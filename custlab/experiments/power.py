"""How many customers an experiment needs: sample size and power of the two-sided
two-proportion z-test. See :mod:`custlab.experiments`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["break_even_lift", "power", "power_curve", "sample_size"]


def _check_rates(base_rate: float, lift: float) -> tuple[float, float]:
    p1, p2 = float(base_rate), float(base_rate) + float(lift)
    if not 0 < p1 < 1:
        raise ValueError(f"base_rate={base_rate!r} must be a fraction between 0 and 1 (0.08 for 8 %).")
    if lift == 0 or not 0 < p2 < 1:
        raise ValueError(f"lift={lift!r} must be a non-zero difference of rates (a fraction: 0.02 for 2 percentage "
                         f"points) that keeps base_rate + lift between 0 and 1.")
    return p1, p2


def _check_alpha(alpha: float) -> float:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha={alpha!r} must be between 0 and 1, e.g. 0.05.")
    return float(stats.norm.ppf(1 - alpha / 2))


def sample_size(base_rate: float, lift: float, *, alpha: float = 0.05, power: float = 0.8) -> int:
    """Customers per group for a two-sided two-proportion z-test to find ``lift`` with ``power``.

    The normal-approximation formula without continuity correction (Fleiss, Levin & Paik
    2003; Chow, Shao & Wang 2008), rounded up::

        n = (z_{1-alpha/2} sqrt(2 pbar qbar) + z_{power} sqrt(p1 q1 + p2 q2))^2 / (p2 - p1)^2

    with ``p1 = base_rate``, ``p2 = base_rate + lift``, ``pbar = (p1 + p2) / 2``, ``q = 1 - p``.

    Parameters
    ----------
    base_rate : float
        The control group's rate, a fraction (0.08 for 8 %).
    lift : float
        The difference to find, a fraction (0.02 for 2 percentage points); either sign.
    alpha : float
        Significance level of the two-sided test.
    power : float
        Chance of finding the lift when it is there.

    Examples
    --------
    >>> sample_size(0.5, 0.1)
    388
    """
    p1, p2 = _check_rates(base_rate, lift)
    z_a = _check_alpha(alpha)
    if not 0 < power < 1:
        raise ValueError(f"power={power!r} must be between 0 and 1, e.g. 0.8.")
    z_b = stats.norm.ppf(power)
    pbar = (p1 + p2) / 2
    n = (z_a * np.sqrt(2 * pbar * (1 - pbar)) + z_b * np.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p2 - p1) ** 2
    return int(np.ceil(n - 1e-9))


def power(n_per_group, base_rate: float, lift: float, *, alpha: float = 0.05):
    """The chance that a two-sided two-proportion z-test with ``n_per_group`` customers per group
    finds ``lift``: the inverse of :func:`sample_size`, both tails counted.

    ``power = Phi((|d| sqrt(n) - z sqrt(2 pbar qbar)) / s) + Phi((-|d| sqrt(n) - z sqrt(2 pbar qbar)) / s)``
    with ``s = sqrt(p1 q1 + p2 q2)``, ``d = p2 - p1`` and ``z = z_{1-alpha/2}``.

    Parameters
    ----------
    n_per_group : int or array of int
        Customers in each group.
    base_rate, lift, alpha
        As in :func:`sample_size`.

    Returns
    -------
    float or numpy.ndarray
        The power (0 to 1), one per ``n_per_group``.

    Examples
    --------
    >>> round(float(power(388, 0.5, 0.1)), 3)
    0.801
    """
    p1, p2 = _check_rates(base_rate, lift)
    z_a = _check_alpha(alpha)
    n = np.asarray(n_per_group, float)
    if (n <= 0).any():
        raise ValueError("n_per_group must be positive.")
    pbar = (p1 + p2) / 2
    s = np.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    null = z_a * np.sqrt(2 * pbar * (1 - pbar))
    d = abs(p2 - p1) * np.sqrt(n)
    out = stats.norm.cdf((d - null) / s) + stats.norm.cdf((-d - null) / s)
    return float(out) if out.ndim == 0 else out


def power_curve(base_rate: float, lifts: Sequence[float], *, n_per_group: Sequence[int] | None = None,
                alpha: float = 0.05) -> pd.DataFrame:
    """Power against customers per group, for a few lifts: the table behind a power curve.

    Parameters
    ----------
    base_rate : float
        The control rate, a fraction.
    lifts : sequence of float
        Differences of rates, fractions (0.02 for 2 percentage points).
    n_per_group : sequence of int, optional
        Group sizes; default 60 sizes spaced evenly on a log scale from 50 to twice the
        size the smallest lift needs for 80 % power.

    Returns
    -------
    pandas.DataFrame
        ``lift_pp`` (percentage points), ``customers_per_group``, ``power`` (0 to 1).

    Examples
    --------
    >>> c = power_curve(0.5, [0.1], n_per_group=[388])
    >>> c.round(3).to_dict("records")
    [{'lift_pp': 10.0, 'customers_per_group': 388, 'power': 0.801}]
    """
    lifts = [float(v) for v in lifts]
    if not lifts:
        raise ValueError("power_curve: give at least one lift.")
    if n_per_group is None:
        top = 2 * max(sample_size(base_rate, v, alpha=alpha) for v in lifts)
        n_per_group = np.unique(np.round(np.geomspace(50, max(top, 100), 60)).astype(int))
    n = np.asarray(n_per_group, int)
    parts = [pd.DataFrame({"lift_pp": 100 * v, "customers_per_group": n, "power": power(n, base_rate, v, alpha=alpha)})
             for v in lifts]
    return pd.concat(parts, ignore_index=True)


def break_even_lift(cost_per_treated: float, revenue_per_repeat_buyer: float, *, margin: float) -> float:
    """The smallest lift of the repeat rate that pays for an incentive: the lift worth finding.

    One extra repeat buyer brings about the profit of a repeat buyer,
    ``margin * revenue_per_repeat_buyer``; the incentive costs ``cost_per_treated`` on every
    treated customer. It pays when ``lift * margin * revenue_per_repeat_buyer`` reaches the
    cost::

        break-even lift = cost_per_treated / (margin * revenue_per_repeat_buyer)

    A first-order figure for sizing an experiment: it leaves out that an offer may also
    change how much the customers who would have come back anyway buy.

    Parameters
    ----------
    cost_per_treated : float
        What the incentive costs per treated customer, currency units (0 or more).
    revenue_per_repeat_buyer : float
        Revenue of a customer who buys again, over the same window, currency units.
    margin : float
        Share of revenue kept as profit (above 0, at most 1).

    Returns
    -------
    float
        The lift as a fraction (0.02 for 2 percentage points); pass it to :func:`sample_size`.

    Examples
    --------
    >>> round(break_even_lift(0.6, 40.0, margin=0.3), 4)
    0.05
    """
    if not 0 < margin <= 1:
        raise ValueError(f"margin={margin!r} must be the share of revenue kept as profit, above 0 and at most 1.")
    if not revenue_per_repeat_buyer > 0:
        raise ValueError(f"revenue_per_repeat_buyer={revenue_per_repeat_buyer!r} must be positive (currency units).")
    if not cost_per_treated >= 0:
        raise ValueError(f"cost_per_treated={cost_per_treated!r} must be 0 or more (currency units).")
    return float(cost_per_treated) / (margin * float(revenue_per_repeat_buyer))
