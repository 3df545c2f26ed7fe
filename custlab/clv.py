"""Customer lifetime value from a purchase model and a spend model.

The value of future purchases is built period by period: the expected number of
purchases in each period (from BG/NBD or Pareto/NBD), times the expected spend
per purchase (Gamma-Gamma), times the margin, discounted back to today. This is
the discrete-time form of Fader, Hardie & Lee (2005), "RFM and CLV", Journal of
Marketing Research 42(4), with discounting at the end of each period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["residual_value", "new_customer_value"]


def _steps(horizon: float, step: float) -> np.ndarray:
    if horizon <= 0 or step <= 0:
        raise ValueError(f"horizon ({horizon}) and step ({step}) must be positive, in the model's time unit.")
    n = int(np.ceil(horizon / step - 1e-9))
    return np.minimum(np.arange(1, n + 1) * step, horizon)


def _check_rate(discount_rate: float) -> None:
    if not 0 <= discount_rate < 1:
        raise ValueError(f"discount_rate={discount_rate}: give it per step as a fraction, e.g. 0.01 for 1 % a month.")


def residual_value(
    purchase_model,
    spend_model,
    summary: pd.DataFrame,
    *,
    horizon: float,
    discount_rate: float,
    margin: float = 1.0,
    step: float = 1.0,
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """Discounted value of each existing customer's future purchases over ``horizon``.

    Parameters
    ----------
    purchase_model
        Fitted :class:`~custlab.BetaGeo` or :class:`~custlab.ParetoNBD`.
    spend_model
        Fitted :class:`~custlab.GammaGamma`.
    summary : pandas.DataFrame
        :func:`custlab.rfm_summary` output (frequency, recency, T, monetary_value).
    horizon : float
        How far ahead, in the purchase model's time unit (e.g. 52 weeks).
    discount_rate : float
        Discount rate per ``step`` (e.g. 0.0019 per week is about 10 % a year).
    margin : float
        Share of revenue that is profit (1.0 values revenue).
    step : float
        Length of one discounting period, in the model's time unit.

    Returns
    -------
    pandas.DataFrame
        Per customer: ``expected_purchases`` (count, over the horizon), ``expected_spend``
        (currency units per purchase), ``residual_value`` (currency units, discounted).

    Examples
    --------
    >>> import custlab as cl
    >>> s = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30", time_unit="W")
    >>> bg, gg = cl.BetaGeo().fit(s), cl.GammaGamma().fit(s[(s.frequency > 0) & (s.monetary_value > 0)])
    >>> value = residual_value(bg, gg, s, horizon=52, discount_rate=0.0019)
    >>> list(value.columns)
    ['customer_id', 'expected_purchases', 'expected_spend', 'residual_value']
    """
    _check_rate(discount_rate)
    x, t_x, T = (summary[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    ends = _steps(horizon, step)
    cumulative = np.array([purchase_model.conditional_expected_purchases(t, x, t_x, T) for t in ends])
    per_step = np.diff(np.vstack([np.zeros(len(x)), cumulative]), axis=0)
    discount = (1 + discount_rate) ** -np.arange(1, len(ends) + 1)
    spend = spend_model.expected_average_spend(x, summary["monetary_value"].to_numpy(float))
    out = pd.DataFrame({
        "expected_purchases": cumulative[-1],
        "expected_spend": spend,
        "residual_value": margin * spend * (discount @ per_step),
    })
    if customer_col in summary.columns:
        out.insert(0, customer_col, summary[customer_col].to_numpy())
    return out


def new_customer_value(purchase_model, spend_model, *, horizon: float, discount_rate: float,
                       margin: float = 1.0, step: float = 1.0) -> float:
    """Discounted value of a just-acquired customer's repeat purchases over ``horizon``
    (currency units), from the population-level E[X(t)] and mean spend.
    """
    _check_rate(discount_rate)
    ends = _steps(horizon, step)
    per_step = np.diff(np.concatenate([[0.0], purchase_model.expected_purchases(ends)]))
    spend = float(spend_model.expected_average_spend(0, 0))
    discount = (1 + discount_rate) ** -np.arange(1, len(ends) + 1)
    return float(margin * spend * discount @ per_step)
