"""The BG/BB model of repeat transactions at discrete opportunities (Fader, Hardie & Shang 2010,
"Customer-base analysis in a discrete-time noncontractual setting", Marketing Science 29(6),
1086-1108).

Some customers can only transact at fixed moments: a yearly fund-raising appeal, an annual
conference, a weekly market. At each such opportunity a customer who is still "alive"
transacts with probability p, the same at every opportunity; just before each opportunity
an alive customer dies (leaves for good, unseen) with probability theta. Across customers p
varies as Beta(alpha, beta) and theta as Beta(gamma, delta). The model is fitted on one row
per customer: x (``frequency``, the number of opportunities after the first transaction
at which they transacted), t_x (``recency``, the opportunity of the last of these, 0 if there
was none) and n (``n_periods``, the opportunities observed); or on the recency/frequency
table that lists each distinct (x, t_x, n) once, with a count of the customers who had it.

Equation numbers below are those of the paper. Its likelihood (equations 4 and 5) leaves
out the number of ways the first x - 1 transactions can be placed before t_x, a constant;
log-likelihoods here are on the paper's scale, so they can be compared with its numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, gammaln, logsumexp

from custlab.models._base import FittedModel, check_fitted, one_blas_thread
from custlab.models._data import read_columns, show_rows, values
from custlab.models._optimise import fit_positive_params

__all__ = ["BetaGeoBetaBinom", "period_tracking"]

#: The unit of recency and n: transaction opportunities, whatever their length in days.
TIME_UNIT = "periods"
#: Terms of equation 5 evaluated at once, at most: bounds memory however many opportunities there are.
_CELLS = 1 << 20
_STARTS = [(1.0, 1.0, 1.0, 1.0), (0.5, 0.5, 0.5, 2.0), (2.0, 1.0, 0.5, 5.0)]


# ---------------------------------------------------------------------------------------------
# The likelihood
# ---------------------------------------------------------------------------------------------
#: Most terms of equation 5 summed in one call (histories times opportunities).
MAX_TERMS = 10_000_000


def _terms(params, x: np.ndarray, start: np.ndarray, n: np.ndarray, gradient: bool = False):
    """The log of each term of equation 5, one row per customer.

    Column 0 is the customer alive through opportunity n: B(alpha + x, beta + n - x) / B(alpha, beta)
    times B(gamma, delta + n) / B(gamma, delta). Column 1 + i (i = 0 .. n - start - 1) is the
    customer alive through opportunity m = start + i and dead just before the next one:
    B(alpha + x, beta + m - x) / B(alpha, beta) times B(gamma + 1, delta + m) / B(gamma, delta).
    Equation 5 has start = t_x. Cells past a row's last term hold -inf.

    Returns ``(log_terms, m, valid)`` and, with ``gradient``, the derivative of each log term
    by alpha, beta, gamma and delta, shaped ``(4, rows, columns)``.
    """
    alpha, beta, gamma, delta = params
    width = 1 + int(np.max(n - start, initial=0))
    if x.size * width > MAX_TERMS:
        raise ValueError(f"BetaGeoBetaBinom: {x.size:,} histories over up to {width - 1:,} opportunities make "
                         f"{x.size * width:,} terms to sum, more than {MAX_TERMS:,} (about a gigabyte). The model "
                         "is for a few dozen opportunities (years, quarters): count in coarser periods, or ask "
                         "for fewer customers at a time.")
    i = np.arange(width - 1, dtype=float)
    valid = np.ones((x.size, width), bool)
    valid[:, 1:] = i < (n - start)[:, None]
    m = np.where(valid, np.concatenate([n[:, None], start[:, None] + i], axis=1), n[:, None])
    dead = np.zeros(m.shape, bool)
    dead[:, 1:] = True
    xx = x[:, None]
    log_p = gammaln(alpha + xx) + gammaln(beta + m - xx) - gammaln(alpha + beta + m) - betaln(alpha, beta)
    log_theta = np.where(dead, gammaln(gamma + 1) - gammaln(gamma + delta + m + 1),
                         gammaln(gamma) - gammaln(gamma + delta + m)) + gammaln(delta + m) - betaln(gamma, delta)
    log_terms = np.where(valid, log_p + log_theta, -np.inf)
    if not gradient:
        return log_terms, m, valid
    psi_ab, psi_gd = digamma(alpha + beta), digamma(gamma + delta)
    psi_abm = digamma(alpha + beta + m)
    psi_gdm = digamma(gamma + delta + m + dead)       # gamma + delta + m (alive), + m + 1 (dead)
    d_alpha = digamma(alpha + xx) - psi_abm - digamma(alpha) + psi_ab
    d_beta = digamma(beta + m - xx) - psi_abm - digamma(beta) + psi_ab
    d_gamma = np.where(dead, 1.0 / gamma, 0.0) - psi_gdm + psi_gd     # digamma(g + 1) - digamma(g) = 1 / g
    d_delta = digamma(delta + m) - psi_gdm - digamma(delta) + psi_gd
    return log_terms, m, valid, np.stack([d_alpha, d_beta, d_gamma, d_delta])


def _blocks(start: np.ndarray, n: np.ndarray) -> Iterator[slice]:
    """Slices of rows small enough that their terms fit in :data:`_CELLS` cells."""
    width = 1 + int(np.max(n - start, initial=0))
    step = max(1, _CELLS // width)
    for first in range(0, n.size, step):
        yield slice(first, first + step)


def bgbb_loglik(params, x: np.ndarray, t_x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Log-likelihood of each (x, t_x, n) row: the log of equation 5, a log-sum-exp of its terms."""
    out = np.empty(x.size)
    for rows in _blocks(t_x, n):
        out[rows] = logsumexp(_terms(params, x[rows], t_x[rows], n[rows])[0], axis=1)
    return out


def bgbb_loglik_and_gradient(params, x, t_x, n, weights) -> tuple[float, np.ndarray]:
    """Summed, weighted log-likelihood and its gradient in (alpha, beta, gamma, delta).

    The derivative of a log-sum-exp is the average of the derivatives of its terms, each
    weighted by its share of the sum; each term is a product of beta functions, whose log
    has derivatives in digamma functions.
    """
    total, grad = 0.0, np.zeros(4)
    for rows in _blocks(t_x, n):
        log_terms, _, _, d_terms = _terms(params, x[rows], t_x[rows], n[rows], gradient=True)
        ll = logsumexp(log_terms, axis=1)
        share = np.exp(log_terms - ll[:, None])
        w = weights[rows]
        total += float(np.dot(w, ll))
        grad += np.einsum("r,krc->k", w, d_terms * share)
    return total, grad


# ---------------------------------------------------------------------------------------------
# Checks on what the model is given
# ---------------------------------------------------------------------------------------------
def _refuse_rows(frame, problems: dict[str, np.ndarray], where: str) -> None:
    """Raise ValueError for the first problem that any row has, showing those rows."""
    for what, bad in problems.items():
        if bad.any():
            raise ValueError(f"{where}: {int(bad.sum()):,} row(s) where {what}, e.g.\n{show_rows(frame, bad)}")


def _table(data, frequency_col: str, recency_col: str, n_periods_col: str, weights_col: str | None,
           where: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Checked (x, t_x, n, weights) arrays from one row per customer or a recency/frequency table."""
    columns = (frequency_col, recency_col, n_periods_col) + ((weights_col,) if weights_col is not None else ())
    frame, arrays = read_columns(data, columns, where=where)
    x, t_x, n = arrays[:3]
    w = arrays[3] if weights_col is not None else np.ones(x.size)

    def odd(a):
        return ~np.isfinite(a) | (a < 0) | (a != np.round(a))

    problems = {
        "a value is missing": ~(np.isfinite(x) & np.isfinite(t_x) & np.isfinite(n) & np.isfinite(w)),
        f"{frequency_col} is negative or not a whole number": odd(x),
        f"{recency_col} is negative or not a whole number": odd(t_x),
        f"{n_periods_col} is negative or not a whole number": odd(n),
        f"{frequency_col} is greater than {recency_col} (x repeat transactions take x opportunities, "
        f"the last one at opportunity {recency_col})": x > t_x,
        f"{recency_col} is greater than {n_periods_col} (the last transaction falls within the "
        "opportunities observed)": t_x > n,
        f"{frequency_col} is 0 but {recency_col} is not (without a repeat transaction there is no "
        "last one: recency must be 0)": (x == 0) & (t_x > 0),
    }
    if weights_col is not None:
        problems[f"{weights_col} is not a whole number of 1 or more (it counts the customers with "
                 "this history)"] = odd(w) | (w < 1)
    _refuse_rows(frame, problems, where)
    if not (x > 0).any():
        raise ValueError(f"{where}: none of the {int(w.sum()):,} customers made a repeat transaction, so there "
                         "is nothing to learn a transaction probability or a dropout from. Observe more "
                         "opportunities.")
    return x, t_x, n, w


def _histories(frequency, recency, n_periods, *, where: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Checked, broadcast (x, t_x, n) arrays for a prediction about customers with this history."""
    x = values(frequency, "frequency", where=where, whole=True, meaning="repeat transactions")
    t_x = values(recency, "recency", where=where, whole=True, meaning="opportunity of the last transaction")
    n = values(n_periods, "n_periods", where=where, whole=True, meaning="opportunities observed")
    try:
        x, t_x, n = np.broadcast_arrays(x, t_x, n)
    except ValueError:
        raise ValueError(f"{where}: frequency, recency and n_periods must have shapes that broadcast "
                         f"together; got {np.shape(x)}, {np.shape(t_x)} and {np.shape(n)}.") from None
    _refuse_pairs(where, x > t_x, "frequency must not exceed recency: x repeat transactions take x "
                  "opportunities, the last one at opportunity recency", ("frequency", x), ("recency", t_x))
    _refuse_pairs(where, t_x > n, "recency must not exceed n_periods: the last transaction falls within "
                  "the opportunities observed", ("recency", t_x), ("n_periods", n))
    _refuse_pairs(where, (x == 0) & (t_x > 0), "recency must be 0 when frequency is 0: without a repeat "
                  "transaction there is no last one", ("frequency", x), ("recency", t_x))
    return x, t_x, n


def _refuse_pairs(where: str, bad: np.ndarray, rule: str, *named: tuple[str, np.ndarray]) -> None:
    if np.any(bad):
        first = np.flatnonzero(bad)[0]
        got = " with ".join(f"{name} {a.flat[first]:g}" for name, a in named)
        more = int(np.count_nonzero(bad)) - 1
        raise ValueError(f"{where}: {rule}; got {got}" + (f" (and {more:,} more)." if more else "."))


def _on_distinct(compute: Callable[..., np.ndarray], *arrays: np.ndarray) -> np.ndarray:
    """``compute`` evaluated once per distinct row of the broadcast arrays (given as flat arrays),
    shaped like them; NaN wherever a value is missing."""
    shaped = np.broadcast_arrays(*arrays)
    flat = np.stack([a.ravel() for a in shaped], axis=1)
    out = np.full(flat.shape[0], np.nan)
    known = np.all(np.isfinite(flat), axis=1)
    if known.any():
        rows, back = np.unique(flat[known], axis=0, return_inverse=True)
        out[known] = np.asarray(compute(*rows.T), float)[back.reshape(-1)]
    return out.reshape(shaped[0].shape)


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------
class BetaGeoBetaBinom(FittedModel):
    """BG/BB model of repeat transactions at discrete opportunities (non-contractual).

    Parameters
    ----------
    penalizer : float
        L2 penalty on the parameters; 0 (the default) gives the maximum-likelihood
        estimates of the published study.

    Attributes
    ----------
    params_ : pandas.Series
        ``alpha``, ``beta``: the Beta distribution of p, the probability that an alive
        customer transacts at an opportunity (mean ``alpha / (alpha + beta)``);
        ``gamma``, ``delta``: the Beta distribution of theta, the probability of dying
        before an opportunity (mean ``gamma / (gamma + delta)``). All have no unit.
    standard_errors_, covariance_, loglik_, n_customers_, aic_, bic_ : as for :class:`BetaGeo`.
        ``n_customers_`` counts customers, not rows of a recency/frequency table.
    time_unit_ : str
        ``"periods"``: recency and n count transaction opportunities.
    converged_, at_boundary_, convergence_ : as for :class:`BetaGeo`.

    Examples
    --------
    >>> import custlab as cl
    >>> model = cl.BetaGeoBetaBinom().fit(cl.load_donations(), weights_col="count")
    >>> model.params_.round(3).tolist(), round(model.loglik_, 1), model.n_customers_
    ([1.204, 0.75, 0.657, 2.783], -33225.6, 11104)
    """

    param_names = ("alpha", "beta", "gamma", "delta")

    @one_blas_thread
    def fit(self, data, *, frequency_col: str = "frequency", recency_col: str = "recency",
            n_periods_col: str = "n_periods", weights_col: str | None = None) -> "BetaGeoBetaBinom":
        """Fit by maximum likelihood (equation 5) on one row per customer, or on a
        recency/frequency table with a count per row.

        Parameters
        ----------
        data : pandas or Polars DataFrame
            Either one row per customer, or one row per distinct history with the number of
            customers who had it in ``weights_col``. Columns: repeat transactions x
            (whole numbers), the opportunity of the last one t_x (1 to n; 0 when x is 0)
            and the opportunities observed n, all counted after the first transaction.
        frequency_col, recency_col, n_periods_col : str
            Column names of x, t_x and n.
        weights_col : str, optional
            Column with the number of customers per row (whole numbers, 1 or more), such
            as ``"count"`` in :func:`custlab.load_donations`; None when each row is one customer.

        Returns
        -------
        BetaGeoBetaBinom
            ``self``, fitted. Warns with ``ConvergenceWarning`` if ``converged_`` is False.

        Examples
        --------
        >>> import custlab as cl
        >>> table = cl.load_donations()
        >>> donors = table.loc[table.index.repeat(table["count"])]      # one row per donor
        >>> BetaGeoBetaBinom().fit(donors).params_.round(3).tolist()
        [1.204, 0.75, 0.657, 2.783]
        """
        self._check_penalizer()
        x, t_x, n, w = _table(data, frequency_col, recency_col, n_periods_col, weights_col,
                              where="BetaGeoBetaBinom.fit")
        # Customers who share a history share a likelihood: one row per distinct (x, t_x, n), weighted.
        distinct, back = np.unique(np.stack([x, t_x, n], axis=1), axis=0, return_inverse=True)
        ux, ut, un = distinct.T
        uw = np.bincount(back.reshape(-1), weights=w)

        def negll(p):
            return -float(np.dot(uw, bgbb_loglik(p, ux, ut, un)))

        def negll_and_gradient(p):
            value, grad = bgbb_loglik_and_gradient(p, ux, ut, un, uw)
            return -value, -grad

        optimum = fit_positive_params(negll, _STARTS, penalizer=self.penalizer, gradient=negll_and_gradient,
                                      names=self.param_names)
        self._store(optimum, negll, int(round(w.sum())))
        self.time_unit_ = TIME_UNIT
        return self

    @one_blas_thread
    def p_alive(self, frequency, recency, n_periods) -> np.ndarray:
        """P(alive at opportunity n + 1 | x, t_x, n): probability that a customer with this
        history is still alive at the next opportunity (equation 11).

        Parameters
        ----------
        frequency : int or array
            Repeat transactions x, whole numbers from 0 to ``recency``.
        recency : int or array
            The opportunity of the last repeat transaction t_x, 1 to n (0 when x is 0).
        n_periods : int or array
            Opportunities observed n. The three broadcast together.

        Returns
        -------
        numpy.ndarray
            Probabilities (0 to 1); NaN where an input is missing.

        Examples
        --------
        >>> import custlab as cl
        >>> model = cl.BetaGeoBetaBinom().fit(cl.load_donations(), weights_col="count")
        >>> model.p_alive([3, 3, 0], [6, 3, 0], 6).round(3).tolist()
        [0.93, 0.095, 0.108]
        """
        check_fitted(self)
        params = self.params_.to_numpy()
        alpha, beta, gamma, delta = params
        x, t_x, n = _histories(frequency, recency, n_periods, where="BetaGeoBetaBinom.p_alive")

        def compute(x, t_x, n):
            alive_next = (betaln(alpha + x, beta + n - x) - betaln(alpha, beta)
                          + betaln(gamma, delta + n + 1) - betaln(gamma, delta))
            return np.exp(alive_next - bgbb_loglik(params, x, t_x, n))

        return _on_distinct(compute, x, t_x, n)

    @one_blas_thread
    def conditional_expected_purchases(self, n_future, frequency, recency, n_periods) -> np.ndarray:
        """E[X(n, n + n*) | x, t_x, n]: expected transactions in the next ``n_future``
        opportunities by a customer with this history (equation 13).

        Parameters
        ----------
        n_future : int or array
            Opportunities ahead n*, whole numbers, 0 or more.
        frequency, recency, n_periods : int or array
            The customer's history, as for :meth:`p_alive`. All four broadcast.

        Returns
        -------
        numpy.ndarray
            Expected number of transactions (count); NaN where an input is missing.

        Examples
        --------
        >>> import custlab as cl
        >>> model = cl.BetaGeoBetaBinom().fit(cl.load_donations(), weights_col="count")
        >>> model.conditional_expected_purchases(5, [6, 3, 0], [6, 3, 0], 6).round(3).tolist()
        [3.753, 0.224, 0.073]
        """
        check_fitted(self)
        where = "BetaGeoBetaBinom.conditional_expected_purchases"
        params = self.params_.to_numpy()
        alpha, beta, gamma, delta = params
        x, t_x, n = _histories(frequency, recency, n_periods, where=where)
        ahead = _opportunities(n_future, "n_future", where, "opportunities ahead")

        def compute(ahead, x, t_x, n):
            # Alive at n and one more transaction's worth of p: B(alpha + x + 1, beta + n - x), over eq. 5.
            log_weight = betaln(alpha + x + 1, beta + n - x) - betaln(alpha, beta) - bgbb_loglik(params, x, t_x, n)
            return np.exp(log_weight) * _survival_sum(gamma, delta, n, n + ahead)

        return _on_distinct(compute, ahead, x, t_x, n)

    @one_blas_thread
    def expected_purchases(self, n_periods) -> np.ndarray:
        """E[X(n)]: expected repeat transactions of a new customer in their first ``n_periods``
        opportunities (equation 8).

        Parameters
        ----------
        n_periods : int or array
            Opportunities n, whole numbers, 0 or more.

        Returns
        -------
        numpy.ndarray
            Expected number of repeat transactions (count), shaped like ``n_periods``.

        Examples
        --------
        >>> import custlab as cl
        >>> model = cl.BetaGeoBetaBinom().fit(cl.load_donations(), weights_col="count")
        >>> model.expected_purchases([1, 6, 11]).round(3).tolist()
        [0.499, 2.22, 3.389]
        """
        check_fitted(self)
        alpha, beta, gamma, delta = self.params_.to_numpy()
        n = _opportunities(n_periods, "n_periods", "BetaGeoBetaBinom.expected_purchases", "opportunities")
        return alpha / (alpha + beta) * _survival_sum(gamma, delta, np.zeros_like(n), n)

    @one_blas_thread
    def expected_purchases_in_period(self, period) -> np.ndarray:
        """E[Y(t)]: expected transactions of a new customer at opportunity ``period`` alone,
        the difference E[X(t)] - E[X(t - 1)] of equation 8.

        An alive customer transacts with probability p and is alive at opportunity t with
        probability (1 - theta) ** t, so this is E[p] E[(1 - theta) ** t] =
        alpha / (alpha + beta) * B(gamma, delta + t) / B(gamma, delta). Times the size of a
        cohort, it is the cohort's expected transactions in that period: the tracking curve.

        Parameters
        ----------
        period : int or array
            Opportunity t, whole numbers, 1 or more (1 is the first after the first transaction).

        Returns
        -------
        numpy.ndarray
            Expected number of transactions (count) per customer, shaped like ``period``.

        Examples
        --------
        >>> import custlab as cl
        >>> model = cl.BetaGeoBetaBinom().fit(cl.load_donations(), weights_col="count")
        >>> (11104 * model.expected_purchases_in_period([1, 6, 11])).round(0).tolist()
        [5536.0, 3132.0, 2319.0]
        """
        check_fitted(self)
        alpha, beta, gamma, delta = self.params_.to_numpy()
        t = _opportunities(period, "period", "BetaGeoBetaBinom.expected_purchases_in_period", "opportunity",
                           minimum=1.0)
        return alpha / (alpha + beta) * np.exp(betaln(gamma, delta + t) - betaln(gamma, delta))

    @one_blas_thread
    def probability_of_purchases(self, frequency, n_periods) -> np.ndarray:
        """P(X(n) = x): probability that a new customer makes exactly ``frequency`` repeat
        transactions in their first ``n_periods`` opportunities (equation 7).

        Parameters
        ----------
        frequency : int or array
            Number of repeat transactions x, whole numbers, 0 or more.
        n_periods : int or array
            Opportunities n, whole numbers, 0 or more. Broadcasts with ``frequency``.

        Returns
        -------
        numpy.ndarray
            Probabilities (0 to 1); 0 where x is greater than n, which cannot happen.

        Examples
        --------
        >>> import custlab as cl
        >>> model = cl.BetaGeoBetaBinom().fit(cl.load_donations(), weights_col="count")
        >>> p = model.probability_of_purchases(range(7), 6)
        >>> (11104 * p).round(0).tolist(), round(float(p.sum()), 6)
        ([3455.0, 1889.0, 1349.0, 1113.0, 1018.0, 1027.0, 1253.0], 1.0)
        """
        check_fitted(self)
        where = "BetaGeoBetaBinom.probability_of_purchases"
        params = self.params_.to_numpy()
        x = values(frequency, "frequency", where=where, whole=True, meaning="number of repeat transactions")
        n = _opportunities(n_periods, "n_periods", where, "opportunities")

        def compute(x, n):
            out = np.zeros(x.size)
            fits = x <= n
            xf, nf = x[fits], n[fits]
            # Equation 7: the terms of equation 5 with t_x = x, each times the number of ways of
            # placing x transactions among the m opportunities lived through, C(m, x).
            for rows in _blocks(xf, nf):
                log_terms, m, valid = _terms(params, xf[rows], xf[rows], nf[rows])
                xx = xf[rows][:, None]
                choose = np.where(valid, gammaln(m + 1) - gammaln(xx + 1) - gammaln(m - xx + 1), 0.0)
                out[np.flatnonzero(fits)[rows]] = np.exp(logsumexp(log_terms + choose, axis=1))
            return out

        try:
            x, n = np.broadcast_arrays(x, n)
        except ValueError:
            raise ValueError(f"{where}: frequency and n_periods must have shapes that broadcast together; "
                             f"got {np.shape(x)} and {np.shape(n)}.") from None
        return _on_distinct(compute, x, n)


def _opportunities(value, name: str, where: str, meaning: str, minimum: float = 0.0) -> np.ndarray:
    """A count of opportunities: whole, at least ``minimum`` and finite."""
    arr = values(value, name, where=where, whole=True, minimum=minimum, meaning=meaning)
    if np.isinf(arr).any():
        raise ValueError(f"{where}: {name} ({meaning}) must be finite; pass a whole number of opportunities.")
    return arr


def _survival_sum(gamma: float, delta: float, start, stop) -> np.ndarray:
    """Sum over t = start + 1 .. stop of E[(1 - theta) ** t] = B(gamma, delta + t) / B(gamma, delta):
    the expected number of those opportunities at which a new customer is alive.

    In closed form (the sums behind equations 8 and 13), with
    R(m) = Gamma(gamma + delta) Gamma(1 + delta + m) / (Gamma(1 + delta) Gamma(gamma + delta + m)):
    delta / (gamma - 1) * (R(start) - R(stop)). At gamma = 1 both factors vanish; the limit,
    used within 1e-8 of it, is delta * (digamma(1 + delta + stop) - digamma(1 + delta + start)).
    """
    start, stop = np.asarray(start, float), np.asarray(stop, float)
    if abs(gamma - 1.0) < 1e-8:
        return delta * (digamma(1 + delta + stop) - digamma(1 + delta + start))
    log_r_start = (gammaln(gamma + delta) - gammaln(1 + delta)
                   + gammaln(1 + delta + start) - gammaln(gamma + delta + start))
    log_ratio = (gammaln(1 + delta + stop) - gammaln(1 + delta + start)
                 - gammaln(gamma + delta + stop) + gammaln(gamma + delta + start))
    return delta / (gamma - 1.0) * np.exp(log_r_start) * -np.expm1(log_ratio)


# ---------------------------------------------------------------------------------------------
# Tracking a cohort period by period
# ---------------------------------------------------------------------------------------------
@one_blas_thread
def period_tracking(model: BetaGeoBetaBinom, data, *, n_future: int = 0, frequency_col: str = "frequency",
                    recency_col: str = "recency", n_periods_col: str = "n_periods",
                    weights_col: str | None = None) -> pd.DataFrame:
    """Transactions of one cohort, period by period: what the table says and what the model expects.

    For a cohort whose customers all made their first transaction at the same time and were
    observed for the same n opportunities (the setting of Fader, Hardie & Shang 2010).

    Parameters
    ----------
    model : BetaGeoBetaBinom
        A fitted model.
    data : pandas or Polars DataFrame
        The cohort, as for :meth:`BetaGeoBetaBinom.fit`: one row per customer, or a
        recency/frequency table with a count column in ``weights_col``.
    n_future : int
        Opportunities after the n observed to project, 0 or more.
    frequency_col, recency_col, n_periods_col, weights_col : str
        Column names, as for :meth:`BetaGeoBetaBinom.fit`.

    Returns
    -------
    pandas.DataFrame
        One row per opportunity t = 1 .. n + ``n_future``:

        - ``period`` (int) and ``calibration`` (bool: t <= n);
        - ``expected``: the cohort's expected transactions at t, customers times
          :meth:`~BetaGeoBetaBinom.expected_purchases_in_period` (the model alone);
        - ``from_table`` (calibration periods only): the transactions at t that the table
          implies. A recency/frequency table does not say when each customer's earlier
          transactions fell, only the last one: exact for t = n (those with recency n, and
          nobody else); for earlier t, the expected count given each customer's x and t_x,
          which spreads the x - 1 earlier transactions evenly over opportunities 1 .. t_x - 1.
          That is what the BG/BB says whatever its parameters, since an alive customer's
          chance is the same at every opportunity;
        - ``expected_given_history`` (projected periods only): the cohort's expected
          transactions at t given each customer's history, from equation 13.

        ``.attrs["time_unit"]`` is ``"periods"``.

    Examples
    --------
    >>> import custlab as cl
    >>> donations = cl.load_donations()
    >>> model = cl.BetaGeoBetaBinom().fit(donations, weights_col="count")
    >>> tracking = cl.models.bgbb.period_tracking(model, donations, n_future=5, weights_col="count")
    >>> tracking["expected"].round(0).tolist()[:7]           # 1996 to 2002
    [5536.0, 4717.0, 4148.0, 3725.0, 3396.0, 3132.0, 2914.0]
    >>> tracking["from_table"].round(0).tolist()[5], tracking["expected_given_history"].round(0).tolist()[6]
    (3163.0, 2893.0)
    """
    check_fitted(model)
    where = "period_tracking"
    x, t_x, n, w = _table(data, frequency_col, recency_col, n_periods_col, weights_col, where=where)
    if np.unique(n).size > 1:
        raise ValueError(f"{where} follows one cohort observed for the same number of opportunities; "
                         f"{n_periods_col} takes {np.unique(n).size} values ({np.unique(n)[:5].tolist()} ...). "
                         "Pass one cohort at a time.")
    n_obs = int(n[0])
    ahead = int(_opportunities(n_future, "n_future", where, "opportunities to project"))
    periods = np.arange(1, n_obs + ahead + 1)
    calibration = periods <= n_obs
    customers = float(w.sum())
    expected = customers * model.expected_purchases_in_period(periods)
    # Each earlier opportunity 1 .. t_x - 1 holds a transaction with probability (x - 1) / (t_x - 1).
    earlier = np.where(t_x > 1, (x - 1) / np.maximum(t_x - 1, 1), 0.0)
    t = periods[calibration][:, None]
    from_table = ((t == t_x) * w + (t < t_x) * w * earlier).sum(axis=1)
    cumulative = np.stack([model.conditional_expected_purchases(k, x, t_x, n) for k in range(ahead + 1)])
    given_history = (np.diff(cumulative, axis=0) * w).sum(axis=1)
    out = pd.DataFrame({
        "period": periods,
        "calibration": calibration,
        "expected": expected,
        "from_table": np.concatenate([from_table, np.full(ahead, np.nan)]),
        "expected_given_history": np.concatenate([np.full(n_obs, np.nan), given_history]),
    })
    out.attrs["time_unit"] = TIME_UNIT
    return out
