"""Imported once by the fork server of the explanation workers (customer_ai.explain.worker_context), before it
forks any worker: it runs the parent's main script there, so that the forked workers already have it. Nothing else
imports it.

A worker started by a fork server prepares itself as a spawned process would: it imports the parent's main script
as `__mp_main__` unless its `__main__` is already that file. Under dbt the main script is dbt's, whose import is
all of dbt (about 1.2 s of CPU), in each of the two workers of each prediction's pool. Python's own way to avoid
it, preloading `__main__` in the fork server, does not reach the server on Python 3.11 (the script's path is
filtered out of what the server is given), so the path comes through the environment the server inherits, with
the pid of the process that set it: a process that merely inherits the variable (a subprocess of dbt's) ignores it.
"""

from __future__ import annotations

import os
from multiprocessing import spawn

from customer_ai.explain import WORKER_MAIN_SCRIPT_VARIABLE


def _main_script_of_parent() -> str | None:
    pid, _, path = os.environ.get(WORKER_MAIN_SCRIPT_VARIABLE, "").partition(":")
    if pid == str(os.getppid()) and os.path.isfile(path):
        return path
    return None


_main_script = _main_script_of_parent()
if _main_script:
    spawn.import_main_path(_main_script)  # the same import a worker would do; the script's own main is guarded
