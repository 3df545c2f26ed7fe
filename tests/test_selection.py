"""compare_models: the criteria are the models' own, the holdout columns a direct computation,
the order by BIC; models fitted on other customers, other units or without a holdout are refused."""

import math

import numpy as np
import pandas as pd
import pytest

import custlab as cl
from custlab.models.selection import COLUMNS, compare_models


@pytest.fixture(scope="module")
def calibration(cdnow_sample):
    summary = cl.rfm_summary(cdnow_sample, observation_end="1998-06-30", calibration_end="1997-09-30",
                             time_unit="W")
    # A made-up two-level covariate for the covariate model: when the customer first bought.
    early = summary["T"] > summary["T"].median()
    return summary.assign(cohort=np.where(early, "early", "late"))


@pytest.fixture(scope="module")
def models(calibration):
    return {"BG/NBD": cl.BetaGeo().fit(calibration), "MBG/NBD": cl.ModifiedBetaGeo().fit(calibration),
            "Pareto/NBD": cl.ParetoNBD().fit(calibration),
            "BG/NBD + cohort": cl.BetaGeoCovariates().fit(calibration, ["cohort"])}


@pytest.fixture(scope="module")
def table(models, calibration):
    return compare_models(models, calibration)


def test_one_row_per_model_sorted_by_bic(table, models):
    assert list(table.columns) == COLUMNS
    assert sorted(table.index) == sorted(models)
    assert table.index.name == "model"
    assert table["bic"].is_monotonic_increasing
    assert table.attrs == {"time_unit": "weeks", "customers": 2357}


def test_criteria_are_the_models_own(table, models):
    for name, model in models.items():
        row = table.loc[name]
        assert row["log_likelihood"] == model.loglik_
        assert row["aic"] == model.aic_ and row["bic"] == model.bic_
        k = row["parameters"]
        assert row["aic"] == pytest.approx(2 * k - 2 * model.loglik_, rel=1e-12)
        assert row["bic"] == pytest.approx(k * math.log(2357) - 2 * model.loglik_, rel=1e-12)
        assert row["converged"] == model.converged_
    assert table.loc["BG/NBD", "parameters"] == 4
    # Base parameters and one effect on each process of the covariate model.
    assert table.loc["BG/NBD + cohort", "parameters"] == 6
    assert len(models["BG/NBD + cohort"].effects_) == 2


def test_holdout_columns_are_a_direct_computation(table, models, calibration):
    s = calibration
    actual = s["frequency_holdout"].to_numpy()
    for name in ("BG/NBD", "MBG/NBD", "Pareto/NBD"):
        expected = models[name].conditional_expected_purchases(s["duration_holdout"], s["frequency"],
                                                               s["recency"], s["T"])
        row = table.loc[name]
        assert row["expected_holdout_purchases"] == pytest.approx(expected.sum(), rel=1e-12)
        assert row["actual_holdout_purchases"] == actual.sum() == 1882
        assert row["difference_pct"] == pytest.approx(100 * (expected.sum() / actual.sum() - 1), rel=1e-9)
        assert row["mean_absolute_error"] == pytest.approx(np.abs(expected - actual).mean(), rel=1e-12)
    with_cohort = models["BG/NBD + cohort"].conditional_expected_purchases(s["duration_holdout"], s)
    assert table.loc["BG/NBD + cohort", "expected_holdout_purchases"] == pytest.approx(with_cohort.sum(), rel=1e-12)


def test_holdout_figures_agree_with_conditional_expectations(table, models, calibration):
    # The same expectations, grouped by calibration frequency, in custlab.evaluation.
    groups = cl.conditional_expectations(calibration, models["BG/NBD"])
    total = (groups["expected"] * groups["customers"]).sum()
    assert table.loc["BG/NBD", "expected_holdout_purchases"] == pytest.approx(total, rel=1e-9)


def test_polars_summary_gives_the_same_table(models, calibration, table):
    pl = pytest.importorskip("polars")
    again = compare_models(models, pl.from_pandas(calibration))
    pd.testing.assert_frame_equal(again, table)


def test_no_purchase_in_the_holdout_gives_no_percentage(models, calibration):
    quiet = calibration.assign(frequency_holdout=0)
    row = compare_models({"BG/NBD": models["BG/NBD"]}, quiet).iloc[0]
    assert row["actual_holdout_purchases"] == 0 and math.isnan(row["difference_pct"])
    assert row["mean_absolute_error"] == pytest.approx(row["expected_holdout_purchases"] / 2357)


def test_models_fitted_on_other_customers_are_refused(models, calibration):
    fewer = cl.BetaGeo().fit(calibration.iloc[:2000])
    with pytest.raises(ValueError, match=r"different numbers of customers \('BG/NBD' on 2,357, 'fewer' on 2,000\)"):
        compare_models({"BG/NBD": models["BG/NBD"], "fewer": fewer}, calibration)
    with pytest.raises(ValueError, match="summary has 2,000 customers but the models were fitted on 2,357"):
        compare_models({"BG/NBD": models["BG/NBD"]}, calibration.iloc[:2000])


def test_models_in_other_time_units_are_refused(models, cdnow_sample):
    days = cl.rfm_summary(cdnow_sample, observation_end="1998-06-30", calibration_end="1997-09-30",
                          time_unit="D")
    in_days = cl.BetaGeo().fit(days, time_unit="D")
    with pytest.raises(ValueError, match=r"different time units \('BG/NBD' in weeks, 'days' in days\)"):
        compare_models({"BG/NBD": models["BG/NBD"], "days": in_days}, days)


def test_summary_without_holdout_is_refused(models, cdnow_sample):
    whole = cl.rfm_summary(cdnow_sample, observation_end="1998-06-30", time_unit="W")
    with pytest.raises(ValueError, match="no holdout column .* pass calibration_end"):
        compare_models({"BG/NBD": models["BG/NBD"]}, whole)


def test_what_is_not_a_dict_of_purchase_models_is_refused(models, calibration):
    with pytest.raises(TypeError, match="must be a dict of fitted models"):
        compare_models([models["BG/NBD"]], calibration)
    with pytest.raises(TypeError, match=r"must be a dict of fitted models .* \(empty\)"):
        compare_models({}, calibration)
    repeat = calibration[calibration["frequency"] > 0]
    spend = cl.GammaGamma().fit(repeat)
    with pytest.raises(TypeError, match="model 'spend' must be a fitted model of repeat purchases"):
        compare_models({"spend": spend}, calibration)
    with pytest.raises(RuntimeError, match="not fitted yet"):
        compare_models({"BG/NBD": cl.BetaGeo()}, calibration)
