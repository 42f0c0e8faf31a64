"""Python models on a dbt-spark `session` connection: the piece dbt-spark 1.11 does not ship yet.

dbt-spark can run SQL models on an in-process SparkSession (`method: session`), but submits Python models only to
Databricks clusters: with a local Spark every Python model fails with "Databricks cluster_id is required". Upstream
tracks a session submission (dbt-spark issue 415, pull request 1063); until it ships, this module adds one. It is a
dbt plugin (dbt imports installed top-level modules named `dbt_*` that define `plugins`), so users keep running plain
`dbt build --target spark`: the plugin registers a `session` submission method for the Spark adapter, makes it the
default when the profile's method is `session`, and points Spark's Python workers at dbt's own interpreter. The
submission runs the compiled model code, which dbt-spark already writes for a notebook (it defines
`model(dbt, spark)` and writes the result with `saveAsTable`), against the SparkSession that the session
connection uses.

Remove this package once dbt-spark runs Python models on a session itself.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from dbt.plugins.manager import dbtPlugin


class SessionPythonJobHelper:
    """Runs a compiled dbt Python model in this process, on the active SparkSession."""

    def __init__(self, parsed_model: dict, credentials: Any) -> None:
        self.parsed_model = parsed_model
        self.credentials = credentials

    def submit(self, compiled_code: str) -> dict:
        from pyspark.sql import SparkSession

        # the session dbt-spark's session connection created (with the profile's server_side_parameters)
        spark = SparkSession.getActiveSession() or SparkSession.builder.enableHiveSupport().getOrCreate()
        name = f"{self.parsed_model.get('schema')}.{self.parsed_model.get('alias')}"
        started = time.perf_counter()
        namespace = {"spark": spark, "__name__": f"dbt_python_model_{self.parsed_model.get('alias')}"}
        exec(compile(compiled_code, f"<dbt python model {name}>", "exec"), namespace)  # noqa: S102 - dbt's own code
        return {"model": name, "seconds": round(time.perf_counter() - started, 2)}


def _install() -> None:
    try:
        from dbt.adapters.spark.impl import SparkAdapter
    except ImportError:  # dbt-spark is not installed: nothing to do
        return
    if getattr(SparkAdapter, "_customer_ai_session_python", False):
        return
    helpers = SparkAdapter.python_submission_helpers
    default = SparkAdapter.default_python_submission_method

    def python_submission_helpers(self):
        return {**helpers.fget(self), "session": SessionPythonJobHelper}

    def default_python_submission_method(self):
        method = getattr(self.config.credentials, "method", None)
        return "session" if str(method) in ("session", "SparkConnectionMethod.SESSION") else default.fget(self)

    SparkAdapter.python_submission_helpers = property(python_submission_helpers)
    SparkAdapter.default_python_submission_method = property(default_python_submission_method)
    SparkAdapter._customer_ai_session_python = True


class SparkSessionPythonModels(dbtPlugin):
    """Registers the `session` submission method for Python models with the Spark adapter."""

    def initialize(self) -> None:
        # Spark's Python workers must run this interpreter (the environment with the project's libraries), not
        # whatever `python3` comes first on the PATH
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        _install()


plugins = [SparkSessionPythonModels]
