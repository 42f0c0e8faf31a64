"""The DuckDB engine's batch map: what the scoring, explanation and lifetime-value models stream through."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from customer_ai import engine

SCHEMA = pa.schema([("rows", pa.int64()), ("first", pa.int64())])


def sizes(frames):
    """A batch function that records each batch's row count and first n."""
    for frame in frames:
        yield pa.RecordBatch.from_pylist([{"rows": len(frame), "first": int(frame["n"].iloc[0])}], schema=SCHEMA)


def test_batches_have_exactly_the_rows_asked_for_across_row_groups():
    """DuckDB's reader also ends a batch at each row group (122,880 rows): the map re-cuts the stream, so every
    batch but the last has batch_rows rows, the count the progress messages announce, and no row is lost."""
    session = duckdb.connect()
    session.execute("create table numbers as select range as n from range(300000)")
    warehouse = engine.of(session)

    result = warehouse.map_batches(session.table("numbers"), sizes, SCHEMA, order_by="n", batch_rows=20_000)
    batches = pa.Table.from_batches(list(result), schema=SCHEMA).to_pylist()
    assert [b["rows"] for b in batches] == [20_000] * 15
    assert [b["first"] for b in batches] == list(range(0, 300_000, 20_000))

    odd = warehouse.map_batches(session.table("numbers"), sizes, SCHEMA, order_by="n", batch_rows=70_001)
    assert [b["rows"] for b in pa.Table.from_batches(list(odd), schema=SCHEMA).to_pylist()] == [70_001] * 4 + [19_996]


def test_the_progress_of_a_batch_map_takes_a_known_row_count_instead_of_counting(capsys):
    """A caller that knows how many rows it maps (the backtest scores, from the evaluation rows' digests) spares the
    count: over a view that is a join evaluated once more."""
    session = duckdb.connect()
    session.execute("create table numbers as select range as n from range(50000)")
    warehouse = engine.of(session)

    def last_message(**given):
        result = warehouse.map_batches(session.table("numbers"), sizes, SCHEMA, order_by="n", step="numbers", **given)
        assert sum(batch["rows"] for batch in pa.Table.from_batches(list(result)).to_pylist()) == 50_000
        return capsys.readouterr().out.strip().splitlines()[-1]

    # counted: the messages announce the 50,000 rows
    assert "numbers: batch 3/3, 50,000 of 50,000 rows, " in last_message()
    # given: the messages announce what the caller said, which here is deliberately not the count
    assert "numbers: batch 3/5, 50,000 of 90,000 rows, " in last_message(total_rows=90_000)


def test_content_digests_see_every_value_and_no_order():
    """The digest a build compares with the previous build's: the same rows in another order give the same digest;
    one changed value, or a null moved to the next column, gives another."""
    session = duckdb.connect()
    session.execute(
        "create table rows as select range % 3 as part, range as n, case when range = 5 then null else 'x' end as a, "
        "case when range = 5 then 'x' end as b from range(1000)"
    )
    warehouse = engine.of(session)

    def digests(sql: str) -> dict[int, tuple[int, str]]:
        found = warehouse.content_digests(session.sql(sql), ["part"])
        return {row["part"]: (row["row_count"], row["content_digest"]) for row in found.to_dict("records")}

    first = digests("select * from rows")
    assert {part: count for part, (count, _) in first.items()} == {0: 334, 1: 333, 2: 333}
    assert digests("select * from rows order by n desc") == first
    changed = digests("select part, n + (n = 7)::int as n, a, b from rows")
    assert changed[1] != first[1] and changed[0] == first[0] and changed[2] == first[2]
    moved = digests("select part, n, b as a, a as b from rows where n = 5 union all select * from rows where n <> 5")
    assert moved[2] != first[2] and moved[0] == first[0]


def test_content_digests_cover_the_columns_asked_for():
    """A digest over some columns (the backtest trainer leaves the examples' bookkeeping out) is the digest of a
    relation of those columns alone: another value in a column left out does not change it."""
    session = duckdb.connect()
    session.execute("create table rows as select range % 2 as part, range as n, 'run 1' as note from range(100)")
    warehouse = engine.of(session)

    def digests(sql: str, columns: list[str] | None = None) -> list[tuple]:
        found = warehouse.content_digests(session.sql(sql), ["part"], columns)
        return sorted(found.itertuples(index=False, name=None))

    without_note = digests("select part, n from rows")
    assert digests("select * from rows", ["part", "n"]) == without_note
    assert digests("select * replace ('run 2' as note) from rows", ["part", "n"]) == without_note
    assert digests("select * from rows") != without_note


def test_batches_hold_only_the_columns_asked_for():
    """Scoring reads the keys and the model's own features, not every column of the feature table."""
    session = duckdb.connect()
    session.execute("create table rows as select range as n, range * 2 as twice, 'unread' as other from range(10)")
    warehouse = engine.of(session)
    seen = []

    def columns(frames):
        for frame in frames:
            seen.append(list(frame.columns))
            yield pa.RecordBatch.from_pylist(
                [{"rows": len(frame), "first": int(frame["twice"].iloc[0])}], schema=SCHEMA
            )

    result = warehouse.map_batches(session.table("rows"), columns, SCHEMA, order_by="n", columns=["twice", "n"])
    assert pa.Table.from_batches(list(result), schema=SCHEMA).to_pylist() == [{"rows": 10, "first": 0}]
    assert seen == [["twice", "n"]]
