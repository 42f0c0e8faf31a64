"""Deterministic generator of XDM-shaped experience events: the project's built-in demo data.

The demo is what `dbt build` runs on when no source is configured. It is generated, not downloaded, and the
same ``seed`` and ``n_profiles`` always give the same rows (profiles are simulated in fixed-size blocks, each
seeded from ``(seed, block index)``, so the first 20,000 profiles of a 1,000,000-profile run are the 20,000 of a
20,000-profile run).

Behaviour planted for the models to learn (documented here so tests and reviewers can check for it):

* **Purchase intent.** Each profile now and then starts shopping for something: an *intent episode* of one to
  three weeks of browsing (more visits, product views, cart adds, no purchase yet) followed by a buying phase
  in which each day with a visit may end in a purchase. So *recent product views and cart adds raise the chance
  of a purchase* in the following weeks. How often a profile starts an episode is a lasting trait, so past
  purchases predict future ones too.
* **Email clicks start intent.** A click on a marketing email makes an intent episode much more likely the next
  day, so *recent email clicks raise the chance of a purchase*.
* **Replenishment buyers.** 8 % of profiles buy a consumable on a cycle of 18 to 28 days, straight from a
  visit, without browsing first. *Several purchases in the last 90 days and the time since the last one* predict
  their next purchase.
* **Email clicks lead to a purchase.** A click on a marketing email schedules, for 95 % of clickers, a purchase
  3 to 28 days later (a visit from the email's link that ends in an order), so *a recent email click raises the
  chance of a purchase* even before any browsing.
* **Churn is preceded by a falling visit rate.** About half the profiles churn at some day of their life. In the
  45 days before that day their visit rate falls linearly to zero; afterwards they neither visit nor open email
  (marketing emails keep being sent, as in real life).
* **Churn after app crashes.** 70 % of app users have a device on which the app crashes now and then (on 5 % of
  their visit days); 90 % of them leave the day after a crash. So *a recent app crash raises the chance of churn*,
  with no fall of the visit rate before it.
* **Churn after an unsubscribe.** 8 % of the profiles who open a campaign email unsubscribe instead of clicking;
  90 % of those stop visiting within three days, and no more email is sent to them.
* **A high-value segment.** 15 % of profiles are ``high_value``: order values about four times the others'.
  25 % are ``browsers``: many page views, few purchases.

Each planted kind of customer gives the propensity models a different reason for a high score, so the reason-code
segments of a prediction's high bucket are several audiences, not one.

About 1 % of the rows are deliberately bad, so that the quarantine in staging is exercised: no identity, missing
or unparseable timestamps, timestamps in the future, duplicated ``_id`` values and negative item quantities.
About 15 % of the good events carry no ``eventType`` and only the measure (``commerce.purchases.value = 1``),
as real Adobe Experience Platform exports do.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Profiles are simulated in blocks of this size; it is part of the determinism contract (see module docstring).
BLOCK_SIZE = 5_000

DEMO_START = dt.date(2025, 1, 1)
DEMO_DAYS = 396  # 13 months: 2025-01-01 .. 2026-01-31

# Event type codes used inside the generator, with their XDM eventType values.
EVENT_TYPES: tuple[str, ...] = (
    "web.webpagedetails.pageViews",  # 0
    "commerce.productViews",  # 1
    "commerce.productListAdds",  # 2
    "commerce.checkouts",  # 3
    "commerce.purchases",  # 4
    "directMarketing.emailSent",  # 5
    "directMarketing.emailOpened",  # 6
    "directMarketing.emailClicked",  # 7
    "application.launch",  # 8
    "application.crashes",  # 9
    "directMarketing.emailUnsubscribed",  # 10
)
(
    PAGE_VIEW,
    PRODUCT_VIEW,
    LIST_ADD,
    CHECKOUT,
    PURCHASE,
    EMAIL_SENT,
    EMAIL_OPENED,
    EMAIL_CLICKED,
    APP_LAUNCH,
    APP_CRASH,
    EMAIL_UNSUBSCRIBED,
) = range(11)
EMAIL_CODES = (EMAIL_SENT, EMAIL_OPENED, EMAIL_CLICKED, EMAIL_UNSUBSCRIBED)
APP_CODES = (APP_LAUNCH, APP_CRASH)
# Why a profile churned (SimulatedBlock.churn_cause): kept for tests of the planted effects.
NO_CHURN, CHURN_FADING, CHURN_CRASH, CHURN_UNSUBSCRIBE = range(4)

SEGMENTS: tuple[str, ...] = ("regular", "high_value", "browser")
PAGES: tuple[str, ...] = ("home", "category", "product", "cart", "search", "account", "help", "blog")
SKUS: int = 400


@dataclass(frozen=True)
class DemoSettings:
    """What the generator needs; defaults give the documented demo (20,000 profiles, about 1.3M events)."""

    n_profiles: int = 20_000
    seed: int = 42
    start: dt.date = DEMO_START
    days: int = DEMO_DAYS
    bad_row_share: float = 0.01

    def __post_init__(self) -> None:
        if self.n_profiles < 1:
            raise ValueError(f"n_profiles must be at least 1, got {self.n_profiles}")
        if self.days < 30:
            raise ValueError(f"days must be at least 30, got {self.days}")
        if not 0 <= self.bad_row_share < 0.5:
            raise ValueError(f"bad_row_share must be in [0, 0.5), got {self.bad_row_share}")


@dataclass(frozen=True)
class SimulatedBlock:
    """Flat, columnar events of one block of profiles, before they are shaped as XDM."""

    profile_index: np.ndarray  # int64, global profile number
    event_code: np.ndarray  # int8, index into EVENT_TYPES
    epoch_ms: np.ndarray  # int64, event time in UTC milliseconds
    session_number: np.ndarray  # int64, -1 for email events
    order_value: np.ndarray  # float64, NaN when not a purchase
    quantity: np.ndarray  # int64, 0 when no items
    sku: np.ndarray  # int64, -1 when no product
    page: np.ndarray  # int8, index into PAGES, -1 when no page
    segment: np.ndarray  # int8 per event: the profile's segment (kept for tests of planted effects)
    churn_day: np.ndarray  # int64 per profile of the block: day index of churn (beyond the window if none)
    churn_cause: np.ndarray  # int8 per profile of the block: NO_CHURN, CHURN_FADING, CHURN_CRASH, CHURN_UNSUBSCRIBE
    replenisher: np.ndarray  # bool per profile of the block: buys on a cycle


def _block_rng(seed: int, block: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, block]))


def simulate_block(settings: DemoSettings, block: int) -> SimulatedBlock:
    """Simulate the day-by-day behaviour of one block of profiles and expand it into events."""
    rng = _block_rng(settings.seed, block)
    first = block * BLOCK_SIZE
    n = min(BLOCK_SIZE, settings.n_profiles - first)
    days = settings.days

    # --- profile traits -------------------------------------------------------------------------------------
    segment = rng.choice(3, size=n, p=[0.60, 0.15, 0.25]).astype(np.int8)
    # Signed up before the window (day 0) for 40 %, otherwise at a uniform day of the first 11 months.
    signup = np.where(rng.random(n) < 0.4, 0, rng.integers(0, days - 60, size=n))
    # Visits follow a habit: about one every `period` days (3 to 20), plus a few unplanned ones.
    period = np.clip(np.round(rng.lognormal(mean=np.log(12.0), sigma=0.4, size=n)), 3, 20).astype(np.int64)
    period = np.where(segment == 2, np.maximum(period // 2, 3), period)
    phase = rng.integers(0, 1_000, size=n)
    base_rate = 1.0 / period + 0.01
    churns = rng.random(n) < 0.6
    churn_day = np.where(churns, signup + rng.integers(30, days + 30, size=n), days + 10_000)
    app_user = rng.random(n) < 0.35
    # How often a profile starts shopping for something: a lasting trait, so past purchases predict future ones.
    intent_start = rng.lognormal(mean=np.log(0.004), sigma=0.6, size=n) * np.where(segment == 2, 0.7, 1.0)
    spend_scale = rng.lognormal(np.where(segment == 1, np.log(220.0), np.log(55.0)), 0.35)
    # chance that a day with a visit in the buying phase ends in a purchase
    daily_buy_prob = np.where(segment == 2, 0.4, 0.75)
    # Replenishment buyers: a purchase every `cycle` days while alive, straight from a visit.
    replenisher = rng.random(n) < 0.08
    cycle = rng.integers(18, 29, size=n)
    cycle_phase = rng.integers(0, 1_000, size=n)
    # App users on a device where the app crashes now and then.
    crash_prone = app_user & (rng.random(n) < 0.7)
    crash_rate = np.where(crash_prone, 0.05, 0.003)  # chance of a crash on a day with a visit
    churn_cause = np.where(churns, CHURN_FADING, NO_CHURN).astype(np.int8)

    # --- day-by-day simulation (vectorized over the block's profiles) ----------------------------------------
    # An intent episode is a browsing phase (5-20 days of visits and product views, no purchase) followed by a
    # buying phase (up to 12 days) in which each day with a visit may end in a purchase, which ends the episode.
    sessions = np.zeros((n, days), dtype=np.int16)
    intent_on = np.zeros((n, days), dtype=bool)
    bought = np.zeros((n, days), dtype=bool)
    email_sent = np.zeros((n, days), dtype=bool)
    email_opened = np.zeros((n, days), dtype=bool)
    email_clicked = np.zeros((n, days), dtype=bool)
    email_unsubscribed = np.zeros((n, days), dtype=bool)
    crashed = np.zeros((n, days), dtype=bool)
    browse_left = np.zeros(n, dtype=np.int16)
    buy_left = np.zeros(n, dtype=np.int16)
    unsubscribed = np.zeros(n, dtype=bool)
    promo_day = np.full(n, -1, dtype=np.int64)  # the day an email click's purchase is due
    campaign_days = set(range(3, days, 21))
    for d in range(days):
        signed_up = d >= signup
        alive = signed_up & (d < churn_day)
        idle = (browse_left == 0) & (buy_left == 0)
        starts = alive & idle & (rng.random(n) < intent_start)
        browse_left = np.where(starts, rng.integers(7, 19, size=n), browse_left).astype(np.int16)
        browsing = alive & (browse_left > 0)
        buying = alive & (buy_left > 0)
        in_intent = browsing | buying
        intent_on[:, d] = in_intent
        # Visits: the habit plus unplanned visits, more of them while shopping; the chance of each falls linearly
        # to zero over the 45 days before churn.
        ramp = np.clip((churn_day - d) / 45.0, 0.0, 1.0)
        habit = ((d + phase) % period == 0) & (rng.random(n) < 0.9 * ramp)
        extra_rate = np.where(in_intent, np.maximum(base_rate * 2.0, 0.45), 0.01) * ramp
        visits = (rng.poisson(extra_rate) + habit) * alive
        # a replenishment or an email's purchase comes with a visit of its own when there is none that day
        direct_buy = alive & ((replenisher & ((d + cycle_phase) % cycle == 0)) | (promo_day == d))
        visits = np.maximum(visits, direct_buy)
        sessions[:, d] = visits
        buys = direct_buy | (buying & (visits > 0) & (rng.random(n) < 1 - (1 - daily_buy_prob) ** visits))
        bought[:, d] = buys
        # A crash happens in the day's last visit (an app visit); on a crash-prone device it usually ends the
        # relationship the next day.
        crash = alive & (visits > 0) & app_user & (rng.random(n) < crash_rate)
        crashed[:, d] = crash
        leaves = crash & crash_prone & (rng.random(n) < 0.9) & (churn_day > d + 1)
        churn_day = np.where(leaves, d + 1, churn_day)
        churn_cause = np.where(leaves, CHURN_CRASH, churn_cause).astype(np.int8)
        buy_left = np.where(buys, 0, np.maximum(buy_left - 1, 0)).astype(np.int16)
        # the last browsing day opens the buying phase
        buy_left = np.where(browsing & (browse_left == 1), rng.integers(7, 15, size=n), buy_left).astype(np.int16)
        browse_left = np.maximum(browse_left - 1, 0).astype(np.int16)
        if d in campaign_days:
            sent = signed_up & ~unsubscribed & (rng.random(n) < 0.9)
            open_prob = np.where(alive, np.where(segment == 1, 0.35, 0.25), 0.01)
            opened = sent & (rng.random(n) < open_prob)
            clicked = opened & (rng.random(n) < 0.3)
            unsubscribes = opened & ~clicked & alive & (rng.random(n) < 0.08)
            email_sent[:, d], email_opened[:, d], email_clicked[:, d] = sent, opened, clicked
            email_unsubscribed[:, d] = unsubscribes
            unsubscribed |= unsubscribes
            # most clickers buy what the email showed within a few weeks
            promo = clicked & alive & (promo_day < d) & (rng.random(n) < 0.95)
            promo_day = np.where(promo, d + rng.integers(3, 29, size=n), promo_day)
            leaves = unsubscribes & (rng.random(n) < 0.9) & (churn_day > d + 3)
            churn_day = np.where(leaves, d + rng.integers(1, 4, size=n), churn_day)
            churn_cause = np.where(leaves, CHURN_UNSUBSCRIBE, churn_cause).astype(np.int8)

    # --- sessions -> events -----------------------------------------------------------------------------------
    p_idx, day_idx = np.nonzero(sessions)
    counts = sessions[p_idx, day_idx].astype(np.int64)
    s_profile = np.repeat(p_idx, counts)
    s_day = np.repeat(day_idx, counts)
    s_intent = intent_on[s_profile, s_day]
    n_sessions = s_profile.size
    s_start = s_day.astype(np.int64) * 86_400 + rng.integers(7 * 3600, 23 * 3600, size=n_sessions)
    # the purchase of a buying day happens in its last visit
    last_of_day = np.ones(n_sessions, dtype=bool)
    if n_sessions:
        order = np.lexsort((s_start, s_day, s_profile))
        same_next = (s_profile[order][1:] == s_profile[order][:-1]) & (s_day[order][1:] == s_day[order][:-1])
        last_of_day[order[:-1][same_next]] = False
    s_buys = bought[s_profile, s_day] & last_of_day
    s_crash = crashed[s_profile, s_day] & last_of_day
    n_launch = ((app_user[s_profile] & (rng.random(n_sessions) < 0.6)) | s_crash).astype(np.int64)
    # an app visit is a launch (screens are not web page views); a web visit has one or more page views
    n_pages = np.where(n_launch > 0, 0, 1 + rng.poisson(np.where(segment[s_profile] == 2, 0.5, 0.1)))
    n_views = np.maximum(rng.poisson(np.where(s_intent, 1.5, 0.05)), s_buys)
    n_adds = np.maximum(rng.binomial(n_views, np.where(s_intent, 0.3, 0.1)), s_buys)
    abandoned = ~s_buys & (n_adds > 0) & (rng.random(n_sessions) < 0.15)
    n_checkout = (s_buys | abandoned).astype(np.int64)
    n_purchase = s_buys.astype(np.int64)
    n_crash = s_crash.astype(np.int64)

    per_session = np.stack([n_launch, n_pages, n_views, n_adds, n_checkout, n_purchase, n_crash], axis=1)
    codes_in_order = np.array(
        [APP_LAUNCH, PAGE_VIEW, PRODUCT_VIEW, LIST_ADD, CHECKOUT, PURCHASE, APP_CRASH], dtype=np.int8
    )
    flat_counts = per_session.ravel()
    w_code = np.repeat(np.tile(codes_in_order, n_sessions), flat_counts)
    w_session = np.repeat(np.repeat(np.arange(n_sessions), len(codes_in_order)), flat_counts)
    # Events inside a session are a minute or two apart, in the order launch, pages, views, adds, checkout, buy,
    # crash.
    gaps = rng.exponential(75.0, size=w_code.size) + 5.0
    session_first = np.r_[0, np.cumsum(per_session.sum(axis=1))[:-1]]
    cum = np.cumsum(gaps)
    offset_in_session = cum - cum[session_first[w_session]] if w_code.size else cum
    w_seconds = s_start[w_session] + offset_in_session.astype(np.int64)
    w_profile = s_profile[w_session]

    # --- email events -----------------------------------------------------------------------------------------
    e_parts = []
    for code, matrix, delay_scale in (
        (EMAIL_SENT, email_sent, 0.0),
        (EMAIL_OPENED, email_opened, 3 * 3600.0),
        (EMAIL_CLICKED, email_clicked, 3 * 3600.0 + 120.0),
        (EMAIL_UNSUBSCRIBED, email_unsubscribed, 3 * 3600.0 + 60.0),
    ):
        ep, ed = np.nonzero(matrix)
        delay = rng.exponential(delay_scale, size=ep.size) if delay_scale else np.zeros(ep.size)
        e_parts.append((ep, np.full(ep.size, code, dtype=np.int8), ed.astype(np.int64) * 86_400 + 9 * 3600 + delay))
    e_profile = np.concatenate([p[0] for p in e_parts])
    e_code = np.concatenate([p[1] for p in e_parts])
    e_seconds = np.concatenate([p[2] for p in e_parts]).astype(np.int64)

    profile_local = np.concatenate([w_profile, e_profile])
    code = np.concatenate([w_code, e_code])
    seconds = np.concatenate([w_seconds, e_seconds])
    session_number = np.concatenate([w_session + first * 10_000, np.full(e_code.size, -1)])
    order = np.lexsort((code, seconds, profile_local))
    profile_local, code, seconds, session_number = (
        profile_local[order],
        code[order],
        seconds[order],
        session_number[order],
    )

    m = code.size
    seg = segment[profile_local]
    is_purchase = code == PURCHASE
    # Each profile has its own typical basket (about 220 in the high-value segment, 55 elsewhere); single orders
    # scatter around it with a gamma distribution (shape 6), as the Gamma-Gamma spend model assumes.
    typical_basket = spend_scale[profile_local]
    order_value = np.where(is_purchase, np.round(rng.gamma(6.0, typical_basket / 6.0, size=m), 2), np.nan)
    has_items = np.isin(code, (PRODUCT_VIEW, LIST_ADD, CHECKOUT, PURCHASE))
    quantity = np.where(has_items, np.where(is_purchase, 1 + rng.poisson(0.8, size=m), 1), 0)
    sku = np.where(has_items, rng.integers(0, SKUS, size=m), -1)
    is_web = np.isin(code, (PAGE_VIEW, PRODUCT_VIEW, LIST_ADD, CHECKOUT, PURCHASE))
    page = np.where(is_web, rng.integers(0, len(PAGES), size=m), -1).astype(np.int8)
    page = np.where(code == PRODUCT_VIEW, 2, np.where(np.isin(code, (LIST_ADD, CHECKOUT, PURCHASE)), 3, page))
    start_epoch = int(dt.datetime.combine(settings.start, dt.time(), tzinfo=dt.UTC).timestamp())
    epoch_ms = (start_epoch + seconds) * 1000 + rng.integers(0, 1000, size=m)
    return SimulatedBlock(
        profile_index=(profile_local + first).astype(np.int64),
        event_code=code.astype(np.int8),
        epoch_ms=epoch_ms.astype(np.int64),
        session_number=session_number.astype(np.int64),
        order_value=order_value.astype(np.float64),
        quantity=quantity.astype(np.int64),
        sku=sku.astype(np.int64),
        page=page.astype(np.int8),
        segment=seg.astype(np.int8),
        churn_day=churn_day.astype(np.int64),
        churn_cause=churn_cause.astype(np.int8),
        replenisher=replenisher,
    )


def _iso_utc(epoch_ms: np.ndarray) -> pa.Array:
    """ISO 8601 strings with milliseconds and a Z suffix, as AEP exports write them (formatted by Arrow, in C++)."""
    # with a millisecond unit, Arrow's %S prints the seconds with their fraction: 05.123
    return pc.strftime(pa.array(epoch_ms, pa.timestamp("ms")), format="%Y-%m-%dT%H:%M:%SZ")


def _numbered(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """prefix + zero-padded number (ecid-000000042), built by Arrow instead of Python string objects."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _lookup(vocabulary, index: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Strings from a small vocabulary by index, null where not valid."""
    values = pa.array(list(vocabulary), pa.string()).take(pa.array(np.maximum(index, 0)))
    return _where(values, valid)


def _where(values: pa.Array, valid: np.ndarray | None) -> pa.Array:
    return values if valid is None else pc.if_else(pa.array(valid), values, pa.scalar(None, pa.string()))


def _value_struct(mask: np.ndarray, value: np.ndarray | float = 1.0) -> pa.StructArray:
    values = np.broadcast_to(np.asarray(value, dtype=np.float64), mask.shape)
    return pa.StructArray.from_arrays([pa.array(values)], names=["value"], mask=pa.array(~mask))


def to_xdm_batch(sim: SimulatedBlock, rng: np.random.Generator, settings: DemoSettings, block: int) -> pa.RecordBatch:
    """Shape simulated events as nested XDM records, with eventType sometimes missing and some bad rows."""
    m = sim.event_code.size
    code = sim.event_code
    event_ids = _numbered(f"demo-{settings.seed}-{block:05d}-", np.arange(m), 8)
    timestamps = _iso_utc(sim.epoch_ms)
    ids = _numbered("ecid-", sim.profile_index, 9)

    # About 15 % of good rows carry only the measure, as real exports do.
    has_event_type = rng.random(m) >= 0.15

    # Bad rows (kept in place, so that the quarantine sees them next to good ones).
    bad = rng.random(m)
    share = settings.bad_row_share
    no_identity = bad < share * 0.3
    no_timestamp = (bad >= share * 0.3) & (bad < share * 0.45)
    unparseable = (bad >= share * 0.45) & (bad < share * 0.6)
    future = (bad >= share * 0.6) & (bad < share * 0.7)
    negative_qty = (sim.event_code == PURCHASE) & (rng.random(m) < share * 0.5)
    duplicate = (bad >= share * 0.7) & (bad < share)

    ts = pc.if_else(pa.array(unparseable), pa.scalar("not a timestamp"), timestamps)
    ts = pc.if_else(pa.array(future), pa.scalar("2099-01-01T00:00:00.000Z"), ts)
    ts = _where(ts, ~no_timestamp)

    # Identity: most rows use identityMap["ECID"]; 20 % only carry the legacy endUserIDs mcid.
    use_map = (rng.random(m) >= 0.2) & ~no_identity
    use_mcid = ~use_map & ~no_identity
    map_offsets = np.r_[0, np.cumsum(use_map.astype(np.int32))].astype(np.int32)
    n_map = int(use_map.sum())
    identity_struct = pa.StructArray.from_arrays(
        [
            ids.filter(pa.array(use_map)),
            _lookup(["ambiguous"], np.zeros(n_map, np.int64)),
            pa.array(np.ones(n_map, bool)),
        ],
        names=["id", "authenticatedState", "primary"],
    )
    identity_lists = pa.ListArray.from_arrays(np.arange(n_map + 1, dtype=np.int32), identity_struct)
    identity_map = pa.MapArray.from_arrays(
        pa.array(map_offsets), _lookup(["ECID"], np.zeros(n_map, np.int64)), identity_lists
    )
    mcid = pa.StructArray.from_arrays([_where(ids, use_mcid)], names=["id"], mask=pa.array(~use_mcid))
    experience = pa.StructArray.from_arrays([mcid], names=["mcid"], mask=pa.array(~use_mcid))
    end_user_ids = pa.StructArray.from_arrays([experience], names=["_experience"], mask=pa.array(~use_mcid))

    is_commerce = np.isin(code, (PRODUCT_VIEW, LIST_ADD, CHECKOUT, PURCHASE))
    is_purchase = code == PURCHASE
    purchase_ids = pc.binary_join_element_wise("order-", event_ids, "")
    order = pa.StructArray.from_arrays(
        [
            _where(purchase_ids, is_purchase),
            pa.array(np.where(is_purchase, sim.order_value, np.nan), mask=~is_purchase),
            _lookup(["USD"], np.zeros(m, np.int64), is_purchase),
        ],
        names=["purchaseID", "priceTotal", "currencyCode"],
        mask=pa.array(~is_purchase),
    )
    commerce = pa.StructArray.from_arrays(
        [
            _value_struct(code == PRODUCT_VIEW),
            _value_struct(code == LIST_ADD),
            _value_struct(code == CHECKOUT),
            _value_struct(is_purchase),
            order,
        ],
        names=["productViews", "productListAdds", "checkouts", "purchases", "order"],
        mask=pa.array(~is_commerce),
    )

    quantity = np.where(negative_qty, -1, sim.quantity)
    has_items = sim.sku >= 0
    item_offsets = np.r_[0, np.cumsum(has_items.astype(np.int32))].astype(np.int32)
    item_price = np.where(is_purchase, sim.order_value, np.round(20 + (sim.sku % 50) * 3.5, 2))
    items = pa.StructArray.from_arrays(
        [
            _numbered("SKU-", sim.sku[has_items], 4),
            pa.array(quantity[has_items]),
            pa.array(item_price[has_items]),
        ],
        names=["SKU", "quantity", "priceTotal"],
    )
    product_list_items = pa.ListArray.from_arrays(pa.array(item_offsets, mask=np.r_[~has_items, False]), items)

    is_web = sim.page >= 0
    page_urls = [f"https://shop.example.com/{page}" for page in PAGES]
    page_details = pa.StructArray.from_arrays(
        [_lookup(PAGES, sim.page, is_web), _lookup(page_urls, sim.page, is_web), _value_struct(code == PAGE_VIEW)],
        names=["name", "URL", "pageViews"],
        mask=pa.array(~is_web),
    )
    web = pa.StructArray.from_arrays([page_details], names=["webPageDetails"], mask=pa.array(~is_web))

    is_email = np.isin(code, EMAIL_CODES)
    direct_marketing = pa.StructArray.from_arrays(
        [
            _value_struct(code == EMAIL_SENT),
            _value_struct(code == EMAIL_OPENED),
            _value_struct(code == EMAIL_CLICKED),
            _value_struct(code == EMAIL_UNSUBSCRIBED),
        ],
        names=["emailSent", "emailOpened", "emailClicked", "emailUnsubscribed"],
        mask=pa.array(~is_email),
    )
    is_app = np.isin(code, APP_CODES)
    application = pa.StructArray.from_arrays(
        [
            _value_struct(code == APP_LAUNCH),
            _value_struct(code == APP_CRASH),
            _lookup(["Example Shop"], np.zeros(m, np.int64), is_app),
        ],
        names=["launches", "crashes", "name"],
        mask=pa.array(~is_app),
    )
    channel_types = [f"https://ns.adobe.com/xdm/channel-types/{c}" for c in ("email", "mobile", "web")]
    channel = pa.StructArray.from_arrays(
        [_lookup(channel_types, np.where(is_email, 0, np.where(is_app, 1, 2)))],
        names=["_type"],
    )
    tracking = np.where(is_email, 0, np.where(rng.random(m) < 0.1, 1, -1))
    marketing = pa.StructArray.from_arrays(
        [_lookup(["em-campaign", "sem-brand"], tracking, tracking >= 0)], names=["trackingCode"]
    )

    columns = {
        "_id": event_ids,
        "timestamp": ts,
        "eventType": _lookup(EVENT_TYPES, code, has_event_type),
        "identityMap": identity_map,
        "endUserIDs": end_user_ids,
        "channel": channel,
        "commerce": commerce,
        "productListItems": product_list_items,
        "web": web,
        "directMarketing": direct_marketing,
        "application": application,
        "marketing": marketing,
    }
    batch = pa.RecordBatch.from_pydict(columns)
    if duplicate.any():
        # A duplicate is a second copy of an event (same _id), delivered a few seconds later.
        dup_rows = batch.filter(pa.array(duplicate))
        dup_rows = dup_rows.set_column(1, "timestamp", _iso_utc(sim.epoch_ms[duplicate] + 3_000))
        batch = pa.Table.from_batches([batch, dup_rows]).combine_chunks().to_batches()[0]
    return batch


def n_blocks(settings: DemoSettings) -> int:
    return -(-settings.n_profiles // BLOCK_SIZE)


def iter_xdm_batches(settings: DemoSettings) -> Iterator[pa.RecordBatch]:
    """Yield one XDM record batch per block of profiles; memory stays bounded by the block size."""
    for block in range(n_blocks(settings)):
        sim = simulate_block(settings, block)
        shaping_rng = np.random.default_rng(np.random.SeedSequence([settings.seed, block, 1]))
        yield to_xdm_batch(sim, shaping_rng, settings, block)


def xdm_record_batch_reader(settings: DemoSettings) -> pa.RecordBatchReader:
    """A streaming reader over all blocks: DuckDB scans it without holding the whole demo in memory."""
    batches = iter_xdm_batches(settings)
    first = next(batches)
    return pa.RecordBatchReader.from_batches(first.schema, itertools.chain([first], batches))


def to_flat_table(sim: SimulatedBlock, block: int = 0, seed: int = 42) -> pa.Table:
    """The same simulated events in the flat layout (one row per event, no bad rows): for tests and examples."""
    m = sim.event_code.size
    is_purchase = sim.event_code == PURCHASE
    page_valid = sim.page >= 0
    is_email = np.isin(sim.event_code, EMAIL_CODES)
    event_ids = _numbered(f"flat-{seed}-{block:05d}-", np.arange(m), 8)
    return pa.table(
        {
            "event_id": event_ids,
            "profile_id": _numbered("ecid-", sim.profile_index, 9),
            "event_type": _lookup(EVENT_TYPES, sim.event_code),
            "event_timestamp": _iso_utc(sim.epoch_ms),
            "revenue": pa.array(np.where(is_purchase, sim.order_value, np.nan), mask=~is_purchase),
            "quantity": pa.array(sim.quantity.astype(np.float64), mask=sim.quantity == 0),
            "purchase_id": _where(pc.binary_join_element_wise("order-", event_ids, ""), is_purchase),
            "page_name": _lookup(PAGES, sim.page, page_valid),
            "page_url": _lookup([f"https://shop.example.com/{page}" for page in PAGES], sim.page, page_valid),
            "channel": _lookup(
                ["email", "mobile", "web"], np.where(is_email, 0, np.where(np.isin(sim.event_code, APP_CODES), 1, 2))
            ),
        }
    )


def _write_block(args: tuple[DemoSettings, int, str]) -> tuple[int, int]:
    settings, block, folder = args
    sim = simulate_block(settings, block)
    rng = np.random.default_rng(np.random.SeedSequence([settings.seed, block, 1]))
    batch = to_xdm_batch(sim, rng, settings, block)
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_batches([batch]), f"{folder}/part-{block:05d}.parquet", compression="zstd")
    return block, batch.num_rows


def write_xdm_parquet(settings: DemoSettings, folder: str, workers: int = 2) -> int:
    """Write the demo as XDM Parquet files (one per block) with `workers` processes; returns the row count.

    The files are the same as what the dbt demo model streams (same seed, same blocks), so a project pointed at
    them with customer_ai__events_source: files builds the same warehouse as the demo.
    """
    import os
    from concurrent.futures import ProcessPoolExecutor

    os.makedirs(folder, exist_ok=True)
    jobs = [(settings, block, folder) for block in range(n_blocks(settings))]
    if workers <= 1:
        return sum(_write_block(job)[1] for job in jobs)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return sum(rows for _, rows in pool.map(_write_block, jobs))


def hold_back_last_day(
    events_dir: str, daily_dir: str, last_day: dt.date, late_days: int = 0, late_every: int = 200
) -> tuple[str, str, int]:
    """Split generated XDM files into the history before `last_day` (daily_dir/events/base) and the events that a
    deployment would receive on that day (daily_dir/held_back): the day's own events and, with `late_days`, every
    `late_every`-th event of the `late_days` days before it, arriving late. Written with pyarrow, so both parts keep
    the generated schema. Rows whose timestamp is missing or unreadable stay in the history, as do the generator's
    planted future-dated rows. Returns the folder of the history's parent (point a glob at <it>/*/*.parquet and move
    held_back into it when the day arrives), the held-back folder and its row count."""
    import glob
    import os
    import shutil

    import pyarrow.parquet as pq

    base, held_back = os.path.join(daily_dir, "events", "base"), os.path.join(daily_dir, "held_back")
    shutil.rmtree(daily_dir, ignore_errors=True)
    os.makedirs(base)
    os.makedirs(held_back)
    late_from = (last_day - dt.timedelta(days=late_days)).isoformat()
    held_rows = 0
    for path in sorted(glob.glob(os.path.join(events_dir, "*.parquet"))):
        table = pq.read_table(path)
        # XDM timestamps are ISO text: a text comparison of the date prefix orders them by day
        day = pc.utf8_slice_codeunits(table["timestamp"], 0, 10)
        arrives = pc.fill_null(pc.equal(day, last_day.isoformat()), False)
        if late_days:
            recent = pc.and_(pc.greater_equal(day, late_from), pc.less(day, last_day.isoformat()))
            sampled = pa.array(np.arange(table.num_rows) % late_every == 0)
            arrives = pc.or_(arrives, pc.fill_null(pc.and_(recent, sampled), False))
        held = table.filter(arrives)
        pq.write_table(table.filter(pc.invert(arrives)), os.path.join(base, os.path.basename(path)))
        pq.write_table(held, os.path.join(held_back, os.path.basename(path)))
        held_rows += held.num_rows
    return os.path.dirname(base), held_back, held_rows
