"""House rules that keep the project easy to change, checked on its text (no dbt run)."""

from __future__ import annotations

import re

from conftest import PROJECT_DIR, project_vars

DBT_TEXT = [
    *PROJECT_DIR.glob("models/**/*.sql"),
    *PROJECT_DIR.glob("models/**/*.yml"),
    *PROJECT_DIR.glob("macros/**/*.sql"),
    *PROJECT_DIR.glob("python_models/**/*.yml"),
]
VAR_CALL = re.compile(r"var\(\s*'(customer_ai__\w+)'\s*(,)?")


def _var_calls():
    for path in DBT_TEXT:
        for match in VAR_CALL.finditer(path.read_text()):
            yield path.relative_to(PROJECT_DIR), match.group(1), match.group(2) is not None


def test_every_setting_has_its_default_in_dbt_project_yml_only():
    calls = list(_var_calls())
    assert len(calls) > 50  # the pattern still finds the project's var() calls
    repeated = sorted({f"{path}: {name}" for path, name, has_default in calls if has_default})
    assert not repeated, "var() repeats a default that dbt_project.yml sets:\n" + "\n".join(repeated)
    undeclared = sorted({name for _path, name, _ in calls} - set(project_vars()))
    assert not undeclared, f"vars read but not declared (with their default) in dbt_project.yml: {undeclared}"


def test_python_settings_take_their_defaults_from_dbt_project_yml():
    """TrainingSettings and ClvSettings have no defaults of their own for the settings that are dbt vars."""
    import dataclasses

    from customer_ai.clv_steps import ClvSettings
    from customer_ai.propensity import TrainingSettings

    var_backed = {
        TrainingSettings: ["min_positive_examples", "min_negative_examples", "poor_auc_threshold", "seed"],
        ClvSettings: ["time_unit", "horizon_days", "annual_discount_rate", "min_repeat_buyers"],
    }
    for settings, names in var_backed.items():
        fields = {f.name: f for f in dataclasses.fields(settings)}
        with_default = [n for n in names if fields[n].default is not dataclasses.MISSING]
        assert not with_default, f"{settings.__name__} repeats the dbt default of {with_default}"


def test_the_python_package_has_no_import_cycle():
    """Modules import each other one way (function-level imports included), so each reads without the others."""
    import ast

    package = PROJECT_DIR / "src" / "customer_ai"
    imports: dict[str, set[str]] = {}
    for path in package.glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "customer_ai":
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("customer_ai."):
                found.add(node.module.split(".")[1])
        imports[path.stem] = found & {p.stem for p in package.glob("*.py")}
    assert imports["propensity"] and imports["explain"]  # the scan sees the package's imports

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for name in imports.get(start, ()):
            if name == target or (name not in seen and reaches(name, target, seen | {name})):
                return True
        return False

    cycles = sorted(name for name in imports if reaches(name, name, {name}))
    assert not cycles, f"modules in an import cycle: {cycles}"
