"""Progress messages of the long steps (training, scoring, explanations, lifetime value).

Inside dbt the messages are dbt events, so they reach dbt's console output and logs/dbt.log like dbt's own
lines; outside dbt (pytest, a notebook) they are printed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def log(message: str) -> None:
    try:
        from dbt_common.events.functions import fire_event
        from dbt_common.events.types import Note
    except ImportError:  # the library used without dbt
        print(message, flush=True)
        return
    fire_event(Note(msg=f"customer_ai: {message}"))


def batches(
    step: str,
    stream: Iterable[T],
    total_rows: int | None,
    batch_rows: int,
    rows_of: Callable[[T], int],
    say: Callable[[str], None] = log,
) -> Iterator[T]:
    """Pass a stream of batches through, logging after each: batches done of total, rows, elapsed seconds."""
    started = time.monotonic()
    total_batches = None if total_rows is None else max(1, -(-total_rows // max(batch_rows, 1)))
    done_rows = 0
    for number, batch in enumerate(stream, start=1):
        yield batch
        done_rows += rows_of(batch)
        of_batches = f"/{total_batches:,}" if total_batches else ""
        of_rows = f" of {total_rows:,}" if total_rows is not None else ""
        say(f"{step}: batch {number:,}{of_batches}, {done_rows:,}{of_rows} rows, {time.monotonic() - started:.1f}s")
