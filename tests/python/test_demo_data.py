"""The demo generator: deterministic, XDM-shaped, with the planted behaviour and the bad rows it documents."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from customer_ai import demo_data as dd


@pytest.fixture(scope="module")
def block():
    return dd.simulate_block(dd.DemoSettings(n_profiles=dd.BLOCK_SIZE, seed=7), 0)


def _table(settings: dd.DemoSettings) -> pa.Table:
    return pa.Table.from_batches(list(dd.iter_xdm_batches(settings)))


def test_same_seed_gives_the_same_events():
    settings = dd.DemoSettings(n_profiles=300, seed=11)
    assert _table(settings).equals(_table(settings))


def test_another_seed_gives_other_events():
    a = _table(dd.DemoSettings(n_profiles=300, seed=11))
    b = _table(dd.DemoSettings(n_profiles=300, seed=12))
    assert not a.equals(b)


def test_profiles_are_stable_when_the_demo_grows():
    """The first block of a larger demo is the same as a demo of one block."""
    small = dd.simulate_block(dd.DemoSettings(n_profiles=200, seed=3), 0)
    large = dd.simulate_block(dd.DemoSettings(n_profiles=12_000, seed=3), 0)
    assert small.profile_index.max() == 199
    # the simulated block size differs (200 vs 5000 profiles), but blocks are seeded by index, not size:
    assert dd.simulate_block(dd.DemoSettings(n_profiles=12_000, seed=3), 2).profile_index.min() == 10_000
    assert large.profile_index.max() == dd.BLOCK_SIZE - 1


def test_every_documented_event_type_and_field_group_is_present():
    table = _table(dd.DemoSettings(n_profiles=400, seed=5))
    event_types = set(pc.unique(table["eventType"].drop_null()).to_pylist())
    assert set(dd.EVENT_TYPES) <= event_types
    assert len(event_types) >= 8
    for column in (
        "_id",
        "timestamp",
        "identityMap",
        "endUserIDs",
        "commerce",
        "productListItems",
        "web",
        "directMarketing",
        "application",
        "marketing",
        "channel",
    ):
        assert column in table.column_names
    purchases = pc.field("commerce", "purchases", "value")
    bought = table.filter(pc.equal(purchases, 1.0))
    assert bought.num_rows > 0
    assert pc.min(pc.struct_field(pc.struct_field(bought["commerce"], "order"), "priceTotal")).as_py() > 0
    assert bought["productListItems"].null_count == 0


def test_some_events_carry_only_the_measure():
    table = _table(dd.DemoSettings(n_profiles=400, seed=5))
    share = table["eventType"].null_count / table.num_rows
    assert 0.10 < share < 0.20


def test_bad_rows_of_every_kind_are_planted():
    table = _table(dd.DemoSettings(n_profiles=2_000, seed=5)).to_pandas()
    no_map = table["identityMap"].map(lambda m: not m)
    no_mcid = table["endUserIDs"].isna()
    assert (no_map & no_mcid).sum() > 0, "rows without identity"
    assert table["timestamp"].isna().sum() > 0, "rows without timestamp"
    assert (table["timestamp"] == "not a timestamp").sum() > 0, "unparseable timestamps"
    assert table["timestamp"].fillna("").str.startswith("2099").sum() > 0, "future timestamps"
    assert table["_id"].duplicated().sum() > 0, "duplicate _id"
    quantities = table["productListItems"].dropna().map(lambda items: min(i["quantity"] for i in items))
    assert (quantities < 0).sum() > 0, "negative quantities"
    bad_share = (no_map & no_mcid).mean() + table["timestamp"].isna().mean()
    assert bad_share < 0.02


def _profile_day_counts(sim: dd.SimulatedBlock, code: int, days: int) -> np.ndarray:
    mask = sim.event_code == code
    day = ((sim.epoch_ms[mask] // 1000) - int(np.datetime64("2025-01-01", "s").astype(np.int64))) // 86_400
    counts = np.zeros((dd.BLOCK_SIZE, days + 2), dtype=np.int32)
    np.add.at(counts, (sim.profile_index[mask], np.clip(day, 0, days + 1)), 1)
    return counts


def _purchase_rate_after(sim, cut_day: int, group: np.ndarray, days: int) -> float:
    purchases = _profile_day_counts(sim, dd.PURCHASE, days)
    bought = purchases[:, cut_day + 1 : cut_day + 31].sum(axis=1) > 0
    return bought[group].mean()


def test_recent_product_views_raise_the_chance_of_a_purchase(block):
    days = dd.DEMO_DAYS
    views = _profile_day_counts(block, dd.PRODUCT_VIEW, days)
    rates = []
    for cut in (200, 260, 320):
        viewed = views[:, cut - 6 : cut + 1].sum(axis=1) > 0
        rates.append((_purchase_rate_after(block, cut, viewed, days), _purchase_rate_after(block, cut, ~viewed, days)))
    for with_views, without in rates:
        assert with_views > 2 * without, rates


def test_recent_email_clicks_raise_the_chance_of_a_purchase(block):
    days = dd.DEMO_DAYS
    clicks = _profile_day_counts(block, dd.EMAIL_CLICKED, days)
    opens = _profile_day_counts(block, dd.EMAIL_OPENED, days)
    cut = 300
    clicked = clicks[:, cut - 13 : cut + 1].sum(axis=1) > 0
    opened_only = (opens[:, cut - 13 : cut + 1].sum(axis=1) > 0) & ~clicked
    assert _purchase_rate_after(block, cut, clicked, days) > 1.5 * _purchase_rate_after(block, cut, opened_only, days)


def test_a_falling_visit_rate_precedes_churn(block):
    """Churners visit less in the 30 days before they churn than 60-120 days before, and not at all after."""
    days = dd.DEMO_DAYS
    views = _profile_day_counts(block, dd.PAGE_VIEW, days)[:, :days]
    fading = block.churn_cause == dd.CHURN_FADING
    churners = np.flatnonzero(fading & (block.churn_day >= 150) & (block.churn_day < days - 30))
    late = np.array([views[p, block.churn_day[p] - 30 : block.churn_day[p]].sum() for p in churners])
    early = np.array([views[p, block.churn_day[p] - 120 : block.churn_day[p] - 60].sum() / 2 for p in churners])
    after = np.array([views[p, block.churn_day[p] :].sum() for p in churners])
    assert churners.size > 200
    assert late.mean() < 0.6 * early.mean(), (late.mean(), early.mean())
    assert after.sum() == 0


def _churned_within(sim, day_counts: np.ndarray, cut: int, days: int = 30) -> np.ndarray:
    """Profiles active in the 30 days up to the cut with no visit in the `days` after it."""
    views = _profile_day_counts(sim, dd.PAGE_VIEW, dd.DEMO_DAYS) + _profile_day_counts(sim, dd.APP_LAUNCH, dd.DEMO_DAYS)
    active = views[:, cut - 29 : cut + 1].sum(axis=1) + day_counts[:, cut - 29 : cut + 1].sum(axis=1) > 0
    gone = views[:, cut + 1 : cut + 1 + days].sum(axis=1) == 0
    return active, gone


def test_recent_app_crashes_raise_the_chance_of_churn(block):
    crashes = _profile_day_counts(block, dd.APP_CRASH, dd.DEMO_DAYS)
    for cut in (200, 300):
        active, gone = _churned_within(block, crashes, cut)
        crashed = crashes[:, cut - 13 : cut + 1].sum(axis=1) > 0
        assert crashed.sum() > 15
        assert gone[active & crashed].mean() > 0.7
        assert gone[active & crashed].mean() > 3 * gone[active & ~crashed].mean()
    # crash churners stop abruptly: no fall of the visit rate before the day they leave
    assert (block.churn_cause == dd.CHURN_CRASH).sum() > 100


def test_an_unsubscribe_is_followed_by_churn_and_no_more_email(block):
    unsubscribes = _profile_day_counts(block, dd.EMAIL_UNSUBSCRIBED, dd.DEMO_DAYS)
    sent = _profile_day_counts(block, dd.EMAIL_SENT, dd.DEMO_DAYS)
    first = np.where(unsubscribes.any(axis=1), unsubscribes.argmax(axis=1), -1)
    left = np.flatnonzero(first >= 0)
    assert left.size > 50
    assert all(sent[p, first[p] + 1 :].sum() == 0 for p in left)
    cut = 300
    active, gone = _churned_within(block, unsubscribes, cut)
    recent = unsubscribes[:, cut - 13 : cut + 1].sum(axis=1) > 0
    assert gone[active & recent].mean() > 0.7
    assert gone[active & recent].mean() > 3 * gone[active & ~recent].mean()


def test_replenishment_buyers_buy_on_a_cycle(block):
    purchases = _profile_day_counts(block, dd.PURCHASE, dd.DEMO_DAYS)
    alive_all_year = block.churn_day > dd.DEMO_DAYS
    replenishers = np.flatnonzero(block.replenisher & alive_all_year)
    others = np.flatnonzero(~block.replenisher & alive_all_year)
    per_year = purchases[:, 200:365].sum(axis=1)
    assert replenishers.size > 50
    # a purchase every 18-28 days: about 6-9 in 165 days
    assert np.median(per_year[replenishers]) >= 5
    assert per_year[replenishers].mean() > 2 * per_year[others].mean()


def test_high_value_segment_spends_more_per_order(block):
    purchases = block.event_code == dd.PURCHASE
    value = block.order_value[purchases]
    segment = block.segment[purchases]
    assert value[segment == 1].mean() > 3 * value[segment != 1].mean()


def test_size_parameter_scales_profiles_and_events():
    settings = dd.DemoSettings(n_profiles=1_000, seed=9)
    table = _table(settings)
    ids = set()
    for m in table["identityMap"].to_pylist():
        if m:
            ids.add(m[0][1][0]["id"])
    assert 950 <= len(ids) <= 1_000
    assert 40 * 1_000 < table.num_rows < 100 * 1_000


@pytest.mark.parametrize("bad", [{"n_profiles": 0}, {"days": 10}, {"bad_row_share": 0.7}])
def test_settings_reject_nonsense(bad):
    with pytest.raises(ValueError):
        dd.DemoSettings(**bad)
