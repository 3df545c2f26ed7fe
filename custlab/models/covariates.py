"""BG/NBD and Pareto/NBD with time-invariant customer covariates: acquisition channel,
business or individual, region, ...

Each covariate value ``z`` (one number per customer, or a 0/1 column per level of a text
column) moves the customer's model parameters log-linearly, the static-covariate link of
CLVTools (Bachmann, Meierer & Näf):

- **purchase**, both models: ``alpha_i = alpha0 * exp(-g_purchase . z_i)``. A customer's
  purchase rate ``lambda ~ Gamma(r, alpha_i)`` is then ``exp(g_purchase . z_i)`` times what it
  would be at ``z = 0`` (the whole Gamma distribution is stretched by that factor): **a
  positive purchase effect means more purchases**, and ``exp(effect)`` is the ratio of
  purchase rates.
- **dropout**, Pareto/NBD: ``beta_i = beta0 * exp(-g_dropout . z_i)``. The dropout rate
  ``mu ~ Gamma(s, beta_i)`` is multiplied by ``exp(g_dropout . z_i)``: **a positive dropout
  effect means dropping out sooner**, and ``exp(effect)`` is the ratio of dropout rates.
- **dropout**, BG/NBD: ``a_i = a0 * exp(g_dropout . z_i)`` and ``b_i = b0 * exp(g_dropout .
  z_i)``. Both shapes of the Beta distribution of the dropout probability ``p`` are
  multiplied by ``exp(effect)``, so its mean ``a / (a + b)`` does not move; its spread does.
  With a positive effect fewer customers have a ``p`` near 0 (customers who almost never
  drop out), and the chance of still being alive after ``n`` repeat purchases,
  ``B(a, b + n) / B(a, b)``, is lower for every ``n >= 2`` (the same for ``n = 1``). So here
  too **a positive dropout effect means more dropout**, but ``exp(effect)`` is the factor
  on ``a`` and ``b``, not a ratio of rates.

The base parameters (``alpha0``, ...) are those of a customer whose covariates are all 0:
the reference level of every text column and 0 for every numeric column.

Estimation. An effect ``g`` is any real number; its ratio ``exp(g)`` is positive, so the
search of :func:`custlab.models._optimise.fit_positive_params` on the logarithm of the
positive parameters is a search on ``(log r, log alpha0, ..., g)``: the same L-BFGS-B
search, Newton settling and verdict on gradient and Hessian as the plain models. Inside
the search every covariate column is centred and scaled to unit standard deviation (the
optimum is the same; the search is better conditioned and "ran to the edge" is judged per
standard deviation); the estimates and their covariance are mapped back to the columns as
given. The log-likelihood is written per customer with that customer's ``alpha_i``,
``a_i``, ``b_i`` or ``beta_i``, with an analytic gradient. For Pareto/NBD the chance of
having dropped out between the last purchase and ``T`` is the integral
``s * int_{t_x}^{T} (alpha + tau)^-(r+x) (beta + tau)^-(s+1) dtau``, written with Gauss's
hypergeometric function as in Fader & Hardie's note; its derivatives in ``alpha`` and
``beta`` are integrals of the same form (exact), its derivatives in the two shapes ``r`` and
``s`` are central differences per customer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import narwhals as nw
import numpy as np
import pandas as pd
from scipy.special import digamma, gammaln, hyp2f1

from custlab.models._base import FittedModel, _number, _plain, check_fitted, one_blas_thread
from custlab.models._data import compress, customer_values, read_columns, refuse_rows, rfm_arrays, values
from custlab.models._optimise import fit_positive_params

__all__ = ["BetaGeoCovariates", "ParetoNBDCovariates", "simulate_covariate_customers"]

#: Default for ``max_levels``: most levels a text or categorical covariate may have.
MAX_LEVELS = 20
_PROCESSES = ("purchase", "dropout")
#: Relative step of the central differences in the Pareto/NBD shapes.
_SHAPE_STEP = 1e-5


# ---------------------------------------------------------------------------------------------
# Per-customer log-likelihoods. ``theta`` holds r, alpha, a, b (or r, alpha, s, beta), each a
# number or one value per row. The gradient comes back as ``theta_j * d loglik / d theta_j``
# per row (derivatives in log theta), which is what the chain rule to the effects needs.
# ---------------------------------------------------------------------------------------------
def _bgnbd_rows(theta, x, t_x, T, gradient: bool):
    """BG/NBD log-likelihood of each row (Fader, Hardie & Lee 2005, equation 6) and its gradient."""
    r, alpha, a, b = theta
    has = x > 0
    xm = np.maximum(x, 1)
    log_aT, log_atx = np.log(alpha + T), np.log(alpha + t_x)
    shared = gammaln(a + b) - gammaln(a + b + x) - gammaln(b)
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    alive = shared + gammaln(b + x) - (r + x) * log_aT
    dead = np.where(has, shared + np.log(a) + gammaln(b + xm - 1) - (r + x) * log_atx, -np.inf)
    total = np.logaddexp(alive, dead)
    if not gradient:
        return head + total, None
    w_alive, w_dead = np.exp(alive - total), np.exp(dead - total)
    psi_ab = digamma(a + b) - digamma(a + b + x)
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w_alive * log_aT - w_dead * log_atx
    d_alpha = r / alpha - (r + x) * (w_alive / (alpha + T) + w_dead / (alpha + t_x))
    d_a = psi_ab + w_dead / a
    d_b = psi_ab - digamma(b) + w_alive * digamma(b + x) + w_dead * np.where(has, digamma(b + xm - 1), 0.0)
    return head + total, [r * d_r, alpha * d_alpha, a * d_a, b * d_b]


def _log_between(p, q, alpha, beta, lo, hi):
    """log of the integral from ``lo`` to ``hi`` of ``(alpha + tau)^-p (beta + tau)^-q`` d tau, per row.

    The tail from ``t`` to infinity is ``(B + t)^-m / m * 2F1(m, e; m + 1; (B - S) / (B + t))``
    with ``m = p + q - 1``, ``B`` the larger of alpha and beta, ``S`` the smaller and ``e``
    the exponent on ``S``'s factor; the integral is the difference of two tails, taken in
    log space. -inf where ``lo == hi``.
    """
    p, q, alpha, beta, lo, hi = np.broadcast_arrays(p, q, alpha, beta, lo, hi)
    alpha_bigger = alpha >= beta
    big = np.where(alpha_bigger, alpha, beta)
    gap = np.abs(alpha - beta)
    e_small = np.where(alpha_bigger, q, p)
    m = p + q - 1

    def log_tail(t):
        return np.log(hyp2f1(m, e_small, m + 1, gap / (big + t))) - m * np.log(big + t) - np.log(m)

    with np.errstate(divide="ignore", invalid="ignore"):       # lo == hi: log(0) = -inf, as meant
        from_lo = log_tail(lo)
        return from_lo + np.log1p(-np.exp(log_tail(hi) - from_lo))


def _pareto_rows(theta, x, t_x, T, gradient: bool):
    """Pareto/NBD log-likelihood of each row (Fader & Hardie 2005 note) and its gradient."""
    r, alpha, s, beta = theta
    alpha, beta = np.broadcast_arrays(alpha, beta, x)[:2]
    p, q = r + x, s + 1.0
    log_aT, log_bT = np.log(alpha + T), np.log(beta + T)
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -p * log_aT - s * log_bT
    log_i = _log_between(p, q, alpha, beta, t_x, T)
    died = np.log(s) + log_i
    died = np.where(np.isnan(died), -np.inf, died)
    total = np.logaddexp(alive, died)
    if not gradient:
        return head + total, None
    w_alive, w_died = np.exp(alive - total), np.exp(died - total)
    # Derivatives of log I: exact in alpha and beta (-p I(p+1, q) / I and -q I(p, q+1) / I),
    # central differences in the exponents p and q, only for rows where dropping out counts.
    dd_alpha, dd_beta, dd_r, dd_s = (np.zeros(x.shape) for _ in range(4))
    k = np.flatnonzero(w_died > 0)
    if k.size:
        pk, ak, bk, lo, hi, li = p[k], alpha[k], beta[k], t_x[k], T[k], log_i[k]
        dd_alpha[k] = -pk * np.exp(_log_between(pk + 1, q, ak, bk, lo, hi) - li)
        dd_beta[k] = -q * np.exp(_log_between(pk, q + 1, ak, bk, lo, hi) - li)
        hp, hq = _SHAPE_STEP * np.maximum(1.0, pk), _SHAPE_STEP * q
        dd_r[k] = (_log_between(pk + hp, q, ak, bk, lo, hi) - _log_between(pk - hp, q, ak, bk, lo, hi)) / (2 * hp)
        dd_s[k] = 1.0 / s + (_log_between(pk, q + hq, ak, bk, lo, hi)
                             - _log_between(pk, q - hq, ak, bk, lo, hi)) / (2 * hq)
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w_alive * log_aT + w_died * dd_r
    d_alpha = r / alpha - w_alive * p / (alpha + T) + w_died * dd_alpha
    d_s = np.log(beta) - w_alive * log_bT + w_died * dd_s
    d_beta = s / beta - w_alive * s / (beta + T) + w_died * dd_beta
    return head + total, [r * d_r, alpha * d_alpha, s * d_s, beta * d_beta]


class _Objective:
    """The penalised negative log-likelihood of the positive search parameters
    ``P = (base parameters, exp(effects))``, effects per standard deviation of centred columns.

    ``links[process]`` lists ``(index of a base parameter, sign)``: that parameter of customer
    i is ``base * exp(sign * effects . z_i)``.
    """

    def __init__(self, rows, links, x, t_x, T, weights, designs, penalizer):
        self.rows, self.links, self.penalizer = rows, links, penalizer
        self.x, self.t_x, self.T, self.w = x, t_x, T, weights
        self.designs = designs                      # {"purchase": Z, "dropout": Z}, centred and scaled
        self.n_base = 4
        self.sizes = [designs[p].shape[1] for p in _PROCESSES]

    def _unpack(self, P):
        P = np.asarray(P, float)
        base = P[: self.n_base]
        effects = np.log(P[self.n_base:])
        split = {"purchase": effects[: self.sizes[0]], "dropout": effects[self.sizes[0]:]}
        theta = list(base)
        for process in _PROCESSES:
            if self.sizes[_PROCESSES.index(process)]:
                eta = self.designs[process] @ split[process]
                for j, sign in self.links[process]:
                    theta[j] = base[j] * np.exp(sign * eta)
        return base, effects, theta

    def loglik(self, P) -> float:
        """Unpenalised log-likelihood."""
        return self._loglik_and_penalty(P)[0]

    def negll(self, P) -> float:
        loglik, penalty = self._loglik_and_penalty(P)
        return -loglik + penalty

    def _loglik_and_penalty(self, P):
        base, effects, theta = self._unpack(P)
        ll, _ = self.rows(theta, self.x, self.t_x, self.T, False)
        return float(np.dot(self.w, ll)), self.penalizer * float(np.sum(base**2) + np.sum(effects**2))

    def negll_and_gradient(self, P):
        """``(objective, d objective / d P)`` for :func:`fit_positive_params`."""
        base, effects, theta = self._unpack(P)
        ll, g = self.rows(theta, self.x, self.t_x, self.T, True)
        grad_u = [float(np.dot(self.w, gj)) for gj in g]               # in log(base)
        for process in _PROCESSES:
            if self.designs[process].shape[1]:
                combined = sum(sign * g[j] for j, sign in self.links[process])
                grad_u.extend(self.designs[process].T @ (self.w * combined))
        grad_u = -np.asarray(grad_u, float)
        value = -float(np.dot(self.w, ll))
        if self.penalizer:
            value += self.penalizer * float(np.sum(base**2) + np.sum(effects**2))
            grad_u += 2 * self.penalizer * np.concatenate([base**2, effects])
        return value, grad_u / np.asarray(P, float)


# ---------------------------------------------------------------------------------------------
# Covariate columns: reading, encoding, checking
# ---------------------------------------------------------------------------------------------
def _names(value, what: str, where: str) -> list[str]:
    """A list of column names from a name or a list of names."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{where}: {what} must be a list of column names; got {value!r}.")
    if len(set(value)) < len(value):
        twice = sorted({v for v in value if list(value).count(v) > 1})
        raise ValueError(f"{where}: {what} names {twice} more than once.")
    return list(value)


def _is_numeric(dtype) -> bool:
    return dtype.is_numeric() or dtype == nw.Boolean


def _is_text(dtype) -> bool:
    return any(dtype == kind for kind in (nw.String, nw.Categorical, nw.Enum, nw.Object))


def _numbers(frame, column: str, where: str) -> np.ndarray:
    series = frame[column]
    if not _is_numeric(series.dtype):
        raise ValueError(f"{where}: covariate {column!r} must hold numbers or true/false, as in the fit; "
                         f"it holds {series.dtype}.")
    numbers = np.asarray(series.cast(nw.Float64).to_numpy(), dtype=float)
    bad = ~np.isfinite(numbers) | np.asarray(series.is_null().to_numpy(), bool)
    refuse_rows(frame, {f"covariate {column!r} is missing or not a finite number": bad}, where)
    return numbers


def _labels(frame, column: str, where: str) -> np.ndarray:
    series = frame[column]
    missing = np.asarray(series.is_null().to_numpy(), bool)
    refuse_rows(frame, {f"covariate {column!r} is missing": missing}, where)
    return np.asarray([str(v) for v in series.to_numpy()], dtype=object)


def _encode_for_fit(frame, covariates: list[str], where: str, max_levels: int):
    """The 0/1 and numeric columns, their names, and how each covariate was encoded."""
    missing = [c for c in covariates if c not in frame.columns]
    if missing:
        raise ValueError(f"{where}: no covariate column {missing}; columns found: {list(frame.columns)}.")
    columns, names, encoding = [], [], []
    for c in covariates:
        dtype = frame[c].dtype
        if _is_numeric(dtype):
            z = _numbers(frame, c, where)
            if np.ptp(z) == 0:
                raise ValueError(f"{where}: covariate {c!r} is {z[0]:g} for every customer, so its effect "
                                 "cannot be told apart from the base parameters. Leave it out.")
            columns.append(z)
            names.append(c)
            encoding.append({"column": c, "kind": "numeric"})
        elif _is_text(dtype):
            labels = _labels(frame, c, where)
            levels, counts = np.unique(labels, return_counts=True)
            if levels.size == 1:
                raise ValueError(f"{where}: covariate {c!r} is {levels[0]!r} for every customer, so its "
                                 "effect cannot be told apart from the base parameters. Leave it out.")
            if levels.size > max_levels:
                common = [str(v) for v in levels[np.argsort(-counts, kind="stable")][:5]]
                raise ValueError(f"{where}: covariate {c!r} has {levels.size:,} levels (most common: {common}); "
                                 f"at most {max_levels} are accepted, each but the most common becoming a 0/1 "
                                 "column with an effect of its own. Group the rare levels (e.g. into 'other') "
                                 "or pass max_levels=... when creating the model.")
            order = sorted(range(levels.size), key=lambda i: (-counts[i], str(levels[i])))
            reference, others = str(levels[order[0]]), [str(levels[i]) for i in order[1:]]
            for level in others:
                columns.append((labels == level).astype(float))
                names.append(f"{c}[{level}]")
            encoding.append({"column": c, "kind": "categorical", "reference": reference, "levels": others})
        else:
            raise ValueError(f"{where}: covariate {c!r} holds {dtype}; a covariate must hold numbers, "
                             "true/false or text (categories). Turn it into one of those first, e.g. a date "
                             "into years since that date.")
    z = np.column_stack(columns) if columns else np.zeros((len(frame), 0))
    return z, names, encoding


def _encode_like(frame, encoding: list[dict], where: str):
    """The covariate columns of new customers, encoded as in the fit; unknown levels are refused."""
    wanted = [spec["column"] for spec in encoding]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise ValueError(f"{where}: no covariate column {missing}; the model was fitted with {wanted}. "
                         f"Columns found: {list(frame.columns)}.")
    columns, names = [], []
    for spec in encoding:
        c = spec["column"]
        if spec["kind"] == "numeric":
            columns.append(_numbers(frame, c, where))
            names.append(c)
            continue
        labels = _labels(frame, c, where)
        known = [spec["reference"], *spec["levels"]]
        unknown = ~np.isin(labels, np.asarray(known, dtype=object))
        if unknown.any():
            seen = sorted({str(v) for v in labels[unknown]})[:5]
            refuse_rows(frame, {f"covariate {c!r} has a level the model was not fitted on ({seen}; "
                                f"known: {known})": unknown}, where)
        for level in spec["levels"]:
            columns.append((labels == level).astype(float))
            names.append(f"{c}[{level}]")
    z = np.column_stack(columns) if columns else np.zeros((len(frame), 0))
    return z, names


def _refuse_collinear(design: np.ndarray, names: list[str], process: str, where: str) -> None:
    """Refuse covariates of one process that are a combination of each other and a constant."""
    if not names:
        return
    with_constant = np.column_stack([np.ones(len(design)), design])
    if np.linalg.matrix_rank(with_constant) < with_constant.shape[1]:
        raise ValueError(f"{where}: the {process} covariates {names} are collinear (one is a combination of "
                         "the others and a constant, e.g. two columns that say the same thing), so their "
                         "effects cannot be told apart. Leave one out.")


# ---------------------------------------------------------------------------------------------
# The models
# ---------------------------------------------------------------------------------------------
class _CovariateModel(FittedModel):
    """What both covariate models share: fitting, the effects table, predictions, saving."""

    #: ``(index of a base parameter, sign)`` per process: param_i = param0 * exp(sign * effect . z_i).
    links: dict[str, tuple[tuple[int, int], ...]] = {}
    _model = ""                                     # the plain model, for messages

    def __init__(self, penalizer: float = 0.0, max_levels: int = MAX_LEVELS):
        super().__init__(penalizer)
        self.max_levels = max_levels

    # Subclasses: the per-row likelihood, starting points, and the two predictions.
    @staticmethod
    def _rows(theta, x, t_x, T, gradient):
        raise NotImplementedError

    def _starts_and_scale(self, mean_T: float):
        raise NotImplementedError

    @one_blas_thread
    def fit(self, data, covariates, *, frequency_col: str = "frequency", recency_col: str = "recency",
            T_col: str = "T", time_unit: str = "W", purchase=None, dropout=None):
        """Fit by maximum likelihood on one row per customer with their covariates.

        Parameters
        ----------
        data : pandas or Polars DataFrame
            One row per customer: repeat purchases (whole numbers), recency and T (time
            units, recency <= T), as :func:`custlab.rfm_summary` returns, and the
            covariate columns.
        covariates : list of str
            Covariate columns. Numeric and true/false columns are used as they are (the
            effect is per unit); text and categorical columns become one 0/1 column per
            level, except the most common level, the reference (``reference_levels_``). An
            empty list gives the plain model.
        frequency_col, recency_col, T_col : str
            Column names of the purchase history.
        time_unit : {"D", "W", "M"}
            The unit recency and T are counted in; rates are per this unit.
        purchase, dropout : list of str, optional
            Which of ``covariates`` act on the purchase process and which on dropout.
            Default: all on both. Pass ``[]`` for none.

        Returns
        -------
        self
            Fitted. Warns with ``ConvergenceWarning`` if ``converged_`` is False.

        Raises
        ------
        ValueError
            A covariate column is missing, has missing values, is the same for every
            customer, has more than ``max_levels`` levels, is not numbers or text, acts on
            neither process, or is collinear with others of its process; or the purchase
            history is invalid (the rows are shown).
        """
        name = type(self).__name__
        where = f"{name}.fit"
        self._check_penalizer()
        if isinstance(self.max_levels, bool) or not isinstance(self.max_levels, (int, np.integer)) \
                or self.max_levels < 2:
            raise ValueError(f"max_levels must be a whole number >= 2; got {self.max_levels!r}.")
        x, t_x, T = rfm_arrays(data, frequency_col, recency_col, T_col, model=name)
        covariates = _names(covariates, "covariates", where)
        history = [c for c in covariates if c in (frequency_col, recency_col, T_col)]
        if history:
            raise ValueError(f"{where}: {history} is part of the purchase history, not a covariate.")
        chosen = {}
        for process, given in (("purchase", purchase), ("dropout", dropout)):
            chosen[process] = list(covariates) if given is None else _names(given, process, where)
            stray = [c for c in chosen[process] if c not in covariates]
            if stray:
                raise ValueError(f"{where}: {process}={stray} names columns that are not among the "
                                 f"covariates {covariates}; list them in covariates too.")
        idle = [c for c in covariates if c not in chosen["purchase"] and c not in chosen["dropout"]]
        if idle:
            raise ValueError(f"{where}: covariate(s) {idle} act on neither process: name them in purchase= or "
                             "dropout=, or leave them out of covariates.")
        frame = nw.from_native(data, eager_only=True)
        z, names, encoding = _encode_for_fit(frame, covariates, where, int(self.max_levels))
        source = [spec["column"] for spec in encoding for _ in _encoded_names(spec)]

        # Centre and scale every column for the search; map back afterwards.
        center, scale = z.mean(axis=0), z.std(axis=0)
        standard = (z - center) / scale if z.shape[1] else z
        picks = {p: [i for i, c in enumerate(source) if c in chosen[p]] for p in _PROCESSES}
        for p in _PROCESSES:
            _refuse_collinear(standard[:, picks[p]], [names[i] for i in picks[p]], p, where)
        (ux, ut, uT, *uz), w = compress(x, t_x, T, *standard.T)
        uz = np.column_stack(uz) if uz else np.zeros((ux.size, 0))
        designs = {p: uz[:, picks[p]] for p in _PROCESSES}
        objective = _Objective(self._rows, self.links, ux, ut, uT, w, designs, float(self.penalizer))

        base_starts, base_scale = self._starts_and_scale(float(np.mean(T)))
        n_effects = len(picks["purchase"]) + len(picks["dropout"])
        starts = [tuple(s) + (1.0,) * n_effects for s in base_starts]
        effect_names = [f"{p}:{names[i]}" for p in _PROCESSES for i in picks[p]]
        search_names = list(self.param_names) + [f"rate ratio per sd of {n}" for n in effect_names]
        optimum = fit_positive_params(objective.negll, starts, gradient=objective.negll_and_gradient,
                                      scale=tuple(base_scale) + (1.0,) * n_effects, names=search_names)

        # From (log base, effects per sd of centred columns) to (log base, effects per unit).
        k = 4 + n_effects
        to_columns = np.eye(k)
        col = 4
        for p in _PROCESSES:
            for i in picks[p]:
                to_columns[col, col] = 1.0 / scale[i]
                for j, sign in self.links[p]:
                    to_columns[j, col] = -sign * center[i] / scale[i]
                col += 1
        u = to_columns @ np.log(optimum.params)
        estimates = np.concatenate([np.exp(u[:4]), u[4:]])
        # The optimiser's covariance is of P; on (log base, effects per sd) it is P^-1 cov P^-1.
        with np.errstate(all="ignore"):
            cov_u = to_columns @ (optimum.covariance / np.outer(optimum.params, optimum.params)) @ to_columns.T
            natural = np.concatenate([estimates[:4], np.ones(n_effects)])
            cov = cov_u * np.outer(natural, natural)
            diag = np.diag(cov)
            se = np.where(diag > 0, np.sqrt(np.abs(diag)), np.nan)

        def negll_reported(theta):
            u_rep = np.concatenate([np.log(theta[:4]), theta[4:]])
            return -objective.loglik(np.exp(np.linalg.solve(to_columns, u_rep)))

        reported = replace(optimum, params=estimates, standard_errors=se, covariance=cov)
        self._store(reported, negll_reported, len(x), time_unit,
                    names=tuple(self.param_names) + tuple(effect_names))
        self._set_results(encoding, {p: sorted({source[i] for i in picks[p]}, key=covariates.index)
                                     for p in _PROCESSES})
        return self

    def _set_results(self, encoding: list[dict], chosen: dict[str, list[str]]) -> None:
        """Split the stored parameters into ``params_`` (base) and ``effects_``."""
        base = list(type(self).param_names)
        full, full_se = self.params_, self.standard_errors_
        self.params_, self.standard_errors_ = full[base], full_se[base]
        self.encoding_ = encoding
        self.reference_levels_ = {s["column"]: s["reference"] for s in encoding if s["kind"] == "categorical"}
        self.purchase_covariates_, self.dropout_covariates_ = chosen["purchase"], chosen["dropout"]
        reference = {n: s.get("reference", "") for s in encoding for n in _encoded_names(s)}
        rows = []
        for label in full.index[len(base):]:
            process, covariate = label.split(":", 1)
            estimate, se = float(full[label]), float(full_se[label])
            lower, upper = estimate - 1.96 * se, estimate + 1.96 * se
            with np.errstate(over="ignore"):        # an effect that ran away has an infinite ratio
                ratios = np.exp([estimate, lower, upper]).tolist()
            rows.append({"process": process, "covariate": covariate, "reference": reference[covariate],
                         "estimate": estimate, "std_error": se, "lower_95": lower, "upper_95": upper,
                         "rate_ratio": ratios[0], "rate_ratio_lower_95": ratios[1], "rate_ratio_upper_95": ratios[2]})
        columns = ["process", "covariate", "reference", "estimate", "std_error", "lower_95", "upper_95",
                   "rate_ratio", "rate_ratio_lower_95", "rate_ratio_upper_95"]
        self.effects_ = pd.DataFrame(rows, columns=columns)

    def _set_criteria(self) -> None:
        # Every parameter counts, base and effects: the covariance holds them all.
        k = self.covariance_.shape[0]
        self.aic_ = 2 * k - 2 * self.loglik_
        self.bic_ = k * math.log(self.n_customers_) - 2 * self.loglik_

    # -----------------------------------------------------------------------------------------
    # Predictions
    # -----------------------------------------------------------------------------------------
    def _theta(self, frame, where: str):
        """Each customer's r, alpha, a, b (or r, alpha, s, beta) given their covariates."""
        z, names = _encode_like(frame, self.encoding_, where)
        theta = [np.full(len(frame), v) for v in self.params_.to_numpy()]
        for process in _PROCESSES:
            chosen = self.effects_[self.effects_["process"] == process]
            if len(chosen):
                eta = z[:, [names.index(c) for c in chosen["covariate"]]] @ chosen["estimate"].to_numpy()
                for j, sign in self.links[process]:
                    theta[j] = theta[j] * np.exp(sign * eta)
        return theta

    def _history(self, data, frequency_col, recency_col, T_col, where):
        frame, (x, t_x, T) = read_columns(data, (frequency_col, recency_col, T_col), where=where)
        x, t_x, T = customer_values(x, t_x, T, where=where)
        return frame, x, t_x, T

    @one_blas_thread
    def customer_params(self, data) -> pd.DataFrame:
        """Each customer's model parameters given their covariates.

        Parameters
        ----------
        data : pandas or Polars DataFrame
            The covariate columns of the fit (other columns are ignored).

        Returns
        -------
        pandas.DataFrame
            One row per customer (the index of ``data`` if it is pandas), one column per
            base parameter: ``alpha`` (and ``beta``) in ``time_unit_``, shapes unitless.

        Examples
        --------
        >>> import custlab as cl
        >>> from custlab.models.covariates import simulate_covariate_customers
        >>> customers = simulate_covariate_customers(2000, purchase_effect=0.7, random_state=1)
        >>> model = cl.BetaGeoCovariates().fit(customers, ["channel"], dropout=[])
        >>> table = model.customer_params(customers.head(3))
        >>> list(table.columns), bool((table["a"] == model.params_["a"]).all())
        (['r', 'alpha', 'a', 'b'], True)
        """
        check_fitted(self)
        where = f"{type(self).__name__}.customer_params"
        frame, _ = read_columns(data, (), where=where)
        theta = self._theta(frame, where)
        return pd.DataFrame(dict(zip(self.params_.index, theta, strict=True)), index=_index(data))

    @one_blas_thread
    def p_alive(self, data, *, frequency_col: str = "frequency", recency_col: str = "recency",
                T_col: str = "T") -> np.ndarray:
        """P(alive | x, t_x, T, covariates): probability that each customer has not dropped out.

        Parameters
        ----------
        data : pandas or Polars DataFrame
            One row per customer: the purchase history (as in :meth:`fit`) and the
            covariate columns of the fit.
        frequency_col, recency_col, T_col : str
            Column names of the purchase history.

        Returns
        -------
        numpy.ndarray
            Probabilities (0 to 1), one per row; NaN where the history is missing.

        Examples
        --------
        >>> import custlab as cl
        >>> from custlab.models.covariates import simulate_covariate_customers
        >>> customers = simulate_covariate_customers(2000, dropout_effect=0.5, random_state=1)
        >>> model = cl.BetaGeoCovariates().fit(customers, ["channel"], purchase=[])
        >>> p = model.p_alive(customers)
        >>> p.shape, bool(((p > 0) & (p <= 1)).all())
        ((2000,), True)
        """
        check_fitted(self)
        where = f"{type(self).__name__}.p_alive"
        frame, x, t_x, T = self._history(data, frequency_col, recency_col, T_col, where)
        with np.errstate(all="ignore"):
            return self._p_alive(self._theta(frame, where), x, t_x, T)

    @one_blas_thread
    def conditional_expected_purchases(self, t, data, *, frequency_col: str = "frequency",
                                       recency_col: str = "recency", T_col: str = "T") -> np.ndarray:
        """E[Y(t) | x, t_x, T, covariates]: expected purchases of each customer in the next ``t``
        time units.

        Parameters
        ----------
        t : float or array
            Length of the period ahead, in ``time_unit_``; 0 or more. An array gives one
            period per row.
        data : pandas or Polars DataFrame
            One row per customer: purchase history and covariates, as for :meth:`p_alive`.
        frequency_col, recency_col, T_col : str
            Column names of the purchase history.

        Returns
        -------
        numpy.ndarray
            Expected number of purchases (count), one per row.

        Examples
        --------
        >>> import custlab as cl
        >>> from custlab.models.covariates import simulate_covariate_customers
        >>> customers = simulate_covariate_customers(2000, purchase_effect=0.7, random_state=1)
        >>> model = cl.BetaGeoCovariates().fit(customers, ["channel"], dropout=[])
        >>> same_history = customers.head(2).assign(frequency=2, recency=30.0, T=40.0,
        ...                                         channel=["web", "partner"])
        >>> web, partner = model.conditional_expected_purchases(52, same_history)
        >>> bool(partner > web)
        True
        """
        check_fitted(self)
        where = f"{type(self).__name__}.conditional_expected_purchases"
        frame, x, t_x, T = self._history(data, frequency_col, recency_col, T_col, where)
        t = values(t, "t", where=where, meaning="length of the period ahead")
        with np.errstate(all="ignore"):
            return self._expected(self._theta(frame, where), t, x, t_x, T)

    @one_blas_thread
    def predict(self, data, t, *, frequency_col: str = "frequency", recency_col: str = "recency",
                T_col: str = "T") -> pd.DataFrame:
        """P(alive) and expected purchases in the next ``t`` time units, one row per customer.

        Parameters
        ----------
        data : pandas or Polars DataFrame
            One row per customer: purchase history and covariates, as for :meth:`p_alive`.
        t : float or array
            Length of the period ahead, in ``time_unit_``; 0 or more.
        frequency_col, recency_col, T_col : str
            Column names of the purchase history.

        Returns
        -------
        pandas.DataFrame
            ``p_alive`` (probability) and ``expected_purchases`` (count in the next ``t``
            time units), indexed like ``data`` if it is pandas.

        Examples
        --------
        >>> import custlab as cl
        >>> from custlab.models.covariates import simulate_covariate_customers
        >>> customers = simulate_covariate_customers(2000, purchase_effect=0.7, random_state=1)
        >>> model = cl.BetaGeoCovariates().fit(customers, ["channel"], dropout=[])
        >>> list(model.predict(customers, 52).columns)
        ['p_alive', 'expected_purchases']
        """
        check_fitted(self)
        where = f"{type(self).__name__}.predict"
        frame, x, t_x, T = self._history(data, frequency_col, recency_col, T_col, where)
        t = values(t, "t", where=where, meaning="length of the period ahead")
        theta = self._theta(frame, where)
        with np.errstate(all="ignore"):
            alive = self._p_alive(theta, x, t_x, T)
            expected = self._expected(theta, t, x, t_x, T)
        return pd.DataFrame({"p_alive": alive, "expected_purchases": np.broadcast_to(expected, alive.shape)},
                            index=_index(data))

    # -----------------------------------------------------------------------------------------
    # Saving and loading
    # -----------------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """The fitted model as plain numbers, strings and lists, ready for ``json.dump``.

        As for the plain models, with the effects, the covariance of every parameter and
        the encoding of the covariates (levels and references) under ``"extra"``.

        Returns
        -------
        dict

        Examples
        --------
        >>> import json
        >>> import custlab as cl
        >>> from custlab.models.covariates import simulate_covariate_customers
        >>> customers = simulate_covariate_customers(2000, purchase_effect=0.7, random_state=1)
        >>> model = cl.BetaGeoCovariates().fit(customers, ["channel"], dropout=[])
        >>> again = cl.BetaGeoCovariates.from_dict(json.loads(json.dumps(model.to_dict())))
        >>> bool((again.p_alive(customers) == model.p_alive(customers)).all())
        True
        """
        state = super().to_dict()
        base = list(self.params_.index)
        # The common part keeps the base parameters' own covariance; all of it is in "extra".
        state["covariance"] = _plain(self.covariance_.loc[base, base].to_numpy().tolist())
        state["settings"]["max_levels"] = int(self.max_levels)
        return state

    def _extra_state(self) -> dict:
        return {
            "encoding": self.encoding_,
            "purchase_covariates": self.purchase_covariates_,
            "dropout_covariates": self.dropout_covariates_,
            "parameters": list(self.covariance_.index),
            "estimates": [float(v) for v in self.params_] + [float(v) for v in self.effects_["estimate"]],
            "covariance": self.covariance_.to_numpy().tolist(),
        }

    def _restore_extra(self, state: dict) -> None:
        names = list(state["parameters"])
        cov = pd.DataFrame([[_number(v) for v in row] for row in state["covariance"]], index=names,
                           columns=names, dtype=float)
        diag = np.diag(cov.to_numpy())
        with np.errstate(invalid="ignore"):
            se = np.where(diag > 0, np.sqrt(np.abs(diag)), np.nan)
        self.covariance_ = cov
        self.params_ = pd.Series([_number(v) for v in state["estimates"]], index=names, name="estimate")
        self.standard_errors_ = pd.Series(se, index=names, name="std_error")
        self._set_results(state["encoding"], {"purchase": list(state["purchase_covariates"]),
                                              "dropout": list(state["dropout_covariates"])})
        self._set_criteria()


def _encoded_names(spec: dict) -> list[str]:
    if spec["kind"] == "numeric":
        return [spec["column"]]
    return [f"{spec['column']}[{level}]" for level in spec["levels"]]


def _index(data):
    return data.index if isinstance(data, pd.DataFrame) else None


_SHARED_DOC = """
    Parameters
    ----------
    penalizer : float
        L2 penalty on the base parameters (as in the plain model) and on the effects,
        each effect measured per standard deviation of its column; 0 (the default) gives
        the maximum-likelihood estimates.
    max_levels : int
        Most levels a text or categorical covariate may have (default 20).

    Attributes
    ----------
    params_ : pandas.Series
        Base parameters: those of a customer whose covariates are all 0 (the reference
        level of every text column, 0 for every numeric column). ``alpha`` and ``beta`` in
        the time unit of the data.
    standard_errors_ : pandas.Series
        Standard errors of the base parameters.
    effects_ : pandas.DataFrame
        One row per effect: ``process`` (purchase or dropout), ``covariate`` (a numeric
        column, or ``column[level]`` for a level of a text column), ``reference`` (the
        level it is compared with; empty for a numeric column, whose effect is per unit),
        ``estimate`` (log scale) with ``std_error`` and the Wald interval ``lower_95``,
        ``upper_95``, and ``rate_ratio = exp(estimate)`` with its interval
        ``rate_ratio_lower_95``, ``rate_ratio_upper_95``.
    covariance_ : pandas.DataFrame
        Asymptotic covariance of every estimate, base parameters (natural scale) then
        effects (named ``process:covariate``).
    loglik_, aic_, bic_ : float
        Maximised log-likelihood and the information criteria, counting every parameter.
    converged_, at_boundary_, convergence_ :
        The verdict on the optimum, as for the plain models.
    n_customers_ : int
    time_unit_ : str
    reference_levels_ : dict
        The reference level of each text covariate: the most common one (ties: the first
        in sorted order).
    encoding_ : list of dict
        How each covariate column became model columns.
    purchase_covariates_, dropout_covariates_ : list of str
        The covariate columns acting on each process.
"""


class BetaGeoCovariates(_CovariateModel):
    __doc__ = """BG/NBD model of repeat purchases with time-invariant covariates.

    ``alpha_i = alpha0 * exp(-purchase effects . z_i)``: a positive purchase effect means
    more purchases, and its ``rate_ratio`` is the ratio of purchase rates.
    ``a_i = a0 * exp(dropout effects . z_i)``, ``b_i = b0 * exp(dropout effects . z_i)``: a
    positive dropout effect means more dropout, through fewer customers who almost never
    drop out; the mean dropout probability after a purchase, ``a / (a + b)``, is the same for
    every customer, and ``rate_ratio`` is the factor on ``a`` and ``b``. See
    :mod:`custlab.models.covariates`.
    """ + _SHARED_DOC + """
    Examples
    --------
    >>> import numpy as np
    >>> import custlab as cl
    >>> from custlab.models.covariates import simulate_covariate_customers
    >>> customers = simulate_covariate_customers(3000, purchase_effect=np.log(2), random_state=4)
    >>> model = cl.BetaGeoCovariates().fit(customers, ["channel"], dropout=[])
    >>> model.reference_levels_, model.converged_
    ({'channel': 'web'}, True)
    >>> effect = model.effects_.iloc[0]
    >>> effect["covariate"], bool(effect["rate_ratio_lower_95"] < 2 < effect["rate_ratio_upper_95"])
    ('channel[partner]', True)
    """

    param_names = ("r", "alpha", "a", "b")
    links = {"purchase": ((1, -1),), "dropout": ((2, 1), (3, 1))}

    @staticmethod
    def _rows(theta, x, t_x, T, gradient):
        return _bgnbd_rows(theta, x, t_x, T, gradient)

    def _starts_and_scale(self, mean_T):
        # As BetaGeo: alpha starts at a quarter of the mean observation time.
        return ([(0.25, mean_T / 4, 0.5, 1.5), (1.0, 1.0, 1.0, 1.0), (0.5, mean_T / 8, 1.0, 3.0)],
                (1.0, mean_T, 1.0, 1.0))

    @staticmethod
    def _p_alive(theta, x, t_x, T):
        r, alpha, a, b = theta
        log_ratio = np.log(a) - np.log(b + np.maximum(x, 1) - 1) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        return np.where(x > 0, 1.0 / (1.0 + np.exp(log_ratio)), np.where(np.isnan(x), np.nan, 1.0))

    @classmethod
    def _expected(cls, theta, t, x, t_x, T):
        # Fader, Hardie & Lee (2005), equation 10, with each customer's alpha, a and b.
        r, alpha, a, b = theta
        term = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
        return (a + b + x - 1) / (a - 1) * term * cls._p_alive(theta, x, t_x, T)


class ParetoNBDCovariates(_CovariateModel):
    __doc__ = """Pareto/NBD model of repeat purchases with time-invariant covariates.

    ``alpha_i = alpha0 * exp(-purchase effects . z_i)``: a positive purchase effect means
    more purchases, and its ``rate_ratio`` is the ratio of purchase rates.
    ``beta_i = beta0 * exp(-dropout effects . z_i)``: a positive dropout effect means
    dropping out sooner, and its ``rate_ratio`` is the ratio of dropout rates. See
    :mod:`custlab.models.covariates`.
    """ + _SHARED_DOC + """
    Examples
    --------
    >>> import numpy as np
    >>> import custlab as cl
    >>> from custlab.models.covariates import simulate_covariate_customers
    >>> customers = simulate_covariate_customers(3000, model="pareto", purchase_effect=np.log(2),
    ...                                          random_state=3)
    >>> model = cl.ParetoNBDCovariates().fit(customers, ["channel"], dropout=[])
    >>> effect = model.effects_.iloc[0]
    >>> effect["process"], bool(effect["rate_ratio_lower_95"] < 2 < effect["rate_ratio_upper_95"])
    ('purchase', True)
    """

    param_names = ("r", "alpha", "s", "beta")
    links = {"purchase": ((1, -1),), "dropout": ((3, -1),)}

    @staticmethod
    def _rows(theta, x, t_x, T, gradient):
        return _pareto_rows(theta, x, t_x, T, gradient)

    def _starts_and_scale(self, mean_T):
        # As ParetoNBD: alpha and beta start at a quarter of the mean observation time.
        return ([(0.5, mean_T / 4, 0.5, mean_T / 4), (1.0, 1.0, 1.0, 1.0), (0.3, mean_T / 2, 1.0, mean_T / 2)],
                (1.0, mean_T, 1.0, mean_T))

    @staticmethod
    def _p_alive(theta, x, t_x, T):
        r, alpha, s, beta = theta
        alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
        died = np.log(s) + _log_between(r + x, s + 1.0, alpha, beta, t_x, T)
        died = np.where(np.isnan(died) & ~np.isnan(alive), -np.inf, died)
        return 1.0 / (1.0 + np.exp(died - alive))

    @classmethod
    def _expected(cls, theta, t, x, t_x, T):
        r, alpha, s, beta = theta
        per_alive = (r + x) * (beta + T) / ((alpha + T) * (s - 1)) * (1 - ((beta + T) / (beta + T + t)) ** (s - 1))
        return per_alive * cls._p_alive(theta, x, t_x, T)


# ---------------------------------------------------------------------------------------------
# A simulated world whose rates depend on a covariate
# ---------------------------------------------------------------------------------------------
_DEFAULT_PARAMS = {"bgnbd": {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5},
                   "pareto": {"r": 0.55, "alpha": 10.5, "s": 0.6, "beta": 11.7}}


def simulate_covariate_customers(
    n_customers: int,
    *,
    model: str = "bgnbd",
    params: dict | None = None,
    purchase_effect: float = 0.0,
    dropout_effect: float = 0.0,
    share: float = 0.3,
    column: str = "channel",
    levels: Sequence[str] = ("web", "partner"),
    observation_time: tuple[float, float] = (26.0, 78.0),
    random_state=None,
) -> pd.DataFrame:
    """Customers with a two-level covariate whose purchase rate and dropout depend on it.

    Customers at ``levels[1]`` (a share ``share`` of them) have ``alpha`` multiplied by
    ``exp(-purchase_effect)`` and the dropout parameters moved by ``dropout_effect`` as in
    the covariate models (``a`` and ``b`` times ``exp(dropout_effect)`` for BG/NBD, ``beta``
    times ``exp(-dropout_effect)`` for Pareto/NBD); customers at ``levels[0]`` have
    ``params``. Each draws a purchase rate and a dropout probability (BG/NBD) or rate
    (Pareto/NBD) from those distributions, then purchases.

    Parameters
    ----------
    n_customers : int
    model : {"bgnbd", "pareto"}
    params : dict, optional
        Base parameters, ``r, alpha, a, b`` or ``r, alpha, s, beta``, rates per time unit.
        Default: BG/NBD ``0.25, 4.0, 0.8, 2.5``; Pareto/NBD ``0.55, 10.5, 0.6, 11.7``.
    purchase_effect, dropout_effect : float
        True effects of ``levels[1]`` (log scale, signs as in the covariate models).
    share : float
        Share of customers at ``levels[1]``, between 0 and 1. Below 0.5, ``levels[0]`` is
        the most common level, so the fit takes it as the reference.
    column : str
        Name of the covariate column.
    levels : pair of str
        The two levels: without and with the effects.
    observation_time : (float, float)
        Each customer's T (time from the first purchase to the end) is uniform between these.
    random_state : int, numpy.random.Generator or None

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, the covariate column, ``frequency`` (repeat purchases),
        ``recency`` (time of the last repeat purchase, 0 without one) and ``T``.

    Examples
    --------
    >>> customers = simulate_covariate_customers(1000, purchase_effect=0.7, random_state=0)
    >>> list(customers.columns)
    ['customer_id', 'channel', 'frequency', 'recency', 'T']
    >>> bool((customers["recency"] <= customers["T"]).all())
    True
    """
    from custlab.simulate.orders import simulate_bgnbd

    where = "simulate_covariate_customers"
    if isinstance(n_customers, bool) or not isinstance(n_customers, (int, np.integer)) or n_customers < 1:
        raise ValueError(f"{where}: n_customers must be a positive whole number; got {n_customers!r}.")
    if model not in _DEFAULT_PARAMS:
        raise ValueError(f"{where}: model must be 'bgnbd' or 'pareto'; got {model!r}.")
    prm = dict(_DEFAULT_PARAMS[model] if params is None else params)
    if set(prm) != set(_DEFAULT_PARAMS[model]) or not all(v > 0 for v in prm.values()):
        raise ValueError(f"{where}: params must give positive {sorted(_DEFAULT_PARAMS[model])}; got {params!r}.")
    if not 0 < share < 1:
        raise ValueError(f"{where}: share must be between 0 and 1; got {share!r}.")
    if len(levels) != 2 or levels[0] == levels[1]:
        raise ValueError(f"{where}: levels must be two different names; got {levels!r}.")
    low, high = observation_time
    if not 0 < low <= high:
        raise ValueError(f"{where}: observation_time must be (low, high) with 0 < low <= high; "
                         f"got {observation_time!r}.")
    rng = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)
    n = int(n_customers)
    z = (rng.random(n) < share).astype(float)
    T = rng.uniform(low, high, n)
    alpha = prm["alpha"] * np.exp(-purchase_effect * z)
    rate = rng.gamma(prm["r"], 1.0 / alpha)
    if model == "bgnbd":
        factor = np.exp(dropout_effect * z)
        p = rng.beta(prm["a"] * factor, prm["b"] * factor)
        who, when, _ = simulate_bgnbd(rate, p, T, rng)
        frequency = np.bincount(who, minlength=n)
        recency = np.zeros(n)
        np.maximum.at(recency, who, when)
    else:
        beta = prm["beta"] * np.exp(-dropout_effect * z)
        dropout_rate = rng.gamma(prm["s"], 1.0 / beta)
        active = np.minimum(rng.exponential(1.0 / dropout_rate), T)
        frequency = rng.poisson(rate * active)
        # The last of `frequency` uniform purchase times on (0, active).
        recency = np.where(frequency > 0, active * rng.random(n) ** (1.0 / np.maximum(frequency, 1)), 0.0)
    return pd.DataFrame({
        "customer_id": [f"C{i:06d}" for i in range(1, n + 1)],
        column: np.where(z > 0, levels[1], levels[0]),
        "frequency": frequency.astype(int),
        "recency": recency,
        "T": T,
    })
