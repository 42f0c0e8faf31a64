"""The Parquet copies for BI: atomic replacement, and no litter left by an export that was killed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import duckdb
import pyarrow.parquet as pq

from customer_ai import exports

KILLED_EXPORT = textwrap.dedent(
    """
    import sys, time
    from customer_ai import exports

    class Slow:
        def write_parquet(self, path, compression=None):
            with open(path, "wb") as out:
                out.write(b"PAR1 half a file")
                out.flush()
            print("writing", flush=True)
            time.sleep(60)

    exports.export_parquet({"dim_segments": Slow()}, sys.argv[1])
    """
)


def test_an_export_killed_midway_leaves_nothing_behind_after_the_next_one(tmp_path):
    folder = tmp_path / "bi"
    process = subprocess.Popen([sys.executable, "-c", KILLED_EXPORT, str(folder)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "writing"
    process.kill()  # as a killed build would be: no finally, no cleanup
    process.wait()
    assert len(list(folder.glob(".*.parquet.tmp"))) == 1

    relation = duckdb.sql("select 1 as segment_id")
    manifest = exports.export_parquet({"dim_segments": relation}, str(folder))
    assert list(folder.glob(".*.parquet.tmp")) == []
    assert sorted(p.name for p in folder.iterdir()) == ["dim_segments.parquet"]
    assert manifest.num_rows == 1 and pq.read_table(folder / "dim_segments.parquet").num_rows == 1


def test_the_copy_is_replaced_whole(tmp_path):
    folder = tmp_path / "bi"
    exports.export_parquet({"t": duckdb.sql("select * from range(3)")}, str(folder))
    first = (folder / "t.parquet").stat().st_mtime_ns
    time.sleep(0.01)
    exports.export_parquet({"t": duckdb.sql("select * from range(5)")}, str(folder))
    assert (folder / "t.parquet").stat().st_mtime_ns >= first
    assert pq.read_table(folder / "t.parquet").num_rows == 5
