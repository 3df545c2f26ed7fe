import pandas as pd
import pytest

import custlab as cl


@pytest.fixture(scope="module")
def roles(world):
    return cl.customer_roles(
        world.orders, window=("2024-01-01", "2024-12-31"), events=world.events,
        subscriptions=world.subscriptions, consumer_col="consumer_id", returned_col="returned",
    )


def test_roles_nest(roles):
    assert list(roles.columns) == list(cl.ROLES)
    assert roles.index.is_monotonic_increasing and roles.index.is_unique
    assert (roles["client"] <= roles["buyer"]).all()
    assert (roles["buyer"] <= roles["contact"]).all()
    # Every row holds at least one role.
    assert roles.any(axis=1).all()


def test_buyers_are_exactly_those_who_bought_or_subscribed_in_the_window(world, roles):
    o = world.orders
    in_window = o[(o["date"] >= "2024-01-01") & (o["date"] < "2025-01-01")]
    s = world.subscriptions
    subs = s[(s["start_date"] <= "2024-12-31") & (s["end_date"].isna() | (s["end_date"] >= "2024-01-01"))]
    expected = set(in_window["customer_id"]) | set(subs["customer_id"])
    assert set(roles.index[roles["buyer"]]) == expected
    assert set(roles.index[roles["consumer"]]) == set(in_window["consumer_id"])


def test_a_purchase_log_cannot_show_contacts_or_consumers(cdnow_sample):
    r = cl.customer_roles(cdnow_sample, window=("1997-01-01", "1998-06-30"))
    assert r["contact"].isna().all() and r["consumer"].isna().all()
    counts = cl.role_counts(r)
    assert counts.loc["buyer", "people"] == 2357
    assert pd.isna(counts.loc["contact", "people"])
    table = cl.role_overlap(r)
    assert list(table.columns) == ["buyer", "client", "people"]
    assert table["people"].sum() == 2357


def test_clients_by_k_and_period_by_hand():
    tx = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b", "c"],
        "date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-02-01", "2024-03-01", "2024-03-30", "2024-05-05"]),
        "returned": [False, False, True, False, False, False],
    })
    window = ("2024-01-01", "2024-12-31")
    months = cl.customer_roles(tx, window=window, min_periods=2, period="M")
    assert months["client"].tolist() == [True, False, False]
    days = cl.customer_roles(tx, window=window, min_periods=2, period="D")
    assert days["client"].tolist() == [True, True, False]
    no_returns = cl.customer_roles(tx, window=window, min_periods=2, returns="exclude", returned_col="returned")
    assert no_returns["client"].tolist() == [False, False, False]
    narrow = cl.customer_roles(tx, window=("2024-03-01", "2024-03-31"), min_periods=1)
    assert narrow.index.tolist() == ["b"]


def test_counts_fall_as_k_rises(world):
    table = cl.role_sensitivity(world.orders, grid={"min_periods": [1, 2, 3, 4]},
                                window=("2023-01-01", "2024-12-31"))
    assert table["client"].is_monotonic_decreasing
    assert (table["buyer"] == table["buyer"].iloc[0]).all()
    assert table.loc[0, "client"] == table.loc[0, "buyer"]


def test_overlap_adds_up(roles):
    table = cl.role_overlap(roles)
    assert table["people"].sum() == len(roles)
    assert table["people"].is_monotonic_decreasing


def test_bad_arguments(world):
    with pytest.raises(ValueError, match="min_periods"):
        cl.customer_roles(world.orders, window=("2024-01-01", "2024-12-31"), min_periods=0)
    with pytest.raises(ValueError, match="needs returned_col"):
        cl.customer_roles(world.orders, window=("2024-01-01", "2024-12-31"), returns="exclude")
    with pytest.raises(ValueError, match="ends .* before it starts"):
        cl.customer_roles(world.orders, window=("2024-12-31", "2024-01-01"))
    with pytest.raises(cl.SchemaError, match="no column 'buyer'"):
        cl.customer_roles(world.orders, window=("2024-01-01", "2024-12-31"), customer_col="buyer")
    with pytest.raises(ValueError, match="grid is empty"):
        cl.role_sensitivity(world.orders, grid={}, window=("2024-01-01", "2024-12-31"))
