"""When a build fits its models again (customer_ai__retrain_policy, customer_ai__retrain_after_days): the live
propensity models and the lifetime-value fits follow the same policy. A module of its own, so that the
lifetime-value models decide without importing the propensity stack (scikit-learn, shap). Besides the policy, a
fit is made again when what it depends on changed: `fingerprint` digests that, for the backtests and the
lifetime-value fits alike."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

RETRAIN_POLICIES = ("always", "older_than", "never")


def should_retrain(
    policy: str, after_days: int, last_trained_at: dt.datetime | None, now: dt.datetime, subject: str = "model"
) -> tuple[bool, str]:
    """Whether to fit a new model now, and why (`subject` names what was fitted in the reason)."""
    if policy not in RETRAIN_POLICIES:
        raise ValueError(
            f"customer_ai__retrain_policy: unknown policy '{policy}'; one of {', '.join(RETRAIN_POLICIES)}"
        )
    if last_trained_at is None:
        return True, f"no {subject} yet"
    if policy == "always":
        return True, "retrain policy 'always'"
    if policy == "never":
        return False, "retrain policy 'never'"
    age = (now - last_trained_at).total_seconds() / 86_400
    if age >= after_days:
        return True, f"latest {subject} is {age:.1f} days old (>= {after_days})"
    return False, f"latest {subject} is {age:.1f} days old (< {after_days})"


def fingerprint(described: dict, code: Iterable[Path]) -> str:
    """A digest of what a fit depends on: a description of its inputs, settings and libraries (JSON-able; other
    values by their text) and the bytes of the code that makes it. Equal digests, equal fits."""
    digest = hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode())
    for path in code:
        digest.update(path.read_bytes())
    return digest.hexdigest()
