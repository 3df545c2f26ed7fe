"""The Gamma-Gamma model of spend per transaction (Fader & Hardie 2013, "The Gamma-Gamma
model of monetary value"; Fader, Hardie & Lee 2005, "RFM and CLV").

Each transaction's amount is Gamma(p, nu); nu varies across customers as Gamma(q, gamma).
Fitted on repeat buyers: x (repeat transactions) and m_x (their mean amount).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import digamma, gammaln

from custlab.models._base import FittedModel, check_fitted, fit_positive_params
from custlab.models._data import compress

__all__ = ["GammaGamma"]


def gamma_gamma_loglik(params, x, m):
    """Log-likelihood of each customer's mean spend m over x transactions."""
    p, q, gamma = params
    px = p * x
    return (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(gamma) + (px - 1) * np.log(m)
            + px * np.log(x) - (px + q) * np.log(gamma + m * x))


def gamma_gamma_loglik_and_gradient(params, x, m, weights):
    """Summed, weighted log-likelihood and its gradient in (p, q, gamma)."""
    p, q, gamma = params
    px = p * x
    log_gm = np.log(gamma + m * x)
    ll = gamma_gamma_loglik(params, x, m)
    psi_pxq = digamma(px + q)
    d_p = x * (psi_pxq - digamma(px) + np.log(m) + np.log(x) - log_gm)
    d_q = psi_pxq - digamma(q) + np.log(gamma) - log_gm
    d_gamma = q / gamma - (px + q) / (gamma + m * x)
    return float(np.dot(weights, ll)), np.array([np.dot(weights, d) for d in (d_p, d_q, d_gamma)])


class GammaGamma(FittedModel):
    """Gamma-Gamma model of the mean amount spent per transaction.

    Attributes
    ----------
    params_ : pandas.Series
        ``p``, ``q``, ``gamma`` (gamma in currency units).
    standard_errors_, loglik_, n_customers_ : as for :class:`BetaGeo`.

    Examples
    --------
    >>> import custlab as cl
    >>> summary = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30",
    ...                          calibration_end="1997-09-30")
    >>> repeat = summary[summary["frequency"] > 0]
    >>> GammaGamma().fit(repeat).params_.round(2).tolist()
    [6.25, 3.74, 15.44]
    """

    param_names = ("p", "q", "gamma")


    def fit(self, data: pd.DataFrame, *, frequency_col: str = "frequency",
            monetary_value_col: str = "monetary_value") -> "GammaGamma":
        """Fit on repeat buyers (frequency > 0, positive mean spend); returns ``self``."""
        missing = [c for c in (frequency_col, monetary_value_col) if c not in data.columns]
        if missing:
            raise ValueError(f"GammaGamma.fit: no column {missing}; columns found: {list(data.columns)}.")
        x = data[frequency_col].to_numpy(float)
        m = data[monetary_value_col].to_numpy(float)
        if len(x) == 0:
            raise ValueError("GammaGamma.fit: the table has no customers.")
        bad = (x <= 0) | ~(m > 0) | ~np.isfinite(m)
        if bad.any():
            raise ValueError(
                f"GammaGamma.fit: {int(bad.sum()):,} customer(s) without repeat purchases or with a mean spend "
                f"that is not positive; fit on repeat buyers with positive spend only, e.g.\n"
                f"{data.loc[bad].head(5).to_string()}"
            )
        (ux, um), w = compress(x, m)

        def negll(params):
            return -float(np.dot(w, gamma_gamma_loglik(params, ux, um)))

        def negll_and_gradient(params):
            value, grad = gamma_gamma_loglik_and_gradient(params, ux, um, w)
            return -value, -grad

        mean = float(np.mean(m))
        params, _, converged, _ = fit_positive_params(
            negll, [(1.0, 1.0, 1.0), (5.0, 3.0, mean / 2), (2.0, 5.0, mean)], penalizer=self.penalizer,
            model="GammaGamma", gradient=negll_and_gradient)
        self._store(params, negll, len(x), converged, negll_and_gradient)
        return self


    def expected_average_spend(self, frequency, monetary_value) -> np.ndarray:
        """E[M | x, m_x]: expected mean amount per future transaction, currency units.

        A weighted mean of the population mean ``p * gamma / (q - 1)`` and the
        customer's own mean ``m_x``, the weight on ``m_x`` growing with x.
        Customers with no repeat purchase get the population mean.
        """
        check_fitted(self)
        p, q, gamma = self.params_.to_numpy()
        x, m = np.asarray(frequency, float), np.asarray(monetary_value, float)
        return (p * (gamma + x * m)) / (p * x + q - 1)
