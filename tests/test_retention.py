import numpy as np
import pandas as pd
import pytest

import custlab as cl
from custlab.retention import life_table, subscription_lifetimes
from custlab.simulate import WorldParams
from custlab.units import whole_periods


def test_whole_calendar_months():
    s = pd.to_datetime(["2024-01-15", "2024-01-31", "2024-01-31", "2024-03-31", "2024-01-15"])
    e = pd.to_datetime(["2024-02-15", "2024-02-29", "2024-03-01", "2024-04-30", "2024-02-14"])
    whole, partial = whole_periods(s, e, "M")
    assert whole.tolist() == [1, 1, 1, 1, 0]
    assert partial.tolist() == [False, False, True, False, True]
    whole, partial = whole_periods(s[:1], e[:1], "W")
    assert (whole.tolist(), partial.tolist()) == ([4], [True])


def test_lifetimes_and_life_table_by_hand():
    subs = pd.DataFrame({
        "customer_id": [1, 2, 3, 4],
        "start_date": pd.to_datetime(["2024-01-10", "2024-01-10", "2024-02-01", "2024-05-20"]),
        "end_date": pd.to_datetime(["2024-02-10", "2024-03-20", None, None]),
    })
    lt = subscription_lifetimes(subs, observation_end="2024-06-30")
    assert lt["periods"].tolist() == [1, 3, 5, 1]
    assert lt["churned"].tolist() == [True, True, False, False]
    table = life_table(lt["periods"], lt["churned"])
    assert table["at_risk"].tolist() == [4, 2, 2, 1, 1]
    assert table["lost"].tolist() == [1, 0, 1, 0, 0]
    assert table["survival"].iloc[-1] == pytest.approx(0.75 * 0.5)


def test_bad_subscriptions():
    subs = pd.DataFrame({"customer_id": [1], "start_date": pd.to_datetime(["2024-03-01"]),
                         "end_date": pd.to_datetime(["2024-02-01"])})
    with pytest.raises(ValueError, match="end before they start"):
        subscription_lifetimes(subs, observation_end="2024-06-30")
    with pytest.raises(ValueError, match="start after observation_end"):
        subscription_lifetimes(subs.assign(end_date=pd.NaT), observation_end="2024-01-31")


def test_sbg_recovers_each_plan_from_the_simulated_subscriptions():
    prm = WorldParams(subscription_share=1.0)
    world = cl.crm_world(20_000, random_state=2, params=prm)
    lt = subscription_lifetimes(world.subscriptions, observation_end=world.end)
    for plan, group in lt.groupby("plan"):
        model = cl.ShiftedBetaGeo().fit_individual(group["periods"], group["churned"])
        z = (model.params_.to_numpy() - np.array(prm.sbg[plan])) / model.standard_errors_.to_numpy()
        assert (np.abs(z) < 2.5).all(), (plan, z)
