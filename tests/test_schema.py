import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import custlab as cl
from custlab.schema import REJECT_REASONS


def frame(**cols):
    return pd.DataFrame(cols)


def test_report_accounts_for_every_row_and_names_reasons():
    raw = frame(
        customer_id=["a", "a", None, "b", "c", "c", "d", " ", "e"],
        date=["2024-01-02", "2024-02-30", "2024-01-05", "2024-03-01", "2024-03-01", "2024-03-01",
              "2025-01-01", "2024-01-01", None],
        amount=[10.0, "5", "x", -3, 0, 0, "inf", 2, 4],
    )
    clean, report = cl.validate_transactions(raw, observation_end="2024-12-31")
    assert report.rows_in == 9 == report.rows_accepted + report.rows_rejected
    assert report.rejected == {
        "missing_customer_id": 2, "missing_date": 1, "unparseable_date": 1,
        "non_finite_amount": 1, "negative_amount": 1,
    }
    assert report.kept == {"zero_amount": 2, "duplicate_row": 1}
    assert list(clean.index) == [0, 4, 5]
    assert clean["date"].dtype == "datetime64[ns]" and clean["amount"].dtype == float
    assert set(report.examples) == set(report.rejected)
    table = report.to_frame()
    assert table.loc[table["outcome"] == "total rows in", "rows"].item() == 9
    assert "accepted" in report._repr_html_()


def test_input_is_not_mutated():
    raw = frame(customer_id=[1, 2], date=["2024-01-01", "2024-01-02"], amount=["1", "2"])
    before = raw.copy()
    cl.validate_transactions(raw)
    pd.testing.assert_frame_equal(raw, before)


def test_missing_column_lists_columns_found_and_suggests():
    raw = frame(customer_id=[1], date=["2024-01-01"], Amount=[3])
    with pytest.raises(cl.SchemaError, match=r"no column 'amount' \(did you mean amount_col='Amount'\?\).*Columns found"):
        cl.validate_transactions(raw)


def test_empty_frame_is_an_error():
    with pytest.raises(cl.SchemaError, match="no rows"):
        cl.validate_transactions(frame(customer_id=[], date=[], amount=[]))


def test_all_rows_rejected_is_an_error_with_the_report():
    raw = frame(customer_id=[1, 2], date=["2024-01-01", "2024-01-02"], amount=["ten", "12,50"])
    with pytest.raises(cl.TransactionValidationError, match="All 2 rows were rejected") as err:
        cl.validate_transactions(raw)
    assert err.value.report.rejected == {"non_numeric_amount": 2}


def test_strict_names_column_problem_and_rows():
    raw = frame(customer_id=[1, 2, 3], date=["1997-02-01", "1997-02-02", "13/02/1997"], amount=[1, 2, 3])
    with pytest.raises(cl.TransactionValidationError,
                       match=r"(?s)Column .date.*unparseable_date.*13/02/1997.*ISO 8601.*date_format="):
        cl.validate_transactions(raw, strict=True)


def test_other_date_formats():
    raw = frame(customer_id=[1, 2], date=["01/02/1997", "13/02/1997"], amount=[1, 2])
    clean, report = cl.validate_transactions(raw, date_format="%d/%m/%Y")
    assert list(clean["date"]) == [pd.Timestamp("1997-02-01"), pd.Timestamp("1997-02-13")]
    # Only the day-first reading fits 13/02/1997, so it is used for the whole column, and said so.
    clean, report = cl.validate_transactions(raw)
    assert list(clean["date"]) == [pd.Timestamp("1997-02-01"), pd.Timestamp("1997-02-13")]
    assert any("day first" in n and "'13/02/1997'" in n for n in report.notes)
    # Asking for month first rejects the row that cannot be month first, and names the format.
    clean, report = cl.validate_transactions(raw, dayfirst=False)
    assert list(clean["date"]) == [pd.Timestamp("1997-01-02")]
    assert report.rejected == {"unparseable_date": 1}
    assert any("'%m/%d/%Y'" in n and "date_format=" in n for n in report.notes)
    clean, _ = cl.validate_transactions(frame(customer_id=[1], date=[19970101], amount=[3]))
    assert clean["date"].iloc[0] == pd.Timestamp("1997-01-01")


def test_time_zones_keep_wall_clock_or_convert_offsets():
    aware = pd.to_datetime(["2024-01-01 23:30", "2024-01-02 00:00"]).tz_localize("Europe/Warsaw")
    clean, report = cl.validate_transactions(frame(customer_id=[1, 2], date=aware, amount=[1, 2]))
    assert clean["date"].iloc[0] == pd.Timestamp("2024-01-01 23:30")
    assert any("Europe/Warsaw" in n for n in report.notes)
    offsets = ["2024-01-01T23:30:00+01:00", "2024-01-02T00:00:00Z"]
    clean, report = cl.validate_transactions(frame(customer_id=[1, 2], date=offsets, amount=[1, 2]))
    assert clean["date"].iloc[0] == pd.Timestamp("2024-01-01 22:30")


def test_duplicates_can_be_rejected():
    raw = frame(customer_id=[1, 1], date=["2024-01-01"] * 2, amount=[5, 5])
    clean, report = cl.validate_transactions(raw, duplicates="reject")
    assert len(clean) == 1 and report.rejected == {"duplicate_row": 1}


def test_after_observation_end_is_inclusive_of_the_last_day():
    raw = frame(customer_id=[1, 1], date=["2024-12-31 23:00", "2025-01-01 00:00"], amount=[5, 5])
    clean, report = cl.validate_transactions(raw, observation_end="2024-12-31")
    assert len(clean) == 1 and report.rejected == {"after_observation_end": 1}


row = st.fixed_dictionaries({
    "customer_id": st.one_of(st.none(), st.just(""), st.sampled_from(["a", "b", "c"])),
    "date": st.one_of(st.none(), st.just("not a date"), st.just("2024-02-30"),
                      st.dates(min_value=pd.Timestamp("2020-01-01").date(),
                               max_value=pd.Timestamp("2026-12-31").date()).map(str)),
    "amount": st.one_of(st.none(), st.just("abc"), st.just(float("inf")),
                        st.floats(-100, 1000, allow_nan=False).map(lambda v: round(v, 2))),
})


@settings(max_examples=150, deadline=None)
@given(st.lists(row, min_size=1, max_size=40), st.sampled_from(["keep", "reject"]))
def test_property_every_row_is_accounted_for(rows, duplicates):
    raw = pd.DataFrame(rows)
    try:
        clean, report = cl.validate_transactions(raw, observation_end="2025-12-31", duplicates=duplicates)
    except cl.TransactionValidationError as err:
        report, clean = err.report, raw.iloc[:0]
    assert report.rows_in == len(raw)
    assert report.rows_accepted + sum(report.rejected.values()) == len(raw)
    assert len(clean) == report.rows_accepted
    assert set(report.rejected) <= set(REJECT_REASONS)
    if len(clean):
        assert clean["customer_id"].notna().all()
        assert (clean["amount"] >= 0).all() and np.isfinite(clean["amount"]).all()
        assert (clean["date"] < pd.Timestamp("2026-01-01")).all()
