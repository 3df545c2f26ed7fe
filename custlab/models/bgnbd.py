"""The BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, Marketing Science 24(2)).

While alive, a customer buys at a Poisson rate lambda per time unit, with lambda
varying across customers as Gamma(r, alpha); after each repeat purchase they
drop out for good with probability p, varying as Beta(a, b). Fitted on one row
per customer: x (``frequency``, repeat purchases), t_x (``recency``, time of
the last purchase) and T (time observed), all from the first purchase.

Equation numbers below are those of the paper. Written by hand: lifetimes is
archived and the maintained alternatives need newer Pythons or add priors that
move the maximum-likelihood estimates.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, digamma, gammaln, hyp2f1

from custlab.models._base import FittedModel, check_fitted, one_blas_thread
from custlab.models._data import compress, customer_values, rfm_arrays, values
from custlab.models._optimise import fit_positive_params

__all__ = ["BetaGeo"]


def bgnbd_loglik(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Log-likelihood of each (x, t_x, T) row, equation 6, in log space."""
    r, alpha, a, b = params
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    alive = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        dead = np.where(
            x > 0,
            betaln(a + 1, b + np.maximum(x, 1) - 1) - betaln(a, b) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return head + np.logaddexp(alive, dead)


def bgnbd_loglik_and_gradient(params, x, t_x, T, weights, by_x=None):
    """Summed, weighted log-likelihood and its gradient in (r, alpha, a, b).

    ``by_x``: ``(distinct x, index of each row's x)`` from :func:`distinct_x`. The log-gamma and
    digamma terms depend on x alone, and x takes a few dozen distinct values however many
    rows there are, so they are computed once per distinct x and gathered.
    """
    r, alpha, a, b = params
    xs, at = by_x if by_x is not None else distinct_x(x)
    has = x > 0
    xsm = np.maximum(xs, 1)
    log_alpha_T, log_alpha_tx = np.log(alpha + T), np.log(alpha + t_x)
    # Beta functions written out in log-gammas, sharing lgamma(a + b + x) between the two terms.
    base = gammaln(a) + gammaln(b) - gammaln(a + b)
    lg_abx = gammaln(a + b + xs)
    head = (gammaln(r + xs) - gammaln(r))[at] + r * np.log(alpha)
    alive = (gammaln(a) + gammaln(b + xs) - lg_abx - base)[at] - (r + x) * log_alpha_T
    dead_x = np.where(xs > 0, gammaln(a + 1) + gammaln(b + xsm - 1) - lg_abx - base, -np.inf)
    dead = np.where(has, dead_x[at] - (r + x) * log_alpha_tx, -np.inf)
    lse = np.logaddexp(alive, dead)
    w_alive = np.exp(alive - lse)
    w_dead = 1.0 - w_alive
    common = (digamma(a + b) - digamma(a + b + xs))[at]
    d_r = (digamma(r + xs) - digamma(r))[at] + np.log(alpha) - w_alive * log_alpha_T - w_dead * log_alpha_tx
    d_alpha = r / alpha - (r + x) * (w_alive / (alpha + T) + w_dead / (alpha + t_x))
    d_a = common + w_dead / a                     # digamma(a + 1) - digamma(a) = 1 / a
    psi_bx = digamma(b + xs)[at]
    psi_bx1 = np.where(xs > 0, digamma(b + xsm - 1), 0.0)[at]
    d_b = common - digamma(b) + w_alive * psi_bx + w_dead * psi_bx1
    grad = np.array([np.dot(weights, g) for g in (d_r, d_alpha, d_a, d_b)])
    return float(np.dot(weights, head + lse)), grad


def distinct_x(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct repeat-purchase counts and, for each row, the position of its count among them."""
    xs, at = np.unique(x, return_inverse=True)
    return xs, at.reshape(-1)


class BetaGeo(FittedModel):
    """BG/NBD model of repeat purchases for non-contractual customers.

    Parameters
    ----------
    penalizer : float
        L2 penalty on the parameters; 0 (the default) gives the maximum-likelihood
        estimates of the published studies.

    Attributes
    ----------
    params_ : pandas.Series
        ``r``, ``alpha`` (in the time unit of the data), ``a``, ``b``.
    standard_errors_ : pandas.Series
        Standard errors, same units; NaN where the likelihood's curvature gives none.
    loglik_ : float
        Maximised log-likelihood (summed over customers).
    n_customers_ : int
    time_unit_ : str
        The unit of recency and T ("weeks", ...): rates are per this unit.
    converged_ : bool
        True when the estimates are an optimum that pins every parameter down; the fit
        warns with :class:`~custlab.models.ConvergenceWarning` exactly when it is False.
    at_boundary_ : bool
        Some estimate ran towards 0 or infinity: the data cannot pin it down.
    convergence_ : str
        The verdict in plain words.

    Examples
    --------
    >>> import custlab as cl
    >>> summary = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30",
    ...                          calibration_end="1997-09-30", time_unit="W")
    >>> model = BetaGeo().fit(summary, time_unit="W")
    >>> model.params_.round(3).tolist(), round(model.loglik_, 1), model.converged_
    ([0.243, 4.414, 0.793, 2.426], -9582.4, True)
    """

    param_names = ("r", "alpha", "a", "b")

    @one_blas_thread
    def fit(self, data, *, frequency_col: str = "frequency", recency_col: str = "recency",
            T_col: str = "T", time_unit: str = "W") -> "BetaGeo":
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
        BetaGeo
            ``self``, fitted. Warns with ``ConvergenceWarning`` if ``converged_`` is False.
        """
        self._check_penalizer()
        x, t_x, T = rfm_arrays(data, frequency_col, recency_col, T_col, model="BetaGeo")
        (ux, ut, uT), w = compress(x, t_x, T)
        by_x = distinct_x(ux)

        def negll(p):
            return -float(np.dot(w, bgnbd_loglik(p, ux, ut, uT)))

        def negll_and_gradient(p):
            value, grad = bgnbd_loglik_and_gradient(p, ux, ut, uT, w, by_x)
            return -value, -grad

        scale = float(np.mean(T))
        # alpha scales with the time unit: start it at a quarter of the mean observation time.
        starts = [(0.25, scale / 4, 0.5, 1.5), (1.0, 1.0, 1.0, 1.0), (0.5, scale / 8, 1.0, 3.0)]
        optimum = fit_positive_params(negll, starts, penalizer=self.penalizer, gradient=negll_and_gradient,
                                      scale=(1.0, scale, 1.0, 1.0), names=self.param_names)
        self._store(optimum, negll, len(x), time_unit)
        return self

    @one_blas_thread
    def expected_purchases(self, t) -> np.ndarray:
        """E[X(t)]: expected repeat purchases of a new customer in their first ``t`` time units
        (equation 9).

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
        >>> cl.BetaGeo().fit(s).expected_purchases([13, 52]).round(3).tolist()
        [0.534, 1.444]
        """
        check_fitted(self)
        r, alpha, a, b = self.params_.to_numpy()
        t = values(t, "t", where="BetaGeo.expected_purchases", meaning="time since the first purchase")
        return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))

    @one_blas_thread
    def probability_of_purchases(self, n, t) -> np.ndarray:
        """P(X(t) = n): probability that a new customer makes exactly ``n`` repeat purchases in
        their first ``t`` time units (equation 8).

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
        >>> p = cl.BetaGeo().fit(s).probability_of_purchases(range(100), 39)
        >>> round(float(p[0]), 3), round(float(p.sum()), 6)
        (0.574, 1.0)
        """
        check_fitted(self)
        where = "BetaGeo.probability_of_purchases"
        r, alpha, a, b = self.params_.to_numpy()
        n = values(n, "n", where=where, whole=True, meaning="number of repeat purchases")
        t = values(t, "t", where=where, meaning="time since the first purchase")
        n, t = np.broadcast_arrays(n, t)
        p0 = alpha / (alpha + t)                      # NB "success" probability
        with np.errstate(divide="ignore"):
            log_q = np.log(t / (alpha + t))

        def log_nb(j):
            """log of the negative binomial probability of j purchases in t while alive."""
            with np.errstate(invalid="ignore"):
                return gammaln(r + j) - gammaln(r) - gammaln(j + 1) + r * np.log(p0) + np.where(j > 0, j * log_q, 0.0)

        out = np.exp(betaln(a, b + n) - betaln(a, b) + log_nb(n))
        k_max = int(np.max(n, where=np.isfinite(n), initial=0))
        below = np.zeros(n.shape)                     # P(NB < n), built up term by term
        for j in range(k_max):
            below += np.where(j < n, np.exp(log_nb(np.float64(j))), 0.0)
        dead = np.exp(betaln(a + 1, b + np.maximum(n, 1) - 1) - betaln(a, b)) * (1 - below)
        return out + np.where(n > 0, dead, 0.0)

    @one_blas_thread
    def p_alive(self, frequency, recency, T) -> np.ndarray:
        """P(alive | x, t_x, T): probability that a customer with this history has not dropped
        out (equation 13 of Fader, Hardie & Lee's note on BG/NBD).

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
            Probabilities (0 to 1); 1 for customers with no repeat purchase.

        Examples
        --------
        >>> import custlab as cl
        >>> s = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30",
        ...                    calibration_end="1997-09-30")
        >>> cl.BetaGeo().fit(s).p_alive([0, 5, 5], [0, 5, 38], 38.86).round(3).tolist()
        [1.0, 0.003, 0.879]
        """
        check_fitted(self)
        r, alpha, a, b = self.params_.to_numpy()
        x, t_x, T = customer_values(frequency, recency, T, where="BetaGeo.p_alive")
        with np.errstate(divide="ignore"):
            log_ratio = np.log(a) - np.log(b + np.maximum(x, 1) - 1) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        return np.where(x > 0, 1.0 / (1.0 + np.exp(log_ratio)), 1.0)

    @one_blas_thread
    def conditional_expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units by a customer
        with this history (equation 10).

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
        >>> round(float(cl.BetaGeo().fit(s).conditional_expected_purchases(39, 2, 30.43, 38.86)), 3)
        1.226
        """
        check_fitted(self)
        where = "BetaGeo.conditional_expected_purchases"
        r, alpha, a, b = self.params_.to_numpy()
        x, t_x, T = customer_values(frequency, recency, T, where=where)
        t = values(t, "t", where=where, meaning="length of the period ahead")
        term = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
        return (a + b + x - 1) / (a - 1) * term * self.p_alive(x, t_x, T)
