"""The MBG/NBD model of repeat buying (Batislam, Denizel & Filiztekin 2007, "Empirical
validation and comparison of models for customer base analysis", International Journal of
Research in Marketing 24(3), 201-209; see also Wagner & Hoppe 2008, "Erratum on the MBG/NBD
model", IJRM 25(3), 225-226).

As in BG/NBD, a customer buys at a Poisson rate lambda per time unit while alive, lambda
varying across customers as Gamma(r, alpha), and drops out for good with probability p,
varying as Beta(a, b). The one change: the coin for dropping out is tossed at time 0, right
after the first purchase, as well as after each repeat purchase. So a customer with no
repeat purchase may already be gone (BG/NBD counts every such customer as alive), and a
customer with x repeat purchases has had x + 1 chances to leave.

Fitted on one row per customer: x (``frequency``, repeat purchases), t_x (``recency``, time
of the last purchase) and T (time observed), all counted from the first purchase.

Every expression below is written first for one customer with known (lambda, p), then
averaged over the Gamma and Beta mixing distributions; the comments give both steps, so each
can be checked by hand.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betainc, digamma, gammaln, hyp2f1

from custlab.models._base import FittedModel, check_fitted, one_blas_thread
from custlab.models._data import check_shapes, compress, customer_values, rfm_arrays, values
from custlab.models._optimise import fit_positive_params
from custlab.models.bgnbd import distinct_x

__all__ = ["ModifiedBetaGeo"]


# The likelihood of one customer with known (lambda, p):
#
#   alive at T: (1 - p)^(x + 1) lambda^x exp(-lambda T)      (x + 1 tosses survived)
#   gone at t_x: p (1 - p)^x lambda^x exp(-lambda t_x)        (the last toss, after the x-th
#                                                              repeat purchase or at time 0)
#
# Averaged over lambda ~ Gamma(r, alpha) and p ~ Beta(a, b), the paper's likelihood:
#
#   L = Gamma(r + x) alpha^r / Gamma(r) * [ B(a, b + x + 1) / B(a, b) / (alpha + T)^(r + x)
#                                          + B(a + 1, b + x) / B(a, b) / (alpha + t_x)^(r + x) ]
#
# Unlike BG/NBD, the second term is there for x = 0 too: with t_x = 0 it is the chance
# a / (a + b) of leaving right after the first purchase.


def mbgnbd_loglik(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Log-likelihood of each (x, t_x, T) row, in log space (see the comment above)."""
    r, alpha, a, b = params
    log_beta_ab = gammaln(a) + gammaln(b) - gammaln(a + b)
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    alive = gammaln(a) + gammaln(b + x + 1) - gammaln(a + b + x + 1) - log_beta_ab - (r + x) * np.log(alpha + T)
    gone = gammaln(a + 1) + gammaln(b + x) - gammaln(a + b + x + 1) - log_beta_ab - (r + x) * np.log(alpha + t_x)
    return head + np.logaddexp(alive, gone)


def mbgnbd_loglik_and_gradient(params, x, t_x, T, weights, by_x=None):
    """Summed, weighted log-likelihood and its gradient in (r, alpha, a, b).

    With ``w_alive`` and ``w_gone`` the shares of the two terms of the likelihood (they add
    to 1), each derivative is the shares' average of the derivatives of the two log terms:

    - d/dr     = psi(r + x) - psi(r) + log(alpha) - w_alive log(alpha + T) - w_gone log(alpha + t_x)
    - d/dalpha = r / alpha - (r + x) (w_alive / (alpha + T) + w_gone / (alpha + t_x))
    - d/da     = psi(a + b) - psi(a + b + x + 1) + w_gone / a
    - d/db     = psi(a + b) - psi(a + b + x + 1) - psi(b) + psi(b + x) + w_alive / (b + x)

    (psi is the digamma function; ``psi(z + 1) = psi(z) + 1 / z`` folds the Beta terms.)
    ``by_x``: ``(distinct x, index of each row's x)``; the log-gamma and digamma terms depend
    on x alone and are computed once per distinct x.
    """
    r, alpha, a, b = params
    xs, at = by_x if by_x is not None else distinct_x(x)
    log_beta_ab = gammaln(a) + gammaln(b) - gammaln(a + b)
    lg_abx1 = gammaln(a + b + xs + 1)
    log_alpha_T, log_alpha_tx = np.log(alpha + T), np.log(alpha + t_x)
    head = (gammaln(r + xs) - gammaln(r))[at] + r * np.log(alpha)
    alive = (gammaln(a) + gammaln(b + xs + 1) - lg_abx1 - log_beta_ab)[at] - (r + x) * log_alpha_T
    gone = (gammaln(a + 1) + gammaln(b + xs) - lg_abx1 - log_beta_ab)[at] - (r + x) * log_alpha_tx
    lse = np.logaddexp(alive, gone)
    w_alive = np.exp(alive - lse)
    w_gone = 1.0 - w_alive
    common = (digamma(a + b) - digamma(a + b + xs + 1))[at]
    d_r = (digamma(r + xs) - digamma(r))[at] + np.log(alpha) - w_alive * log_alpha_T - w_gone * log_alpha_tx
    d_alpha = r / alpha - (r + x) * (w_alive / (alpha + T) + w_gone / (alpha + t_x))
    d_a = common + w_gone / a
    d_b = common + (digamma(b + xs) - digamma(b))[at] + w_alive / (b + x)
    grad = np.array([np.dot(weights, g) for g in (d_r, d_alpha, d_a, d_b)])
    return float(np.dot(weights, head + lse)), grad


class ModifiedBetaGeo(FittedModel):
    """MBG/NBD model of repeat purchases for non-contractual customers.

    BG/NBD with one more chance to drop out, right after the first purchase: customers who
    never came back may be gone, so ``p_alive`` is below 1 for them (BG/NBD gives exactly 1).

    Parameters
    ----------
    penalizer : float
        L2 penalty on the parameters; 0 (the default) gives the maximum-likelihood estimates.

    Attributes
    ----------
    params_ : pandas.Series
        ``r``, ``alpha`` (in the time unit of the data), ``a``, ``b``: the purchase rate
        varies as Gamma(r, alpha), the chance of dropping out at each toss as Beta(a, b).
    standard_errors_, covariance_, loglik_, aic_, bic_, n_customers_, time_unit_ :
        as for :class:`~custlab.models.BetaGeo`.
    converged_, at_boundary_, convergence_ : as for :class:`~custlab.models.BetaGeo`.

    Examples
    --------
    >>> import custlab as cl
    >>> summary = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30",
    ...                          calibration_end="1997-09-30", time_unit="W")
    >>> model = cl.ModifiedBetaGeo().fit(summary, time_unit="W")
    >>> model.params_.round(3).tolist(), round(model.loglik_, 1), model.converged_
    ([0.525, 6.183, 0.891, 1.614], -9582.1, True)
    """

    param_names = ("r", "alpha", "a", "b")

    @one_blas_thread
    def fit(self, data, *, frequency_col: str = "frequency", recency_col: str = "recency",
            T_col: str = "T", time_unit: str = "W") -> "ModifiedBetaGeo":
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
        ModifiedBetaGeo
            ``self``, fitted. Warns with ``ConvergenceWarning`` if ``converged_`` is False.
        """
        self._check_penalizer()
        x, t_x, T = rfm_arrays(data, frequency_col, recency_col, T_col, model="ModifiedBetaGeo")
        (ux, ut, uT), w = compress(x, t_x, T)
        by_x = distinct_x(ux)

        def negll(p):
            return -float(np.dot(w, mbgnbd_loglik(p, ux, ut, uT)))

        def negll_and_gradient(p):
            value, grad = mbgnbd_loglik_and_gradient(p, ux, ut, uT, w, by_x)
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
        """E[X(t)]: expected repeat purchases of a new customer in their first ``t`` time units.

        For known (lambda, p) the customer is gone at time 0 with probability p, and otherwise
        buys as in BG/NBD, ``(1 - exp(-lambda p t)) / p`` purchases on average. Averaged:

        ``E[X(t)] = b / (a - 1) * [1 - (alpha / (alpha + t))^r 2F1(r, b + 1; a + b; t / (alpha + t))]``

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
        >>> cl.ModifiedBetaGeo().fit(s).expected_purchases([13, 52]).round(3).tolist()
        [0.535, 1.419]
        """
        check_fitted(self)
        r, alpha, a, b = self.params_.to_numpy()
        t = values(t, "t", where="ModifiedBetaGeo.expected_purchases", meaning="time since the first purchase")
        return b / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b + 1, a + b, t / (alpha + t)))

    @one_blas_thread
    def probability_of_purchases(self, n, t) -> np.ndarray:
        """P(X(t) = n): probability that a new customer makes exactly ``n`` repeat purchases in
        their first ``t`` time units.

        For known (lambda, p), with Poisson(k) the chance of k purchases in t at rate lambda:
        ``(1 - p)^(n + 1) Poisson(n)`` (still there after n purchases) plus
        ``p (1 - p)^n [1 - sum_{j < n} Poisson(j)]`` (gone at the toss after the n-th purchase,
        or at time 0 for n = 0, before t). Averaged, Poisson becomes the negative binomial
        NB(j) = Gamma(r + j) / (Gamma(r) j!) (alpha / (alpha + t))^r (t / (alpha + t))^j and

        ``P(X(t) = n) = B(a, b + n + 1) / B(a, b) NB(n) + B(a + 1, b + n) / B(a, b) [1 - sum_{j < n} NB(j)]``

        The bracket, the chance of n or more purchases while there, is the regularized
        incomplete beta function ``I(t / (alpha + t); n, r)``, computed as such (no sum to
        subtract from 1, so no rounding below 0 for large n).

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
        >>> p = cl.ModifiedBetaGeo().fit(s).probability_of_purchases(range(100), 39)
        >>> round(float(p[0]), 3), round(float(p.sum()), 6)
        (0.583, 1.0)
        """
        check_fitted(self)
        where = "ModifiedBetaGeo.probability_of_purchases"
        r, alpha, a, b = self.params_.to_numpy()
        n = values(n, "n", where=where, whole=True, meaning="number of repeat purchases")
        t = values(t, "t", where=where, meaning="time since the first purchase")
        check_shapes(where, n=n, t=t)
        n, t = np.broadcast_arrays(n, t)
        q = t / (alpha + t)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_nb = (gammaln(r + n) - gammaln(r) - gammaln(n + 1) + r * np.log1p(-q)
                      + np.where(n > 0, n * np.log(q), 0.0))
        log_beta_ab = gammaln(a) + gammaln(b) - gammaln(a + b)
        stay = np.exp(gammaln(a) + gammaln(b + n + 1) - gammaln(a + b + n + 1) - log_beta_ab + log_nb)
        n_or_more = np.where(n > 0, betainc(np.maximum(n, 1), r, q), 1.0)
        gone = np.exp(gammaln(a + 1) + gammaln(b + n) - gammaln(a + b + n + 1) - log_beta_ab) * n_or_more
        return stay + gone

    @one_blas_thread
    def p_alive(self, frequency, recency, T) -> np.ndarray:
        """P(alive | x, t_x, T): probability that a customer with this history has not dropped
        out: the first term of the likelihood over the sum of both,

        ``1 / (1 + a / (b + x) * ((alpha + T) / (alpha + t_x))^(r + x))``.

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
            Probabilities (0 to 1); below 1 also for customers with no repeat purchase, who
            may have left right after their first.

        Examples
        --------
        >>> import custlab as cl
        >>> s = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30",
        ...                    calibration_end="1997-09-30")
        >>> cl.ModifiedBetaGeo().fit(s).p_alive([0, 5, 5], [0, 5, 38], 38.86).round(3).tolist()
        [0.39, 0.003, 0.87]
        """
        check_fitted(self)
        r, alpha, a, b = self.params_.to_numpy()
        x, t_x, T = customer_values(frequency, recency, T, where="ModifiedBetaGeo.p_alive")
        log_ratio = np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(log_ratio))

    @one_blas_thread
    def conditional_expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units by a customer
        with this history.

        Given the history and that the customer is still there, lambda is Gamma(r + x,
        alpha + T) and p is Beta(a, b + x + 1); from then on they buy as a BG/NBD customer.
        So the expectation is P(alive) times

        ``(a + b + x) / (a - 1) * [1 - ((alpha + T) / (alpha + T + t))^(r + x)
        2F1(r + x, b + x + 1; a + b + x; t / (alpha + T + t))]``.

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
        >>> round(float(cl.ModifiedBetaGeo().fit(s).conditional_expected_purchases(39, 2, 30.43, 38.86)), 3)
        1.263
        """
        check_fitted(self)
        where = "ModifiedBetaGeo.conditional_expected_purchases"
        r, alpha, a, b = self.params_.to_numpy()
        x, t_x, T = customer_values(frequency, recency, T, where=where)
        t = values(t, "t", where=where, meaning="length of the period ahead")
        z = t / (alpha + T + t)
        term = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x + 1, a + b + x, z)
        return (a + b + x) / (a - 1) * term * self.p_alive(x, t_x, T)
