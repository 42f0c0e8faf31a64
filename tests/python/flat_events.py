"""Small flat event files for the incremental tests: rows of (event_id, profile_id, event_type, event_timestamp,
revenue), the source vars that read them, and a table's rows without the columns that say when a run made them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
from conftest import RUN_TIME_COLUMNS


def flat_events(rows: list[tuple]) -> pa.Table:
    names = ["event_id", "profile_id", "event_type", "event_timestamp", "revenue"]
    columns = list(zip(*rows, strict=True))
    return pa.table(
        {
            name: pa.array(values, pa.float64() if name == "revenue" else pa.string())
            for name, values in zip(names, columns, strict=True)
        }
    )


def flat_file_source(path: Path) -> dict:
    return {
        "customer_ai__events_source": "files",
        "customer_ai__events_format": "flat",
        "customer_ai__events_path": str(path),
    }


def rows_but_run_times(db: Path, table: str) -> list[tuple]:
    """Every row of a table (or a parenthesised query), sorted, without the columns that say when a run staged or
    computed something (RUN_TIME_COLUMNS): two warehouses built at different times differ there and nowhere else."""
    names = ", ".join(f"'{name}'" for name in sorted(RUN_TIME_COLUMNS))
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(f"select columns(lambda c: c not in ({names})) from {table} order by all").fetchall()


VIEW = "web.webpagedetails.pageViews"
BUY = "commerce.purchases"


def every_other_day(first: dt.date, last: dt.date) -> list[tuple]:
    """Flat events every other day from first to last: a page view each day, a purchase every sixth day, three
    profiles taking turns."""
    rows = []
    for n in range(0, (last - first).days + 1, 2):
        day = first + dt.timedelta(days=n)
        profile = f"p{n % 3 + 1}"
        rows.append((f"view-{day}", profile, VIEW, f"{day}T09:00:00Z", None))
        if n % 6 == 0:
            rows.append((f"buy-{day}", profile, BUY, f"{day}T10:00:00Z", 10.0 + n))
    return rows
