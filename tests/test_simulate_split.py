"""Pinned figures of the simulated company for two seeds.

The figures were computed from the simulator before it was split into one module per
table. They change whenever the stream of random draws changes (a draw added, removed
or moved, or the tables drawn in another order), so a refactoring that should leave the
data alone must leave these tests passing. A deliberate change of the generating process
updates the figures here, and says so.
"""

import pytest

import custlab as cl

PINNED = {
    (3000, 7): {
        "rows": {"customers": 3000, "events": 47940, "orders": 3386, "subscriptions": 423,
                 "surveys": 661, "complaints": 189},
        "amount": 103333.72,
        "returned": 233,
        "latent_types": {"browser": 1597, "discount-driven": 254, "impulsive": 181, "loyal": 247,
                         "occasional": 721},
        "plans": {"basic": 214, "plus": 151, "pro": 58},
        "nps": 4944, "csat": 2563, "days_to_resolve": 786.7,
        "kinds": {"business": 342, "individual": 2658},
        "incentive_groups": {"control": 438, "treatment": 415},
        "events": {"ad_impression": 7080, "add_to_cart": 4679, "newsletter_signup": 1076,
                   "product_view": 17033, "purchase": 3386, "referral": 234, "review": 333,
                   "support_contact": 189, "visit": 13930},
        "referred": 234, "alive_at_end": 1065,
    },
    (1500, 3): {
        "rows": {"customers": 1500, "events": 24640, "orders": 1835, "subscriptions": 211,
                 "surveys": 339, "complaints": 108},
        "amount": 54892.46,
        "returned": 131,
        "latent_types": {"browser": 806, "discount-driven": 148, "impulsive": 73, "loyal": 125,
                         "occasional": 348},
        "plans": {"basic": 110, "plus": 69, "pro": 32},
        "nps": 2531, "csat": 1314, "days_to_resolve": 508.0,
        "kinds": {"business": 192, "individual": 1308},
        "incentive_groups": {"control": 194, "treatment": 221},
        "events": {"ad_impression": 3499, "add_to_cart": 2473, "newsletter_signup": 530,
                   "product_view": 8763, "purchase": 1835, "referral": 117, "review": 178,
                   "support_contact": 108, "visit": 7137},
        "referred": 117, "alive_at_end": 511,
    },
}


def counts(series):
    return {k: int(v) for k, v in series.value_counts().sort_index().items()}


@pytest.fixture(scope="module", params=sorted(PINNED), ids=lambda k: f"n{k[0]}-seed{k[1]}")
def pinned_world(request):
    n, seed = request.param
    return cl.crm_world(n, random_state=seed), PINNED[request.param]


def test_row_counts(pinned_world):
    world, pin = pinned_world
    assert {name: len(table) for name, table in world.tables.items()} == pin["rows"]


def test_orders_people_and_subscriptions(pinned_world):
    world, pin = pinned_world
    assert round(float(world.orders["amount"].sum()), 2) == pin["amount"]
    assert int(world.orders["returned"].sum()) == pin["returned"]
    assert counts(world.truth.customers["latent_type"]) == pin["latent_types"]
    assert counts(world.customers["kind"]) == pin["kinds"]
    assert counts(world.customers["incentive_group"]) == pin["incentive_groups"]
    assert int(world.customers["referred_by"].notna().sum()) == pin["referred"]
    assert int(world.truth.customers["alive_at_end"].sum()) == pin["alive_at_end"]
    assert counts(world.subscriptions["plan"]) == pin["plans"]


def test_feedback_and_touchpoints(pinned_world):
    world, pin = pinned_world
    assert int(world.surveys["nps"].sum()) == pin["nps"]
    assert int(world.surveys["csat"].sum()) == pin["csat"]
    assert round(float(world.complaints["days_to_resolve"].sum()), 1) == pin["days_to_resolve"]
    assert counts(world.events["event_type"]) == pin["events"]


def test_latent_types_live_in_the_truth_only(pinned_world):
    world, _ = pinned_world
    assert "latent_type" not in world.customers.columns
    assert (world.truth.customers["customer_id"] == world.customers["customer_id"]).all()
