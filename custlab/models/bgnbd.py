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
from scipy.special import betaln, digamma, gammaln, hyp2f1, zeta

from custlab.models._base import FittedModel, check_fitted, one_blas_thread
from custlab.models._data import check_shapes, compress, customer_values, per_distinct, rfm_arrays, values
from custlab.models._optimise import fit_positive_params, negated

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


class BgnbdData:
    """The (x, t_x, T) rows of a fit with their weights, and what never changes between
    evaluations: the distinct x, each row's position among them, and sums per x."""

    def __init__(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, weights: np.ndarray):
        self.x, self.t_x, self.T, self.w = x, t_x, T, weights
        self.xs, self.at = distinct_x(x)
        self.w_by_x = np.bincount(self.at, weights=weights, minlength=self.xs.size)
        self.total = float(weights.sum())
        self.repeat = self.xs > 0
        self.xm1 = np.maximum(self.xs, 1) - 1          # x - 1 where x > 0 (0 elsewhere, unused)

    def subsample(self, rows: int) -> "BgnbdData":
        """Every k-th row, k chosen to keep about ``rows`` of them, with their own weights."""
        keep = slice(0, None, int(np.ceil(self.x.size / rows)))
        return BgnbdData(self.x[keep], self.t_x[keep], self.T[keep], self.w[keep])


def bgnbd_derivatives(params, data: BgnbdData, order: int = 2):
    """Summed, weighted log-likelihood of the rows and, up to ``order``, its gradient and
    Hessian in (r, alpha, a, b).

    Each row's likelihood (equation 6) is ``exp(head) * (exp(A) + exp(D))``: A for a customer
    still alive at T, D for one who dropped out right after the last purchase (x > 0 only).
    Written as ``head + A + softplus(D - A)``, the derivatives follow from those of head, A and
    the difference Delta = D - A, with ``sigma = 1 / (1 + exp(-Delta))`` the probability of the
    dropout branch::

        grad = grad(head) + grad(A) + sigma * grad(Delta)
        hess = hess(head) + hess(A) + sigma * hess(Delta) + sigma (1 - sigma) grad(Delta) grad(Delta)'

    Every log-gamma, digamma and trigamma term depends on x alone, and x takes a few dozen
    distinct values however many rows there are: those terms are computed once per distinct x
    and enter through per-x sums of the weights (``np.bincount``), never per row.
    """
    r, alpha, a, b = params
    xs, at, w, x = data.xs, data.at, data.w, data.x
    rep = data.repeat
    log_aT, log_at = np.log(alpha + data.T), np.log(alpha + data.t_x)
    rx = r + x
    # Parts of head and A that depend on x alone, and of Delta = D - A.
    head_x = gammaln(r + xs) - gammaln(r) + r * np.log(alpha)
    lg_ab = gammaln(a + b)
    A_x = gammaln(b + xs) - gammaln(a + b + xs) - gammaln(b) + lg_ab
    with np.errstate(divide="ignore", invalid="ignore"):
        delta_x = np.where(rep, np.log(a) + gammaln(b + data.xm1) - gammaln(b + xs), -np.inf)
    delta = delta_x[at] + rx * (log_aT - log_at)
    e = np.exp(-np.abs(delta))
    softplus = np.maximum(delta, 0.0) + np.log1p(e)
    value = float(np.dot(data.w_by_x, head_x + A_x) - np.dot(w, rx * log_aT) + np.dot(w, softplus))
    if order == 0:
        return value
    sigma = np.where(delta >= 0, 1.0, e) / (1.0 + e)      # P(dropout branch), per row
    ws = w * sigma
    ws_by_x = np.bincount(at, weights=ws, minlength=xs.size)
    i_aT, i_at = 1.0 / (alpha + data.T), 1.0 / (alpha + data.t_x)
    g_r = log_aT - log_at                                    # d Delta / d r, per row
    g_alpha = rx * (i_aT - i_at)                             # d Delta / d alpha, per row
    psi_ab, psi_abx = digamma(a + b), digamma(a + b + xs)
    with np.errstate(divide="ignore"):
        g_b_x = np.where(rep, -1.0 / (b + data.xm1), 0.0)    # d Delta / d b = psi(b+x-1) - psi(b+x)
    d_r = (np.dot(data.w_by_x, digamma(r + xs) - digamma(r)) + data.total * np.log(alpha)
           - np.dot(w, log_aT) + np.dot(ws, g_r))
    d_alpha = data.total * r / alpha - np.dot(w, rx * i_aT) + np.dot(ws, g_alpha)
    d_a = np.dot(data.w_by_x, psi_ab - psi_abx) + ws.sum() / a
    d_b = (np.dot(data.w_by_x, digamma(b + xs) - digamma(b) + psi_ab - psi_abx) + np.dot(ws_by_x, g_b_x))
    grad = np.array([d_r, d_alpha, d_a, d_b])
    if order == 1:
        return value, grad
    v = ws * (1.0 - sigma)                                   # w sigma (1 - sigma), per row
    v_by_x = np.bincount(at, weights=v, minlength=xs.size)
    vr_by_x = np.bincount(at, weights=v * g_r, minlength=xs.size)
    va_by_x = np.bincount(at, weights=v * g_alpha, minlength=xs.size)
    tri_ab, tri_abx = zeta(2.0, a + b), zeta(2.0, a + b + xs)
    h = np.empty((4, 4))
    h[0, 0] = np.dot(data.w_by_x, zeta(2.0, r + xs) - zeta(2.0, r)) + np.dot(v, g_r * g_r)
    h[0, 1] = (data.total / alpha - np.dot(w, i_aT) + np.dot(ws, i_aT - i_at) + np.dot(v, g_r * g_alpha))
    h[1, 1] = (-data.total * r / alpha**2 + np.dot(w, rx * i_aT**2) + np.dot(ws, rx * (i_at**2 - i_aT**2))
               + np.dot(v, g_alpha * g_alpha))
    inv_a = 1.0 / a
    h[0, 2] = inv_a * vr_by_x.sum()
    h[0, 3] = np.dot(vr_by_x, g_b_x)
    h[1, 2] = inv_a * va_by_x.sum()
    h[1, 3] = np.dot(va_by_x, g_b_x)
    ab_x = tri_ab - tri_abx
    h[2, 2] = np.dot(data.w_by_x, ab_x) - ws.sum() * inv_a**2 + v.sum() * inv_a**2
    h[2, 3] = np.dot(data.w_by_x, ab_x) + inv_a * np.dot(v_by_x, g_b_x)
    h[3, 3] = (np.dot(data.w_by_x, zeta(2.0, b + xs) - zeta(2.0, b) + ab_x)
               + np.dot(ws_by_x, g_b_x**2) + np.dot(v_by_x, g_b_x**2))
    hess = np.triu(h) + np.triu(h, 1).T
    return value, grad, hess


#: Above this many distinct rows, a fit starts from the optimum of an even slice of them.
WARM_START_ROWS = 20_000


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
        rows = BgnbdData(ux, ut, uT, w)
        scale = float(np.mean(T))
        # alpha scales with the time unit: start it at a quarter of the mean observation time.
        starts = [(0.25, scale / 4, 0.5, 1.5), (1.0, 1.0, 1.0, 1.0), (0.5, scale / 8, 1.0, 3.0)]
        # Many distinct rows: the optimum of an even slice of them is a few Newton steps from
        # the optimum of all.
        part = None
        if ux.size > WARM_START_ROWS:
            piece = rows.subsample(WARM_START_ROWS)
            part = (negated(bgnbd_derivatives, piece), rows.total / piece.total)

        def negll(p):
            return -bgnbd_derivatives(p, rows, 0)

        optimum = fit_positive_params(None, starts, penalizer=self.penalizer,
                                      derivatives=negated(bgnbd_derivatives, rows),
                                      scale=(1.0, scale, 1.0, 1.0), names=self.param_names, part=part)
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
        check_shapes(where, n=n, t=t)
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
        return self._p_alive(*customer_values(frequency, recency, T, where="BetaGeo.p_alive"))

    def _p_alive(self, x, t_x, T):
        r, alpha, a, b = self.params_.to_numpy()
        with np.errstate(divide="ignore"):
            log_ratio = np.log(a) - np.log(b + np.maximum(x, 1) - 1) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        return np.where(x == 0, 1.0, 1.0 / (1.0 + np.exp(log_ratio)))   # missing x gives NaN

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

        def if_alive(x, T, t):
            """Expected purchases of a customer alive at T: depends on x, T and t only."""
            term = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1,
                                                                          t / (alpha + T + t))
            return (a + b + x - 1) / (a - 1) * term

        # The hypergeometric term is computed once per distinct (x, T, t): few, however many customers.
        return per_distinct(if_alive, x, T, t) * self._p_alive(x, t_x, T)
