import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import custlab as cl


def test_cdnow_sample_gives_the_published_calibration_summary(cdnow_sample):
    # Fader, Hardie & Lee (2005): 2,357 customers, 1,411 with no repeat purchase in weeks 1-39,
    # 2,457 repeat purchases in the calibration period and 1,882 in weeks 40-78.
    s = cl.rfm_summary(cdnow_sample, observation_end="1998-06-30", calibration_end="1997-09-30", time_unit="W")
    assert len(s) == 2357
    assert (s["frequency"] == 0).sum() == 1411
    assert s["frequency"].sum() == 2457
    assert s["frequency_holdout"].sum() == 1882
    assert s["duration_holdout"].unique().tolist() == [39.0]
    assert s["T"].max() == pytest.approx(38.857, abs=1e-3)  # first purchase on 1997-01-01
    assert list(s.columns) == ["customer_id", "frequency", "recency", "T", "monetary_value",
                               "frequency_holdout", "monetary_value_holdout", "duration_holdout"]
    # Gamma-Gamma is fitted on the repeat buyers: 946 of them in the calibration period.
    assert (s["frequency"] > 0).sum() == 946


def test_small_example_by_hand():
    tx = pd.DataFrame({
        "cid": ["x", "x", "x", "x", "y"],
        "when": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 18:00", "2024-01-15 00:00", "2024-02-12 00:00", "2024-01-08 00:00"]),
        "paid": [5.0, 5.0, 20.0, 40.0, 8.0],
    })
    s = cl.rfm_summary(tx, customer_col="cid", date_col="when", amount_col="paid",
                       observation_end="2024-02-26", time_unit="D")
    x = s.set_index("cid").loc["x"]
    assert (x["frequency"], x["recency"], x["T"], x["monetary_value"]) == (2, 42.0, 56.0, 30.0)
    s_rows = cl.rfm_summary(tx, customer_col="cid", date_col="when", amount_col="paid",
                            observation_end="2024-02-26", time_unit="D", merge_same_day=False)
    x = s_rows.set_index("cid").loc["x"]
    assert (x["frequency"], x["monetary_value"]) == (3, pytest.approx(65 / 3))


def test_months_work(cdnow_sample):
    s = cl.rfm_summary(cdnow_sample, observation_end="1998-06-30", time_unit="M")
    first = cdnow_sample.groupby("customer_id")["date"].min()
    one = s.set_index("customer_id").loc[first.idxmin()]
    assert one["T"] == pytest.approx(17 + 29 / 30)  # 1997-01-01 to 1998-06-30
    assert (s["recency"] <= s["T"]).all()


def test_pandas_and_polars_give_the_same_table(cdnow_sample):
    kw = dict(observation_end="1998-06-30", calibration_end="1997-09-30", time_unit="M")
    a = cl.rfm_summary(cdnow_sample, **kw)
    b = cl.rfm_summary(pl.from_pandas(cdnow_sample), **kw)
    assert isinstance(b, pl.DataFrame)
    pd.testing.assert_frame_equal(a, b.to_pandas(), check_dtype=False)


def test_errors():
    tx = pd.DataFrame({"customer_id": [1], "date": ["2024-01-01"], "amount": [1.0]})
    with pytest.raises(ValueError, match="not dates.*validate_transactions"):
        cl.rfm_summary(tx, observation_end="2024-12-31")
    tx["date"] = pd.to_datetime(tx["date"])
    with pytest.raises(ValueError, match="after observation_end"):
        cl.rfm_summary(tx, observation_end="2023-12-31")
    with pytest.raises(ValueError, match="calibration_end .* is after observation_end"):
        cl.rfm_summary(tx, observation_end="2024-12-31", calibration_end="2025-01-01")
    with pytest.raises(ValueError, match="time_unit='Q'"):
        cl.rfm_summary(tx, observation_end="2024-12-31", time_unit="Q")
    with pytest.raises(ValueError, match="no column 'spend'"):
        cl.rfm_summary(tx, observation_end="2024-12-31", amount_col="spend")
    with pytest.raises(TypeError, match="pandas or Polars"):
        cl.rfm_summary([1, 2], observation_end="2024-12-31")


purchase = st.tuples(st.integers(0, 5), st.integers(0, 400), st.floats(0, 500).map(lambda v: round(v, 2)))


@settings(max_examples=60, deadline=None)
@given(st.lists(purchase, min_size=1, max_size=60), st.sampled_from(["D", "W", "M"]),
       st.booleans())
def test_property_summary_invariants(rows, unit, calibrate):
    tx = pd.DataFrame(rows, columns=["customer_id", "day", "amount"])
    tx["date"] = pd.Timestamp("2023-01-01") + pd.to_timedelta(tx["day"], unit="D")
    end = pd.Timestamp("2024-03-01")
    cal = pd.Timestamp("2023-07-01") if calibrate else None
    if cal is not None and (tx["date"] > cal).all():
        return
    s = cl.rfm_summary(tx, observation_end=end, calibration_end=cal, time_unit=unit)
    cal_tx = tx if cal is None else tx[tx["date"] <= cal]
    days = cal_tx.groupby("customer_id")["date"].nunique()
    assert s["customer_id"].tolist() == sorted(days.index)
    assert (s["frequency"].to_numpy() < days.to_numpy()).all()
    assert (s["frequency"].to_numpy() == days.to_numpy() - 1).all()
    assert (s["recency"] >= 0).all() and (s["recency"] <= s["T"] + 1e-12).all()
    assert ((s["frequency"] == 0) == (s["recency"] == 0)).all()
    assert ((s["frequency"] == 0) <= (s["monetary_value"] == 0)).all()
    if cal is not None:
        hold = tx[tx["date"] > cal].groupby("customer_id")["date"].nunique()
        assert s["frequency_holdout"].sum() == hold.reindex(s["customer_id"]).fillna(0).sum()
    # Polars gives the same numbers.
    p = cl.rfm_summary(pl.from_pandas(tx), observation_end=end, calibration_end=cal, time_unit=unit)
    np.testing.assert_allclose(p.to_pandas().to_numpy(float), s.to_numpy(float))


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Asia/Ho_Chi_Minh"])
def test_dates_with_a_time_zone_keep_their_wall_clock_day(zone):
    # 00:30 in Berlin is the evening before in UTC: the purchase still belongs to its Berlin day. Zone names
    # with an underscore are not recognised by narwhals in a pandas dtype; they must work all the same.
    naive = pd.DataFrame({"customer_id": [1, 1], "date": pd.to_datetime(["2024-01-01 00:30", "2024-01-08 00:30"]),
                          "amount": [5.0, 7.0]})
    aware = naive.assign(date=naive["date"].dt.tz_localize(zone))
    expected = cl.rfm_summary(naive, observation_end="2024-01-29", time_unit="D")
    pd.testing.assert_frame_equal(cl.rfm_summary(aware, observation_end="2024-01-29", time_unit="D"), expected)
    assert expected[["frequency", "recency", "T"]].iloc[0].tolist() == [1, 7.0, 28.0]
    got = cl.rfm_summary(pl.from_pandas(aware), observation_end="2024-01-29", time_unit="D").to_pandas()
    assert got[["frequency", "recency", "T"]].iloc[0].tolist() == [1, 7.0, 28.0]
