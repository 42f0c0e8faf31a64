"""Loading the CDNOW fixture (shared by the library and the dbt tests)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "cdnow" / "CDNOW_sample.txt"
CALIBRATION_END = pd.Timestamp("1997-09-30")


def transactions() -> pd.DataFrame:
    frame = pd.read_csv(
        FIXTURE, sep=r"\s+", header=None, names=["master_id", "customer", "date", "cds", "value"], dtype={"date": str}
    )
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return frame


def calibration_days() -> pd.DataFrame:
    """One row per customer-day of the calibration period (weeks 1-39), values summed."""
    frame = transactions()
    frame = frame[frame["date"] <= CALIBRATION_END]
    daily = frame.groupby(["customer", "date"], as_index=False)["value"].sum()
    daily["day"] = (daily["date"] - pd.Timestamp("1997-01-01")).dt.days.astype(float)
    return daily
