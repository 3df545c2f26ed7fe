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
from scipy.special import gammaln, hyp2f1

from custlab.models._base import FittedModel, check_fitted, one_blas_thread
from custlab.models._data import check_shapes, compress, customer_values, rfm_arrays, values
from custlab.models._optimise import fit_positive_params, negated
from custlab.models._pareto_derivatives import ParetoData, pareto_nbd_derivatives

#: Above this many distinct rows, a fit starts from the optimum of an even slice of them.
WARM_START_ROWS = 20_000

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

    Parameters
    ----------
    penalizer : float
        L2 penalty on the parameters; 0 (the default) gives the maximum-likelihood estimates.

    Attributes
    ----------
    params_ : pandas.Series
        ``r``, ``alpha``, ``s``, ``beta`` (alpha and beta in the time unit of the data).
    standard_errors_, loglik_, n_customers_, time_unit_ : as for :class:`BetaGeo`.
    converged_, at_boundary_, convergence_ : as for :class:`BetaGeo`.

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

    @one_blas_thread
    def fit(self, data, *, frequency_col: str = "frequency", recency_col: str = "recency",
            T_col: str = "T", time_unit: str = "W") -> "ParetoNBD":
        """Fit by maximum likelihood on one row per customer.

        Parameters
        ----------
        data : pandas or Polars DataFrame
            One row per customer, as :func:`custlab.rfm_summary` returns: repeat
            purchases (whole numbers), recency and T (time units, recency <= T).
        frequency_col, recency_col, T_col : str
            Column names.
        time_unit : {"D", "W", "M"}
            The unit recency and T are counted in; rates are per this unit.

        Returns
        -------
        ParetoNBD
            ``self``, fitted. Warns with ``ConvergenceWarning`` if ``converged_`` is False.
        """
        self._check_penalizer()
        x, t_x, T = rfm_arrays(data, frequency_col, recency_col, T_col, model="ParetoNBD")
        (ux, ut, uT), w = compress(x, t_x, T)
        rows = ParetoData(ux, ut, uT, w)
        # Starting with alpha and beta at a quarter of the mean observation time puts the
        # first step in the right region whatever the time unit.
        scale = float(np.mean(T))
        starts = [(0.5, scale / 4, 0.5, scale / 4), (1.0, 1.0, 1.0, 1.0), (0.3, scale / 2, 1.0, scale / 2)]
        # Many distinct rows: the optimum of an even slice of them is a few Newton steps from
        # the optimum of all.
        part = None
        if ux.size > WARM_START_ROWS:
            piece = rows.subsample(WARM_START_ROWS)
            part = (negated(pareto_nbd_derivatives, piece), rows.total / piece.total)

        def negll(p):
            return -pareto_nbd_derivatives(p, rows, 0)

        optimum = fit_positive_params(None, starts, penalizer=self.penalizer,
                                      derivatives=negated(pareto_nbd_derivatives, rows),
                                      scale=(1.0, scale, 1.0, scale), names=self.param_names, part=part)
        self._store(optimum, negll, len(x), time_unit)
        return self

    @one_blas_thread
    def expected_purchases(self, t) -> np.ndarray:
        """E[X(t)]: expected repeat purchases of a new customer in their first ``t`` time units.

        Parameters
        ----------
        t : float or array
            Time since the first purchase, in ``time_unit_``; 0 or more.

        Returns
        -------
        numpy.ndarray
            Expected number of repeat purchases (count), shaped like ``t``.

        Examples
        --------
        >>> import custlab as cl
        >>> s = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30",
        ...                    calibration_end="1997-09-30")
        >>> cl.ParetoNBD().fit(s).expected_purchases([13, 52]).round(2).tolist()
        [0.53, 1.47]
        """
        check_fitted(self)
        r, alpha, s, beta = self.params_.to_numpy()
        t = values(t, "t", where="ParetoNBD.expected_purchases", meaning="time since the first purchase")
        return r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1))

    @one_blas_thread
    def p_alive(self, frequency, recency, T) -> np.ndarray:
        """P(alive | x, t_x, T): probability that a customer with this history is still active.

        Parameters
        ----------
        frequency : int or array
            Repeat purchases x (whole numbers, 0 or more).
        recency : float or array
            Time of the last purchase t_x, in ``time_unit_`` since the first; 0 to T.
        T : float or array
            Time observed since the first purchase, in ``time_unit_``.

        Returns
        -------
        numpy.ndarray
            Probabilities (0 to 1).

        Examples
        --------
        >>> import custlab as cl
        >>> s = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30",
        ...                    calibration_end="1997-09-30")
        >>> cl.ParetoNBD().fit(s).p_alive([5, 5], [5, 38], 38.86).round(2).tolist()
        [0.01, 0.99]
        """
        check_fitted(self)
        r, alpha, s, beta = p = self.params_.to_numpy()
        x, t_x, T = customer_values(frequency, recency, T, where="ParetoNBD.p_alive")
        with np.errstate(over="ignore"):
            log_ratio = (np.log(s) - np.log(r + s + x) + (r + x) * np.log(alpha + T) + s * np.log(beta + T)
                         + _log_a0(p, x, t_x, T))
            return 1.0 / (1.0 + np.exp(np.where(np.isnan(log_ratio), -np.inf, log_ratio)))

    @one_blas_thread
    def conditional_expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units by a customer
        with this history.

        Parameters
        ----------
        t : float or array
            Length of the period ahead, in ``time_unit_``; 0 or more.
        frequency, recency, T : float or array
            The customer's history, as for :meth:`p_alive`. All four broadcast.

        Returns
        -------
        numpy.ndarray
            Expected number of purchases (count).

        Examples
        --------
        >>> import custlab as cl
        >>> s = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30",
        ...                    calibration_end="1997-09-30")
        >>> round(float(cl.ParetoNBD().fit(s).conditional_expected_purchases(39, 2, 30.43, 38.86)), 2)
        1.46
        """
        check_fitted(self)
        where = "ParetoNBD.conditional_expected_purchases"
        r, alpha, s, beta = self.params_.to_numpy()
        x, t_x, T = customer_values(frequency, recency, T, where=where)
        t = values(t, "t", where=where, meaning="length of the period ahead")
        per_alive = (r + x) * (beta + T) / ((alpha + T) * (s - 1)) * (1 - ((beta + T) / (beta + T + t)) ** (s - 1))
        return per_alive * self.p_alive(x, t_x, T)

    @one_blas_thread
    def probability_of_purchases(self, n, t) -> np.ndarray:
        """P(X(t) = n): probability that a new customer makes exactly ``n`` repeat purchases in
        their first ``t`` time units (Fader & Hardie 2006, "Deriving an expression for
        P(X(t) = x) under the Pareto/NBD model"; the formula and its derivation are in
        :mod:`custlab.models._pareto_counts`).

        Parameters
        ----------
        n : int or array
            Number of repeat purchases: whole numbers, 0 or more.
        t : float or array
            Time since the first purchase, in ``time_unit_``; 0 or more. Broadcasts with ``n``.

        Returns
        -------
        numpy.ndarray
            Probabilities (0 to 1), shaped like ``n`` and ``t`` broadcast.

        Examples
        --------
        >>> import custlab as cl
        >>> s = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30",
        ...                    calibration_end="1997-09-30")
        >>> p = cl.ParetoNBD().fit(s).probability_of_purchases(range(200), 39)
        >>> round(float(p[0]), 3), round(float(p.sum()), 6)
        (0.594, 1.0)
        """
        from custlab.models._pareto_counts import pareto_nbd_count_probabilities

        check_fitted(self)
        where = "ParetoNBD.probability_of_purchases"
        n = values(n, "n", where=where, whole=True, meaning="number of repeat purchases")
        t = values(t, "t", where=where, meaning="time since the first purchase")
        check_shapes(where, n=n, t=t)
        return pareto_nbd_count_probabilities(self.params_.to_numpy(), n, t)
