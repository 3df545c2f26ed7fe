"""The Gamma-Gamma model of spend per transaction (Fader & Hardie 2013, "The Gamma-Gamma
model of monetary value"; Fader, Hardie & Lee 2005, "RFM and CLV").

Each transaction's amount is Gamma(p, nu); nu varies across customers as Gamma(q, gamma).
Fitted on repeat buyers: x (repeat transactions) and m_x (their mean amount).
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, gammaln

from custlab.models._base import FittedModel, check_fitted, one_blas_thread
from custlab.models._data import compress, read_columns, refuse_rows, values
from custlab.models._optimise import fit_positive_params

__all__ = ["GammaGamma"]


def gamma_gamma_loglik(params, x, m):
    """Log-likelihood of each customer's mean spend m over x transactions."""
    p, q, gamma = params
    px = p * x
    return (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(gamma) + (px - 1) * np.log(m)
            + px * np.log(x) - (px + q) * np.log(gamma + m * x))


def gamma_gamma_loglik_and_gradient(params, x, m, weights, fixed=None):
    """Summed, weighted log-likelihood and its gradient in (p, q, gamma).

    ``fixed``: :func:`fixed_terms` of the data. The logarithms of x and m do not change
    between evaluations, and the log-gamma and digamma terms depend on x alone (a few dozen
    distinct values), so they are computed once per distinct x and gathered.
    """
    p, q, gamma = params
    xs, at, log_x, log_m = fixed if fixed is not None else fixed_terms(x, m)
    px = p * x
    pxs = p * xs
    log_gm = np.log(gamma + m * x)
    psi_pxq = digamma(pxs + q)[at]
    ll = ((gammaln(pxs + q) - gammaln(pxs))[at] - gammaln(q) + q * np.log(gamma) + (px - 1) * log_m
          + px * log_x - (px + q) * log_gm)
    d_p = x * (psi_pxq - digamma(pxs)[at] + log_m + log_x - log_gm)
    d_q = psi_pxq - digamma(q) + np.log(gamma) - log_gm
    d_gamma = q / gamma - (px + q) / (gamma + m * x)
    return float(np.dot(weights, ll)), np.array([np.dot(weights, d) for d in (d_p, d_q, d_gamma)])


def fixed_terms(x: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What the likelihood needs that does not change with the parameters: distinct x, the
    position of each row's x among them, log x and log m."""
    xs, at = np.unique(x, return_inverse=True)
    return xs, at.reshape(-1), np.log(x), np.log(m)


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
        fixed = fixed_terms(ux, um)

        def negll(params):
            return -float(np.dot(w, gamma_gamma_loglik(params, ux, um)))

        def negll_and_gradient(params):
            value, grad = gamma_gamma_loglik_and_gradient(params, ux, um, w, fixed)
            return -value, -grad

        mean = float(np.mean(m))
        optimum = fit_positive_params(negll, [(1.0, 1.0, 1.0), (5.0, 3.0, mean / 2), (2.0, 5.0, mean)],
                                      penalizer=self.penalizer, gradient=negll_and_gradient,
                                      scale=(1.0, 1.0, mean), names=self.param_names)
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
