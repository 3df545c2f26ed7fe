"""Intervals on model predictions from the estimates' uncertainty: coverage on simulated bases
with known parameters, and the behaviour promised by the docstrings."""

import copy
import json

import numpy as np
import pandas as pd
import pytest

import custlab as cl
from custlab.models import intervals
from custlab.simulate import simulate_bgnbd

REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]  # an sBG cohort, active at the start of years 0..7


@pytest.fixture(scope="module")
def calibration(cdnow_sample):
    return cl.rfm_summary(cdnow_sample, observation_end="1998-06-30", calibration_end="1997-09-30",
                          time_unit="W")


@pytest.fixture(scope="module")
def models(calibration):
    repeat = calibration[(calibration["frequency"] > 0) & (calibration["monetary_value"] > 0)]
    return {"BetaGeo": cl.BetaGeo().fit(calibration), "ParetoNBD": cl.ParetoNBD().fit(calibration),
            "GammaGamma": cl.GammaGamma().fit(repeat), "ShiftedBetaGeo": cl.ShiftedBetaGeo().fit(REGULAR)}


# --- Coverage on simulated bases ---------------------------------------------------------------
# BG/NBD parameters of the CDNOW study, in weeks. Each base: first purchases on the days of 12
# weeks, calibration until week 39, and the question asked of the model is the base's expected
# number of repeat purchases in the 39 weeks that follow.
TRUE = pd.Series({"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.43})
WORLDS, CUSTOMERS, DRAWS, HOLDOUT = 200, 2000, 200, 39.0
# A few fixed histories (repeat purchases, week of the last, weeks observed) for per-customer coverage.
HISTORIES = np.array([[0, 0, 39], [1, 5, 36], [3, 30, 38], [8, 37, 38], [5, 10, 35]], float)


def _simulated_base(rng):
    r, alpha, a, b = TRUE
    rate, dropout = rng.gamma(r, 1 / alpha, CUSTOMERS), rng.beta(a, b, CUSTOMERS)
    T = 39 - rng.integers(0, 84, CUSTOMERS) / 7          # weeks from the first purchase to week 39
    who, when, _ = simulate_bgnbd(rate, dropout, T + HOLDOUT, rng)
    calib = when < T[who]
    x = np.bincount(who[calib], minlength=CUSTOMERS).astype(float)
    t_x = np.zeros(CUSTOMERS)
    np.maximum.at(t_x, who[calib], when[calib])
    holdout = np.bincount(who[~calib], minlength=CUSTOMERS)
    return x, t_x, T, holdout


@pytest.fixture(scope="module")
def coverage_runs():
    totals, singles, log_estimates, log_errors = [], [], [], []
    for world in range(WORLDS):
        x, t_x, T, holdout = _simulated_base(np.random.default_rng([20240, world]))
        model = cl.BetaGeo().fit(pd.DataFrame({"frequency": x, "recency": t_x, "T": T}))
        truth = copy.copy(model)
        truth.params_ = TRUE.copy()
        # The interval is on the expectation given the histories; what it must cover is that
        # expectation at the true parameters, not the realised count (which adds the customers' noise).
        band = cl.prediction_interval(model, "conditional_expected_purchases", HOLDOUT, x, t_x, T, total=True,
                                      draws=DRAWS, random_state=world).iloc[0]
        target = float(truth.conditional_expected_purchases(HOLDOUT, x, t_x, T).sum())
        totals.append((band["estimate"], band["lower"], band["upper"], target, holdout.sum()))
        each = cl.prediction_interval(model, "conditional_expected_purchases", HOLDOUT, *HISTORIES.T,
                                      draws=DRAWS, random_state=world)
        each["truth"] = truth.conditional_expected_purchases(HOLDOUT, *HISTORIES.T)
        singles.append(each.assign(history=range(len(HISTORIES))))
        log_estimates.append(np.log(model.params_.to_numpy()))
        log_errors.append((model.standard_errors_ / model.params_).to_numpy())
    totals = pd.DataFrame(totals, columns=["estimate", "lower", "upper", "truth", "realised"])
    return totals, pd.concat(singles, ignore_index=True), np.array(log_estimates), np.array(log_errors)


def _covered(table, column="truth"):
    return (table["lower"] <= table[column]) & (table[column] <= table["upper"])


def test_the_interval_of_the_base_total_covers_the_true_expectation_95_percent_of_the_time(coverage_runs):
    totals = coverage_runs[0]
    coverage = _covered(totals).mean()
    below, above = (totals["truth"] < totals["lower"]).mean(), (totals["truth"] > totals["upper"]).mean()
    # Not an artefact of wide intervals: the errors of the estimates, in units of the standard error
    # the interval implies (its half-width / 1.96), spread like a standard normal.
    z = (totals["estimate"] - totals["truth"]) / ((totals["upper"] - totals["lower"]) / (2 * 1.96))
    realised = _covered(totals, "realised").mean()
    report = (f"95 % interval of the expected holdout purchases of {CUSTOMERS:,} customers covers the true "
              f"expectation in {coverage:.1%} of {WORLDS} bases ({below:.1%} below, {above:.1%} above); "
              f"sd of the standardised errors {z.std():.2f}, share within one standard error {(z.abs() < 1).mean():.0%}; "
              f"the realised count, which it is not meant to cover, falls inside in {realised:.1%}")
    print(report)
    # Over 200 bases a hit-or-miss count has a standard error of 1.5 points at 95 %, so 93-97 % is
    # about 1.3 standard errors either side; the spread of the standardised errors uses every base's
    # miss by how much, and checks the width of the intervals more tightly.
    assert 0.93 <= coverage <= 0.97, report
    assert 0.85 <= z.std() <= 1.15, report
    assert realised < coverage, report


def test_the_per_customer_interval_covers_the_true_expectation(coverage_runs):
    singles = coverage_runs[1]
    by_history = singles.assign(covered=_covered(singles)).groupby("history")["covered"].mean()
    coverage = _covered(singles).mean()
    report = (f"95 % interval of one customer's expected holdout purchases covers the truth in {coverage:.1%} "
              f"of {len(singles):,} intervals (by history: {by_history.round(3).tolist()})")
    print(report)
    assert 0.93 <= coverage <= 0.97, report


def test_standard_errors_match_the_spread_of_the_estimates_across_bases(coverage_runs):
    log_estimates, log_errors = coverage_runs[2], coverage_runs[3]
    ratio = log_estimates.std(axis=0) / log_errors.mean(axis=0)
    print(f"sd of log estimates across {WORLDS} bases / mean standard error on the log scale, "
          f"{list(TRUE.index)}: {ratio.round(2).tolist()}")
    assert np.all((ratio > 0.85) & (ratio < 1.15)), ratio


# --- What every interval promises --------------------------------------------------------------
CASES = [
    ("BetaGeo", "p_alive", ([1, 5, 5, 2], [10, 5, 38, 30.43], 38.86), {}),
    ("BetaGeo", "conditional_expected_purchases", (39, [0, 2, 10], [0, 30.43, 38], 38.86), {}),
    ("BetaGeo", "expected_purchases", ([13, 52],), {}),
    ("BetaGeo", "probability_of_purchases", ([0, 1, 2], 39), {}),
    ("ParetoNBD", "p_alive", ([1, 5, 5], [10, 5, 38], 38.86), {}),
    ("ParetoNBD", "conditional_expected_purchases", (39, [0, 2, 10], [0, 30.43, 38], 38.86), {}),
    ("ParetoNBD", "expected_purchases", ([13, 52],), {}),
    ("GammaGamma", "expected_average_spend", ([0, 1, 10], [0, 100, 100]), {}),
    ("ShiftedBetaGeo", "survival", ([1, 5, 12],), {}),
    ("ShiftedBetaGeo", "retention_rate", ([1, 2, 10],), {}),
    ("ShiftedBetaGeo", "expected_residual_lifetime", (0.1,), {"renewals": [0, 4]}),
    ("ShiftedBetaGeo", "discounted_expected_lifetime", (0.1,), {}),
]


@pytest.mark.parametrize("name, method, args, kwargs", CASES, ids=[f"{c[0]}.{c[1]}" for c in CASES])
def test_interval_surrounds_the_prediction_at_the_estimates(models, name, method, args, kwargs):
    model = models[name]
    table = cl.prediction_interval(model, method, *args, draws=200, **kwargs)
    point = np.atleast_1d(getattr(model, method)(*args, **kwargs))
    assert list(table.columns) == ["estimate", "lower", "upper"] and len(table) == point.size
    np.testing.assert_allclose(table["estimate"], point, rtol=1e-12)
    assert (table["lower"] < table["estimate"]).all() and (table["estimate"] < table["upper"]).all()
    assert table.attrs == {"level": 0.95, "draws": 200}
    if method in ("p_alive", "survival", "retention_rate", "probability_of_purchases"):
        assert ((table["lower"] >= 0) & (table["upper"] <= 1)).all()


def test_a_wider_level_gives_a_wider_interval(models):
    narrow, wide = (cl.prediction_interval(models["BetaGeo"], "expected_purchases", [13, 52], level=level)
                    for level in (0.8, 0.99))
    assert (wide["lower"] < narrow["lower"]).all() and (narrow["upper"] < wide["upper"]).all()


def test_total_over_one_customer_is_that_customers_interval(models):
    args = ("conditional_expected_purchases", 39, [2], [30.43], [38.86])
    one = cl.prediction_interval(models["BetaGeo"], *args, draws=200)
    total = cl.prediction_interval(models["BetaGeo"], *args, draws=200, total=True)
    assert total.index.tolist() == ["total"]
    np.testing.assert_array_equal(total.to_numpy(), one.to_numpy())


def test_total_sums_the_estimates_of_the_base(models, calibration):
    s = calibration
    total = cl.prediction_interval(models["BetaGeo"], "conditional_expected_purchases", 39, s["frequency"],
                                   s["recency"], s["T"], total=True, draws=200)
    point = models["BetaGeo"].conditional_expected_purchases(39, s["frequency"], s["recency"], s["T"]).sum()
    np.testing.assert_allclose(total["estimate"], point, rtol=1e-12)
    assert total["lower"].item() < point < total["upper"].item()


def test_same_seed_same_table_bit_for_bit(models, calibration):
    s = calibration.iloc[:300]
    args = (models["BetaGeo"], "p_alive", s["frequency"], s["recency"], s["T"])
    first, again = (cl.prediction_interval(*args, draws=200, random_state=7) for _ in range(2))
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    other = cl.prediction_interval(*args, draws=200, random_state=8)
    assert not np.array_equal(first["upper"], other["upper"])
    from_generator = cl.prediction_interval(*args, draws=200, random_state=np.random.default_rng(7))
    pd.testing.assert_frame_equal(first, from_generator, check_exact=True)


def test_blocks_and_repeated_histories_do_not_change_the_intervals(models, calibration, monkeypatch):
    s = calibration.iloc[:400]
    args = (models["BetaGeo"], "conditional_expected_purchases", 39, s["frequency"], s["recency"], s["T"])
    whole, whole_total = (cl.prediction_interval(*args, draws=200, total=t) for t in (False, True))
    monkeypatch.setattr(intervals, "BLOCK_VALUES", 200 * 7)         # 7 customers per block
    monkeypatch.setattr(intervals, "TOTAL_BLOCK_ROWS", 5)
    blocks, blocks_total = (cl.prediction_interval(*args, draws=200, total=t) for t in (False, True))
    pd.testing.assert_frame_equal(whole, blocks, check_exact=False, rtol=1e-12)
    pd.testing.assert_frame_equal(whole_total, blocks_total, check_exact=False, rtol=1e-12)
    # Customers with the same history get the same interval; the index is the input's.
    assert s.duplicated(["frequency", "recency", "T"]).any()
    assert whole.index.equals(s.index)
    same = whole.groupby([s["frequency"], s["recency"], s["T"]]).nunique()
    assert (same == 1).all().all()


def test_missing_history_gives_a_missing_interval(models):
    table = cl.prediction_interval(models["BetaGeo"], "conditional_expected_purchases", 39, [2, np.nan], [10, 5],
                                   38.86, draws=200)
    assert table.iloc[1].isna().all() and table.iloc[0].notna().all()


def test_clv_interval_surrounds_the_residual_value(models, calibration):
    s = calibration.iloc[:500]
    bg, gg = models["BetaGeo"], models["GammaGamma"]
    settings = {"horizon": 52, "discount_rate": 0.0019, "step": 4}
    table = cl.clv_interval(bg, gg, s, draws=200, **settings)
    value = cl.clv.residual_value(bg, gg, s, **settings)
    assert list(table.columns) == ["customer_id", "estimate", "lower", "upper"]
    np.testing.assert_array_equal(table["customer_id"], s["customer_id"])
    np.testing.assert_allclose(table["estimate"], value["residual_value"], rtol=1e-12)
    assert ((table["lower"] < table["estimate"]) & (table["estimate"] < table["upper"])).all()
    total = cl.clv_interval(bg, gg, s, draws=200, total=True, **settings)
    np.testing.assert_allclose(total["estimate"], value["residual_value"].sum(), rtol=1e-12)
    assert total["lower"].item() < total["estimate"].item() < total["upper"].item()
    # Both models' uncertainty is drawn: each alone gives a width, neither gives none.
    def width(purchase, spend):
        band = cl.clv_interval(purchase, spend, s, draws=200, total=True, **settings)
        return (band["upper"] - band["lower"]).item() / band["estimate"].item()

    assert width(bg, _known_exactly(gg)) > 0.01 and width(_known_exactly(bg), gg) > 0.01
    assert width(_known_exactly(bg), _known_exactly(gg)) < 1e-5


def _known_exactly(model):
    exact = copy.copy(model)
    exact.covariance_ = model.covariance_ * 1e-12
    return exact


def test_progress_bar_on_request(models, capsys):
    cl.prediction_interval(models["BetaGeo"], "expected_purchases", [13, 52], draws=200, progress=True)
    assert "200/200" in capsys.readouterr().err
    cl.prediction_interval(models["BetaGeo"], "expected_purchases", [13, 52], draws=200)
    assert capsys.readouterr().err == ""


# --- Refusals ----------------------------------------------------------------------------------
def _without_curvature(model):
    flat = copy.copy(model)
    flat.covariance_ = flat.covariance_ * np.nan
    return flat


def test_model_without_curvature_is_refused(models):
    with pytest.raises(ValueError, match="no covariance for its estimates"):
        cl.prediction_interval(_without_curvature(models["BetaGeo"]), "expected_purchases", 13)
    twisted = copy.copy(models["BetaGeo"])
    twisted.covariance_ = -twisted.covariance_
    with pytest.raises(ValueError, match="not positive definite"):
        cl.prediction_interval(twisted, "expected_purchases", 13)
    summary = pd.DataFrame({"frequency": [1], "recency": [2], "T": [3], "monetary_value": [10]})
    with pytest.raises(ValueError, match="no covariance for its estimates"):
        cl.clv_interval(models["BetaGeo"], _without_curvature(models["GammaGamma"]), summary, horizon=52,
                        discount_rate=0.01)


def test_unconverged_model_warns(models):
    doubtful = copy.copy(models["BetaGeo"])
    doubtful.converged_ = False
    with pytest.warns(cl.models.ConvergenceWarning, match="did not converge"):
        cl.prediction_interval(doubtful, "expected_purchases", 13, draws=200)


@pytest.mark.parametrize("level", [0, 1, 1.5, 95, -0.5, "0.95", True, None])
def test_bad_level_is_refused(models, level):
    with pytest.raises(ValueError, match="level must be a number between 0 and 1"):
        cl.prediction_interval(models["BetaGeo"], "expected_purchases", 13, level=level)


@pytest.mark.parametrize("draws", [0, 50, 199, 250.0, "1000", True])
def test_bad_draws_are_refused(models, draws):
    with pytest.raises(ValueError, match="draws must be a whole number of at least 200"):
        cl.prediction_interval(models["BetaGeo"], "expected_purchases", 13, draws=draws)


def test_unknown_method_lists_the_valid_ones(models):
    with pytest.raises(ValueError, match=r"one of \['conditional_expected_purchases', 'expected_purchases', "
                                         r"'p_alive', 'probability_of_purchases'\]; got 'p_dead'"):
        cl.prediction_interval(models["BetaGeo"], "p_dead", 1, 2, 3)
    for method in ("p_alive", "fit", "summary", "to_dict", "_store", None):
        with pytest.raises(ValueError, match=r"one of \['expected_average_spend'\]"):
            cl.prediction_interval(models["GammaGamma"], method, 1, 10)


def test_other_bad_calls_get_clear_errors(models):
    with pytest.raises(TypeError, match="must be a fitted custlab model"):
        cl.prediction_interval("BetaGeo", "p_alive", 1, 2, 3)
    with pytest.raises(RuntimeError, match="not fitted yet"):
        cl.prediction_interval(cl.BetaGeo(), "p_alive", 1, 2, 3)
    with pytest.raises(ValueError, match="do not broadcast together"):
        cl.prediction_interval(models["BetaGeo"], "p_alive", [1, 2], [1, 2, 3], 38)
    with pytest.raises(ValueError, match="no customers"):
        cl.prediction_interval(models["BetaGeo"], "p_alive", [], [], 38)
    with pytest.raises(TypeError, match="argument 1 must be a number"):
        cl.prediction_interval(models["BetaGeo"], "p_alive", ["a"], [1], 38)
    with pytest.raises(ValueError, match="recency must not exceed T"):     # the model's own check
        cl.prediction_interval(models["BetaGeo"], "p_alive", [1], [40], 38)
    summary = pd.DataFrame({"frequency": [1], "recency": [2], "T": [3], "monetary_value": [10]})
    with pytest.raises(TypeError, match="purchase_model must be a continuous-time purchase model"):
        cl.clv_interval(models["GammaGamma"], models["BetaGeo"], summary, horizon=52, discount_rate=0.01)
    with pytest.raises(ValueError, match="no column"):
        cl.clv_interval(models["BetaGeo"], models["GammaGamma"], summary.drop(columns="T"), horizon=52,
                        discount_rate=0.01)


# --- Saved models and information criteria -----------------------------------------------------
CALLS = {
    "BetaGeo": ("conditional_expected_purchases", 39, [0, 2, 10], [0, 30.43, 38], 38.86),
    "ParetoNBD": ("p_alive", [0, 2, 10], [0, 30.43, 38], 38.86),
    "GammaGamma": ("expected_average_spend", [0, 1, 10], [0, 100, 100]),
    "ShiftedBetaGeo": ("survival", [1, 5, 12]),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_saved_and_loaded_model_gives_the_same_intervals(models, name):
    model = models[name]
    loaded = type(model).from_dict(json.loads(json.dumps(model.to_dict())))
    for total in (False, True):
        before = cl.prediction_interval(model, *CALLS[name], draws=200, total=total)
        after = cl.prediction_interval(loaded, *CALLS[name], draws=200, total=total)
        pd.testing.assert_frame_equal(before, after, check_exact=True)


@pytest.mark.parametrize("name", list(CALLS))
def test_information_criteria_follow_their_formulas(models, name):
    model = models[name]
    k, n = len(model.params_), model.n_customers_
    for m in (model, type(model).from_dict(json.loads(json.dumps(model.to_dict())))):
        assert m.aic_ == pytest.approx(2 * k - 2 * m.loglik_, rel=1e-12)
        assert m.bic_ == pytest.approx(k * np.log(n) - 2 * m.loglik_, rel=1e-12)
    assert n == {"BetaGeo": 2357, "ParetoNBD": 2357, "GammaGamma": 946, "ShiftedBetaGeo": 1000}[name]


def test_models_whose_predictions_need_more_are_refused():
    from custlab.models.covariates import simulate_covariate_customers

    customers = simulate_covariate_customers(1500, purchase_effect=0.5, dropout_effect=0.0, random_state=3)
    model = cl.BetaGeoCovariates().fit(customers, ["channel"])
    with pytest.raises(TypeError, match="BetaGeoCovariates is not supported.*effects_"):
        cl.prediction_interval(model, "p_alive", customers.head(3), draws=200)
    donations = cl.load_donations()
    bgbb = cl.BetaGeoBetaBinom().fit(donations, weights_col="count")
    spend_table = pd.DataFrame({"frequency": [1.0], "recency": [2.0], "T": [6.0], "monetary_value": [10.0]})
    spend = cl.GammaGamma().fit(pd.DataFrame({"frequency": [1.0, 2, 3, 4, 1, 2] * 20,
                                              "monetary_value": [10.0, 12, 9, 15, 20, 11] * 20}))
    with pytest.raises(TypeError, match="continuous-time purchase model"):
        cl.clv_interval(bgbb, spend, spend_table, horizon=5, discount_rate=0.1)
    with pytest.raises(TypeError, match="continuous-time purchase model"):
        cl.evaluation.expected_purchases_matrix(bgbb, t=5, T=6)
