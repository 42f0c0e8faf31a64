#!/usr/bin/env python
"""Compare the Parquet copies of two builds, e.g. DuckDB's and Spark's:

    .venv/bin/python scripts/compare_bi_copies.py warehouse/bi/dev warehouse/bi/spark

For every table: the same columns with the same types, and the same rows and values, the columns that say when or
in which run a row was made aside (run ids, build times). Exits 1 and says what differs when anything does.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

RUN_TIME_COLUMNS = {"model_run_id", "scored_at", "refreshed_at", "trained_at", "training_seconds", "fitted_at"}
RUN_TIME_COLUMNS |= {"fit_seconds", "exported_at", "path", "bytes"}


def compare(left: Path, right: Path) -> list[str]:
    problems = []
    names = sorted(p.name for p in left.glob("*.parquet"))
    if names != sorted(p.name for p in right.glob("*.parquet")):
        return [f"different files: {names} and {sorted(p.name for p in right.glob('*.parquet'))}"]
    with duckdb.connect() as con:
        for name in names:
            a, b = f"read_parquet('{left / name}')", f"read_parquet('{right / name}')"
            types_a = con.sql(f"describe select * from {a}").fetchall()
            types_b = con.sql(f"describe select * from {b}").fetchall()
            left_types, right_types = [r[:2] for r in types_a], [r[:2] for r in types_b]
            if left_types != right_types:
                problems.append(f"{name}: column types differ: {left_types} vs {right_types}")
                continue
            columns = ", ".join(f'"{r[0]}"' for r in types_a if r[0] not in RUN_TIME_COLUMNS)
            only_a = con.sql(f"select count(*) from (select {columns} from {a} except all select {columns} from {b})")
            only_b = con.sql(f"select count(*) from (select {columns} from {b} except all select {columns} from {a})")
            rows = con.sql(f"select count(*) from {a}").fetchall()[0][0]
            missing, extra = only_a.fetchall()[0][0], only_b.fetchall()[0][0]
            status = "identical" if missing == extra == 0 else f"{missing} rows only left, {extra} only right"
            print(f"{name}: {rows:,} rows, {status}")
            if missing or extra:
                problems.append(f"{name}: {status}")
    return problems


if __name__ == "__main__":
    found = compare(Path(sys.argv[1]), Path(sys.argv[2]))
    for problem in found:
        print("DIFFERENT:", problem)
    sys.exit(1 if found else 0)
