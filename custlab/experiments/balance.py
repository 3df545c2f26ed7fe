"""The randomization check: covariate balance between the groups, and how unusual the largest
imbalance is under re-randomization. See :mod:`custlab.experiments`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from custlab.experiments.analysis import _groups

__all__ = ["balance_table", "rerandomization_check"]


def balance_table(table: pd.DataFrame, covariates: Sequence[str], *, group_col: str = "group",
                  treatment="treatment", control="control") -> pd.DataFrame:
    """The randomization check: each covariate's mean (or each level's share) per group, and the
    standardized mean difference.

    The standardized mean difference (SMD) is the difference of the group means over the
    pooled standard deviation ``sqrt((s_t^2 + s_c^2) / 2)`` (``s^2 = p (1 - p)`` for a share,
    the sample variance otherwise). It does not grow with the sample size, unlike a
    p-value; a common rule reads ``|SMD|`` below 0.1 as balanced (Austin 2009). Under
    randomization any imbalance is chance; a large one says to check how the groups were
    made.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per customer.
    covariates : sequence of str
        Columns measured before the experiment. Numbers (not bool) are compared by their
        mean; anything else (text, categories, bool) by the share of each value, missing
        values counted as a value "missing".
    group_col, treatment, control
        The group column and its two labels.

    Returns
    -------
    pandas.DataFrame
        One row per number or per level: ``covariate``, ``level`` ("" for numbers),
        ``statistic`` ("mean" or "share %"), ``control``, ``treatment``, ``smd``.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["treatment", "treatment", "control", "control"],
    ...                   "age": [30.0, 40.0, 30.0, 50.0], "kind": ["a", "b", "a", "a"]})
    >>> balance_table(t, ["age", "kind"]).round(3)
      covariate level statistic  control  treatment    smd
    0       age            mean     40.0       35.0 -0.447
    1      kind     a   share %    100.0       50.0 -1.414
    2      kind     b   share %      0.0       50.0  1.414
    """
    X, labels, share, treated = _design(table, covariates, group_col, treatment, control, "balance_table")
    mean_c, mean_t, smd = _smds(X, share, treated[None, :])
    scale = np.where(share, 100.0, 1.0)
    return pd.DataFrame({"covariate": [c for c, _ in labels], "level": [lv for _, lv in labels],
                         "statistic": np.where(share, "share %", "mean"), "control": scale * mean_c[0],
                         "treatment": scale * mean_t[0], "smd": smd[0]})


def _design(table: pd.DataFrame, covariates: Sequence[str], group_col: str, treatment, control, caller: str):
    """Covariates as a matrix (a column per number, a 0/1 column per level), their names, which are
    shares, and who is treated."""
    covariates = list(covariates)
    if not covariates:
        raise ValueError(f"{caller}: name at least one covariate.")
    _groups(table, {f"covariates[{i}]": col for i, col in enumerate(covariates)}, group_col, treatment, control,
            caller)
    columns, labels, share = [], [], []
    for col in covariates:
        values = table[col]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            if values.isna().any():
                raise ValueError(f"{caller}: covariate {col!r} has missing numbers; fill them, or pass the column "
                                 "as text to compare the share of each value.")
            columns.append(values.to_numpy(float))
            labels.append((col, ""))
            share.append(False)
            continue
        text = values.astype(object).where(values.notna(), "missing").astype(str)
        for level in sorted(text.unique()):
            columns.append((text == level).to_numpy(float))
            labels.append((col, level))
            share.append(True)
    return (np.column_stack(columns), labels, np.array(share), (table[group_col] == treatment).to_numpy())


def _smds(X: np.ndarray, share: np.ndarray, treated: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group means and SMDs of every column of ``X``, for each row of ``treated`` (one split per row)."""
    T = treated.astype(float)
    shift = np.where(share, 0.0, X.mean(axis=0))  # centring numbers keeps the sums of squares accurate
    Xc = X - shift
    out = []
    for mask in (1 - T, T):
        n = mask.sum(axis=1, keepdims=True)
        mean = mask @ Xc / n
        sample_var = (mask @ Xc ** 2 - n * mean ** 2) / np.maximum(n - 1, 1)
        mean = mean + shift
        var = np.where(share, mean * (1 - mean), np.maximum(sample_var, 0.0))
        out.append((mean, var))
    (mean_c, var_c), (mean_t, var_t) = out
    sd, diff = np.sqrt((var_c + var_t) / 2), mean_t - mean_c
    with np.errstate(divide="ignore", invalid="ignore"):
        smd = np.where(sd > 0, diff / sd, np.where(diff == 0, 0.0, np.sign(diff) * np.inf))
    return mean_c, mean_t, smd


def rerandomization_check(table: pd.DataFrame, covariates: Sequence[str], *, group_col: str = "group",
                          treatment="treatment", control="control", draws: int = 200,
                          random_state: int | np.random.Generator | None = 0) -> pd.Series:
    """How unusual is the largest imbalance of the balance table, for a fair coin?

    Some ``|SMD|`` above 0.1 are expected by chance, more so in small groups and with many
    rows (and the rows of one covariate move together). This check re-draws the split
    ``draws`` times (same customers, same group sizes, labels shuffled) and counts how often
    the largest ``|SMD|`` is at least the one observed: a randomization test of balance.

    Returns
    -------
    pandas.Series
        ``largest_abs_smd`` (observed), ``share_as_large`` (fraction of the re-drawn splits
        with a largest ``|SMD|`` at least as large; small, say below 0.05, says the groups
        were probably not made by a fair coin), ``median_largest_abs_smd`` (of the re-drawn
        splits) and ``draws``.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["treatment", "control"] * 50, "age": np.arange(100.0)})
    >>> r = rerandomization_check(t, ["age"])
    >>> float(r["share_as_large"]) > 0.5
    True
    """
    X, _, share, treated = _design(table, covariates, group_col, treatment, control, "rerandomization_check")
    rng = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)
    observed = np.abs(_smds(X, share, treated[None, :])[2]).max()
    shuffled = np.stack([rng.permutation(treated) for _ in range(int(draws))])
    largest = np.abs(_smds(X, share, shuffled)[2]).max(axis=1)
    return pd.Series({"largest_abs_smd": float(observed), "share_as_large": float((largest >= observed - 1e-12).mean()),
                      "median_largest_abs_smd": float(np.median(largest)), "draws": int(draws)})
