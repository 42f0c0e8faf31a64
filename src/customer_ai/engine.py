"""The one place the Python models meet the warehouse engine: DuckDB or Spark.

A dbt Python model gets `session` (a DuckDB connection, or a SparkSession) and relations from `dbt.ref` (a DuckDB
relation, or a Spark DataFrame). `of(session)` wraps the session in an Engine with the few operations the models
need, written once per engine:

- `frame`: a bounded read to the driver as pandas (training samples, registries, folded histories);
- `map_batches`: a function applied batch by batch to a relation, producing Arrow record batches of a fixed schema.
  On DuckDB the batches stream through this process (memory bounded by the batch size); on Spark the function
  runs on the executors (`mapInArrow`), so scoring and explanations are distributed and the driver holds nothing;
- `table`: a small Arrow table returned as the engine's own result type;
- `rows`: the rows of a small SQL query;
- `stored_table`: a model's own table as the previous build left it (None if there is none), read to the driver as
  Arrow (exact types and nulls, unlike pandas), all of it or the rows of a filter;
- `content_digests`: per group of a relation, its row count and an order-free digest of its rows, computed by the
  engine (what a model compares with the previous build's to know which of its inputs are unchanged);
- `write_parquet`: a relation written to one Parquet file by the engine.

Filters are SQL expressions written by the project (names from the validated configuration).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from importlib import metadata
from typing import Any

import pandas as pd
import pyarrow as pa

from customer_ai import progress

# a function from a stream of pandas batches to a stream of Arrow record batches (it may keep state across batches,
# e.g. a pool of worker processes)
BatchFunction = Callable[[Iterator[pd.DataFrame]], Iterable[pa.RecordBatch]]


def _versions(names: list[str]) -> dict[str, str]:
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def exact_batches(reader: Iterable[pa.RecordBatch], rows: int) -> Iterator[pa.Table]:
    """The stream cut into tables of exactly `rows` rows (the last one smaller). DuckDB's reader stops a batch at
    each row group's end as well, which made, say, 36 uneven batches where 32 were announced."""
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    for batch in reader:
        if not batch.num_rows:
            continue
        pending.append(batch)
        pending_rows += batch.num_rows
        while pending_rows >= rows:
            table = pa.Table.from_batches(pending)
            yield table.slice(0, rows)
            rest = table.slice(rows)
            pending, pending_rows = rest.to_batches(), rest.num_rows
    if pending_rows:
        yield pa.Table.from_batches(pending)


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, session: Any) -> None:
        self.session = session

    def versions(self) -> dict[str, str]:
        return _versions(["duckdb", "dbt-duckdb"])

    def _select(self, relation: Any, columns: list[str] | None, where: str | None, order_by: str | None) -> Any:
        if where:
            relation = relation.filter(where)
        if columns:
            relation = relation.project(", ".join(columns))
        if order_by:
            relation = relation.order(order_by)
        return relation

    def frame(
        self, relation: Any, columns: list[str] | None = None, where: str | None = None, order_by: str | None = None
    ) -> pd.DataFrame:
        return self._select(relation, columns, where, order_by).df()

    def map_batches(
        self,
        relation: Any,
        function: BatchFunction,
        schema: pa.Schema,
        where: str | None = None,
        order_by: str | None = None,
        batch_rows: int = 20_000,
        step: str | None = None,
        columns: list[str] | None = None,
        total_rows: int | None = None,
    ) -> pa.RecordBatchReader:
        """`step` names the work in the progress messages (one per batch: batches done of total, rows, seconds).
        `columns`: the only columns the function reads (default all), so that the others are never read.
        `total_rows`: the number of rows `where` selects, when the caller knows it; else the progress messages count
        them first (one more pass over the relation, which costs a join when it is a view)."""
        selected = self._select(relation, columns, where, order_by)

        def batches() -> Iterator[pa.RecordBatch]:
            # opened only when the result is read: DuckDB runs one query at a time per connection
            total = total_rows
            if step and total is None:
                total = selected.aggregate("count(*)").fetchall()[0][0]
            frames = (table.to_pandas() for table in exact_batches(selected.to_arrow_reader(batch_rows), batch_rows))
            if step:
                frames = progress.batches(step, frames, total, batch_rows, len)
            yield from function(frames)

        return pa.RecordBatchReader.from_batches(schema, batches())

    def chain(self, schema: pa.Schema, results: list[Any]) -> Any:
        """Several map_batches results (or Arrow tables) as one."""

        def batches() -> Iterator[pa.RecordBatch]:
            for result in results:
                yield from result.cast(schema).to_batches() if isinstance(result, pa.Table) else result

        return pa.RecordBatchReader.from_batches(schema, batches())

    def table(self, table: pa.Table) -> pa.Table:
        return table

    def aggregate(self, relation: Any, expressions: list[str], group_by: list[str] | None = None) -> pd.DataFrame:
        if group_by:
            return relation.aggregate(", ".join(group_by + expressions), ", ".join(group_by)).df()
        return relation.aggregate(", ".join(expressions)).df()

    def worker_processes(self, requested: int) -> int:
        """Processes a batch function may use: this one runs in the dbt process, so it may fan out."""
        return requested

    def rows(self, sql: str) -> list[tuple]:
        return [tuple(row) for row in self.session.sql(sql).fetchall()]

    def stored_table(self, this: Any, where: str | None = None) -> pa.Table | None:
        """`this` (dbt.this) as the previous build left it, or its rows `where`. dbt-duckdb builds a table beside
        the old one and swaps them afterwards, so the old one is still there while the model runs."""
        found = self.session.execute(
            "select count(*) from information_schema.tables where table_catalog = ? and table_schema = ? "
            "and table_name = ?",
            [this.database, this.schema, this.identifier],
        ).fetchall()
        if not found[0][0]:
            return None
        stored = self.session.sql(f"select * from {this}")
        return (stored.filter(where) if where else stored).to_arrow_table()

    def content_digests(self, relation: Any, group_by: list[str], columns: list[str] | None = None) -> pd.DataFrame:
        """group_by, `row_count` and `content_digest` (a bit_xor of the hashes of the rows' `columns`, all by
        default, nulls included)."""
        columns = ", ".join(f'"{column}"' for column in columns or relation.columns)
        expressions = ["count(*) as row_count", f"cast(bit_xor(hash({columns})) as varchar) as content_digest"]
        return self.aggregate(relation, expressions, group_by)

    def write_parquet(self, relation: Any, path: str) -> None:
        relation.write_parquet(path, compression="zstd")

    def from_batches(self, reader: pa.RecordBatchReader, name: str) -> pa.RecordBatchReader:
        """A stream of record batches as the model's result: DuckDB reads it block by block."""
        return reader


class SparkEngine:
    name = "spark"

    def __init__(self, session: Any) -> None:
        self.session = session

    def versions(self) -> dict[str, str]:
        return {**_versions(["pyspark", "dbt-spark"]), "spark": self.session.version}

    def _select(self, relation: Any, columns: list[str] | None, where: str | None, order_by: str | None) -> Any:
        if where:
            relation = relation.filter(where)
        if columns:
            relation = relation.selectExpr(*columns)
        if order_by:
            relation = relation.orderBy(*[c.strip() for c in order_by.split(",")])
        return relation

    def frame(
        self, relation: Any, columns: list[str] | None = None, where: str | None = None, order_by: str | None = None
    ) -> pd.DataFrame:
        return self._select(relation, columns, where, order_by).toPandas()

    def map_batches(
        self,
        relation: Any,
        function: BatchFunction,
        schema: pa.Schema,
        where: str | None = None,
        order_by: str | None = None,
        batch_rows: int = 20_000,
        step: str | None = None,
        columns: list[str] | None = None,
        total_rows: int | None = None,
    ) -> Any:
        """On the executors: `step` is logged once here; per-batch progress is in Spark's own task log. `columns`: the
        only columns the function reads (default all). `total_rows`: unused (Spark counts nothing for progress)."""
        from pyspark.sql.pandas.types import from_arrow_schema

        if step:
            progress.log(f"{step}: on the Spark executors, in batches of at most {batch_rows:,} rows")

        def on_executor(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            for result in function(batch.to_pandas() for batch in batches if batch.num_rows):
                yield result if result.schema == schema else result.cast(schema)

        # no order: each executor batch is a pure function of its rows, and tables have no row order
        selected = self._select(relation, columns, where, None)
        # Arrow batches of at most batch_rows rows reach the function (bounded memory per task)
        self.session.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_rows))
        return selected.mapInArrow(on_executor, from_arrow_schema(schema))

    def chain(self, schema: pa.Schema, results: list[Any]) -> Any:
        if not results:
            return self.table(pa.Table.from_batches([], schema=schema))
        frames = [self.table(result.cast(schema)) if isinstance(result, pa.Table) else result for result in results]
        combined = frames[0]
        for other in frames[1:]:
            combined = combined.unionByName(other)
        return combined

    def table(self, table: pa.Table) -> Any:
        from pyspark.sql.pandas.types import from_arrow_schema

        if table.num_rows == 0:
            return self.session.createDataFrame([], from_arrow_schema(table.schema))
        return self.session.createDataFrame(table)

    def rows(self, sql: str) -> list[tuple]:
        return [tuple(row) for row in self.session.sql(sql).collect()]

    def stored_table(self, this: Any, where: str | None = None) -> pa.Table | None:
        """`this` (dbt.this) as the previous build left it, or its rows `where`. dbt-spark drops a Parquet table
        before it rebuilds it, so on this project's Spark target there is usually nothing left to read: then None."""
        if not self.session.catalog.tableExists(this.identifier, this.schema):
            return None
        stored = self.session.table(f"{this.schema}.{this.identifier}")
        return (stored.filter(where) if where else stored).toArrow()

    def content_digests(self, relation: Any, group_by: list[str], columns: list[str] | None = None) -> pd.DataFrame:
        """group_by, `row_count` and `content_digest` (a bit_xor of the hashes of the rows' `columns`, all by
        default). Spark's xxhash64 skips nulls, so each column's null flag is hashed beside it: (null, 1) and
        (1, null) differ."""
        columns = ", ".join(f"`{column}`, isnull(`{column}`)" for column in columns or relation.columns)
        expressions = ["count(*) as row_count", f"cast(bit_xor(xxhash64({columns})) as string) as content_digest"]
        return self.aggregate(relation, expressions, group_by)

    def aggregate(self, relation: Any, expressions: list[str], group_by: list[str] | None = None) -> pd.DataFrame:
        from pyspark.sql import functions

        if group_by:
            return relation.groupBy(*group_by).agg(*[functions.expr(e) for e in expressions]).toPandas()
        return relation.selectExpr(*expressions).toPandas()

    def worker_processes(self, requested: int) -> int:
        """Processes a batch function may use: one, the executors already run batches in parallel."""
        return 1

    def from_batches(self, reader: pa.RecordBatchReader, name: str) -> Any:
        """A stream of record batches as the model's result: written as Parquet files to a scratch folder beside the
        warehouse (so the driver never holds them all), then read by Spark. The folder is replaced at every build."""
        import shutil

        import pyarrow.parquet as pq

        warehouse_dir = self.session.conf.get("spark.sql.warehouse.dir").removeprefix("file:")
        folder = os.path.join(os.path.dirname(warehouse_dir.rstrip("/")), "scratch", name)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        for number, batch in enumerate(reader):
            pq.write_table(pa.Table.from_batches([batch]), f"{folder}/part-{number:05d}.parquet", compression="zstd")
        return self.session.read.parquet(folder)

    def write_parquet(self, relation: Any, path: str) -> None:
        """One Parquet file at `path`, written by Spark (one task: the copies for BI are single files)."""
        import glob
        import shutil
        import tempfile

        # named like the export's own temporaries, so that an interrupted export's leftovers are removed alike
        folder = tempfile.mkdtemp(prefix=".spark-", suffix=".parquet.tmp", dir=os.path.dirname(path))
        try:
            relation.coalesce(1).write.mode("overwrite").option("compression", "zstd").parquet(folder + "/out")
            (part,) = glob.glob(folder + "/out/part-*.parquet")
            shutil.move(part, path)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def of(session: Any) -> DuckDBEngine | SparkEngine:
    """The engine a dbt Python model runs on, from its `session` argument."""
    module = type(session).__module__
    if module.startswith("pyspark"):
        return SparkEngine(session)
    if module.startswith(("duckdb", "_duckdb", "dbt.adapters.duckdb")):  # a connection, or dbt-duckdb's wrapper
        return DuckDBEngine(session)
    raise TypeError(f"unsupported dbt Python model session: {type(session).__module__}.{type(session).__name__}")
