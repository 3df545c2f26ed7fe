"""The Pareto/NBD model of repeat buying (Schmittlein, Morrison & Colombo 1987), with the
likelihood as written by Fader & Hardie (2005), "A note on deriving the Pareto/NBD model
and related expressions".

While alive, a customer buys at a Poisson rate lambda ~ Gamma(r, alpha); their
lifetime is exponential with rate mu ~ Gamma(s, beta), so dropping out can happen
at any time, not only after a purchase (the difference from BG/NBD). The
likelihood's hypergeometric term is evaluated in log space, so extreme customers
give no overflow or NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import gammaln, hyp2f1

from custlab.models._base import FittedModel, check_fitted, fit_positive_params
from custlab.models._data import compress, rfm_arrays

__all__ = ["ParetoNBD"]


def _log_a0(params, x, t_x, T):
    """log A_0 of the note's equation (the chance the customer died between t_x and T, up to constants)."""
    r, alpha, s, beta = params
    rsx = r + s + x
    if alpha >= beta:
        b_arg, big, diff = s + 1, alpha, alpha - beta
    else:
        b_arg, big, diff = r + x, beta, beta - alpha
    with np.errstate(divide="ignore", invalid="ignore"):
        l1 = np.log(hyp2f1(rsx, b_arg, rsx + 1, diff / (big + t_x))) - rsx * np.log(big + t_x)
        l2 = np.log(hyp2f1(rsx, b_arg, rsx + 1, diff / (big + T))) - rsx * np.log(big + T)
        return l1 + np.log1p(-np.exp(l2 - l1))


def pareto_nbd_loglik(params, x, t_x, T):
    """Log-likelihood of each (x, t_x, T) row."""
    r, alpha, s, beta = params
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    died = np.log(s) - np.log(r + s + x) + _log_a0(params, x, t_x, T)
    return head + np.logaddexp(alive, np.where(np.isnan(died), -np.inf, died))


class ParetoNBD(FittedModel):
    """Pareto/NBD model of repeat purchases for non-contractual customers.

    Attributes
    ----------
    params_ : pandas.Series
        ``r``, ``alpha``, ``s``, ``beta`` (alpha and beta in the time unit of the data).
    standard_errors_, loglik_, n_customers_, time_unit_ : as for :class:`BetaGeo`.

    Examples
    --------
    >>> import custlab as cl
    >>> summary = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30",
    ...                          calibration_end="1997-09-30", time_unit="W")
    >>> model = ParetoNBD().fit(summary)
    >>> model.params_[["r", "alpha", "s"]].round(3).tolist(), round(model.loglik_, 1)
    ([0.553, 10.578, 0.606], -9595.0)
    """

    param_names = ("r", "alpha", "s", "beta")


    def fit(self, data: pd.DataFrame, *, frequency_col: str = "frequency", recency_col: str = "recency",
            T_col: str = "T", time_unit: str = "W") -> "ParetoNBD":
        """Fit by maximum likelihood on one row per customer; returns ``self``."""
        x, t_x, T = rfm_arrays(data, frequency_col, recency_col, T_col, model="ParetoNBD")
        (ux, ut, uT), w = compress(x, t_x, T)

        def negll(p):
            return -float(np.dot(w, pareto_nbd_loglik(p, ux, ut, uT)))

        def negll_and_gradient(p):
            # Forward differences: the hypergeometric term has no cheap analytic derivative in its parameters.
            value = negll(p)
            grad = np.empty(4)
            for i in range(4):
                step = np.zeros(4)
                step[i] = 1e-7 * p[i]
                grad[i] = (negll(p + step) - value) / step[i]
            return value, grad

        # Starting with alpha and beta at a quarter of the mean observation time puts the
        # first step in the right region whatever the time unit.
        scale = float(np.mean(T))
        starts = [(0.5, scale / 4, 0.5, scale / 4), (1.0, 1.0, 1.0, 1.0), (0.3, scale / 2, 1.0, scale / 2)]
        params, _, converged, _ = fit_positive_params(negll, starts, penalizer=self.penalizer, model="ParetoNBD",
                                                     gradient=negll_and_gradient)
        self._store(params, negll, len(x), converged, time_unit=time_unit)
        return self


    def expected_purchases(self, t) -> np.ndarray:
        """E[X(t)]: expected purchases in ``t`` time units by a new customer."""
        check_fitted(self)
        r, alpha, s, beta = self.params_.to_numpy()
        t = np.asarray(t, float)
        return r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1))

    def p_alive(self, frequency, recency, T) -> np.ndarray:
        """P(alive | x, t_x, T)."""
        check_fitted(self)
        r, alpha, s, beta = p = self.params_.to_numpy()
        x, t_x, T = (np.asarray(v, float) for v in (frequency, recency, T))
        log_ratio = (np.log(s) - np.log(r + s + x) + (r + x) * np.log(alpha + T) + s * np.log(beta + T)
                     + _log_a0(p, x, t_x, T))
        return 1.0 / (1.0 + np.exp(np.where(np.isnan(log_ratio), -np.inf, log_ratio)))

    def conditional_expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units."""
        check_fitted(self)
        r, alpha, s, beta = self.params_.to_numpy()
        x, t_x, T = (np.asarray(v, float) for v in (frequency, recency, T))
        t = np.asarray(t, float)
        per_alive = (r + x) * (beta + T) / ((alpha + T) * (s - 1)) * (1 - ((beta + T) / (beta + T + t)) ** (s - 1))
        return per_alive * self.p_alive(x, t_x, T)
