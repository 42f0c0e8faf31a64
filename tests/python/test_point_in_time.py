"""Point in time: no feature at a snapshot changes when events after the snapshot are added or removed."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from customer_ai import demo_data as dd

AS_OF = "2026-01-31"
CUT = dt.date(2025, 11, 8)  # a training snapshot: the grid date (every 30 days from 1970-01-01) before the last one


def _features(db_path, up_to: dt.date) -> pd.DataFrame:
    with duckdb.connect(str(db_path), read_only=True) as con:
        frame = con.sql(
            # what the rows were computed from (the staging times of their days) and when: not features
            "select * exclude (inputs_fingerprint, computed_at) from int_profile_snapshots_featurized "
            "where snapshot_date <= ? order by profile_id, snapshot_date",
            params=[up_to],
        ).df()
    return frame.reset_index(drop=True)


def test_features_ignore_events_after_the_snapshot(tmp_path, dbt_runner):
    sim = dd.simulate_block(dd.DemoSettings(n_profiles=400, seed=5), 0)
    full = dd.to_flat_table(sim)
    dates = pc.cast(pc.strptime(pc.utf8_slice_codeunits(full["event_timestamp"], 0, 10), "%Y-%m-%d", "s"), pa.date32())
    before = full.filter(pc.less_equal(dates, pa.scalar(CUT, pa.date32())))
    assert 0 < before.num_rows < full.num_rows

    # Changed future: everything after the cut removed, and new events added just after it (one second after
    # midnight, to catch a session that would run across the snapshot) and for a profile never seen before.
    added = pa.table(
        {
            "event_id": ["late-1", "late-2", "late-3"],
            "profile_id": [before["profile_id"][0].as_py(), before["profile_id"][0].as_py(), "brand-new-profile"],
            "event_type": ["commerce.purchases", "web.webpagedetails.pageViews", "commerce.purchases"],
            "event_timestamp": [
                f"{CUT + dt.timedelta(days=1)}T00:00:01.000Z",
                f"{CUT + dt.timedelta(days=3)}T10:00:00Z",
                f"{CUT + dt.timedelta(days=2)}T10:00:00Z",
            ],
            "revenue": [999.0, None, 50.0],
        }
    )
    changed = pa.concat_tables([before, added], promote_options="default")

    pq.write_table(full, tmp_path / "full.parquet")
    pq.write_table(changed, tmp_path / "changed.parquet")
    common = {
        "customer_ai__events_source": "files",
        "customer_ai__events_format": "flat",
        "customer_ai__as_of_date": AS_OF,
    }
    select = ["run", "--select", "+int_profile_snapshots_featurized"]
    dbt_runner(select, {**common, "customer_ai__events_path": str(tmp_path / "full.parquet")}, db_name="full.duckdb")
    dbt_runner(
        select, {**common, "customer_ai__events_path": str(tmp_path / "changed.parquet")}, db_name="changed.duckdb"
    )

    original = _features(tmp_path / "full.duckdb", CUT)
    altered = _features(tmp_path / "changed.duckdb", CUT)
    # training snapshots at the cut and 30 days before it (on the grid), and the earlier ones the backtests add
    assert {CUT, CUT - dt.timedelta(days=30)} <= set(original["snapshot_date"].dt.date)
    assert len(original) > 300
    pd.testing.assert_frame_equal(original, altered)

    # and the check can fail: the later snapshots do see the change
    later_original = _features(tmp_path / "full.duckdb", dt.date(2026, 1, 31))
    later_altered = _features(tmp_path / "changed.duckdb", dt.date(2026, 1, 31))
    assert not later_original.equals(later_altered)
