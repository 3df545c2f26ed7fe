import pandas as pd
import pytest

from custlab.units import elapsed, normalize_unit, period_index, unit_label


def test_unit_spellings():
    assert [normalize_unit(u) for u in ("days", "W", "month", "Monthly")] == ["D", "W", "M", "M"]
    assert unit_label("w") == "weeks"
    with pytest.raises(ValueError, match="'D' \\(days\\), 'W' \\(weeks\\) or 'M'"):
        normalize_unit("fortnight")


def test_elapsed_in_each_unit():
    s = pd.Series(pd.to_datetime(["2024-01-01", "2024-02-01", "2023-12-15"]))
    e = pd.Series(pd.to_datetime(["2024-01-15", "2024-03-01", "2024-01-15"]))
    assert elapsed(s, e, "D").tolist() == [14, 29, 31]
    assert elapsed(s, e, "W").tolist() == [2, 29 / 7, 31 / 7]
    # Calendar months: a whole month is 1 whatever its length; parts are counted in that month's days.
    months = elapsed(s, e, "M")
    assert months[1] == 1.0
    assert months[0] == pytest.approx(14 / 31)
    assert months[2] == pytest.approx(1 - 14 / 31 + 14 / 31)


def test_period_index():
    d = pd.Series(pd.to_datetime(["2024-01-20", "2024-01-31", "2024-02-01", "2024-03-31"]))
    assert period_index(d, "2024-01-20", "M").tolist() == [0, 0, 1, 2]
    assert period_index(d, "2024-01-20", "W").tolist() == [0, 1, 1, 10]
