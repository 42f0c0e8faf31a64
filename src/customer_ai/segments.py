"""Reason-code segments: the profiles of a bucket grouped by their whole explanation, named by what sets each group
apart. Called by the dbt Python models ml_reason_segments_assigned and ml_reason_segment_characteristics.

For one prediction and bucket:

1. Each profile's explanation is the vector of its reason-code contributions (the top customer_ai__reason_codes_top_k
   factors; the others count as 0), scaled to unit length, so that profiles group by the mix of their reasons
   rather than by how strong they are overall.
2. k-means (scikit-learn, fixed seed) runs for k = 2..8 on a bounded, deterministic sample of the profiles
   (at most FIT_ROWS, the smallest hashes of the profile ids), and every profile is assigned to its nearest centre.
   The chosen k (choose_groups) has the best silhouette (on at most SILHOUETTE_ROWS of the sample, whose distances
   are computed once for every k) among the k whose groups all keep at least customer_ai__segment_min_size
   profiles and are told apart by their names, preferring k >= 3.
3. A group is named by its distinguishing factors: factors that raise the score (mean contribution above 0 in the
   group) and weigh in it (a mean contribution of at least MATERIAL log-odds), whose mean contribution in the
   group is at least DISTINCTION times their mean among the rest of the bucket, the two with the largest
   difference. Its id is made of those factor codes (sorted), not of a cluster
   number, so it does not change when the data barely changes; groups named by the same factors are one segment;
   a group with no distinguishing factor goes to "<prediction>__<bucket>__reasons__other".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances, silhouette_score

from customer_ai.propensity import profile_bucket

FIT_ROWS = 20_000
SILHOUETTE_ROWS = 5_000
GROUPS = range(2, 9)
DISTINCTION = 1.5
MATERIAL = 0.05  # log-odds: about a 1 % change of a probability near 0.3
NAMING_FACTORS = 2

MEMBERS_SCHEMA = pa.schema(
    [
        ("prediction_name", pa.string()),
        ("bucket", pa.string()),
        ("profile_id", pa.string()),
        ("segment_id", pa.string()),
        ("segment_name", pa.string()),
        ("segment_definition", pa.string()),
        ("naming_factors", pa.string()),
        ("groups_chosen", pa.int32()),
    ]
)

CHARACTERISTICS_SCHEMA = pa.schema(
    [
        ("segment_id", pa.string()),
        ("prediction_name", pa.string()),
        ("bucket", pa.string()),
        ("factor_code", pa.string()),
        ("factor_label", pa.string()),
        ("is_naming_factor", pa.bool_()),
        ("segment_profiles", pa.int64()),
        ("rest_profiles", pa.int64()),
        ("mean_contribution", pa.float64()),
        ("rest_mean_contribution", pa.float64()),
        ("mean_feature_value", pa.float64()),
        ("rest_mean_feature_value", pa.float64()),
    ]
)


def explanation_matrix(codes: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(profile ids sorted, contributions profile x factor with 0 where a factor is not among the reasons, factors)."""
    profiles = np.array(sorted(codes["profile_id"].astype(str).unique()), dtype=object)
    factors = sorted(codes["factor_code"].astype(str).unique())
    row = pd.Index(profiles).get_indexer(codes["profile_id"].astype(str))
    column = pd.Index(factors).get_indexer(codes["factor_code"].astype(str))
    matrix = np.zeros((len(profiles), len(factors)), dtype=np.float64)
    np.add.at(matrix, (row, column), codes["contribution"].astype("float64").to_numpy())
    return profiles, matrix, factors


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def distinguishing_factors(
    matrix: np.ndarray, inside: np.ndarray, factors: list[str]
) -> list[tuple[str, float, float]]:
    """(factor, mean in group, mean in the rest) of the factors that set a group apart, strongest first."""
    mean_in = matrix[inside].mean(axis=0)
    mean_out = matrix[~inside].mean(axis=0) if (~inside).any() else np.zeros(len(factors))
    # a factor names a group only if it weighs in it: a mean contribution of at least MATERIAL log-odds
    found = [
        (factors[j], float(mean_in[j]), float(mean_out[j]))
        for j in range(len(factors))
        if mean_in[j] >= MATERIAL and mean_in[j] >= DISTINCTION * mean_out[j]
    ]
    found.sort(key=lambda f: (-(f[1] - f[2]), f[0]))
    return found[:NAMING_FACTORS]


def choose_groups(
    profiles: np.ndarray, matrix: np.ndarray, factors: list[str], min_size: int, seed: int
) -> tuple[np.ndarray | None, int]:
    """The group of every profile and the number of groups k, or (None, 0).

    A k is valid when every group keeps min_size profiles, has a distinguishing factor, and no two groups are
    named by the same factors. Among valid k, the best silhouette with k >= 3 wins (several audiences are what
    segments are for), then k = 2; without a valid k, the best silhouette among the k whose groups are large
    enough (groups named alike are then one segment, and groups without a distinguishing factor go to "other").
    """
    vectors = unit_rows(matrix)
    order = np.lexsort((profiles.astype(str), profile_bucket(profiles, seed)))  # deterministic sample
    sample = vectors[np.sort(order[:FIT_ROWS])]
    scoring = sample[:SILHOUETTE_ROWS] if len(sample) > SILHOUETTE_ROWS else sample
    # the rows every k is scored on are the same: their distances are computed once, not once per k (at 5,000 rows
    # that was most of the time of a large bucket)
    scoring_distances = pairwise_distances(scoring)
    candidates = []  # (preference, silhouette, -k, groups)
    for k in GROUPS:
        if len(profiles) < k * min_size or len(sample) <= k:
            break
        model = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(sample)
        groups = model.predict(vectors)
        if np.bincount(groups, minlength=k).min() < min_size:
            continue
        labels = model.predict(scoring)
        if len(np.unique(labels)) < 2:
            continue
        names = [
            tuple(sorted(code for code, _, _ in distinguishing_factors(matrix, groups == g, factors))) for g in range(k)
        ]
        valid = all(names) and len(set(names)) == k
        preference = 2 if valid and k >= 3 else 1 if valid else 0
        silhouette = float(silhouette_score(scoring_distances, labels, metric="precomputed"))
        candidates.append((preference, silhouette, -k, groups))
    if not candidates:
        return None, 0
    _, _, negative_k, groups = max(candidates, key=lambda c: c[:3])
    return groups, -negative_k


def segment_members(
    codes: pd.DataFrame,
    labels: dict[str, str],
    prediction: str,
    propensity_type: str,
    bucket: str,
    min_size: int,
    seed: int,
) -> pd.DataFrame:
    """One row per profile of the bucket that falls in a reason segment (MEMBERS_SCHEMA columns)."""
    columns = [field.name for field in MEMBERS_SCHEMA]
    if codes.empty:
        return pd.DataFrame(columns=columns)
    profiles, matrix, factors = explanation_matrix(codes)
    groups, k = choose_groups(profiles, matrix, factors, min_size, seed)
    if groups is None:
        return pd.DataFrame(columns=columns)
    outlook = "likely to churn" if propensity_type == "churn" else "likely to convert"
    if bucket != "high":
        outlook = f"{bucket} {'churn risk' if propensity_type == 'churn' else 'propensity'}"
    segment_of = np.empty(len(profiles), dtype=object)
    names, definitions, naming = {}, {}, {}
    for g in range(k):
        inside = groups == g
        found = distinguishing_factors(matrix, inside, factors)
        codes_sorted = sorted(code for code, _, _ in found)
        segment_id = f"{prediction}__{bucket}__reasons__" + ("__".join(codes_sorted) if found else "other")
        segment_of[inside] = segment_id
        words = " and ".join(labels.get(code, code).lower() for code, _, _ in found)
        names[segment_id] = f"{prediction}: {outlook}: {words}" if found else f"{prediction}: {outlook}: other reasons"
        definitions[segment_id] = (
            f"{bucket.capitalize()}-bucket profiles of {prediction} whose reasons give more weight than the rest of "
            f"the bucket's to: {'; '.join(labels.get(code, code) for code, _, _ in found)}."
            if found
            else f"{bucket.capitalize()}-bucket profiles of {prediction} whose reasons set no factor apart."
        )
        naming[segment_id] = ",".join(codes_sorted)
    return pd.DataFrame(
        {
            "prediction_name": prediction,
            "bucket": bucket,
            "profile_id": profiles.astype(str),
            "segment_id": segment_of,
            "segment_name": [names[s] for s in segment_of],
            "segment_definition": [definitions[s] for s in segment_of],
            "naming_factors": [naming[s] for s in segment_of],
            "groups_chosen": np.int32(k),
        }
    )[columns]


def characteristics(
    codes: pd.DataFrame,
    members: pd.DataFrame,
    features: pd.DataFrame,
    labels: dict[str, str],
) -> pd.DataFrame:
    """Per segment and factor of one prediction's bucket: mean contribution and mean feature value in the segment
    against the rest of the bucket (the bucket's profiles outside the segment)."""
    columns = [field.name for field in CHARACTERISTICS_SCHEMA]
    if members.empty or codes.empty:
        return pd.DataFrame(columns=columns)
    profiles, matrix, factors = explanation_matrix(codes)
    in_bucket = pd.Index(profiles)
    values = features.set_index(features["profile_id"].astype(str)).reindex(in_bucket)
    rows = []
    for segment_id, group in members.groupby("segment_id", sort=True):
        inside = in_bucket.isin(group["profile_id"].astype(str))
        named = set(filter(None, str(group["naming_factors"].iloc[0]).split(",")))
        for j, factor in enumerate(factors):
            column = values[factor] if factor in values else pd.Series(np.nan, index=in_bucket)
            numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64)
            rows.append(
                {
                    "segment_id": segment_id,
                    "prediction_name": group["prediction_name"].iloc[0],
                    "bucket": group["bucket"].iloc[0],
                    "factor_code": factor,
                    "factor_label": labels.get(factor, factor),
                    "is_naming_factor": factor in named,
                    "segment_profiles": int(inside.sum()),
                    "rest_profiles": int((~inside).sum()),
                    "mean_contribution": float(matrix[inside, j].mean()),
                    "rest_mean_contribution": float(matrix[~inside, j].mean()) if (~inside).any() else None,
                    "mean_feature_value": _mean(numbers[inside]),
                    "rest_mean_feature_value": _mean(numbers[~inside]),
                }
            )
    return pd.DataFrame(rows, columns=columns)


def _mean(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else None
