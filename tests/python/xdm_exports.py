"""Small XDM files in the shape Adobe Experience Platform really exports, for tests.

The built-in demo sets one measure per event and usually an eventType. A real ExperienceEvent export does not:

- there is no ``eventType`` column at all; the type of an event is only in the measures that are set;
- one event often sets several measures: a product view is also a page view, link clicks ride on page views, the
  first cart add of a visit also opens the cart, the purchase confirmation is a page view too;
- ``commerce.order.priceTotal`` is null and the amounts are in ``productListItems[].priceTotal``, while product
  views carry the product's price in their items too (which is not revenue);
- ``identityMap`` holds several namespaces (ECID on every event, a CRM id once the visitor logs in, a hashed email);
- email and app events use the XDM measure names (``directMarketing.opens``, ``application.firstLaunches``...).

``real_shape_export`` builds such a table deterministically and ``truth`` counts what it holds, so tests can compare
what staging made of it with what is really there.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import pyarrow as pa

MEASURE = pa.struct([("value", pa.float64())])
IDENTITY = pa.list_(pa.struct([("id", pa.string()), ("authenticatedState", pa.string()), ("primary", pa.bool_())]))

SCHEMA = pa.schema(
    [
        ("_id", pa.string()),
        ("timestamp", pa.string()),
        ("identityMap", pa.map_(pa.string(), IDENTITY)),
        (
            "commerce",
            pa.struct(
                [
                    ("purchases", MEASURE),
                    ("productViews", MEASURE),
                    ("productListAdds", MEASURE),
                    ("productListOpens", MEASURE),
                    ("productListRemovals", MEASURE),
                    ("checkouts", MEASURE),
                    ("saveForLaters", MEASURE),
                    (
                        "order",
                        pa.struct(
                            [("purchaseID", pa.string()), ("priceTotal", pa.float64()), ("currencyCode", pa.string())]
                        ),
                    ),
                ]
            ),
        ),
        (
            "productListItems",
            pa.list_(pa.struct([("SKU", pa.string()), ("quantity", pa.int64()), ("priceTotal", pa.float64())])),
        ),
        (
            "web",
            pa.struct(
                [
                    (
                        "webPageDetails",
                        pa.struct([("name", pa.string()), ("URL", pa.string()), ("pageViews", MEASURE)]),
                    ),
                    ("webInteraction", pa.struct([("name", pa.string()), ("linkClicks", MEASURE)])),
                ]
            ),
        ),
        (
            "directMarketing",
            pa.struct([("sends", MEASURE), ("opens", MEASURE), ("clicks", MEASURE), ("unsubscriptions", MEASURE)]),
        ),
        (
            "application",
            pa.struct(
                [
                    ("name", pa.string()),
                    ("launches", MEASURE),
                    ("firstLaunches", MEASURE),
                    ("closes", MEASURE),
                    ("crashes", MEASURE),
                ]
            ),
        ),
        ("channel", pa.struct([("_type", pa.string())])),
        ("marketing", pa.struct([("trackingCode", pa.string())])),
    ]
)

# measure path -> the event type it stands for (the project's canonical names)
MEASURE_TYPES = {
    ("commerce", "purchases"): "commerce.purchases",
    ("commerce", "productViews"): "commerce.productViews",
    ("commerce", "productListAdds"): "commerce.productListAdds",
    ("commerce", "productListOpens"): "commerce.productListOpens",
    ("commerce", "productListRemovals"): "commerce.productListRemovals",
    ("commerce", "checkouts"): "commerce.checkouts",
    ("commerce", "saveForLaters"): "commerce.saveForLaters",
    ("web", "webPageDetails", "pageViews"): "web.webpagedetails.pageViews",
    ("web", "webInteraction", "linkClicks"): "web.webinteraction.linkClicks",
    ("directMarketing", "sends"): "directMarketing.emailSent",
    ("directMarketing", "opens"): "directMarketing.emailOpened",
    ("directMarketing", "clicks"): "directMarketing.emailClicked",
    ("directMarketing", "unsubscriptions"): "directMarketing.emailUnsubscribed",
    ("application", "launches"): "application.launch",
    ("application", "firstLaunches"): "application.firstLaunches",
    ("application", "closes"): "application.close",
    ("application", "crashes"): "application.crashes",
}

START = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
PAGES = ["home", "category", "search", "account", "help"]


def _one() -> dict:
    return {"value": 1.0}


class _Builder:
    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.rows: list[dict] = []

    def event(self, profile: int, at: dt.datetime, logged_in: bool, **parts) -> dict:
        ids = {"ECID": [{"id": f"ecid-{profile:06d}", "authenticatedState": "ambiguous", "primary": not logged_in}]}
        if logged_in:
            ids["CRMID"] = [{"id": f"crm-{profile:06d}", "authenticatedState": "authenticated", "primary": True}]
            ids["Email_LC_SHA256"] = [{"id": f"{profile * 7919:064x}", "authenticatedState": "authenticated"}]
        row = {
            "_id": f"evt-{len(self.rows):08d}",
            "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z",
            "identityMap": list(ids.items()),
            "channel": {"_type": "https://ns.adobe.com/xdm/channel-types/" + parts.pop("channel", "web")},
            **parts,
        }
        self.rows.append(row)
        return row


def _page(name: str, **measures) -> dict:
    details = {"name": name, "URL": f"https://shop.example.com/{name}", "pageViews": _one()}
    web = {"webPageDetails": details}
    if measures.get("link"):
        web["webInteraction"] = {"name": "nav", "linkClicks": _one()}
    return web


def real_shape_export(n_profiles: int = 60, days: int = 120, seed: int = 3) -> pa.Table:
    """A deterministic XDM export of n_profiles shoppers over `days` days, shaped like a real AEP export."""
    rng = np.random.default_rng(seed)
    b = _Builder(rng)
    for profile in range(n_profiles):
        visit_every = int(rng.integers(3, 15))
        app_user = rng.random() < 0.4
        first_launch_done = False
        logged_in = rng.random() < 0.5
        for day in range(int(rng.integers(0, 10)), days, visit_every):
            at = START + dt.timedelta(days=day, seconds=int(rng.integers(8 * 3600, 22 * 3600)))
            step = dt.timedelta(seconds=45)
            if app_user and rng.random() < 0.5:
                app = {"name": "Shop", "launches": _one()}
                if not first_launch_done:
                    app["firstLaunches"] = _one()
                    first_launch_done = True
                b.event(profile, at, logged_in, application=app, channel="mobile")
                at += step
                if rng.random() < 0.1:
                    b.event(profile, at, logged_in, application={"name": "Shop", "crashes": _one()}, channel="mobile")
                else:
                    b.event(profile, at, logged_in, application={"name": "Shop", "closes": _one()}, channel="mobile")
                continue
            # landing page, sometimes with a link click riding on it
            b.event(profile, at, logged_in, web=_page(str(rng.choice(PAGES)), link=rng.random() < 0.3))
            n_views = int(rng.poisson(1.5))
            skus = [f"SKU-{int(rng.integers(0, 200)):04d}" for _ in range(n_views)]
            for sku in skus:
                at += step
                price = round(float(rng.uniform(10, 120)), 2)
                b.event(
                    profile,
                    at,
                    logged_in,
                    commerce={"productViews": _one()},
                    productListItems=[{"SKU": sku, "quantity": 1, "priceTotal": price}],
                    web=_page("product", link=rng.random() < 0.2),
                )
            if rng.random() < 0.05:
                at += step
                b.event(profile, at, logged_in, commerce={"saveForLaters": _one()}, web=_page("product"))
            cart = [sku for sku in skus if rng.random() < 0.5]
            for i, sku in enumerate(cart):
                at += step
                commerce = {"productListAdds": _one()}
                if i == 0:
                    commerce["productListOpens"] = _one()  # the first add of a visit opens the cart
                b.event(profile, at, logged_in, commerce=commerce, productListItems=[{"SKU": sku, "quantity": 1}])
            if cart and rng.random() < 0.1:
                at += step
                b.event(profile, at, logged_in, commerce={"productListRemovals": _one()})
                cart = cart[1:]
            if cart and rng.random() < 0.6:
                at += step
                b.event(profile, at, logged_in, commerce={"checkouts": _one()}, web=_page("checkout"))
                at += step
                items = [
                    {
                        "SKU": sku,
                        "quantity": int(rng.integers(1, 3)),
                        "priceTotal": round(float(rng.uniform(15, 90)), 2),
                    }
                    for sku in cart
                ]
                b.event(
                    profile,
                    at,
                    logged_in,
                    commerce={
                        "purchases": _one(),
                        "order": {"purchaseID": f"order-{len(b.rows):08d}", "priceTotal": None, "currencyCode": "USD"},
                    },
                    productListItems=items,
                    web=_page("confirmation"),
                )
        for day in range(5, days, 14):  # a newsletter every two weeks
            at = START + dt.timedelta(days=day, hours=9)
            b.event(profile, at, logged_in, directMarketing={"sends": _one()}, channel="email")
            if rng.random() < 0.3:
                b.event(
                    profile,
                    at + dt.timedelta(hours=2),
                    logged_in,
                    directMarketing={"opens": _one()},
                    channel="email",
                    marketing={"trackingCode": "em-newsletter"},
                )
                if rng.random() < 0.3:
                    b.event(
                        profile,
                        at + dt.timedelta(hours=2, minutes=1),
                        logged_in,
                        directMarketing={"clicks": _one()},
                        channel="email",
                        marketing={"trackingCode": "em-newsletter"},
                    )
    return pa.Table.from_pylist(b.rows, schema=SCHEMA)


def truth(table: pa.Table) -> dict:
    """What the export really holds: events per measure, purchases, item revenue, profiles and identities."""
    measures: Counter = Counter()
    revenue = 0.0
    purchasers = set()
    for row in table.to_pylist():
        for path, event_type in MEASURE_TYPES.items():
            node = row
            for part in path:
                node = (node or {}).get(part)
            if node and node.get("value"):
                measures[event_type] += 1
        if ((row.get("commerce") or {}).get("purchases") or {}).get("value"):
            revenue += sum(item["priceTotal"] or 0 for item in row["productListItems"] or [])
            purchasers.add(dict(row["identityMap"])["ECID"][0]["id"])
    return {
        "events": table.num_rows,
        "measures": dict(measures),
        "purchase_revenue": round(revenue, 2),
        "purchasers": len(purchasers),
    }
