"""Reason-code segments from whole explanations: planted kinds of high-propensity profiles come out as segments
named by their planted drivers, with stable ids."""

from __future__ import annotations

import numpy as np
import pandas as pd

from customer_ai import segments

LABELS = {
    "product_views_7d": "Product views in the last 7 days",
    "cart_adds_7d": "Cart adds in the last 7 days",
    "email_clicks_30d": "Email clicks in the last 30 days",
    "days_since_last_visit": "Days since last visit",
    "tenure_days": "Tenure in days",
    "orders_90d": "Orders in the last 90 days",
}


def planted_codes(n_per_kind: int = 400, seed: int = 0, extra_noise: float = 0.0) -> pd.DataFrame:
    """Top-5 reason codes of high-bucket profiles of two kinds: browsers (product views and cart adds lead) and
    email clickers (email clicks lead); both share some common, weaker reasons."""
    rng = np.random.default_rng(seed)
    rows = []
    for kind in ("browse", "email"):
        for i in range(n_per_kind):
            profile = f"{kind}{i:04d}"
            contributions = {
                "days_since_last_visit": rng.normal(0.3, 0.1),
                "tenure_days": rng.normal(0.1, 0.05),
                "orders_90d": rng.normal(0.15, 0.05),
            }
            if kind == "browse":
                contributions |= {"product_views_7d": rng.normal(1.2, 0.3), "cart_adds_7d": rng.normal(0.9, 0.3)}
            else:
                contributions |= {"email_clicks_30d": rng.normal(1.5, 0.3), "cart_adds_7d": rng.normal(0.1, 0.05)}
            contributions = {k: v + rng.normal(0, extra_noise) for k, v in contributions.items()}
            top = sorted(contributions.items(), key=lambda kv: -abs(kv[1]))[:5]
            rows += [{"profile_id": profile, "factor_code": k, "contribution": v} for k, v in top]
    return pd.DataFrame(rows)


def members(codes, min_size=50):
    return segments.segment_members(codes, LABELS, "buy_next_30d", "conversion", "high", min_size, seed=42)


def test_two_planted_kinds_become_two_segments_named_by_their_drivers():
    result = members(planted_codes())
    by_segment = result.groupby("segment_id")["profile_id"].apply(lambda p: {x[:5] for x in p}).to_dict()
    assert by_segment == {
        "buy_next_30d__high__reasons__cart_adds_7d__product_views_7d": {"brows"},
        "buy_next_30d__high__reasons__email_clicks_30d": {"email"},
    }
    names = set(result["segment_name"])
    assert "buy_next_30d: likely to convert: product views in the last 7 days and cart adds in the last 7 days" in names
    assert "buy_next_30d: likely to convert: email clicks in the last 30 days" in names


def test_segments_are_deterministic_and_ids_survive_a_small_change_in_the_data():
    first, again = members(planted_codes()), members(planted_codes())
    pd.testing.assert_frame_equal(first, again)
    changed = members(planted_codes(n_per_kind=410, seed=1))
    assert set(changed["segment_id"]) == set(first["segment_id"])


def test_naming_factors_are_far_stronger_in_their_segment_than_in_the_rest():
    codes = planted_codes(extra_noise=0.05)
    result = members(codes)
    table = segments.characteristics(codes, result, pd.DataFrame({"profile_id": []}), LABELS)
    named = table[table["is_naming_factor"]]
    assert len(named) >= 3
    assert (named["mean_contribution"] >= 1.5 * named["rest_mean_contribution"]).all()
    assert (named["mean_contribution"] > 0).all()


def test_too_few_profiles_for_two_groups_give_no_reason_segments():
    assert members(planted_codes(n_per_kind=30), min_size=50).empty


def test_every_number_of_groups_is_scored_on_one_matrix_of_distances(monkeypatch):
    """The silhouette of each k is measured on the same rows: their distances are computed once and every k is
    scored on them (computing them again for each of seven k was most of a large bucket's time), with the
    silhouettes sklearn gives on the rows themselves."""
    from sklearn.metrics import silhouette_score

    scored = []

    def recording(matrix, labels, metric="euclidean"):
        scored.append((matrix, metric, labels))
        return silhouette_score(matrix, labels, metric=metric)

    monkeypatch.setattr(segments, "silhouette_score", recording)
    members(planted_codes(extra_noise=0.2))
    assert len(scored) >= 3
    assert {metric for _, metric, _ in scored} == {"precomputed"}
    assert len({id(matrix) for matrix, _, _ in scored}) == 1

    # the rows scored: the deterministic sample choose_groups draws (here every profile)
    profiles, matrix, _ = segments.explanation_matrix(planted_codes(extra_noise=0.2))
    order = np.lexsort((profiles.astype(str), segments.profile_bucket(profiles, 42)))
    sample = segments.unit_rows(matrix)[np.sort(order[: segments.FIT_ROWS])][: segments.SILHOUETTE_ROWS]
    distances = scored[0][0]
    for _, _, labels in scored:
        assert np.isclose(silhouette_score(distances, labels, metric="precomputed"), silhouette_score(sample, labels))
