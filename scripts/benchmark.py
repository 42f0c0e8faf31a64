#!/usr/bin/env python
"""Benchmark harness: the whole project at a given scale, and three side-by-side comparisons, on this machine.

    .venv/bin/python scripts/benchmark.py --profiles 100000 --profiles 1000000 --compare

With --engine spark (repeatable: --engine duckdb --engine spark) the same files are also built on local Spark
(`.venv-spark`, `make setup-spark`).

For each scale it generates the demo as XDM Parquet files (customer_ai.demo_data, 2 processes), runs `dbt build`
on them in a fresh warehouse, samples the resident memory of the dbt process every 0.2 s, and reads dbt's
own timing artifact (target/run_results.json) to split wall time and peak memory by stage. With --compare it also
measures, in one run and as ratios: (a) the feature SQL against the same features in plain pandas, (b) the batched,
two-process explanations against one shap.TreeExplainer(model).shap_values(X) call, (c) the lifetime-value fit
against the `lifetimes` package on the full CDNOW master file (installed into a separate virtual environment,
only for the benchmark). With --daily each scale measures a deployment's day: the last simulated day is held back,
the full build runs on the days before it, then that day's events are added and `dbt build` runs again on the same
warehouse, the models reused (retrain policy older_than, 7 days); the report puts the refresh beside the full build,
stage by stage. --daily-repeats N runs that refresh N times from the same state (DuckDB: the warehouse file is
copied aside before the first and back before each other) and reports the median, as shared machines are noisy.
Results go to BENCHMARKS.md (--output).

Not run in CI: a million profiles take minutes and gigabytes; tests use small data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(PROJECT / "scripts"))

# The project's own default DuckDB memory_limit (profiles.yml, target dev), so that the benchmark measures what a
# user gets: with the Python models beside it, it keeps a build at a million profiles within 8 GB.
DEFAULT_MEMORY_LIMIT = "6GB"

# dbt nodes -> stage of the pipeline (by name prefix or exact name); the first match wins.
STAGES = [
    ("staging", ("stg_",)),
    ("sessions", ("int_events_sessionized", "int_sessions_aggregated")),
    (
        "features",
        (
            "int_profile_activities_aggregated_to_days",
            "int_profile_activities_windowed_to_snapshots",
            "int_profile_activities_accumulated_to_snapshots",
            "int_profile_lifetime_features_computed",
            "int_profile_recent_features_computed",
            "int_profile_visit_features_computed",
            "int_profile_recent_activities_pivoted",
            "int_profile_lifetime_activities_pivoted",
            "int_profile_snapshots_featurized",
            "int_features_cataloged",
            "int_as_of_dates_resolved",
            "int_snapshot_dates_scheduled",
        ),
    ),
    (
        "labels",
        (
            "int_prediction_activity_flagged",
            "int_prediction_snapshots_labeled",
            "int_training_examples_sampled",
            "int_scoring_examples_joined",
        ),
    ),
    ("training", ("ml_propensity_models_trained", "ml_model_lift_gains", "ml_model_feature_importance")),
    ("scoring", ("ml_propensity_scores", "fct_propensity_scores")),
    ("reason codes", ("ml_reason_codes", "fct_reason_codes")),
    (
        "lifetime value",
        (
            "int_customer_purchase_histories_summarized",
            "ml_clv_model_fits",
            "ml_customer_lifetime_values",
            "fct_customer_lifetime_value",
        ),
    ),
    (
        "segments",
        (
            "int_profile_value_tiers_assigned",
            "int_segment_memberships_unioned",
            "dim_segments",
            "fct_segment_memberships",
            "dim_customer_profiles",
            "bi_parquet_exports",
        ),
    ),
    (
        "reason segments",
        (
            "int_reason_codes_bucketed",
            "ml_reason_segments_assigned",
            "ml_reason_segment_characteristics",
            "rpt_segment_characteristics",
        ),
    ),
    (
        "backtests",
        (
            "int_backtest_",
            "ml_propensity_backtests_trained",
            "ml_propensity_backtest_scores",
            "rpt_backtest",
            "rpt_backtest_by_bucket",
        ),
    ),
    ("history", ("fct_propensity_score_history", "fct_customer_lifetime_value_history", "rpt_score_history_outcomes")),
    ("reports", ("rpt_",)),
]


def stage_of(unique_id: str) -> str:
    kind, _, name = unique_id.split(".", 2)
    if kind in ("test", "unit_test"):
        return "tests"
    name = name.split(".")[-1]
    for stage, patterns in STAGES:
        if any(name == p or (p.endswith("_") and name.startswith(p)) for p in patterns):
            return stage
    return "other"


# A process at least this large is counted by its resident set, not its proportional share (see tree_memory_bytes)
PROPORTIONAL_SHARE_BELOW = 2 * 2**30


def _status_kib(pid: int, field_name: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field_name):
                return int(line.split()[1])
    return 0


def _proportional_kib(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def process_memory_bytes(pid: int, is_root: bool) -> int:
    """The memory one process of the tree holds. The dbt process counts its resident set (RSS). A child counts
    its proportional share (PSS: a page shared by n processes counts 1/n in each): the explanation workers (and
    Spark's Python workers) are forked from one server and share most of their pages with it, which RSS counted
    once per process, about 0.5 GiB too much with two workers. A child of PROPORTIONAL_SHARE_BELOW or more (the
    Spark JVM) counts its RSS: it is no forked copy, and reading its PSS walks every page (a tenth of a second
    and more, at every sample)."""
    rss = _status_kib(pid, "VmRSS:") * 1024
    if is_root or rss >= PROPORTIONAL_SHARE_BELOW:
        return rss
    try:
        return _proportional_kib(pid) * 1024
    except (FileNotFoundError, PermissionError):  # no smaps_rollup (Linux before 4.14): the resident set
        return rss


def process_tree(pid: int) -> Iterator[int]:
    """A process and all its descendants (dbt's Python models may start worker processes; on Spark, the JVM and its
    Python workers); a process that ended while the tree was walked is skipped with its children."""
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/task/{current}/children") as children:
                todo.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        yield current


def tree_memory_bytes(pid: int) -> int:
    """Memory held by a process tree (process_tree): the sum of process_memory_bytes."""
    total = 0
    for current in process_tree(pid):
        try:
            total += process_memory_bytes(current, is_root=current == pid)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


@dataclass
class MemorySampler:
    pid: int
    interval: float = 0.2
    samples: list[tuple[float, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.time(), tree_memory_bytes(self.pid)))
            time.sleep(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def peak(self, start: float | None = None, end: float | None = None) -> int:
        values = [rss for t, rss in self.samples if (start is None or t >= start) and (end is None or t <= end)]
        return max(values, default=0)


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    import duckdb
    import sklearn

    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": f"{mem_kb / 1024**2:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "scikit-learn": sklearn.__version__,
    }


def measure_build(command: list[str], env: dict, warehouse: Path, label: str, log_name: str) -> dict:
    """Run one dbt build, sampling its memory; its wall time, peak memory, time and peak by stage, slowest nodes."""
    started = time.time()
    with open(warehouse / log_name, "w") as log:
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)
        sampler = MemorySampler(process.pid)
        process.wait()
        sampler.stop()
    wall = time.time() - started
    if process.returncode != 0:
        tail = (warehouse / log_name).read_text()[-4000:]
        raise SystemExit(f"dbt build failed at {label}:\n{tail}")

    results = json.loads((warehouse / "target" / "run_results.json").read_text())["results"]
    stages: dict[str, dict] = {}
    nodes: list[dict] = []
    for result in results:
        timing = {t["name"]: t for t in result.get("timing", [])}
        execute = timing.get("execute") or timing.get("compile")
        if not execute or not execute.get("started_at"):
            continue
        start = dt.datetime.fromisoformat(execute["started_at"].replace("Z", "+00:00")).timestamp()
        end = dt.datetime.fromisoformat(execute["completed_at"].replace("Z", "+00:00")).timestamp()
        stage = stages.setdefault(
            stage_of(result["unique_id"]), {"seconds": 0.0, "start": start, "end": end, "peak": 0, "nodes": 0}
        )
        stage["seconds"] += result["execution_time"]
        stage["start"], stage["end"] = min(stage["start"], start), max(stage["end"], end)
        stage["peak"] = max(stage["peak"], sampler.peak(start, end + sampler.interval))
        stage["nodes"] += 1
        nodes.append({"node": result["unique_id"].split(".")[-1], "seconds": result["execution_time"], "start": start})
    first_start = min((n["start"] for n in nodes), default=0.0)
    slowest = sorted(nodes, key=lambda n: -n["seconds"])[:15]
    for node in slowest:
        node["start"] -= first_start  # seconds after the first node started
    print(f"[{label}] dbt build {wall:.0f}s, peak {sampler.peak() / 2**30:.2f} GiB", flush=True)
    return {"wall": wall, "peak": sampler.peak(), "stages": stages, "slowest_nodes": slowest}


def run_scale(
    profiles: int,
    workdir: Path,
    memory_limit: str,
    reuse_events: bool = False,
    engine: str = "duckdb",
    daily: bool = False,
    daily_repeats: int = 1,
    keep_refresh_start: bool = False,
) -> dict:
    from customer_ai import demo_data

    scale_dir = workdir / f"profiles_{profiles}"
    events_dir = scale_dir / "events"
    warehouse = scale_dir / ("warehouse" if engine == "duckdb" else f"warehouse_{engine}")
    for path in (warehouse,):
        if path.exists():
            subprocess.run(["rm", "-rf", str(path)], check=True)
    warehouse.mkdir(parents=True, exist_ok=True)

    settings = demo_data.DemoSettings(n_profiles=profiles)
    marker = events_dir / "_generated.json"
    if reuse_events and marker.exists():
        generated = json.loads(marker.read_text())
        events, generation_seconds = generated["events"], generated["seconds"]
        print(f"[{profiles:,} profiles] reusing the generated events in {events_dir}", flush=True)
    else:
        print(f"[{profiles:,} profiles] generating the demo as XDM Parquet ...", flush=True)
        started = time.time()
        if events_dir.exists():
            subprocess.run(["rm", "-rf", str(events_dir)], check=True)
        events = demo_data.write_xdm_parquet(settings, str(events_dir), workers=2)
        generation_seconds = time.time() - started
        marker.write_text(json.dumps({"events": events, "seconds": generation_seconds}))
    label = f"{profiles:,} profiles, {engine}"
    events_glob = str(events_dir / "*.parquet")
    if daily:
        last_day = settings.start + dt.timedelta(days=settings.days - 1)
        history, held_back_dir, held_rows = demo_data.hold_back_last_day(
            str(events_dir), str(scale_dir / "daily"), last_day
        )
        daily_events, held_back = Path(history), Path(held_back_dir)
        events_glob = str(daily_events / "*" / "*.parquet")
        print(f"[{label}] held back the last day ({last_day}, {held_rows:,} events) for the daily refresh", flush=True)
    print(f"[{label}] {events:,} events in {generation_seconds:.0f}s; running dbt build ...", flush=True)

    env = dict(os.environ)
    env.update(
        {
            "CUSTOMER_AI_DUCKDB_PATH": str(warehouse / "customer_ai.duckdb"),
            "CUSTOMER_AI_DUCKDB_MEMORY_LIMIT": memory_limit,
            "DBT_TARGET_PATH": str(warehouse / "target"),
            "DBT_LOG_PATH": str(warehouse / "logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "CUSTOMER_AI_SPARK_DIR": str(warehouse / "spark"),
        }
    )
    variables = {
        "customer_ai__events_source": "files",
        "customer_ai__events_path": events_glob,
        "customer_ai__bi_export_dir": str(warehouse / "bi"),
    }
    if daily:
        # a deployment's daily run reuses its models for a week; the first (full) build trains them
        variables.update({"customer_ai__retrain_policy": "older_than", "customer_ai__retrain_after_days": 7})
    dbt = VENV_BIN / "dbt" if engine == "duckdb" else PROJECT / ".venv-spark" / "bin" / "dbt"
    if not dbt.exists():
        raise SystemExit(f"{dbt} is missing: run `make setup-spark` first")
    command = [
        str(dbt),
        "build",
        "--profiles-dir",
        str(PROJECT),
        "--project-dir",
        str(PROJECT),
        "--target",
        "dev" if engine == "duckdb" else engine,
        "--vars",
        json.dumps(variables),
    ]
    build = measure_build(command, env, warehouse, label, "dbt_build.log")
    wall, peak, stages, slowest = build["wall"], build["peak"], build["stages"], build["slowest_nodes"]
    daily_build = None
    if daily:
        held_back.rename(daily_events / "new_day")
        print(f"[{label}] the next day's events arrive; running dbt build again ...", flush=True)
        daily_build = measure_daily(command, env, warehouse, label, engine, daily_repeats, keep_refresh_start)
        daily_build["events"] = held_rows

    import duckdb

    spark_tables = warehouse / "spark" / "tables" / "customer_ai.db"
    database = str(warehouse / "customer_ai.duckdb") if engine == "duckdb" else ":memory:"
    with duckdb.connect(database, read_only=engine == "duckdb") as con:
        if engine != "duckdb":  # Spark's tables are Parquet folders: read them as views of the same names
            for folder in spark_tables.iterdir():
                con.execute(
                    f"create view {folder.name} as select * from "
                    f"read_parquet('{folder}/**/*.parquet', hive_partitioning = true)"
                )

        def count(table: str) -> int:
            if table == "stg_experience_events" and engine != "duckdb":
                # a view in Spark's metastore, not a Parquet folder: its rows are the profiles' events
                return int(con.sql("select sum(events) from dim_customer_profiles").fetchall()[0][0])
            return con.sql(f"select count(*) from {table}").fetchall()[0][0]

        counts = {
            t: count(t)
            for t in (
                "stg_experience_events",
                "stg_experience_events_rejected",
                "fct_propensity_scores",
                "fct_reason_codes",
                "fct_customer_lifetime_value",
                "dim_customer_profiles",
                "fct_segment_memberships",
            )
        }
        scored_explained = con.sql(
            "select count(*) from fct_propensity_scores s where not exists (select 1 from fct_reason_codes r "
            "where r.profile_id = s.profile_id and r.prediction_name = s.prediction_name)"
        ).fetchall()[0][0]
        auc = dict(con.sql("select prediction_name, auc from rpt_model_evaluation where is_latest").fetchall())
    result = {
        "engine": engine,
        "profiles": profiles,
        "events": events,
        "generation_seconds": generation_seconds,
        "wall": wall,
        "peak": peak,
        "stages": stages,
        "slowest_nodes": slowest,
        "daily": daily_build,
        "counts": counts,
        "unexplained": scored_explained,
        "auc": auc,
        "warehouse": str(warehouse / "customer_ai.duckdb"),
        "command": shlex.join(command),
    }
    # saved at once, so that a failure later in the run does not lose the measurement
    (scale_dir / f"result_{engine}.json").write_text(json.dumps(result, indent=2, default=str))
    return result


def measure_daily(
    command: list[str], env: dict, warehouse: Path, label: str, engine: str, repeats: int, keep_start: bool = False
) -> dict:
    """The refresh, `repeats` times from the same state (the warehouse as the full build left it, copied aside
    first), to see past the noise of a shared machine: the run of median wall time, with every run's wall time.
    With keep_start the copy stays (before_refresh.duckdb beside the warehouse) for measuring refreshes later."""
    database = warehouse / "customer_ai.duckdb"
    kept = warehouse / "before_refresh.duckdb"
    if repeats > 1 or keep_start:
        if engine != "duckdb":
            raise SystemExit("--daily-repeats and --keep-refresh-start copy the DuckDB file: duckdb engine only")
        if Path(f"{database}.wal").exists():  # dbt closes the file checkpointed; anything else is not a clean state
            raise SystemExit(f"{database}.wal exists after the full build: cannot copy a consistent warehouse")
        subprocess.run(["cp", str(database), str(kept)], check=True)
    builds = []
    for attempt in range(repeats):
        if attempt:
            subprocess.run(["cp", str(kept), str(database)], check=True)
        name = f"{label}, daily refresh" + (f" {attempt + 1}/{repeats}" if repeats > 1 else "")
        log = "dbt_build_daily.log" if repeats == 1 else f"dbt_build_daily_{attempt + 1}.log"
        builds.append(measure_build(command, env, warehouse, name, log))
    if not keep_start:
        kept.unlink(missing_ok=True)
    median = sorted(builds, key=lambda b: b["wall"])[(len(builds) - 1) // 2]
    return {**median, "walls": [b["wall"] for b in builds], "peaks": [b["peak"] for b in builds]}


def gib(value: int) -> str:
    return f"{value / 2**30:.2f}"


def render(runs: list[dict], comparisons: dict | None, info: dict[str, str], argv: list[str]) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `scripts/benchmark.py` on this machine:",
        "",
    ]
    lines += [f"- {k}: {v}" for k, v in info.items()]
    lines += [
        "",
        "Reproduce:",
        "",
        "```bash",
        "make setup setup-spark && .venv/bin/python scripts/benchmark.py "
        + shlex.join([a for a in argv if a not in ("--reuse-events", "--reuse-results")]),
        "```",
        "",
        "Each scale: the demo is generated as XDM Parquet (two processes, not part of the build time), then "
        "`dbt build` (every model and test, reason codes for every scored profile) runs on those files in a "
        "fresh DuckDB warehouse (target dev, two threads) or local Spark (target spark: one dbt thread, "
        "local[2], Parquet tables). Peak memory is what the dbt process and its children hold, sampled every 0.2 s: "
        "the dbt process's resident set, plus each child's proportional share (PSS), since the explanation "
        "workers (and Spark's Python workers) are forked from one server and share most of their pages with it "
        "(the Spark JVM counts its resident set); per stage it is the peak while that stage's models ran "
        "(stages overlap on two threads). On DuckDB it is about memory_limit plus 1-1.5 GiB: the limit bounds "
        "DuckDB's own buffers, which it fills with cached tables, not the Python models and their workers. "
        "Stage times are dbt's own execution times (run_results.json), summed over the stage's nodes.",
        "",
    ]
    if runs:
        lines += [
            "## Whole build",
            "",
            "| engine | profiles | events | generation (s) | dbt build (s) | peak memory (GiB) | "
            "scores | reason codes | unexplained scores | holdout AUC |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for run in runs:
            auc = ", ".join(f"{k} {v:.3f}" for k, v in sorted(run["auc"].items()) if v is not None)
            lines.append(
                f"| {run.get('engine', 'duckdb')} | {run['profiles']:,} | {run['events']:,} | "
                f"{run['generation_seconds']:.0f} | "
                f"{run['wall']:.0f} | {gib(run['peak'])} | {run['counts']['fct_propensity_scores']:,} | "
                f"{run['counts']['fct_reason_codes']:,} | {run['unexplained']} | {auc} |"
            )
        duckdb_runs = [r for r in runs if r.get("engine", "duckdb") == "duckdb"]
        if len(duckdb_runs) >= 2:
            small, large = duckdb_runs[0], duckdb_runs[-1]
            lines += [
                "",
                f"Time ratio {large['profiles']:,} / {small['profiles']:,} profiles: "
                f"**{large['wall'] / small['wall']:.1f}** (profiles x{large['profiles'] / small['profiles']:.0f}).",
            ]
        for spark_run in (r for r in runs if r.get("engine") == "spark"):
            same = next((r for r in duckdb_runs if r["profiles"] == spark_run["profiles"]), None)
            if same:
                lines += [
                    "",
                    f"Spark / DuckDB at {spark_run['profiles']:,} profiles: "
                    f"**{spark_run['wall'] / same['wall']:.1f}x** the time, "
                    f"{spark_run['peak'] / max(same['peak'], 1):.1f}x the peak memory.",
                ]
        lines += ["", "## By stage", ""]
        header = (
            "| stage | "
            + " | ".join(f"{r['profiles']:,} {r.get('engine', 'duckdb')}: seconds | peak GiB" for r in runs)
            + " |"
        )
        lines += [header, "|---|" + "---|---|" * len(runs)]
        names = [s for s, _ in STAGES] + ["tests", "other"]
        for name in names:
            cells = []
            for run in runs:
                stage = run["stages"].get(name)
                cells.append(f"{stage['seconds']:.1f} | {gib(stage['peak'])}" if stage else "- | -")
            if any(c != "- | -" for c in cells):
                lines.append(f"| {name} | " + " | ".join(cells) + " |")
        largest = duckdb_runs[-1] if duckdb_runs else runs[-1]
        if largest.get("slowest_nodes"):
            lines += [
                "",
                f"## Slowest nodes at {largest['profiles']:,} profiles",
                "",
                "A node's test names end in a hash; tests of a model run before its children start.",
                "",
                "| node | seconds | started at (s) |",
                "|---|---|---|",
            ]
            lines += [f"| {n['node']} | {n['seconds']:.1f} | {n['start']:.0f} |" for n in largest["slowest_nodes"]]
    lines += render_daily([r for r in runs if r.get("daily")])
    if comparisons:
        lines += ["", "## Side by side (one run, ratios)", ""]
        lines += comparisons["markdown"]
    return "\n".join(lines) + "\n"


def render_daily(runs: list[dict]) -> list[str]:
    """The daily refresh beside the full build it followed: whole build, then by stage."""
    if not runs:
        return []
    lines = [
        "",
        "## Daily refresh",
        "",
        "With --daily the full build above ran on every day but the last simulated one; then that day's events "
        "arrived and the same `dbt build` ran again on the same warehouse (no --full-refresh; both builds with "
        "`customer_ai__retrain_policy: older_than`, 7 days, so the refresh reuses the models the full build trained).",
        "",
        "| engine | profiles | new events | full build (s) | daily refresh (s) | full / daily | peak full (GiB) | "
        "peak daily (GiB) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        daily = run["daily"]
        lines.append(
            f"| {run.get('engine', 'duckdb')} | {run['profiles']:,} | {daily['events']:,} | {run['wall']:.0f} | "
            f"{daily['wall']:.0f} | {run['wall'] / daily['wall']:.1f} | {gib(run['peak'])} | {gib(daily['peak'])} |"
        )
    for run in runs:
        walls = run["daily"].get("walls", [])
        if len(walls) > 1:
            lines += [
                "",
                f"The {run['profiles']:,}-profile refresh ran {len(walls)} times from the same state (the warehouse "
                f"file as the full build left it, copied back before each run): "
                + ", ".join(f"{w:.0f} s" for w in walls)
                + f" (peaks {', '.join(gib(p) for p in run['daily']['peaks'])} GiB). The table shows the run of "
                "median wall time, and its stages below.",
            ]
    lines += ["", "| stage | " + " | ".join(f"{r['profiles']:,}: full s | daily s" for r in runs) + " |"]
    lines.append("|---|" + "---|---|" * len(runs))
    for name in [s for s, _ in STAGES] + ["tests", "other"]:
        cells = []
        for run in runs:
            full, daily = run["stages"].get(name), run["daily"]["stages"].get(name)
            cells.append(" | ".join(f"{stage['seconds']:.1f}" if stage else "-" for stage in (full, daily)))
        if any(c != "- | -" for c in cells):
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, action="append", help="scale to run (repeatable)")
    parser.add_argument("--compare", action="store_true", help="also run the three side-by-side comparisons")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/customer_ai_benchmark"))
    parser.add_argument(
        "--memory-limit",
        default=DEFAULT_MEMORY_LIMIT,
        help=f"DuckDB memory_limit for the build (spills beyond it); default {DEFAULT_MEMORY_LIMIT}, the project's "
        "default in profiles.yml",
    )
    parser.add_argument("--output", type=Path, default=PROJECT / "BENCHMARKS.md")
    parser.add_argument("--reuse-events", action="store_true", help="reuse events generated by an earlier run")
    parser.add_argument(
        "--engine", action="append", choices=["duckdb", "spark"], help="engine(s) to build with (default duckdb)"
    )
    parser.add_argument(
        "--section",
        metavar="TITLE",
        help="write the report as a section of --output with this title, keeping the rest of the file",
    )
    parser.add_argument(
        "--reuse-results", action="store_true", help="report the saved result of a scale instead of building it again"
    )
    parser.add_argument(
        "--daily",
        action="store_true",
        help="hold back the last simulated day, build, then add that day and measure the refresh (same warehouse)",
    )
    parser.add_argument(
        "--daily-repeats",
        type=int,
        default=1,
        help="with --daily, run the refresh this many times from the same state (DuckDB) and report the median",
    )
    parser.add_argument(
        "--keep-refresh-start",
        action="store_true",
        help="with --daily, keep the warehouse as the full build left it (before_refresh.duckdb beside it, DuckDB)",
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    runs = []
    for engine in args.engine or ["duckdb"]:
        for profiles in sorted(args.profiles or []):
            saved = args.workdir / f"profiles_{profiles}" / f"result_{engine}.json"
            if args.reuse_results and saved.exists():
                runs.append(json.loads(saved.read_text()))
            else:
                # a scale's events are generated once and shared by its engines
                reuse = args.reuse_events or engine != (args.engine or ["duckdb"])[0]
                runs.append(
                    run_scale(
                        profiles,
                        args.workdir,
                        args.memory_limit,
                        reuse,
                        engine,
                        args.daily,
                        args.daily_repeats,
                        args.keep_refresh_start,
                    )
                )
    comparisons = None
    if args.compare:
        import comparisons as compare_module

        source = next((r["warehouse"] for r in runs if r.get("engine", "duckdb") == "duckdb"), None)
        comparisons = compare_module.run_all(args.workdir, source)
    (args.workdir / "results.json").write_text(
        json.dumps({"runs": runs, "comparisons": comparisons}, indent=2, default=str)
    )
    report = render(runs, comparisons, {**machine(), "DuckDB memory_limit": args.memory_limit}, sys.argv[1:])
    previous = args.output.read_text() if args.output.exists() else ""
    args.output.write_text(with_section(previous, report, args.section))
    print(f"wrote {args.output}" + (f" (section {args.section!r})" if args.section else ""))


SECTION = re.compile(r"<!-- section: (?P<title>[^>]*?) -->\n.*?<!-- end section: (?P=title) -->\n", re.S)


def with_section(previous: str, report: str, title: str | None) -> str:
    """The report as the whole file (keeping earlier sections), or as one titled section of the file.

    A section is the report one heading level down between marker comments, so that runs measuring different
    things (the DuckDB scales, Spark beside DuckDB) share BENCHMARKS.md without overwriting one another.
    """
    sections = {m["title"]: m.group(0) for m in SECTION.finditer(previous)}
    if title is None:
        return report + "".join("\n" + text for text in sections.values())
    body = report.replace("# Benchmarks\n", f"# {title}\n", 1)
    body = re.sub(r"^(#+) ", r"#\1 ", body, flags=re.M)  # one level down: the file keeps its own title
    sections[title] = f"<!-- section: {title} -->\n{body}<!-- end section: {title} -->\n"
    head = SECTION.sub("", previous).rstrip("\n") or "# Benchmarks"
    return head + "\n" + "".join("\n" + text for text in sections.values())


if __name__ == "__main__":
    main()
