"""The Gamma-Gamma model of spend per transaction (Fader & Hardie 2013, "The Gamma-Gamma
model of monetary value"; Fader, Hardie & Lee 2005, "RFM and CLV").

Each transaction's amount is Gamma(p, nu); nu varies across customers as Gamma(q, gamma).
Fitted on repeat buyers: x (repeat transactions) and m_x (their mean amount).
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, gammaln, zeta

from custlab.models._base import FittedModel, check_fitted, one_blas_thread
from custlab.models._data import compress, read_columns, refuse_rows, values
from custlab.models._optimise import fit_positive_params, negated

__all__ = ["GammaGamma"]


def gamma_gamma_loglik(params, x, m):
    """Log-likelihood of each customer's mean spend m over x transactions."""
    p, q, gamma = params
    px = p * x
    return (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(gamma) + (px - 1) * np.log(m)
            + px * np.log(x) - (px + q) * np.log(gamma + m * x))


class GammaGammaData:
    """The (x, m) rows of a fit with their weights, and what never changes between
    evaluations: the distinct x with per-x sums of the weights, m x, and the sums of
    the terms in log x and log m."""

    def __init__(self, x: np.ndarray, m: np.ndarray, weights: np.ndarray):
        self.x, self.m, self.w = x, m, weights
        self.xs, at = np.unique(x, return_inverse=True)
        self.w_by_x = np.bincount(at.reshape(-1), weights=weights, minlength=self.xs.size)
        self.mx = m * x
        self.wx = weights * x
        self.total = float(weights.sum())
        log_m = np.log(m)
        self.sum_x_log_mx = float(np.dot(self.wx, log_m + np.log(x)))
        self.sum_log_m = float(np.dot(weights, log_m))

    def subsample(self, rows: int) -> "GammaGammaData":
        """Every k-th row, k chosen to keep about ``rows`` of them, with their own weights."""
        keep = slice(0, None, int(np.ceil(self.x.size / rows)))
        return GammaGammaData(self.x[keep], self.m[keep], self.w[keep])


def gamma_gamma_derivatives(params, data: GammaGammaData, order: int = 2):
    """Summed, weighted log-likelihood and, up to ``order``, its gradient and Hessian in
    (p, q, gamma).

    Per row, with ``L = log(gamma + m x)``::

        ll = lgamma(p x + q) - lgamma(p x) - lgamma(q) + q log(gamma) + (p x - 1) log(m)
             + p x log(x) - (p x + q) L

    The log-gamma, digamma and trigamma terms depend on x alone (a few dozen distinct
    values): they are computed once per distinct x and weighted by the per-x sums. Only
    ``L`` and ``1 / (gamma + m x)`` are computed per row.
    """
    p, q, gamma = params
    xs, n = data.xs, data.total
    pxs = p * xs
    L = np.log(gamma + data.mx)
    sum_wL, sum_wxL = float(np.dot(data.w, L)), float(np.dot(data.wx, L))
    value = (np.dot(data.w_by_x, gammaln(pxs + q) - gammaln(pxs)) - n * gammaln(q) + n * q * np.log(gamma)
             + p * data.sum_x_log_mx - data.sum_log_m - p * sum_wxL - q * sum_wL)
    if order == 0:
        return float(value)
    psi_pxq, psi_px = digamma(pxs + q), digamma(pxs)
    inv = 1.0 / (gamma + data.mx)
    sum_w_inv, sum_wx_inv = float(np.dot(data.w, inv)), float(np.dot(data.wx, inv))
    wx_by_x = data.w_by_x * xs
    grad = np.array([
        np.dot(wx_by_x, psi_pxq - psi_px) + data.sum_x_log_mx - sum_wxL,
        np.dot(data.w_by_x, psi_pxq) - n * digamma(q) + n * np.log(gamma) - sum_wL,
        n * q / gamma - p * sum_wx_inv - q * sum_w_inv,
    ])
    if order == 1:
        return float(value), grad
    tri_pxq = zeta(2.0, pxs + q)
    inv2 = inv * inv
    hess = np.empty((3, 3))
    hess[0, 0] = np.dot(wx_by_x * xs, tri_pxq - zeta(2.0, pxs))
    hess[0, 1] = hess[1, 0] = np.dot(wx_by_x, tri_pxq)
    hess[0, 2] = hess[2, 0] = -sum_wx_inv
    hess[1, 1] = np.dot(data.w_by_x, tri_pxq) - n * zeta(2.0, q)
    hess[1, 2] = hess[2, 1] = n / gamma - sum_w_inv
    hess[2, 2] = -n * q / gamma**2 + p * np.dot(data.wx, inv2) + q * np.dot(data.w, inv2)
    return float(value), grad, hess


#: Above this many distinct rows, a fit starts from the optimum of an even slice of them.
WARM_START_ROWS = 20_000


class GammaGamma(FittedModel):
    """Gamma-Gamma model of the mean amount spent per transaction.

    Parameters
    ----------
    penalizer : float
        L2 penalty on the parameters; 0 (the default) gives the maximum-likelihood estimates.

    Attributes
    ----------
    params_ : pandas.Series
        ``p``, ``q``, ``gamma`` (gamma in currency units).
    standard_errors_, loglik_, n_customers_ : as for :class:`BetaGeo`.
    converged_, at_boundary_, convergence_ : as for :class:`BetaGeo`.

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

    @one_blas_thread
    def fit(self, data, *, frequency_col: str = "frequency",
            monetary_value_col: str = "monetary_value") -> "GammaGamma":
        """Fit by maximum likelihood on repeat buyers.

        Parameters
        ----------
        data : pandas or Polars DataFrame
            One row per repeat buyer, as :func:`custlab.rfm_summary` returns, keeping
            customers with ``frequency > 0`` and ``monetary_value > 0``: repeat
            transactions (whole numbers) and their mean amount (currency units).
        frequency_col, monetary_value_col : str
            Column names.

        Returns
        -------
        GammaGamma
            ``self``, fitted. Warns with ``ConvergenceWarning`` if ``converged_`` is False.
        """
        self._check_penalizer()
        where = "GammaGamma.fit"
        frame, (x, m) = read_columns(data, (frequency_col, monetary_value_col), where=where)
        refuse_rows(frame, {
            "a value is missing": ~np.isfinite(x) | ~np.isfinite(m),
            "frequency is not a whole number": x != np.round(x),
            "there is no repeat purchase or the mean spend is not positive; fit on repeat buyers with "
            "positive spend only, s[(s.frequency > 0) & (s.monetary_value > 0)]": (x <= 0) | (m <= 0),
        }, where)
        (ux, um), w = compress(x, m)
        rows = GammaGammaData(ux, um, w)
        mean = float(np.mean(m))
        # p gamma / (q - 1) is the mean spend: the first start puts it near the observed mean.
        starts = [(5.0, 3.0, mean / 2), (1.0, 1.0, 1.0), (2.0, 5.0, mean)]
        # Many distinct rows: the optimum of an even slice of them is a few Newton steps from
        # the optimum of all.
        part = None
        if ux.size > WARM_START_ROWS:
            piece = rows.subsample(WARM_START_ROWS)
            part = (negated(gamma_gamma_derivatives, piece), rows.total / piece.total)

        def negll(params):
            return -gamma_gamma_derivatives(params, rows, 0)

        optimum = fit_positive_params(None, starts, penalizer=self.penalizer,
                                      derivatives=negated(gamma_gamma_derivatives, rows),
                                      scale=(1.0, 1.0, mean), names=self.param_names, part=part)
        self._store(optimum, negll, len(x))
        return self

    @one_blas_thread
    def expected_average_spend(self, frequency, monetary_value) -> np.ndarray:
        """E[M | x, m_x]: expected mean amount per future transaction, currency units.

        A weighted mean of the population mean ``p * gamma / (q - 1)`` and the
        customer's own mean ``m_x``, the weight on ``m_x`` growing with x.
        Customers with no repeat purchase get the population mean.

        Parameters
        ----------
        frequency : int or array
            Repeat transactions x (whole numbers, 0 or more).
        monetary_value : float or array
            Their mean amount m_x (currency units, 0 or more; ignored where x is 0).

        Returns
        -------
        numpy.ndarray
            Expected mean spend per transaction, currency units.

        Examples
        --------
        >>> import custlab as cl
        >>> s = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30",
        ...                    calibration_end="1997-09-30")
        >>> model = cl.GammaGamma().fit(s[s["frequency"] > 0])
        >>> model.expected_average_spend([0, 1, 10], [0, 100, 100]).round(2).tolist()
        [35.17, 80.22, 97.27]
        """
        check_fitted(self)
        where = "GammaGamma.expected_average_spend"
        p, q, gamma = self.params_.to_numpy()
        x = values(frequency, "frequency", where=where, whole=True, meaning="number of repeat transactions")
        m = values(monetary_value, "monetary_value", where=where, meaning="mean amount per transaction")
        return (p * (gamma + x * m)) / (p * x + q - 1)
