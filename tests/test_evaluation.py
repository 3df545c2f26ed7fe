import numpy as np
import pytest

import custlab as cl


@pytest.fixture(scope="module")
def fitted(cdnow_sample):
    s = cl.rfm_summary(cdnow_sample, observation_end="1998-06-30", calibration_end="1997-09-30")
    return s, cl.BetaGeo().fit(s)


def test_tracking_counts_every_repeat_purchase(cdnow_sample, fitted):
    summary, model = fitted
    table = cl.tracking_table(cdnow_sample, model, calibration_end="1997-09-30", observation_end="1998-06-30")
    assert len(table) == 78 and table["calibration"].sum() == 39
    assert table["actual"].sum() == summary["frequency"].sum() + summary["frequency_holdout"].sum() == 4339
    assert table.loc[table["calibration"], "actual"].sum() == 2457
    # The expected cumulative curve is the sum of each customer's E[X(t)].
    first = cdnow_sample.groupby("customer_id")["date"].min()
    t78 = ((np.datetime64("1998-07-01") - first.to_numpy()) / np.timedelta64(7, "D")).astype(float)
    assert table["expected_cumulative"].iloc[-1] == pytest.approx(model.expected_purchases(t78).sum())
    assert np.all(np.diff(table["expected_cumulative"]) >= 0)


def test_histogram_and_chi_square(fitted):
    summary, model = fitted
    check = cl.repeat_purchase_histogram(summary, model)
    assert check.table["actual"].sum() == 2357
    assert check.table["expected"].sum() == pytest.approx(2357)
    assert check.table["actual"].iloc[0] == 1411
    assert check.degrees_of_freedom == 3 and 0 < check.p_value < 1
    # The probabilities behind the expected counts are a distribution with the model's mean.
    p = model.probability_of_purchases(np.arange(300), 39.0)
    assert p.sum() == pytest.approx(1) and np.dot(np.arange(300), p) == pytest.approx(model.expected_purchases(39))


def test_conditional_expectations(fitted):
    summary, model = fitted
    table = cl.conditional_expectations(summary, model)
    assert table["customers"].sum() == 2357
    assert table["repeat_purchases"].tolist()[-1] == "7+"
    assert table["expected"].is_monotonic_increasing
    with pytest.raises(ValueError, match="calibration_end"):
        cl.conditional_expectations(summary.drop(columns="frequency_holdout"), model)


def test_compare_with_published():
    import pandas as pd

    table = cl.evaluation.compare_with_published(pd.Series({"r": 0.24259, "LL": -9582.43}),
                                                 {"r": 0.243, "LL": -9582.5}, decimals={"r": 3, "LL": 1})
    assert table["match"].tolist() == [True, False]


def test_evaluation_plots(cdnow_sample, fitted):
    summary, model = fitted
    table = cl.tracking_table(cdnow_sample, model, calibration_end="1997-09-30", observation_end="1998-06-30")
    ax = cl.plot_tracking(table, cumulative=True)
    assert [line.get_label() for line in ax.get_lines()[:2]] == ["actual", "expected"]
    assert ax.get_lines()[0].get_ydata()[-1] == 4339
    ax = cl.plot_repeat_histogram(cl.repeat_purchase_histogram(summary, model))
    assert len(ax.patches) == 16
    ax = cl.plot_conditional_expectations(cl.conditional_expectations(summary, model))
    assert len(ax.get_lines()) == 2


def test_p_alive_matrix_and_heatmap(fitted):
    _, model = fitted
    m = cl.evaluation.p_alive_matrix(model, T=39, max_frequency=10)
    # A round step (2 weeks) from 0 to 38: 20 columns.
    assert m.shape == (11, 20) and m.columns[1] == 2.0 and m.attrs["time_unit"] == "weeks"
    # Impossible cells are blank: repeat purchases at recency 0, and recency > 0 without a repeat purchase.
    assert np.isnan(m.iloc[3, 0]) and m.iloc[0, 0] == 1.0 and m.iloc[0, 1:].isna().all()
    # For a frequent buyer, a more recent last purchase means more likely alive.
    assert (np.diff(m.iloc[5, 1:].to_numpy()) > 0).all()
    ax = cl.plot_p_alive_matrix(m)
    assert ax.get_ylabel() == "repeat purchases" and len(ax.collections) == 1
    assert "weeks" in ax.get_xlabel()
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks and all(len(t) <= 3 for t in ticks), ticks
