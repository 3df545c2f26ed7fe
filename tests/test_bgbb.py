"""The BG/BB model (Fader, Hardie & Shang 2010): the published estimates from a real fit on the
shipped donations table, the formulas checked against each other and against brute force, the
gradient against finite differences, bad input, saving and loading, and the pictures."""

import json
from math import comb

import numpy as np
import pandas as pd
import pytest
from scipy import special
from scipy.special import betaln

import custlab as cl
from custlab.models import bgbb
from custlab.models.bgbb import BetaGeoBetaBinom, period_tracking
from custlab.plotting.models import history_grid, plot_history_grid, plot_period_tracking

PARAMS = np.array([1.2, 0.75, 0.66, 2.8])     # near the published estimates
OTHER = np.array([0.4, 2.5, 1.7, 0.6])        # far from them, gamma above 1


@pytest.fixture(scope="module")
def donations():
    return cl.load_donations()


@pytest.fixture(scope="module")
def model(donations):
    return BetaGeoBetaBinom().fit(donations, weights_col="count")


def with_params(params) -> BetaGeoBetaBinom:
    """A model with the given parameters, as if fitted (to check the formulas away from the estimates)."""
    m = BetaGeoBetaBinom()
    m.params_ = pd.Series(np.asarray(params, float), index=list(m.param_names))
    return m


def histories(n: int) -> list[tuple[int, int]]:
    """Every (x, t_x) possible in n opportunities."""
    return [(0, 0)] + [(x, t) for t in range(1, n + 1) for x in range(1, t + 1)]


def sequences(x: int, t_x: int) -> int:
    """Binary sequences with this (x, t_x): the first x - 1 transactions anywhere before t_x."""
    return 1 if x == 0 else comb(t_x - 1, x - 1)


# --- The published study --------------------------------------------------------------------------

def test_reproduces_fader_hardie_shang_2010(model):
    # "Customer-base analysis in a discrete-time noncontractual setting", Marketing Science 29(6):
    # alpha, beta, gamma, delta and the log-likelihood, to the printed digits.
    assert model.params_.round(3).tolist() == [1.204, 0.750, 0.657, 2.783]
    assert round(model.loglik_, 1) == -33225.6
    assert model.n_customers_ == 11_104 and model.time_unit_ == "periods"
    assert model.converged_ and not model.at_boundary_
    assert (model.standard_errors_ > 0).all()
    assert model.bic_ == pytest.approx(4 * np.log(11_104) + 2 * 33225.58, abs=0.01)


def test_the_shipped_table(donations):
    assert donations.shape == (22, 4) and list(donations.columns) == ["frequency", "recency", "n_periods", "count"]
    assert int(donations["count"].sum()) == 11_104
    assert int((donations["frequency"] * donations["count"]).sum()) == 24_615
    # Every history possible in six years appears once.
    assert sorted(zip(donations["frequency"], donations["recency"])) == sorted(histories(6))
    assert (donations["n_periods"] == 6).all()


def test_one_row_per_donor_gives_the_same_fit(donations, model):
    donors = donations.loc[donations.index.repeat(donations["count"]), ["frequency", "recency", "n_periods"]]
    per_donor = BetaGeoBetaBinom().fit(donors.reset_index(drop=True))
    assert np.allclose(per_donor.params_, model.params_, rtol=1e-9, atol=0)
    assert per_donor.loglik_ == pytest.approx(model.loglik_, abs=1e-6)
    assert per_donor.n_customers_ == 11_104
    # A table that splits a history over several rows is the same table.
    split = pd.concat([donations.assign(count=donations["count"] - 1), donations.assign(count=1)])
    assert np.allclose(BetaGeoBetaBinom().fit(split, weights_col="count").params_, model.params_, rtol=1e-9)


def test_polars_and_other_column_names(donations, model):
    pl = pytest.importorskip("polars")
    renamed = donations.rename(columns={"frequency": "x", "recency": "t_x", "n_periods": "n", "count": "donors"})
    fitted = BetaGeoBetaBinom().fit(pl.from_pandas(renamed), frequency_col="x", recency_col="t_x",
                                    n_periods_col="n", weights_col="donors")
    assert np.allclose(fitted.params_, model.params_, rtol=1e-9)


# --- The formulas, checked against each other and against brute force ------------------------------

@pytest.mark.parametrize("params", [PARAMS, OTHER])
def test_likelihood_is_the_mixture_of_the_individual_likelihood(params):
    # Equation 5 against equation 4 averaged over p ~ Beta(alpha, beta) and theta ~ Beta(gamma, delta).
    # Equation 4 is a polynomial in p and theta, so Gauss-Jacobi quadrature with 12 nodes per
    # variable averages it exactly (up to rounding).
    alpha, beta, gamma, delta = params

    def beta_nodes(a, b):
        nodes, weights = special.roots_jacobi(12, b - 1, a - 1)     # weight (1 - z)**(b-1) (1 + z)**(a-1)
        return (1 + nodes) / 2, weights / weights.sum()

    p, wp = beta_nodes(alpha, beta)
    theta, wt = beta_nodes(gamma, delta)
    p, theta = p[:, None], theta[None, :]
    for x, t_x, n in [(0, 0, 4), (1, 1, 4), (2, 4, 4), (3, 3, 5), (1, 2, 3), (4, 7, 9)]:
        alive = p**x * (1 - p) ** (n - x) * (1 - theta) ** n                 # equation 4
        dead = sum(p**x * (1 - p) ** (t_x - x + i) * theta * (1 - theta) ** (t_x + i) for i in range(n - t_x))
        mixed = wp @ (alive + dead) @ wt
        ours = np.exp(bgbb.bgbb_loglik(params, np.array([x], float), np.array([t_x], float), np.array([n], float)))
        assert ours[0] == pytest.approx(mixed, rel=1e-10), (x, t_x, n)


@pytest.mark.parametrize("params", [PARAMS, OTHER])
@pytest.mark.parametrize("n", [0, 1, 4, 9])
def test_every_sequence_together_has_probability_one(params, n):
    # Equation 5 is the probability of one sequence of transactions and non-transactions; all 2**n
    # sequences (grouped by their x and t_x) add up to 1.
    x, t_x = (np.array(v, float) for v in zip(*histories(n)))
    likelihood = np.exp(bgbb.bgbb_loglik(params, x, t_x, np.full(x.size, float(n))))
    count = np.array([sequences(int(a), int(b)) for a, b in zip(x, t_x)])
    assert np.dot(count, likelihood) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("params", [PARAMS, OTHER])
def test_probability_of_purchases_agrees_with_the_likelihood(params):
    m = with_params(params)
    for n in (1, 6, 12):
        p = m.probability_of_purchases(np.arange(n + 3), n)
        assert p.sum() == pytest.approx(1.0, abs=1e-12)
        assert (p[n + 1:] == 0).all() and (p >= 0).all()
        # P(X(n) = x) is the probability of every sequence with x transactions (equation 7 from equation 5).
        for x in range(n + 1):
            rows = [(x, t) for x_, t in histories(n) if x_ == x]
            ll = bgbb.bgbb_loglik(params, *(np.array(v, float) for v in zip(*rows)), np.full(len(rows), float(n)))
            assert p[x] == pytest.approx(np.dot([sequences(*r) for r in rows], np.exp(ll)), rel=1e-10)
        # E[X(n)] (equation 8) is the mean of that distribution, and the sum of the per-period expectations.
        expected = float(m.expected_purchases(n))
        assert expected == pytest.approx(np.dot(np.arange(n + 3), p), rel=1e-10)
        assert expected == pytest.approx(m.expected_purchases_in_period(np.arange(1, n + 1)).sum(), rel=1e-10)
    assert m.expected_purchases(0) == 0
    assert float(m.probability_of_purchases(0, 0)) == pytest.approx(1.0, abs=1e-14)


@pytest.mark.parametrize("params", [PARAMS, OTHER])
def test_p_alive_and_conditional_expectation_by_hand(params):
    m = with_params(params)
    alpha, beta, gamma, delta = params
    n = 6
    # Whoever transacted at the last opportunity is alive then; the next one they reach with
    # probability E[1 - theta | alive through n] = (delta + n) / (gamma + delta + n), whatever x.
    assert np.allclose(m.p_alive([1, 3, 6], 6, 6), (delta + n) / (gamma + delta + n), rtol=1e-12)
    assert float(m.p_alive(0, 0, 0)) == pytest.approx(delta / (gamma + delta), rel=1e-12)
    # ... and transacts at each later opportunity with probability E[p | x, n] while alive.
    for x in (1, 4, 6):
        survive = sum(np.exp(betaln(gamma, delta + n + k) - betaln(gamma, delta + n)) for k in range(1, 6))
        by_hand = (alpha + x) / (alpha + beta + n) * survive
        assert float(m.conditional_expected_purchases(5, x, n, n)) == pytest.approx(by_hand, rel=1e-10)
    assert m.conditional_expected_purchases(0, 2, 3, 6) == 0
    assert np.all(np.diff(m.conditional_expected_purchases(np.arange(8), 2, 3, 6)) > 0)
    # Averaged over every history, as likely as the model makes them, the predictions are the
    # unconditional ones (the law of total expectation).
    x, t_x = (np.array(v, float) for v in zip(*histories(n)))
    weight = np.array([sequences(int(a), int(b)) for a, b in zip(x, t_x)]) * np.exp(
        bgbb.bgbb_loglik(params, x, t_x, np.full(x.size, float(n))))
    alive_next = np.exp(betaln(gamma, delta + n + 1) - betaln(gamma, delta))
    assert np.dot(weight, m.p_alive(x, t_x, n)) == pytest.approx(alive_next, rel=1e-10)
    ahead = np.dot(weight, m.conditional_expected_purchases(5, x, t_x, n))
    assert ahead == pytest.approx(float(m.expected_purchases(n + 5) - m.expected_purchases(n)), rel=1e-10)


@pytest.mark.parametrize("gamma", [0.5, 1.0 - 1e-9, 1.0, 1.0 + 1e-9, 1.0 + 1e-6, 2.5])
def test_expected_alive_opportunities_in_closed_form(gamma):
    # The closed form of the sum behind equations 8 and 13, and its limit at gamma = 1.
    delta = 2.0
    direct = sum(np.exp(betaln(gamma, delta + t) - betaln(gamma, delta)) for t in range(4, 31))
    assert float(bgbb._survival_sum(gamma, delta, 3.0, 30.0)) == pytest.approx(direct, rel=1e-7)


def test_predictions_broadcast_and_pass_missing_values_through(model):
    grid = model.p_alive(np.array([[1], [2]]), np.array([2, 3, 4]), 6)
    assert grid.shape == (2, 3)
    assert grid[0, 1] == pytest.approx(float(model.p_alive(1, 3, 6)))
    out = model.conditional_expected_purchases(5, [1, np.nan], [2, 3], 6)
    assert np.isfinite(out[0]) and np.isnan(out[1])
    assert np.ndim(model.p_alive(1, 1, 6)) == 0


def test_the_increasing_frequency_paradox(model):
    # Among donors last seen in 1998 (t_x = 3), the more often they gave, the less likely they
    # are still alive: a frequent donor who then stopped has probably died.
    p = model.p_alive([1, 2, 3], 3, 6)
    assert p[0] > p[1] > p[2]
    # Among donors who gave in 2001, everyone is alive in 2001, and frequent ones give more later.
    e = model.conditional_expected_purchases(5, [1, 3, 6], 6, 6)
    assert np.all(np.diff(e) > 0)


# --- Estimation ----------------------------------------------------------------------------------

@pytest.mark.parametrize("params", [PARAMS, OTHER, np.array([3.0, 0.2, 0.05, 9.0])])
def test_gradient_matches_finite_differences(donations, params):
    x, t_x, n, w = (donations[c].to_numpy(float) for c in ("frequency", "recency", "n_periods", "count"))
    value, grad = bgbb.bgbb_loglik_and_gradient(params, x, t_x, n, w)
    assert value == pytest.approx(np.dot(w, bgbb.bgbb_loglik(params, x, t_x, n)), rel=1e-13)
    for k in range(4):
        h = 1e-6 * params[k]
        step = np.zeros(4)
        step[k] = h
        numeric = (np.dot(w, bgbb.bgbb_loglik(params + step, x, t_x, n))
                   - np.dot(w, bgbb.bgbb_loglik(params - step, x, t_x, n))) / (2 * h)
        assert grad[k] == pytest.approx(numeric, rel=1e-6, abs=1e-4), k


def test_many_opportunities_are_computed_in_blocks(monkeypatch):
    # Long histories (weekly opportunities over years) are cut into blocks that bound memory:
    # the answer does not depend on the block size.
    rng = np.random.default_rng(3)
    n = np.full(300, 150.0)
    t_x = rng.integers(1, 151, 300).astype(float)
    x = np.minimum(t_x, rng.integers(1, 40, 300)).astype(float)
    w = rng.integers(1, 5, 300).astype(float)
    whole = bgbb.bgbb_loglik_and_gradient(PARAMS, x, t_x, n, w)
    monkeypatch.setattr(bgbb, "_CELLS", 500)
    blocks = bgbb.bgbb_loglik_and_gradient(PARAMS, x, t_x, n, w)
    assert blocks[0] == pytest.approx(whole[0], rel=1e-13)
    assert np.allclose(blocks[1], whole[1], rtol=1e-11)


def test_recovers_simulated_parameters():
    # 20,000 customers drawn from the model itself, eight opportunities each.
    rng = np.random.default_rng(2010)
    true = np.array([1.5, 2.0, 0.8, 4.0])
    size, n = 20_000, 8
    p = rng.beta(true[0], true[1], size)
    theta = rng.beta(true[2], true[3], size)
    alive_through = np.minimum(rng.geometric(theta) - 1, n)      # opportunities lived through
    buys = (rng.random((size, n)) < p[:, None]) & (np.arange(1, n + 1) <= alive_through[:, None])
    x = buys.sum(axis=1)
    t_x = np.where(x > 0, n - np.argmax(buys[:, ::-1], axis=1), 0)
    fitted = BetaGeoBetaBinom().fit(pd.DataFrame({"frequency": x, "recency": t_x, "n_periods": n}))
    z = (fitted.params_.to_numpy() - true) / fitted.standard_errors_.to_numpy()
    assert np.all(np.abs(z) < 3), z


def test_penalizer_shrinks_the_estimates(donations, model):
    # The penalty trades likelihood for a smaller sum of squared parameters (each parameter need
    # not shrink: they are correlated).
    shrunk = BetaGeoBetaBinom(penalizer=1.0).fit(donations, weights_col="count")
    assert (shrunk.params_**2).sum() < (model.params_**2).sum()
    assert shrunk.loglik_ < model.loglik_ and shrunk.converged_


# --- Bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("change, message", [
    ({"frequency": 4, "recency": 3}, r"frequency is greater than recency"),
    ({"recency": 7}, r"recency is greater than n_periods"),
    ({"frequency": 0, "recency": 2}, r"frequency is 0 but recency is not"),
    ({"frequency": 1.5}, r"frequency is negative or not a whole number"),
    ({"recency": -1}, r"recency is negative or not a whole number"),
    ({"n_periods": np.nan}, r"a value is missing"),
    ({"count": 0}, r"count is not a whole number of 1 or more"),
    ({"count": 2.5}, r"count is not a whole number of 1 or more"),
])
def test_bad_rows_are_refused_and_shown(donations, change, message):
    bad = donations.astype(float)
    for col, value in change.items():
        bad.loc[4, col] = value
    with pytest.raises(ValueError, match=f"BetaGeoBetaBinom.fit: 1 row\\(s\\) where {message}") as err:
        BetaGeoBetaBinom().fit(bad, weights_col="count")
    assert "\n4 " in str(err.value)        # the offending row is shown, with its index


def test_tables_that_cannot_be_fitted_are_refused(donations):
    with pytest.raises(ValueError, match="no column \\['n_periods'\\]"):
        BetaGeoBetaBinom().fit(donations.drop(columns="n_periods"))
    with pytest.raises(ValueError, match="no customers"):
        BetaGeoBetaBinom().fit(donations.iloc[:0])
    with pytest.raises(ValueError, match="none of the 3,464 customers made a repeat transaction"):
        BetaGeoBetaBinom().fit(donations.iloc[:1], weights_col="count")
    with pytest.raises(TypeError, match="takes a data frame"):
        BetaGeoBetaBinom().fit([[1, 1, 6]])
    with pytest.raises(ValueError, match="penalizer"):
        BetaGeoBetaBinom(penalizer=-1).fit(donations, weights_col="count")


def test_impossible_histories_are_refused_in_predictions(model):
    with pytest.raises(ValueError, match="frequency must not exceed recency.*got frequency 3 with recency 2"):
        model.p_alive(3, 2, 6)
    with pytest.raises(ValueError, match="recency must not exceed n_periods.*got recency 7 with n_periods 6 "
                                         "\\(and 1 more\\)"):
        model.conditional_expected_purchases(5, [1, 1, 1], [7, 8, 2], 6)
    with pytest.raises(ValueError, match="recency must be 0 when frequency is 0"):
        model.p_alive(0, 2, 6)
    with pytest.raises(ValueError, match="recency .* must be a whole number; got 2.5"):
        model.p_alive(1, 2.5, 6)
    with pytest.raises(ValueError, match="n_future .* must be 0 or more"):
        model.conditional_expected_purchases(-1, 1, 2, 6)
    with pytest.raises(ValueError, match="n_periods .* must be finite"):
        model.expected_purchases(np.inf)
    with pytest.raises(ValueError, match="period .* must be 1 or more"):
        model.expected_purchases_in_period(0)
    with pytest.raises(ValueError, match="frequency .* must be a whole number"):
        model.probability_of_purchases(0.5, 6)
    with pytest.raises(ValueError, match="shapes that broadcast"):
        model.p_alive([1, 2], [1, 2, 3], 6)
    with pytest.raises(RuntimeError, match="not fitted"):
        BetaGeoBetaBinom().p_alive(1, 1, 6)


# --- Saving, loading, one BLAS thread ---------------------------------------------------------------

def test_to_dict_and_back_gives_identical_predictions(model):
    again = BetaGeoBetaBinom.from_dict(json.loads(json.dumps(model.to_dict())))
    assert again.time_unit_ == "periods" and again.n_customers_ == 11_104
    x, t_x = (np.array(v) for v in zip(*histories(6)))
    assert np.array_equal(again.p_alive(x, t_x, 6), model.p_alive(x, t_x, 6))
    assert np.array_equal(again.conditional_expected_purchases(5, x, t_x, 6),
                          model.conditional_expected_purchases(5, x, t_x, 6))
    assert np.array_equal(again.probability_of_purchases(range(7), 6), model.probability_of_purchases(range(7), 6))
    assert np.array_equal(again.expected_purchases([1, 6, 11]), model.expected_purchases([1, 6, 11]))
    assert again.summary().equals(model.summary())
    with pytest.raises(ValueError, match="saved BetaGeoBetaBinom, not a BetaGeo"):
        cl.BetaGeo.from_dict(model.to_dict())


def test_every_public_method_runs_on_one_blas_thread():
    for name in dir(BetaGeoBetaBinom):
        if (not name.startswith("_") and name not in {"summary", "to_dict", "from_dict"}
                and callable(getattr(BetaGeoBetaBinom, name))):
            assert hasattr(getattr(BetaGeoBetaBinom, name), "__wrapped__"), name
    assert hasattr(period_tracking, "__wrapped__")


def test_exported_from_the_package():
    assert cl.BetaGeoBetaBinom is BetaGeoBetaBinom and cl.models.BetaGeoBetaBinom is BetaGeoBetaBinom
    assert "BetaGeoBetaBinom" in cl.__all__ and "load_donations" in cl.__all__


# --- Tracking the cohort, and the pictures --------------------------------------------------------

def test_period_tracking_adds_up(donations, model):
    tracking = period_tracking(model, donations, n_future=5, weights_col="count")
    assert tracking["period"].tolist() == list(range(1, 12))
    assert tracking["calibration"].tolist() == [True] * 6 + [False] * 5
    calibration = tracking[tracking["calibration"]]
    # The table's transactions, spread over the years, are all of them; 2001's are exact.
    assert calibration["from_table"].sum() == pytest.approx(24_615, abs=1e-9)
    assert calibration["from_table"].iloc[-1] == pytest.approx(3_163, abs=1e-9)
    assert calibration["from_table"].iloc[0] == pytest.approx(
        1_091 + sum(c * (x - 1) / (t - 1) for x, t, c in donations[["frequency", "recency", "count"]].to_numpy()
                    if t > 1), abs=1e-9)
    assert calibration["expected"].sum() == pytest.approx(11_104 * float(model.expected_purchases(6)), rel=1e-12)
    future = tracking.loc[~tracking["calibration"], "expected_given_history"]
    total = np.dot(donations["count"], model.conditional_expected_purchases(
        5, donations["frequency"], donations["recency"], donations["n_periods"]))
    assert future.sum() == pytest.approx(total, rel=1e-12)
    assert tracking["from_table"].isna().tolist() == [False] * 6 + [True] * 5
    assert tracking.attrs["time_unit"] == "periods"
    mixed = donations.assign(n_periods=[6] * 21 + [7])
    with pytest.raises(ValueError, match="one cohort observed for the same number of opportunities"):
        period_tracking(model, mixed, weights_col="count")


def test_history_grid_and_its_picture(donations, model):
    table = donations.assign(p_alive=model.p_alive(donations["frequency"], donations["recency"], 6))
    grid = history_grid(table, "p_alive")
    assert grid.shape == (7, 7) and int(grid.notna().sum().sum()) == 22
    assert np.isnan(grid.loc[3, 2]) and np.isnan(grid.loc[0, 4])
    assert grid.loc[3, 6] == pytest.approx(float(model.p_alive(3, 6, 6)))
    years = ["none"] + [str(y) for y in range(1996, 2002)]
    ax = plot_history_grid(grid, label="P(alive in 2002)", recency_labels=years)
    assert len(ax.texts) == 22
    assert [t.get_text() for t in ax.get_xticklabels()] == years
    with pytest.raises(ValueError, match="one label per recency"):
        plot_history_grid(grid, recency_labels=years[:3])
    with pytest.raises(ValueError, match="each \\(frequency, recency\\) history once"):
        history_grid(pd.concat([table, table]), "p_alive")


def test_period_tracking_picture(donations, model):
    tracking = period_tracking(model, donations, n_future=5, weights_col="count")
    ax = plot_period_tracking(tracking, period_labels=range(1996, 2007), xlabel="year")
    lines = ax.get_lines()
    assert [line.get_label() for line in lines[:3]] == ["from the table", "model: a cohort of this size",
                                                         "model: given each history"]
    assert np.allclose(lines[0].get_ydata(), tracking["from_table"].iloc[:6])
    assert len(lines[1].get_xdata()) == 11 and len(lines[2].get_xdata()) == 5
    assert ax.get_xlabel() == "year" and ax.get_xticklabels()[0].get_text() == "1996"


def test_a_history_too_long_to_sum_is_refused_before_memory_runs_out():
    model = cl.BetaGeoBetaBinom().fit(cl.load_donations(), weights_col="count")
    with pytest.raises(ValueError, match="coarser periods"):
        model.p_alive(3, 6, 10**9)
