"""Parquet copies of warehouse tables, replaced atomically, for readers that cannot open a locked DuckDB file."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

MANIFEST_SCHEMA = pa.schema(
    [
        ("table_name", pa.string()),
        ("path", pa.string()),
        ("rows", pa.int64()),
        ("bytes", pa.int64()),
        ("exported_at", pa.timestamp("us")),
    ]
)


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete the temporary files an interrupted export left behind (.<table>.<random>.parquet.tmp), so that a
    killed build does not leave litter that grows with every crash. Returns what was removed."""
    removed = []
    for stale in folder.glob(".*.parquet.tmp"):
        if stale.is_dir():  # a Spark writer's folder
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
        removed.append(stale)
    return removed


def export_parquet(relations: dict, folder: str | None, write=None) -> pa.Table:
    """Write each relation to folder/<name>.parquet with write(relation, path) (default: relation.write_parquet,
    e.g. a DuckDB relation; customer_ai.engine gives the engine's own writer).

    The file is first written to a temporary name in the same folder, then os.replace()d over the final name,
    which is atomic within a filesystem; temporaries left by an earlier, interrupted export are removed first.
    With no folder configured nothing is written.
    """
    if not folder or str(folder).lower() in {"none", "null"}:
        return pa.Table.from_pylist([], schema=MANIFEST_SCHEMA)
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    rows = []
    for name, relation in relations.items():
        final = target / f"{name}.parquet"
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".parquet.tmp", dir=target)
        os.close(handle)
        try:
            if write is None:
                relation.write_parquet(temporary, compression="zstd")
            else:
                write(relation, temporary)
            os.replace(temporary, final)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        rows.append(
            {
                "table_name": name,
                "path": str(final.resolve()),
                "rows": pq.ParquetFile(final).metadata.num_rows,
                "bytes": final.stat().st_size,
                "exported_at": dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
            }
        )
    return pa.Table.from_pylist(rows, schema=MANIFEST_SCHEMA)
