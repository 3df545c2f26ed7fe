"""What the models accept and what they refuse: pandas and Polars tables, arrays of any kind for
predictions, and errors that name the argument and say what to pass."""

import numpy as np
import pandas as pd
import polars as pl
import pytest

import custlab as cl

REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]


@pytest.fixture(scope="module")
def log(cdnow_sample):
    return cdnow_sample


@pytest.fixture(scope="module")
def summary(log):
    return cl.rfm_summary(log, observation_end="1998-06-30", calibration_end="1997-09-30")


@pytest.fixture(scope="module")
def models(summary):
    repeat = summary[summary["frequency"] > 0]
    return {"bgnbd": cl.BetaGeo().fit(summary), "pareto": cl.ParetoNBD().fit(summary),
            "gg": cl.GammaGamma().fit(repeat), "sbg": cl.ShiftedBetaGeo().fit(REGULAR)}


def test_polars_tables_fit_the_same_as_pandas(log, summary, models):
    polars_summary = cl.rfm_summary(pl.from_pandas(log), observation_end="1998-06-30",
                                    calibration_end="1997-09-30")
    assert isinstance(polars_summary, pl.DataFrame)
    repeat = polars_summary.filter(pl.col("frequency") > 0)
    fitted = {"bgnbd": cl.BetaGeo().fit(polars_summary), "pareto": cl.ParetoNBD().fit(polars_summary),
              "gg": cl.GammaGamma().fit(repeat)}
    for name, model in fitted.items():
        np.testing.assert_allclose(model.params_, models[name].params_, rtol=1e-7, err_msg=name)
    # Predictions take Polars and pandas columns, lists and scalars alike.
    bg = models["bgnbd"]
    cols = ("frequency", "recency", "T")
    from_polars = bg.p_alive(*(polars_summary[c] for c in cols))
    from_pandas = bg.p_alive(*(summary[c] for c in cols))
    np.testing.assert_allclose(from_polars, from_pandas)
    assert bg.p_alive([2], [30.43], [38.86])[0] == bg.p_alive(2, 30.43, 38.86)
    spend = models["gg"].expected_average_spend(repeat["frequency"], repeat["monetary_value"])
    assert spend.shape == (len(repeat),) and (spend > 0).all()


@pytest.mark.parametrize("fit, what", [
    (lambda: cl.GammaGamma().fit([1, 2]), "GammaGamma.fit takes a data frame .pandas or Polars.*got list"),
    (lambda: cl.BetaGeo().fit(np.ones((3, 3))), "BetaGeo.fit takes a data frame .*'frequency', 'recency', 'T'"),
    (lambda: cl.ParetoNBD().fit({"frequency": [1]}), "ParetoNBD.fit takes a data frame.*got dict"),
    (lambda: cl.ShiftedBetaGeo().fit("1000, 631"), "sequence of numbers such as \\[1000, 631, 468\\]"),
])
def test_wrong_types_say_what_to_pass(fit, what):
    with pytest.raises(TypeError, match=what):
        fit()


def test_predictions_want_numbers(models):
    with pytest.raises(TypeError, match="BetaGeo.p_alive: frequency must be a number or an array of numbers"):
        models["bgnbd"].p_alive("often", 1, 2)


@pytest.mark.parametrize("call, argument", [
    (lambda m: m["bgnbd"].expected_purchases(-1), "t"),
    (lambda m: m["bgnbd"].probability_of_purchases(1.5, 10), "n"),
    (lambda m: m["bgnbd"].probability_of_purchases(1, -10), "t"),
    (lambda m: m["bgnbd"].p_alive(-1, 0, 10), "frequency"),
    (lambda m: m["bgnbd"].p_alive(2.5, 5, 10), "frequency"),
    (lambda m: m["bgnbd"].p_alive(2, 12, 10), "recency must not exceed T"),
    (lambda m: m["bgnbd"].p_alive(2, -1, 10), "recency"),
    (lambda m: m["bgnbd"].p_alive(2, 0, -10), "T"),
    (lambda m: m["bgnbd"].conditional_expected_purchases(-1, 2, 5, 10), "t"),
    (lambda m: m["bgnbd"].conditional_expected_purchases(10, [2, 3], [5, 12], [10, 10]), "recency must not exceed T"),
    (lambda m: m["pareto"].expected_purchases([1, -1]), "t"),
    (lambda m: m["pareto"].p_alive(2, 12, 10), "recency must not exceed T"),
    (lambda m: m["pareto"].conditional_expected_purchases(5, -2, 5, 10), "frequency"),
    (lambda m: m["gg"].expected_average_spend(-1, 10), "frequency"),
    (lambda m: m["gg"].expected_average_spend(2, -10), "monetary_value"),
    (lambda m: m["sbg"].survival(-1), "t"),
    (lambda m: m["sbg"].retention_rate(0), "t"),
    (lambda m: m["sbg"].expected_residual_lifetime(0.1, renewals=-1), "renewals"),
    (lambda m: m["sbg"].expected_residual_lifetime(0.1, renewals=1.5), "renewals"),
    (lambda m: m["sbg"].expected_residual_lifetime(0.0), "discount_rate"),
    (lambda m: m["sbg"].discounted_expected_lifetime(-0.1), "discount_rate"),
])
def test_impossible_inputs_are_refused_naming_the_argument(models, call, argument):
    with pytest.raises(ValueError, match=argument):
        call(models)


def test_refusals_show_the_value_and_how_many(models):
    with pytest.raises(ValueError, match=r"BetaGeo.p_alive: recency must not exceed T .*got recency 12 with T 10 "
                                         r"\(and 1 more\)"):
        models["bgnbd"].p_alive([1, 2, 3], [12, 5, 11], 10)
    with pytest.raises(ValueError, match=r"GammaGamma.expected_average_spend: frequency \(number of repeat "
                                         r"transactions\) must be 0 or more; got -1"):
        models["gg"].expected_average_spend(-1, 8.1)


def test_possible_edge_inputs_are_accepted(models):
    bg, sbg = models["bgnbd"], models["sbg"]
    assert bg.expected_purchases(0) == 0
    assert bg.p_alive(0, 0, 0) == 1.0
    # Recency rounded a hair above T (as in a rounded grid) is not an error.
    T = 38.857142857142854
    assert 0 < bg.p_alive(3, round(T, 6), T) <= 1
    matrix = cl.evaluation.p_alive_matrix(bg, T=T, max_frequency=3)
    assert matrix.notna().any().any()
    assert sbg.survival(0) == 1.0 and sbg.retention_rate(1) == pytest.approx(float(sbg.survival(1)))
    assert np.isnan(bg.p_alive(2, np.nan, 10))       # missing values give missing predictions


def test_fit_tables_are_checked_row_by_row(summary):
    with pytest.raises(ValueError, match=r"no column \['recency'\]; columns found"):
        cl.BetaGeo().fit(summary.drop(columns="recency"))
    bad = summary.copy()
    bad["frequency"] = bad["frequency"].astype(float)
    bad.loc[5, "frequency"] = 1.5
    with pytest.raises(ValueError, match="1 customer.* frequency is negative or not a whole number"):
        cl.ParetoNBD().fit(bad)
    bad = summary.copy()
    bad.loc[7, "T"] = np.nan
    with pytest.raises(ValueError, match="a value is missing"):
        cl.BetaGeo().fit(bad)
    with pytest.raises(ValueError, match="column 'frequency' must hold numbers"):
        cl.BetaGeo().fit(summary.assign(frequency="many"))
    polars_bad = pl.from_pandas(summary).with_columns(
        pl.when(pl.col("customer_id") == 3).then(-5.0).otherwise(pl.col("monetary_value")).alias("monetary_value"))
    with pytest.raises(ValueError, match="GammaGamma.fit: .*no repeat purchase or the mean spend is not positive"):
        cl.GammaGamma().fit(pl.concat([polars_bad.filter(pl.col("frequency") > 0),
                                       polars_bad.filter(pl.col("customer_id") == 3)]))
    with pytest.raises(ValueError, match="frequency is not a whole number"):
        cl.GammaGamma().fit(pd.DataFrame({"frequency": [1.5, 2.0], "monetary_value": [3.0, 4.0]}))


def test_penalizer_and_individual_data_are_checked(summary):
    for model in (cl.BetaGeo, cl.ParetoNBD, cl.GammaGamma):
        with pytest.raises(ValueError, match="penalizer must be a number >= 0"):
            model(penalizer=-0.1).fit(summary)
    with pytest.raises(ValueError, match="penalizer"):
        cl.ShiftedBetaGeo(penalizer="a lot").fit(REGULAR)
    with pytest.raises(ValueError, match="periods_survived"):
        cl.ShiftedBetaGeo().fit_individual([-1, 2], [False, True])
    with pytest.raises(ValueError, match="churned customer left in period 1 or later"):
        cl.ShiftedBetaGeo().fit_individual([0, 2], [True, True])
    with pytest.raises(ValueError, match="same, non-zero length"):
        cl.ShiftedBetaGeo().fit_individual([1, 2, 3], [True, False])
    with pytest.raises(ValueError, match="at least two periods"):
        cl.ShiftedBetaGeo().fit([1000])


@pytest.mark.parametrize("model_class", [cl.BetaGeo, cl.ModifiedBetaGeo, cl.ParetoNBD])
def test_inputs_of_different_lengths_are_named_in_the_error(model_class):
    s = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30", calibration_end="1997-09-30")
    model = model_class().fit(s)
    with pytest.raises(ValueError, match=r"got frequency \(3,\), recency \(2,\), T \(\)"):
        model.p_alive([1, 2, 3], [1, 2], 10)
    with pytest.raises(ValueError, match=r"got n \(3,\), t \(2,\)"):
        model.probability_of_purchases([0, 1, 2], [10, 20])
