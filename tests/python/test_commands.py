"""The everyday commands the README documents, run as written, in order, on a fresh small warehouse.

A selection such as `dbt build -s +fct_propensity_scores` must work on a warehouse where nothing else was built
(no test may compare the selection with a model it does not build), and `dbt run` followed by `dbt test` must pass
like `dbt build` does.
"""

from __future__ import annotations

import re
import shlex

import duckdb
import pytest
from conftest import PROJECT_DIR, run_dbt

SMALL = {
    "customer_ai__demo_profiles": 800,
    "customer_ai__min_positive_examples": 60,
    "customer_ai__min_negative_examples": 60,
    "customer_ai__segment_min_size": 10,
    "customer_ai__backtest_dates": 1,
}
BLOCK = re.compile(r"<!-- commands:[^>]*-->\s*```bash\n(?P<body>.*?)```\s*<!-- end commands -->", re.S)


def documented_commands() -> list[list[str]]:
    """The dbt commands of the README's 'Everyday commands' block, comments removed, without the leading `dbt`."""
    found = BLOCK.search((PROJECT_DIR / "README.md").read_text())
    assert found, "README.md has no '<!-- commands: ... -->' block"
    commands = []
    for line in found["body"].splitlines():
        words = shlex.split(line, comments=True)
        if words:
            assert words[0] == "dbt", f"not a dbt command: {line}"
            commands.append(words[1:])
    return commands


def test_the_readme_documents_the_selections_worth_testing():
    commands = [" ".join(c) for c in documented_commands()]
    assert "build -s +fct_propensity_scores" in commands
    assert commands.index("run") + 1 == commands.index("test")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    return tmp_path_factory.mktemp("commands")


@pytest.mark.parametrize("command", documented_commands(), ids=" ".join)
def test_each_documented_command_passes_in_order_on_a_fresh_warehouse(fresh, command):
    # commands run in the README's order on one warehouse: the first selection finds it empty
    result = run_dbt(command, fresh, SMALL, db_name="commands.duckdb", check=False)
    assert result.returncode == 0, f"dbt {' '.join(command)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"


def test_the_commands_left_a_complete_warehouse(fresh):
    with duckdb.connect(str(fresh / "commands.duckdb"), read_only=True) as con:
        scored = con.sql("select count(*) from fct_propensity_scores").fetchall()[0][0]
        profiles = con.sql("select count(*) from dim_customer_profiles").fetchall()[0][0]
    assert scored > 0
    assert profiles > 0


def test_the_warehouse_is_found_from_any_folder(tmp_path):
    """Run from another folder with --project-dir and --profiles-dir, dbt opens the warehouse in the profiles.yml's
    folder (the project root), not in the folder it was started from (which failed with an IO error)."""
    import shutil
    import subprocess

    from conftest import DBT, dbt_env

    profiles = tmp_path / "project_root"
    (profiles / "warehouse").mkdir(parents=True)
    shutil.copy(PROJECT_DIR / "profiles.yml", profiles / "profiles.yml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dbt_env(tmp_path, "unused.duckdb")
    del env["CUSTOMER_AI_DUCKDB_PATH"]  # the profile's own default path is what is tested
    result = subprocess.run(
        [DBT, "debug", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(profiles), "--target", "ci"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert f"path: {profiles}/warehouse/customer_ai_ci.duckdb" in result.stdout
    assert (profiles / "warehouse" / "customer_ai_ci.duckdb").exists()
    assert not list(elsewhere.iterdir())
