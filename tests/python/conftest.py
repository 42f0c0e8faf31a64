"""Shared helpers: run the project's dbt in a subprocess against a throw-away DuckDB file."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = str(Path(sys.executable).with_name("dbt"))

# The modules that take minutes (dbt builds, Spark), longest first. `make test` runs two xdist workers that take
# whole modules (--dist loadscope) in collection order (--no-loadscope-reorder): handing out the long ones first
# lets the short ones fill the gaps, so that both workers end together instead of one finishing a long module alone.
LONG_MODULES = (
    "test_snapshot_incremental",
    "test_cross_engine",
    "test_pipeline_dbt",
    "test_staging",
    "test_daily_refresh",
    "test_trust",
)


def pytest_collection_modifyitems(config, items):
    """The long modules first, in LONG_MODULES order; the others after them, as collected."""
    rank = {name: position for position, name in enumerate(LONG_MODULES)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(LONG_MODULES)))


@functools.cache
def project_vars() -> dict:
    """The vars block of dbt_project.yml: the one place the settings' defaults are written (read once)."""
    return yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


def project_var(name: str):
    """A customer_ai__ var's default."""
    return project_vars()[f"customer_ai__{name}"]


def training_settings(**overrides):
    """TrainingSettings as dbt builds them from the project's defaults, with overrides."""
    from customer_ai.propensity import TrainingSettings

    defaults = {
        "min_positive_examples": project_var("min_positive_examples"),
        "min_negative_examples": project_var("min_negative_examples"),
        "poor_auc_threshold": project_var("poor_auc_threshold"),
        "seed": project_var("model_seed"),
    }
    return TrainingSettings(**{**defaults, **overrides})


def clv_settings(**overrides):
    """ClvSettings as dbt builds them from the project's defaults, with overrides."""
    from customer_ai.clv_steps import ClvSettings

    defaults = {
        name: project_var(f"clv_{name}")
        for name in ("time_unit", "horizon_days", "annual_discount_rate", "min_repeat_buyers")
    }
    return ClvSettings(**{**defaults, **overrides})


# Columns that say when or in which run a row was made, which differ between any two builds: run ids are named after
# the training time, model blobs are zip archives stamped with the time they were written (compare the scores they
# give instead), export paths and sizes name the warehouse's folder and hold the run times.
RUN_TIME_COLUMNS = {"model_run_id", "scored_at", "refreshed_at", "trained_at", "training_seconds", "fitted_at"}
RUN_TIME_COLUMNS |= {"fit_seconds", "exported_at", "path", "bytes", "model_blob", "library_versions"}
RUN_TIME_COLUMNS |= {"staged_at", "events_staged_at", "inputs_fingerprint", "sessionized_at", "computed_at"}


def dbt_env(tmp_path: Path, db_name: str) -> dict[str, str]:
    """Environment for a dbt run whose warehouse, target, logs and Parquet copies all live under tmp_path."""
    env = dict(os.environ)
    env.update(
        {
            "CUSTOMER_AI_DUCKDB_PATH": str(tmp_path / db_name),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DBT_TARGET_PATH": str(tmp_path / "target"),
            "DBT_LOG_PATH": str(tmp_path / "logs"),
        }
    )
    return env


def run_dbt(
    args: list[str],
    tmp_path: Path,
    variables: dict | None = None,
    db_name: str = "test.duckdb",
    check: bool = True,
    project_dir: Path = PROJECT_DIR,
) -> subprocess.CompletedProcess:
    """Run `dbt <args>` on the project (or a copy of it) with its own warehouse file, target and log folders under
    tmp_path."""
    env = dbt_env(tmp_path, db_name)
    command = [DBT, *args, "--profiles-dir", str(project_dir), "--project-dir", str(project_dir), "--target", "ci"]
    variables = {"customer_ai__bi_export_dir": str(tmp_path / "bi"), **(variables or {})}
    if variables:
        command += ["--vars", json.dumps(variables)]
    result = subprocess.run(command, cwd=project_dir, env=env, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
    return result


def copy_project(destination: Path) -> Path:
    """A copy of the project's dbt files (no environments, warehouse or build output), to change in a test."""
    ignore = shutil.ignore_patterns(".venv*", ".git", "target", "logs", "warehouse", "__pycache__", "*.duckdb")
    shutil.copytree(PROJECT_DIR, destination, ignore=ignore)
    return destination


class DbtRunner:
    """Runs dbt with warehouse, target and logs under one pytest tmp_path (exposed as .tmp_path)."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path

    def __call__(self, args, variables=None, db_name="test.duckdb", check=True):
        return run_dbt(args, self.tmp_path, variables, db_name, check)


@pytest.fixture
def dbt_runner(tmp_path):
    return DbtRunner(tmp_path)
